"""Writes to member files. Every change goes through here so that history, version and audit agree."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.accounts import services as account_services
from lvzhi.accounts.roles import Role
from lvzhi.core import audit, masking, workflow
from lvzhi.core.permissions import AuditedPermissionDenied
from lvzhi.organization.models import OrgUnit

from .models import ContactUpdateRequest, Member, MemberChange, MemberTerm

if TYPE_CHECKING:
    from django.http import HttpRequest

    from lvzhi.accounts.models import User
    from lvzhi.organization.models import Committee, Term

# A member's place in a term as plain values: TERM_FIELDS → value, units by id.
Place = dict[str, Any]
# One entry of a file's history: field, label, old and new value as the history shows them.
Change = dict[str, str]

# Fields whose history keeps only the masked form, so the history table leaks nothing.
MASKED_FIELDS = {"id_number": masking.mask_id_number, "phone": masking.mask_phone}


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    # The member-file names are all concrete fields; get_field is typed to answer reverse relations too.
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def display_value(field_name: str, value: Any) -> str:
    """A member-file value as the history shows it: labels for codes, ISO dates, personal data masked."""
    if value in (None, ""):
        return ""
    if field_name in MASKED_FIELDS:
        return MASKED_FIELDS[field_name](value)
    field = _field(Member, field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if field_name == "photo":
        return getattr(value, "name", str(value))
    return str(value)


def snapshot(member: Member) -> dict[str, Any]:
    return {name: getattr(member, name) for name in Member.FILE_FIELDS}


def _diff(member: Member, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    changes = []
    for name in Member.FILE_FIELDS:
        old, new = before.get(name), after.get(name)
        if name == "photo":
            old, new = getattr(old, "name", old) or "", getattr(new, "name", new) or ""
        if (old or "") != (new or ""):
            changes.append(
                {
                    "field": name,
                    "label": str(_field(Member, name).verbose_name),
                    "old": display_value(name, old),
                    "new": display_value(name, new),
                }
            )
    return changes


TERM_FIELDS = [
    "sector",
    "town_committee",
    "special_committees",
    "is_standing",
    "status",
    "status_date",
    "status_reason",
]
UNIT_FIELDS = ("sector", "town_committee")
# A row of MemberTerm as it is before anyone sets a value: what a new row is compared with.
DEFAULT_PLACE: Place = {
    "sector": None,
    "town_committee": None,
    "special_committees": [],
    "is_standing": False,
    "status": MemberTerm.Status.SERVING,
    "status_date": None,
    "status_reason": "",
}


@dataclass
class Placed:
    """What placing a member in a term changes: the fields ("term.sector", ...) for the field-access
    check, the special committees added or removed (ids), and the file's history entries."""

    fields: list[str]
    specials_moved: set[int]
    changes: list[Change]


def _place_of(row: MemberTerm | None) -> Place | None:
    """A MemberTerm row as plain values (units by id), or None for a member not placed in the term."""
    if row is None:
        return None
    return {
        "sector": row.sector_id,
        "town_committee": row.town_committee_id,
        "special_committees": sorted(u.pk for u in row.special_committees.all()),
        "is_standing": row.is_standing,
        "status": row.status,
        "status_date": row.status_date,
        "status_reason": row.status_reason,
    }


