"""Step 4 of the roster import: write the plan.

apply_import writes a plan made by plan.py in one transaction, through members.services only. It first
checks that the plan still holds (the units and terms it names are still the committee's active ones, the
files it updates still exist, no file has appeared with the ID number of a row it would create:
ImportOutdated otherwise), then updates the changed files one by one (services.update_member), creates
the new ones in bulk (services.create_members), saves every member's place in the term in bulk
(services.TermPlacements), disables the members' accounts of those whose place's status changed and who
no longer serve (accounts.services.disable_departed_member_accounts), and writes one audit row with the
counts. Rows with errors are skipped, or
with valid_only=False refuse the whole import before anything is written (ImportHasErrors).
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from lvzhi.accounts import services as account_services
from lvzhi.core import audit
from lvzhi.organization.models import OrgUnit

from .. import services
from ..models import Member, MemberChange, MemberTerm
from .clean import MEMBER_FIELDS, Reference
from .plan import MATCH_BATCH, PROGRESS_EVERY, find_member_term, term_values


class ImportHasErrors(Exception):
    """The plan has errors and the caller asked for all rows or none; nothing was written."""


class ImportOutdated(Exception):
    """The database changed since the plan was made (a planned file was deleted, a unit closed, or a
    new file has an ID number the plan would create); nothing was written. Check the file again."""

    def __init__(self, row=None):
        if row is None:
            message = _(
                "The member files changed since the file was checked. Nothing was imported; check the file again."
            )
        else:
            message = _(
                "The member files changed since the file was checked (row %(row)d). Nothing was imported; "
                "check the file again."
            ) % {"row": row}
        super().__init__(message)


def apply_import(*, committee, plan, actor, valid_only=True, progress=None, request=None):
    """Write the plan in one transaction: changed files through services.update_member, new ones in
    bulk through services.create_members (history source "import" for both), every member's place in
    its term through services.TermPlacements in bulk at the end, and an audit row with the counts.
    With valid_only=False a plan with any error writes nothing and raises ImportHasErrors. Returns
    {"created", "updated", "unchanged", "errors"}.

    The queries do not grow with the new rows (a few per batch of services.CREATE_BATCH files); each
    changed file costs its own few (version check, save, history and audit rows)."""
    if plan.file_issues:
        raise ImportHasErrors(plan.file_issues[0])
    counts = plan.counts()
    if counts["error"] and not valid_only:
        raise ImportHasErrors(_("%(n)d rows have errors; nothing was imported.") % {"n": counts["error"]})
    result = {"created": 0, "updated": 0, "unchanged": counts["unchanged"], "errors": counts["error"]}
    work = [row for row in plan.rows if row.action in ("create", "update")]
    updates = [row for row in work if row.action == "update"]
    creates = [row for row in work if row.action == "create"]
    total = len(work)
    with transaction.atomic():
        ref = Reference(committee)
        for row in work:
            _check_references(row, ref)
        members = _members_to_update(committee, [r.member_id for r in updates], ref)
        _check_still_new(committee, creates)
        for done, row in enumerate(updates, start=1):
            member = members.get(row.member_id)
            if member is None:
                raise ImportOutdated(row.row)
            if _update(member, row, ref, actor, request):
                result["updated"] += 1
            else:
                result["unchanged"] += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, total)
        created = []
        if creates:
            created = services.create_members(
                committee=committee,
                rows=[
                    {name: row.data[name] for name in MEMBER_FIELDS if name in row.data} for row in creates
                ],
                actor=actor,
                places=[
                    (ref.terms[row.data["term"]], term_values(row.data, ref))
                    if row.data.get("term")
                    else None
                    for row in creates
                ],
                placements=ref.placements,
                source=MemberChange.Source.IMPORT,
                request=request,
                progress=(lambda done: progress(len(updates) + done, total)) if progress else None,
            )
        result["created"] = len(created)
        status_changed = ref.placements.save()
        if status_changed:
            # Members who no longer serve (resigned, removed, ...) lose their members' accounts, in this
            # transaction and in the importer's name, as services.update_member does for one file.
            account_services.disable_departed_member_accounts(
                committee=committee, actor=actor, request=request, members=status_changed
            )
        audit.record(
            audit.Action.IMPORT,
            actor=actor,
            request=request,
            committee=committee,
            username="" if actor else "manage.py import_members",
            event="members.roster_imported",
            params={key: result[key] for key in ("created", "updated", "unchanged", "errors")},
            detail=dict(result),
        )
    if progress:
        progress(total, total)
    return result


def _check_references(row, ref):
    """The units and the term a row names must still be the committee's active ones: the plan was made
    before the transaction, and a unit may have been deactivated or deleted since."""
    data = row.data
    unit_ids = [data.get("sector"), data.get("town_committee"), *(data.get("special_committees") or [])]
    if any(pk is not None and pk not in ref.units_by_id for pk in unit_ids) or (
        data.get("term") is not None and data["term"] not in ref.terms
    ):
        raise ImportOutdated(row.row)


def _members_to_update(committee, member_ids, ref):
    if not member_ids:
        return {}
    terms = MemberTerm.objects.filter(term_id__in=list(ref.terms)).prefetch_related(
        Prefetch("special_committees", queryset=OrgUnit.objects.only("id"))
    )
    queryset = (
        Member.objects.select_for_update()
        .filter(committee=committee, pk__in=member_ids)
        .prefetch_related(Prefetch("terms", queryset=terms))
    )
    return {m.pk: m for m in queryset}


def _check_still_new(committee, rows):
    digests = [
        Member._meta.get_field("id_number_index").digest(r.data["id_number"])
        for r in rows
        if r.data.get("id_number")
    ]
    for start in range(0, len(digests), MATCH_BATCH):
        if Member.objects.filter(
            committee=committee, id_number_index__in=digests[start : start + MATCH_BATCH]
        ).exists():
            raise ImportOutdated()


def _update(member, row, ref, actor, request):
    before = services.snapshot(member)
    for name in MEMBER_FIELDS:
        if name in row.data:
            setattr(member, name, row.data[name])
    term_id = row.data.get("term")
    term = ref.terms[term_id] if term_id else None
    values = term_values(row.data, ref) if term_id else None
    place_changes = []
    if term_id:
        place_changes = ref.placements.compare(
            member=member, term=term, values=values, current=find_member_term(member, term_id)
        ).changes
    if not _member_changes_from(before, member) and not place_changes:
        return False
    services.update_member(
        member=member,
        before=before,
        expected_version=member.version,
        actor=actor,
        term=term,
        term_values=values,
        new_place=True,
        placements=ref.placements,
        source=MemberChange.Source.IMPORT,
        request=request,
    )
    return True


def _member_changes_from(before, member):
    return [name for name in MEMBER_FIELDS if (before.get(name) or "") != (getattr(member, name) or "")]
