"""Writing the duty ledger. Producing apps never touch DutyRecord themselves: at the end of the service
that makes a fact true (or untrue) they call `sync_records` with every fact their source implies now."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit

from . import kinds
from .models import DutyRecord
from .signals import records_changed

if TYPE_CHECKING:
    from lvzhi.accounts.models import User
    from lvzhi.members.models import Member
    from lvzhi.organization.models import Committee

SOURCE_LABEL_LENGTH = DutyRecord._meta.get_field("source_label").max_length
SHARE_STEP = Decimal("0.0001")
_UPDATABLE = ("date", "role", "share", "note", "source_label")
# Sources or records per query in sync_records_batch: below the bind-parameter limits of SQLite and PostgreSQL.
SYNC_BATCH = 2_000


@dataclass(frozen=True)
class Fact:
    """One fact a source implies about a member. (member, kind) identifies it within the source;
    date, role, share and note are its attributes and may change over time."""

    member: Member
    kind: str
    date: datetime.date
    role: str = ""
    share: Decimal = Decimal("1")
    note: str = ""


@dataclass(frozen=True)
class SyncResult:
    inserted: int = 0
    deleted: int = 0
    updated: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.deleted or self.updated)


def _checked(facts: Collection[Fact], committee: Committee) -> dict[tuple[int, str], Fact]:
    """The facts keyed by (member id, kind), refusing anything that must not reach the ledger."""
    by_key: dict[tuple[int, str], Fact] = {}
    for fact in facts:
        if not kinds.is_known(fact.kind):
            raise ValidationError(_("Unknown duty-record kind: %(kind)s"), params={"kind": fact.kind})
        if fact.member.pk is None or fact.member.committee_id != committee.pk:
            raise ValidationError(
                _("%(member)s is not a member of %(committee)s."),
                params={"member": fact.member, "committee": committee},
            )
        if not isinstance(fact.date, datetime.date) or isinstance(fact.date, datetime.datetime):
            raise ValidationError(_("A duty record needs a date."))
        # Quantized as the column stores it, so that a re-run compares equal and changes nothing.
        share = Decimal(str(fact.share)).quantize(SHARE_STEP)
        if not Decimal("0") <= share <= Decimal("1"):
            raise ValidationError(_("A share must be between 0 and 1."))
        fact = Fact(fact.member, fact.kind, fact.date, fact.role or "", share, fact.note or "")
        key = (fact.member.pk, fact.kind)
        # The same fact given twice is harmless; two different versions of it are a bug in the caller.
        if key in by_key and by_key[key] != fact:
            raise ValidationError(
                _("%(member)s has two different %(kind)s facts."),
                params={"member": fact.member, "kind": fact.kind},
            )
        by_key[key] = fact
    return by_key


def sync_records(
    *, source: models.Model, committee: Committee, facts: Collection[Fact], actor: User | None = None
) -> SyncResult:
    """Make the ledger hold exactly `facts` for `source` (DESIGN §6.5): insert the new ones, delete those
    that no longer hold, update date/role/share/note where they changed, leave the rest alone.

    Idempotent, atomic, and a constant number of queries however many facts there are. Refuses unknown
    kinds and members of another committee than `committee` (the source's). Writes one audit row, and
    only when something changed. Returns a SyncResult with the counts.
    """
    return _sync(source=source, committee=committee, wanted=_checked(facts, committee), actor=actor)


def retract_all(
    *, source: models.Model, actor: User | None = None, committee: Committee | None = None
) -> SyncResult:
    """Remove every duty record of `source` (it was withdrawn, cancelled or deleted)."""
    return _sync(source=source, committee=committee, wanted={}, actor=actor)


class _Changes:
    """The ledger changes of one transaction, announced together once it commits: an import or a
    closed plenary syncs hundreds of sources, and the members concerned are recomputed once."""

    def __init__(self) -> None:
        self.by_committee: dict[int, dict[int, set[int]]] = {}
        self.sent = False

    def add(self, committee_id: int, touched: set[tuple[int, int]]) -> None:
        members_by_year = self.by_committee.setdefault(committee_id, {})
        for member_id, year in touched:
            members_by_year.setdefault(year, set()).add(member_id)

    def send(self) -> None:
        self.sent = True
        for committee_id, members_by_year in self.by_committee.items():
            records_changed.send(
                sender=DutyRecord, committee_id=committee_id, members_by_year=members_by_year
            )


def _announce(committee_id: int, touched: set[tuple[int, int]]) -> None:
    """Tell the layers above, once committed, whose records of which years changed (`touched`: the
    (member id, year) of every record of the source before and after the sync)."""
    connection = transaction.get_connection()
    changes = getattr(connection, "lvzhi_ledger_changes", None)
    # The collector is reused while its announcement is still waiting for this transaction's commit; a
    # rollback drops the callback, and the next transaction starts a collector of its own. One already
    # sent is never reused: a callback run by captureOnCommitCallbacks (tests) stays in run_on_commit,
    # and the next transaction's changes would go into it unannounced.
    # (A sync inside a savepoint rolled back after the collector was registered stays in it: its members
    # are recomputed from the committed ledger for nothing, which changes no score.)
    if (
        changes is None
        or changes.sent
        or not any(entry[1] == changes.send for entry in connection.run_on_commit)
    ):
        changes = _Changes()
        connection.lvzhi_ledger_changes = changes
        transaction.on_commit(changes.send)
    changes.add(committee_id, touched)


@transaction.atomic
def _sync(
    *,
    source: models.Model,
    committee: Committee | None,
    wanted: dict[tuple[int, str], Fact],
    actor: User | None,
) -> SyncResult:
    """Make the ledger hold exactly the checked facts `wanted` for `source`."""
    if source.pk is None:
        raise ValueError("The source must be saved before it can have duty records.")
    source_type = ContentType.objects.get_for_model(source)
    source_label = str(source)[:SOURCE_LABEL_LENGTH]
    recorded_by = actor if actor is not None and actor.is_authenticated else None

    existing = {
        (record.member_id, record.kind): record
        for record in DutyRecord.objects.select_for_update().filter(
            source_type=source_type, source_id=source.pk
        )
    }
    # Taken before the updates below change the dates: a record moved to another year changes both.
    touched = {(record.member_id, record.date.year) for record in existing.values()}
    to_delete = [record.pk for key, record in existing.items() if key not in wanted]
    to_insert = []
    to_update = []
    now = timezone.now()
    for key, fact in wanted.items():
        values = {
            "date": fact.date,
            "role": fact.role,
            "share": fact.share,
            "note": fact.note,
            "source_label": source_label,
        }
        record = existing.get(key)
        if record is None:
            to_insert.append(
                DutyRecord(
                    member=fact.member,
                    committee=committee,
                    kind=fact.kind,
                    source_type=source_type,
                    source_id=source.pk,
                    recorded_by=recorded_by,
                    recorded_at=now,
                    **values,
                )
            )
        elif any(getattr(record, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(record, name, value)
            to_update.append(record)

    if to_delete:
        DutyRecord.objects.filter(pk__in=to_delete).delete()
    if to_insert:
        DutyRecord.objects.bulk_create(to_insert)
    if to_update:
        DutyRecord.objects.bulk_update(to_update, _UPDATABLE)

    result = SyncResult(inserted=len(to_insert), deleted=len(to_delete), updated=len(to_update))
    if result.changed:
        if committee is None:  # a retraction without a committee: the records say whose it was
            committee = next(iter(existing.values())).committee
        touched.update((fact.member.pk, fact.date.year) for fact in wanted.values())
        _announce(committee.pk, touched)
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            committee=committee,
            obj=source,
            event="ledger.synced",
            params={
                "source": source_label,
                "inserted": result.inserted,
                "updated": result.updated,
                "deleted": result.deleted,
            },
            detail={
                "ledger": {"inserted": result.inserted, "deleted": result.deleted, "updated": result.updated}
            },
        )
    return result


# --- batches of sources (the duty-record import) ---------------------------------------------------


@transaction.atomic
def sync_records_batch(
    *,
    committee: Committee,
    batch: Sequence[tuple[models.Model, Collection[Fact]]],
    actor: User | None = None,
    label: str = "",
) -> SyncResult:
    """sync_records for many sources of one model at once: for each (source, facts) of `batch`, make the
    ledger hold exactly those facts for that source, with the same checks, in a constant number of
    queries (plus one per SYNC_BATCH sources) whatever the size of the batch. An import of thousands of
    rows, each an item of its own, would otherwise cost a few queries and an audit row per row. One
    announcement (records_changed, after commit) and one audit row for the whole batch, named `label`.
    Returns the summed counts."""
    if not batch:
        return SyncResult()
    sources = [source for source, _facts in batch]
    if any(source.pk is None for source in sources):
        raise ValueError("The sources must be saved before they can have duty records.")
    model = type(sources[0])
    if any(type(source) is not model for source in sources):
        raise ValueError("A batch holds sources of one model.")
    source_type = ContentType.objects.get_for_model(model)
    recorded_by = actor if actor is not None and actor.is_authenticated else None
    wanted = {source.pk: (source, _checked(facts, committee)) for source, facts in batch}
    existing: dict[tuple[int, int, str], DutyRecord] = {}
    ids = list(wanted)
    for start in range(0, len(ids), SYNC_BATCH):
        for record in DutyRecord.objects.select_for_update().filter(
            source_type=source_type, source_id__in=ids[start : start + SYNC_BATCH]
        ):
            existing[(record.source_id, record.member_id, record.kind)] = record
    touched = {(record.member_id, record.date.year) for record in existing.values()}
    to_delete = [
        record.pk
        for (source_id, member_id, kind), record in existing.items()
        if (member_id, kind) not in wanted[source_id][1]
    ]
    to_insert = []
    to_update = []
    now = timezone.now()
    for source_id, (source, facts) in wanted.items():
        source_label = str(source)[:SOURCE_LABEL_LENGTH]
        for (member_id, kind), fact in facts.items():
            values = {
                "date": fact.date,
                "role": fact.role,
                "share": fact.share,
                "note": fact.note,
                "source_label": source_label,
            }
            record = existing.get((source_id, member_id, kind))
            if record is None:
                to_insert.append(
                    DutyRecord(
                        member=fact.member,
                        committee=committee,
                        kind=kind,
                        source_type=source_type,
                        source_id=source_id,
                        recorded_by=recorded_by,
                        recorded_at=now,
                        **values,
                    )
                )
            elif any(getattr(record, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(record, name, value)
                to_update.append(record)
            touched.add((member_id, fact.date.year))
    for start in range(0, len(to_delete), SYNC_BATCH):
        DutyRecord.objects.filter(pk__in=to_delete[start : start + SYNC_BATCH]).delete()
    if to_insert:
        DutyRecord.objects.bulk_create(to_insert, batch_size=SYNC_BATCH)
    if to_update:
        DutyRecord.objects.bulk_update(to_update, _UPDATABLE, batch_size=SYNC_BATCH)
    result = SyncResult(inserted=len(to_insert), deleted=len(to_delete), updated=len(to_update))
    if result.changed:
        _announce(committee.pk, touched)
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            committee=committee,
            event="ledger.synced",
            params={
                "source": label or model._meta.verbose_name_plural,
                "inserted": result.inserted,
                "updated": result.updated,
                "deleted": result.deleted,
            },
            detail={
                "ledger": {"inserted": result.inserted, "deleted": result.deleted, "updated": result.updated},
                "sources": len(sources),
            },
        )
    return result