class TermPlacements:
    """The one writer of members' places in terms (MemberTerm rows and their special committees),
    whichever way a place comes: the member form (create_member, update_member), the roster import and
    the demo. `add` compares a member's new place with the current one and queues the write; `save`
    writes every queued place in a few bulk statements, however many there are, so that an import of
    thousands of rows costs what one costs.

    Units are given as OrgUnit objects of the member's committee (another committee's is refused);
    `units` are those the caller holds already (the import's whole list), so that the history's names
    cost no query."""

    def __init__(self, *, units: Iterable[OrgUnit] = ()) -> None:
        self._names: dict[int, str] = {unit.pk: unit.name for unit in units}
        self._new: list[tuple[MemberTerm, list[int]]] = []  # with the special committee ids
        self._changed: list[MemberTerm] = []
        # The special committee ids of the rows whose list changed.
        self._specials: dict[MemberTerm, list[int]] = {}
        # The members whose status in a term changed (resigned, back to serving, ...), by id: save()
        # returns them, so that the caller disables the accounts of those who no longer serve.
        self._status_changed: dict[int, Member] = {}

    def compare(
        self, *, member: Member, term: Term, values: Mapping[str, Any], current: MemberTerm | None
    ) -> Placed:
        """What giving `member` (placed as `current`, a MemberTerm with its special committees, or None)
        the `values` ({TERM_FIELDS name: value}, the others unchanged) in `term` would change: Placed.
        Writes nothing (the import's preview)."""
        return self._compare(member, term, values, current)[0]

    def _compare(
        self, member: Member, term: Term, values: Mapping[str, Any], current: MemberTerm | None
    ) -> tuple[Placed, Place]:
        unknown = set(values) - set(TERM_FIELDS)
        if unknown:
            raise ValueError(f"Not a field of a member's place: {sorted(unknown)}")
        for unit in [*(values.get(name) for name in UNIT_FIELDS), *values.get("special_committees", ())]:
            if unit is not None and unit.committee_id != member.committee_id:
                raise PermissionDenied("a unit of another committee")
            if unit is not None:
                self._names.setdefault(unit.pk, unit.name)
        before = _place_of(current)
        after = dict(before or DEFAULT_PLACE)
        for name, value in values.items():
            if name in UNIT_FIELDS:
                value = getattr(value, "pk", None)
            elif name == "special_committees":
                value = sorted(unit.pk for unit in value)
            after[name] = value
        compared = before or DEFAULT_PLACE
        fields = [f"term.{name}" for name in TERM_FIELDS if compared[name] != after[name]]
        specials_moved = set(compared["special_committees"]) ^ set(after["special_committees"])
        changes = self._diff(term, before, after) if fields or current is None else []
        return Placed(fields=fields, specials_moved=specials_moved, changes=changes), after

    def add(
        self,
        *,
        member: Member,
        term: Term,
        values: Mapping[str, Any],
        current: MemberTerm | None,
        new_place: bool = False,
    ) -> Placed:
        """Compare as `compare` does and queue the write; returns Placed. A member not yet placed in
        the term gets a row when something differs from a default row, or always with `new_place`
        (a new file, or a roster line naming the term, places the member even with every default);
        its history shows every field of the new row."""
        placed, after = self._compare(member, term, values, current)
        if "term.status" in placed.fields:
            self._status_changed[member.pk] = member
        if current is None:
            if not (placed.fields or new_place):
                return Placed(fields=[], specials_moved=set(), changes=[])
            row = MemberTerm(member=member, term=term)
            self._set(row, after)
            self._new.append((row, after["special_committees"]))
        elif placed.fields:
            self._set(current, after)
            self._changed.append(current)
            if placed.specials_moved:
                self._specials[current] = after["special_committees"]
        return placed

    def save(self) -> list[Member]:
        """Write every queued place, then start afresh. Returns the members whose status in a term
        changed (for accounts.services.disable_departed_member_accounts)."""
        Through = MemberTerm.special_committees.through
        if self._new:
            created = MemberTerm.objects.bulk_create([row for row, _ids in self._new], batch_size=1000)
            Through.objects.bulk_create(
                [
                    Through(memberterm_id=row.pk, orgunit_id=unit_id)
                    for row, (_row, unit_ids) in zip(created, self._new, strict=True)
                    for unit_id in unit_ids
                ],
                batch_size=1000,
            )
        if self._changed:
            MemberTerm.objects.bulk_update(self._changed, PLACE_COLUMNS, batch_size=1000)
        if self._specials:
            Through.objects.filter(memberterm_id__in=[row.pk for row in self._specials]).delete()
            Through.objects.bulk_create(
                [
                    Through(memberterm_id=row.pk, orgunit_id=unit_id)
                    for row, unit_ids in self._specials.items()
                    for unit_id in unit_ids
                ],
                batch_size=1000,
            )
        status_changed = list(self._status_changed.values())
        self._new, self._changed, self._specials, self._status_changed = [], [], {}, {}
        return status_changed

    @staticmethod
    def _set(row: MemberTerm, place: Place) -> None:
        row.sector_id = place["sector"]
        row.town_committee_id = place["town_committee"]
        for name in ("is_standing", "status", "status_date", "status_reason"):
            setattr(row, name, place[name])

    def _text(self, place: Place | None) -> dict[str, str]:
        """A place as the history shows it."""
        if place is None:
            return {}
        ids = [place["sector"], place["town_committee"], *place["special_committees"]]
        missing = {pk for pk in ids if pk is not None and pk not in self._names}
        if missing:
            self._names.update(OrgUnit.objects.filter(pk__in=missing).values_list("pk", "name"))
        return {
            "sector": self._names.get(place["sector"], ""),
            "town_committee": self._names.get(place["town_committee"], ""),
            "special_committees": "、".join(sorted(self._names[pk] for pk in place["special_committees"])),
            "is_standing": _("Yes") if place["is_standing"] else _("No"),
            "status": str(MemberTerm.Status(place["status"]).label),
            "status_date": place["status_date"].isoformat() if place["status_date"] else "",
            "status_reason": place["status_reason"],
        }

    def _diff(self, term: Term, before: Place | None, after: Place) -> list[Change]:
        old, new = self._text(before), self._text(after)
        return [
            {
                "field": f"term.{name}",
                "label": f"{term.name} · {_field(MemberTerm, name).verbose_name}",
                "old": old.get(name, ""),
                "new": new[name],
            }
            for name in TERM_FIELDS
            if old.get(name, "") != new[name]
        ]


# The columns of a row that TermPlacements sets (the special committees are links of their own).
PLACE_COLUMNS = ["sector", "town_committee", "is_standing", "status", "status_date", "status_reason"]


def _require_add(actor: User, committee: Committee) -> None:
    """Member files are added by whoever may add them (the office), in their own committee only."""
    if not actor.has_perm("members.add_member") or actor.committee_id != committee.pk:
        raise PermissionDenied("members.add_member")


@transaction.atomic
def create_member(
    *,
    committee: Committee,
    data: Mapping[str, Any],
    actor: User,
    term: Term | None = None,
    term_values: Mapping[str, Any] | None = None,
    source: str = MemberChange.Source.CREATE,
    request: HttpRequest | None = None,
) -> Member:
    """A new member file from `data` (member field values) and, with `term`, the member's place in it
    (`term_values` as for update_member). The place is part of the file's first history row and of
    the audit row, like any later change."""
    _require_add(actor, committee)
    member = Member(committee=committee, **data)
    member.full_clean(exclude=["committee"])
    member.save()
    changes = _diff(member, {}, snapshot(member))
    if term is not None and term_values is not None:
        placements = TermPlacements()
        placed = placements.add(member=member, term=term, values=term_values, current=None, new_place=True)
        placements.save()
        changes += placed.changes
    MemberChange.objects.create(
        member=member, actor=actor, source=source, changes=changes, version=member.version
    )
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        request=request,
        obj=member,
        event="members.created",
        params={"name": member.name},
        detail={"fields": [c["field"] for c in changes]},
    )
    return member


# Member files written per bulk INSERT (with their history rows) by create_members; Django splits a
# batch further where the database limits the parameters of one statement (SQLite: 999).
CREATE_BATCH = 500


@transaction.atomic
def create_members(
    *,
    committee: Committee,
    rows: Sequence[Mapping[str, Any]],
    actor: User | None,
    places: Sequence[tuple[Term, Mapping[str, Any]] | None] | None = None,
    placements: TermPlacements | None = None,
    source: str = MemberChange.Source.IMPORT,
    request: HttpRequest | None = None,
    progress: Callable[[int], object] | None = None,
) -> list[Member]:
    """Create many member files at once: what create_member does for each, in a few queries per batch.

    `rows` are dicts of member field values, as create_member's `data`; `places`, parallel to `rows`,
    the (term, term values) of each new member's place or None. Each file is validated as
    create_member validates it (full_clean; the only checks needing queries, the user account's
    existence and uniqueness, are done for the whole batch in two queries), gets its derived name keys
    from Member.fill_derived_keys() and its blind indexes from the fields' pre_save, as in save(), and
    gets its history row with the changes create_member would write, its place included. The places
    are written by `placements` (the caller's TermPlacements, which knows its units, or a new one) in
    bulk at the end. The batch gets one audit row listing the new files' ids, not one row per file.
    Member.save() is not called, so no model signals are sent for these files (the project connects
    none). `progress(done)` is called after each batch. `actor` None is the operator on the server
    (manage.py import_members without --actor).

    Raises InvalidRow (a ValidationError) for the first invalid row, with its index in `rows` as
    `row_index`; nothing is written then. Returns the members, in the order of `rows`, with their pks.
    """
    if actor is not None:
        _require_add(actor, committee)
    places = places or [None] * len(rows)
    placements = placements or TermPlacements()
    members = [Member(committee=committee, **row) for row in rows]
    for index, member in enumerate(members):
        try:
            member.full_clean(exclude=["committee", "user"], validate_unique=False)
        except ValidationError as error:
            raise InvalidRow(error, row_index=index) from error
    _check_user_accounts(members)
    if not members:
        return members
    for member in members:
        member.fill_derived_keys()
    bulk = connection.features.can_return_rows_from_bulk_insert
    placed = 0
    for start in range(0, len(members), CREATE_BATCH):
        batch = members[start : start + CREATE_BATCH]
        if bulk:
            # bulk_create runs every field's pre_save: blind indexes, created_at / updated_at.
            Member.objects.bulk_create(batch)
        else:  # a database that cannot return the new pks: one INSERT each
            for member in batch:
                member.save()
        history = []
        for member, place in zip(batch, places[start : start + CREATE_BATCH], strict=True):
            changes = _diff(member, {}, snapshot(member))
            if place is not None:
                term, values = place
                changes += placements.add(
                    member=member, term=term, values=values, current=None, new_place=True
                ).changes
                placed += 1
            history.append(
                MemberChange(
                    member=member, actor=actor, source=source, changes=changes, version=member.version
                )
            )
        MemberChange.objects.bulk_create(history)
        if progress:
            progress(start + len(batch))
    placements.save()
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        request=request,
        committee=committee,
        event="members.bulk_created",
        params={"count": len(members), "source": str(source)},
        detail={
            "source": str(source),
            "count": len(members),
            "member_ids": [m.pk for m in members],
            "placed": placed,
        },
    )
    return members


class InvalidRow(ValidationError):
    """A row of create_members that does not validate: the row's errors, and its index in `rows`."""

    def __init__(self, error: ValidationError, *, row_index: int) -> None:
        super().__init__(error)
        self.row_index = row_index


def _check_user_accounts(members: Sequence[Member]) -> None:
    """The checks full_clean would make with a query per file: the linked user account exists and has
    no other file, here or in the database."""
    linked = [(index, m) for index, m in enumerate(members) if m.user_id is not None]
    if not linked:
        return
    field = Member._meta.get_field("user")
    user_ids = {m.user_id for _index, m in linked}
    existing = set(
        field.remote_field.model._default_manager.filter(pk__in=user_ids).values_list("pk", flat=True)
    )
    taken = set(Member.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
    for index, member in linked:
        if member.user_id not in existing:
            error = ValidationError(
                field.error_messages["invalid"],
                code="invalid",
                params={
                    "model": field.remote_field.model._meta.verbose_name,
                    "pk": member.user_id,
                    "field": field.remote_field.field_name,
                    "value": member.user_id,
                },
            )
        elif member.user_id in taken:
            error = member.unique_error_message(Member, ["user"])
        else:
            taken.add(member.user_id)
            continue
        raise InvalidRow(ValidationError({"user": [error]}), row_index=index)


# Where a role's right to a field holds: in every file the user may edit, or (for a unit's own lists)
# only as far as the change touches the units the user staffs.
ANYWHERE = "anywhere"
OWN_UNITS = "own_units"
EDITABLE_FIELDS = [*Member.FILE_FIELDS, *(f"term.{name}" for name in TERM_FIELDS)]

# Who may change which field of a member file (issue 8, finding 3). The office keeps the committee's
# register, so it changes everything. Unit staff (专委会/工委工作人员) keep in touch with their units'
# members: they correct the contact and work details they learn first, and record who sits in the special
# committees they staff. Everything else records a decision of the committee or a fact of the person's
# identity — name, ID number, birth date, gender, party, 界别, 镇区工委, 常委, status — and changes only
# through the office, which answers for the register; letting a unit change them would let it rewrite
# the standing committee's attendance notice and the scoring of other units. update_member enforces this
# table whatever a form posted; the edit form shows the other fields read-only.
FIELD_ACCESS = {
    Role.OFFICE: dict.fromkeys(EDITABLE_FIELDS, ANYWHERE),
    Role.UNIT_STAFF: {
        "phone": ANYWHERE,
        "email": ANYWHERE,
        "address": ANYWHERE,
        "employer_post": ANYWHERE,
        "term.special_committees": OWN_UNITS,
    },
}


class FieldNotEditable(AuditedPermissionDenied):
    """The actor tried to change a field of a member file that their role does not own; the refusal
    is already in the audit log, and the message names the fields."""


def field_label(field: str) -> str:
    """The name a person reads for a member-file field ("phone", "term.is_standing")."""
    model, name = (MemberTerm, field[len("term.") :]) if field.startswith("term.") else (Member, field)
    return str(_field(model, name).verbose_name)


def field_access(actor: User) -> dict[str, str]:
    """{field: ANYWHERE or OWN_UNITS} for every member-file field the actor's roles let them change."""
    if actor.is_superuser:
        return dict.fromkeys(EDITABLE_FIELDS, ANYWHERE)
    access: dict[str, str] = {}
    for role in actor.groups.values_list("name", flat=True):
        for field, scope in FIELD_ACCESS.get(role, {}).items():
            if access.get(field) != ANYWHERE:
                access[field] = scope
    return access


def _refusal(
    actor: User, member: Member, changed: list[str], specials_moved: set[int]
) -> tuple[str, list[str]] | None:
    """Why `actor` may not make these changes to `member` (a translated sentence), or None."""
    if member.committee_id != actor.committee_id or not (
        actor.is_committee_wide or Member.objects.visible_to(actor).filter(pk=member.pk).exists()
    ):
        return _("This member file is outside the units you work for; nothing was saved."), list(changed)
    access = field_access(actor)
    refused = [field for field in changed if field not in access]
    if refused:
        names = "、".join(f"“{field_label(field)}”" for field in refused)
        return (
            _("Your role may not change %(fields)s; the office keeps these fields. Nothing was saved.")
            % {"fields": names},
            refused,
        )
    if access.get("term.special_committees") == OWN_UNITS and specials_moved - actor.unit_ids():
        outside = OrgUnit.objects.filter(pk__in=specials_moved - actor.unit_ids()).order_by(
            "sort_order", "name"
        )
        return (
            _(
                "You may change the membership only of the special committees you work for, not of "
                "%(units)s. Nothing was saved."
            )
            % {"units": "、".join(str(unit) for unit in outside)},
            ["term.special_committees"],
        )
    return None


def update_member(
    *,
    member: Member,
    before: Mapping[str, Any],
    expected_version: int,
    actor: User | None,
    term: Term | None = None,
    term_values: Mapping[str, Any] | None = None,
    new_place: bool = False,
    placements: TermPlacements | None = None,
    source: str = MemberChange.Source.EDIT,
    request: HttpRequest | None = None,
) -> Member:
    """Save `member` (already carrying the new values) if nobody saved it since `expected_version`, and
    the member's place in `term` as `term_values` says ({TERM_FIELDS name: new value}, units as OrgUnit,
    special committees as a list of units). A member not yet placed in `term` gets a place when
    something differs from a default one, or always with `new_place` (a roster line naming the term).

    `before` is `snapshot()` of the file as the editor loaded it. The place is written by
    TermPlacements: by `placements` when the caller gives one and saves it itself (the roster import
    writes every file's place in bulk at the end; it loads the members with their `terms` and those
    terms' special committees prefetched), else here. Every changed field must be one the actor's role
    owns (FIELD_ACCESS): otherwise FieldNotEditable is raised before anything is written, and the
    refusal is audited — so call this outside a transaction that the refusal would roll back. `actor`
    None is the operator on the server (manage.py import_members without --actor): no role limits it. The
    file is locked and its version checked (workflow.lock) before anything is written, so of two
    concurrent saves exactly one wins and the other raises workflow.StaleEdit with nothing saved.
    """
    member_changes = _diff(member, before, snapshot(member))
    writer = placements or TermPlacements()
    placed = Placed(fields=[], specials_moved=set(), changes=[])
    if term is not None and term_values:
        # The member's terms as the caller prefetched them, or one query for the few the member has.
        current = next((row for row in member.terms.all() if row.term_id == term.pk), None)
        placed = writer.add(
            member=member, term=term, values=term_values, current=current, new_place=new_place
        )
    changed = [c["field"] for c in member_changes] + placed.fields
    refusal = (
        _refusal(actor, member, changed, placed.specials_moved) if changed and actor is not None else None
    )
    if refusal:
        message, fields = refusal
        audit.record(
            audit.Action.PERMISSION_DENIED,
            actor=actor,
            request=request,
            obj=member,
            event="members.edit_refused",
            params={"name": member.name, "fields": fields},
            detail={"fields": fields},
            result=audit.Result.FAILURE,
        )
        raise FieldNotEditable(message)
    with transaction.atomic():
        # Only the version: the caller's `member` already holds the values to save.
        workflow.lock(Member.objects.only("version"), member.pk, expected_version)
        member.version = expected_version + 1
        status_changed = writer.save() if placements is None else []
        changes = member_changes + placed.changes
        member.save()
        if status_changed:
            # A member who no longer serves (resigned, removed, ...) loses their member's account.
            account_services.disable_departed_member_accounts(
                committee=member.committee, actor=actor, request=request, members=status_changed
            )
        if changes:
            MemberChange.objects.create(
                member=member, actor=actor, source=source, changes=changes, version=member.version
            )
            audit.record(
                audit.Action.UPDATE,
                actor=actor,
                request=request,
                obj=member,
                event="members.edited",
                params={"name": member.name, "fields": [c["field"] for c in changes]},
                detail={"fields": [c["field"] for c in changes]},
            )
    return member


def unmask(*, member: Member, field: str, actor: User, request: HttpRequest | None = None) -> str:
    """Return the plaintext of a personal-data field and audit that it was shown."""
    if field not in MASKED_FIELDS:
        raise ValidationError(_("This field cannot be unmasked."))
    if not actor.has_perm("members.unmask_personal_data"):
        audit.record(
            audit.Action.PERMISSION_DENIED,
            actor=actor,
            request=request,
            obj=member,
            event="members.unmask_refused",
            params={"name": member.name, "field": field},
            result=audit.Result.FAILURE,
        )
        raise AuditedPermissionDenied
    audit.record(
        audit.Action.UNMASK,
        actor=actor,
        request=request,
        obj=member,
        event="members.unmasked",
        params={"name": member.name, "field": field},
    )
    return getattr(member, field)


LOOKUPS = {"id_number": "find_by_id_number", "phone": "find_by_phone"}


def lookup_members(
    *, actor: User, field: str, value: str, request: HttpRequest | None = None
) -> list[Member]:
    """The members the actor may see whose `field` ("id_number" or "phone") is exactly `value`.

    Finding whose number it is reveals as much as unmasking it, so it takes the unmask permission and
    every lookup is audited (with the number masked), found or not."""
    if field not in LOOKUPS:
        raise ValidationError(_("This field cannot be looked up."))
    masked = MASKED_FIELDS[field](value)
    if not actor.has_perm("members.unmask_personal_data"):
        audit.record(
            audit.Action.PERMISSION_DENIED,
            actor=actor,
            request=request,
            event="members.lookup_refused",
            params={"field": field, "value": masked},
            detail={"field": field, "value": masked},
            result=audit.Result.FAILURE,
        )
        raise AuditedPermissionDenied
    found = list(getattr(Member.objects.visible_to(actor), LOOKUPS[field])(value))
    audit.record(
        audit.Action.LOOKUP,
        actor=actor,
        request=request,
        event="members.looked_up",
        params={"field": field, "value": masked, "found": len(found)},
        detail={"field": field, "value": masked, "found": [m.pk for m in found]},
    )
    return found


@transaction.atomic
def request_contact_update(
    *,
    member: Member,
    phone: str,
    email: str,
    address: str,
    actor: User,
    request: HttpRequest | None = None,
) -> ContactUpdateRequest:
    """A member proposes new contact data for their own file; staff approve it later."""
    if member.user_id != actor.pk:
        raise PermissionDenied
    pending = ContactUpdateRequest.objects.select_for_update().filter(
        member=member, status=ContactUpdateRequest.Status.PENDING
    )
    # A new request replaces an unanswered one: the member changed their mind.
    pending.update(
        status=ContactUpdateRequest.Status.REJECTED,
        decided_at=timezone.now(),
        decision_note=_("Replaced by a newer request"),
    )
    req = ContactUpdateRequest.objects.create(member=member, phone=phone, email=email, address=address)
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        request=request,
        obj=req,
        event="members.contact_update_requested",
        params={"name": member.name},
    )
    return req


@transaction.atomic
def decide_contact_update(
    *,
    contact_request: ContactUpdateRequest,
    approve: bool,
    actor: User,
    note: str = "",
    request: HttpRequest | None = None,
) -> ContactUpdateRequest:
    req = ContactUpdateRequest.objects.select_for_update().get(pk=contact_request.pk)
    if req.status != ContactUpdateRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    req.status = ContactUpdateRequest.Status.APPROVED if approve else ContactUpdateRequest.Status.REJECTED
    req.decided_by = actor
    req.decided_at = timezone.now()
    req.decision_note = note
    req.save()
    if approve:
        member = workflow.lock(Member, req.member_id)
        before = snapshot(member)
        for name in ContactUpdateRequest.CONTACT_FIELDS:
            setattr(member, name, getattr(req, name))
        update_member(
            member=member,
            before=before,
            expected_version=member.version,
            actor=actor,
            source=MemberChange.Source.SELF_SERVICE,
            request=request,
        )
    audit.record(
        audit.Action.APPROVE if approve else audit.Action.REJECT,
        actor=actor,
        request=request,
        obj=req,
        event="members.contact_update_approved" if approve else "members.contact_update_rejected",
        params={"name": req.member.name},
    )
    return req
