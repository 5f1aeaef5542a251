"""The committee's review of submitted proposals (DESIGN §6.3): 立案 (accept, with the session's next
case number 第N号), 并案 (merge others into one case), 转为意见建议 (convert to a 社情民意 draft or a letter
to a department), 不立案 (reject with a reason of the committee's list); then the flags of accepted
cases (重点 with a supervising leader, 优秀), 督办 notes and closing.

Every step: the actor is proposal staff of the committee and no proposer of it (common.require_reviewer)
→ lock the proposal (and check the version the page showed) → move it through the table with history
and audit → tell the proposers → make the ledger match (facts.sync_proposal_ledger)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.accounts.roles import Role
from lvzhi.core import audit
from lvzhi.core.numbering import next_number
from lvzhi.opinions.services import reports as opinion_reports

from ..facts import sync_proposal_ledger
from ..models import (
    Proposal,
    ProposalAuthor,
    ProposalCategory,
    RejectionReason,
    SerialCounter,
    SupervisionNote,
)
from . import common
from .common import ProposalError
from .filing import cosigning_open, drop_pending

if TYPE_CHECKING:
    from lvzhi.accounts.models import User
    from lvzhi.organization.models import Department

Status = Proposal.Status
# Statuses of the proposal others are merged into (it becomes, or already is, the accepted case).
MERGE_INTO = (Status.SUBMITTED, Status.ACCEPTED)
# Statuses from which staff close a case; from REPLIED (the proposer never evaluated) with a note.
CLOSE_FROM = (Status.EVALUATED, Status.REPLIED)
NOTE_MAX = 2000


# --- co-signing ------------------------------------------------------------------------------------
# Review waits while a co-signer may still confirm (filing.cosigning_open); whoever is still invited
# when the review comes (the deadline passed before the daily filing.drop_unconfirmed ran) drops off.


def _close_cosigning(proposal: Proposal) -> list[str]:
    """Refuse while co-signers are still confirming; else drop the ones who never answered (their
    names are returned for the audit row of the step)."""
    if cosigning_open(proposal):
        raise ProposalError(
            _(
                "Co-signers are still confirming until %(deadline)s. Review the proposal after that, "
                "or when all of them have answered."
            ),
            code="cosigning_open",
            params={"deadline": timezone.localtime(proposal.cosign_deadline).strftime("%Y-%m-%d %H:%M")},
        )
    return drop_pending(proposal)


# --- helpers -----------------------------------------------------------------------------------------


def _check_category(category: ProposalCategory | None, proposal: Proposal) -> ProposalCategory:
    if category is None:
        raise ProposalError(_("Category: choose the proposal's category."), code="category_required")
    if category.committee_id != proposal.committee_id or not category.is_active:
        raise ProposalError(_("Category: choose one of the committee's categories."), code="bad_category")
    return category


def _reviewed(proposal: Proposal, actor: User) -> list[str]:
    proposal.reviewed_on = timezone.localdate()
    proposal.reviewed_by = actor
    return ["reviewed_on", "reviewed_by"]


def _accept_locked(proposal: Proposal, *, actor: User, category: ProposalCategory | None) -> Proposal:
    """SUBMITTED → ACCEPTED on the locked row: the category confirmed, the session's next number."""
    common.require_status(proposal, (Status.SUBMITTED,), Status.ACCEPTED)
    proposal.category = _check_category(category, proposal)
    dropped = _close_cosigning(proposal)
    fields = ["category", *_reviewed(proposal, actor)]
    if proposal.serial is None:
        proposal.serial = next_number(SerialCounter, session_id=proposal.session_id)
        fields.append("serial")
    common.move(proposal, Status.ACCEPTED, actor=actor, fields=fields)
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.accepted",
        params={"serial": proposal.serial_label, "title": proposal.title},
        detail={"category": proposal.category_id, "dropped_co_signers": dropped},
    )
    return proposal


def _clean_note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ProposalError(
            _("Note: at most %(n)s characters."), code="note_too_long", params={"n": NOTE_MAX}
        )
    return note


# --- the review --------------------------------------------------------------------------------------


@transaction.atomic
def accept(
    proposal: Proposal,
    *,
    actor: User,
    category: ProposalCategory | None,
    expected_version: int | None = None,
) -> Proposal:
    """立案: SUBMITTED → ACCEPTED with the confirmed category and the session's next case number (第N号,
    gap-free: core.numbering locks the session's counter until this transaction ends)."""
    common.require_reviewer(actor, proposal)
    proposal = common.lock(proposal, expected_version)
    _accept_locked(proposal, actor=actor, category=category)
    common.send_to_proposers(
        proposal,
        kind="proposal.accepted",
        title=_("Your proposal was accepted as %(serial)s: %(title)s") % common.named(proposal),
        skip=actor,
    )
    sync_proposal_ledger(proposal, actor=actor)
    return proposal


@transaction.atomic
def merge(
    proposals: Iterable[Proposal],
    *,
    into: Proposal,
    actor: User,
    category: ProposalCategory | None = None,
) -> Proposal:
    """并案: the other submitted proposals of the session become MERGED into `into`, which is accepted in
    the same step when it is still submitted (with `category`, or the one its proposer chose). The
    merged proposals' proposers are credited on the accepted case (facts: proposal.accepted, "并案")."""
    others = [p for p in proposals if p.pk != into.pk]
    if not others:
        raise ProposalError(_("Merge: choose at least one other proposal."), code="merge_nothing")
    common.require_reviewer(actor, into)
    for other in others:
        common.require_reviewer(actor, other)
    # Every row locked, always in the order of their ids, so that two merges cannot deadlock.
    ids = sorted({into.pk, *(p.pk for p in others)})
    locked = {p.pk: p for p in Proposal.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    into = locked[into.pk]
    others = [locked[p.pk] for p in others]
    if into.status not in MERGE_INTO:
        raise ProposalError(
            _("Merge into: %(target)s is %(status)s; choose a submitted or accepted proposal."),
            code="merge_bad_target",
            params={"target": into.title, "status": Status(into.status).label},
        )
    for other in others:
        if other.session_id != into.session_id:
            raise ProposalError(
                _("Merge: %(title)s was filed for another session."),
                code="merge_other_session",
                params={"title": other.title},
            )
        common.require_status(other, (Status.SUBMITTED,), Status.MERGED)
    if into.status == Status.SUBMITTED:
        _accept_locked(into, actor=actor, category=category or into.category)
    for other in others:
        _close_cosigning(other)
        other.merged_into = into
        fields = ["merged_into", *_reviewed(other, actor)]
        reason = _("Merged into %(serial)s %(title)s") % common.named(into)
        common.move(other, Status.MERGED, actor=actor, reason=reason, fields=fields)
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=into.committee_id,
        obj=into,
        event="proposals.merged",
        params={"serial": into.serial_label, "title": into.title, "count": len(others)},
        detail={"merged": [p.pk for p in others]},
    )
    for other in others:
        common.send_to_proposers(
            other,
            kind="proposal.merged",
            title=_("Your proposal was merged into %(serial)s: %(title)s") % common.named(into),
            skip=actor,
        )
        sync_proposal_ledger(other, actor=actor)
    common.send_to_proposers(
        into,
        kind="proposal.accepted",
        title=_("Other proposals were merged with yours, accepted as %(serial)s: %(title)s")
        % common.named(into),
        skip=actor,
    )
    sync_proposal_ledger(into, actor=actor)
    return into


def _report_body(proposal: Proposal) -> str:
    return "\n\n".join(
        part.strip() for part in (proposal.case, proposal.analysis, proposal.suggestions) if part
    )


def _report_members(proposal: Proposal) -> list:
    """The counted member proposers, the first proposer first (the report's lead author)."""
    authors = [
        a
        for a in proposal.authors.select_related("member").order_by("order", "pk")
        if a.member_id is not None and a.consent == ProposalAuthor.Consent.CONFIRMED
    ]
    authors.sort(key=lambda a: (a.role != ProposalAuthor.Role.LEAD, a.order, a.pk))
    return [a.member for a in authors]


@transaction.atomic
def convert(
    proposal: Proposal,
    *,
    actor: User,
    to: str,
    department: Department | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Proposal:
    """转为意见建议: SUBMITTED → CONVERTED, either into a 社情民意 draft in the first proposer's name
    (the other member proposers as co-authors; linked both ways) or into a letter to a department."""
    common.require_reviewer(actor, proposal)
    note = _clean_note(note)
    proposal = common.lock(proposal, expected_version)
    common.require_status(proposal, (Status.SUBMITTED,), Status.CONVERTED)
    _close_cosigning(proposal)
    fields = ["converted_to", "review_note", *_reviewed(proposal, actor)]
    if to == Proposal.Conversion.OPINION:
        members = _report_members(proposal)
        if not members:
            raise ProposalError(
                _("No member is among the proposers, so there is nobody to write the report in the name of."),
                code="convert_no_member",
            )
        report = opinion_reports.create_draft(
            actor=actor,
            lead_member=members[0],
            co_authors=members[1:],
            title=proposal.title,
            body=_report_body(proposal),
        )
        proposal.converted_report = report
        fields.append("converted_report")
    elif to == Proposal.Conversion.LETTER:
        if department is None:
            raise ProposalError(
                _("Department: choose the department the letter goes to."), code="department_required"
            )
        if department.committee_id != proposal.committee_id or not department.is_active:
            raise ProposalError(
                _("Department: choose one of the committee's departments."), code="bad_department"
            )
        proposal.letter_department = department
        fields.append("letter_department")
    else:
        raise ProposalError(_("Convert to: choose a report or a letter."), code="bad_conversion")
    proposal.converted_to = to
    proposal.review_note = note
    common.move(proposal, Status.CONVERTED, actor=actor, reason=note, fields=fields)
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.converted",
        params={"title": proposal.title, "target": str(Proposal.Conversion(to).label)},
        detail={
            "to": to,
            "report": proposal.converted_report_id,
            "department": proposal.letter_department_id,
        },
    )
    common.send_to_proposers(
        proposal,
        kind="proposal.converted",
        title=_("Your proposal was converted: %(title)s") % common.named(proposal),
        body=note,
        skip=actor,
    )
    sync_proposal_ledger(proposal, actor=actor)
    return proposal


@transaction.atomic
def reject(
    proposal: Proposal,
    *,
    actor: User,
    reason: RejectionReason | None,
    note: str = "",
    expected_version: int | None = None,
) -> Proposal:
    """不立案: SUBMITTED → REJECTED with a reason of the committee's list (in use) and a note."""
    common.require_reviewer(actor, proposal)
    note = _clean_note(note)
    if reason is None or reason.committee_id != proposal.committee_id or not reason.is_active:
        raise ProposalError(
            _("Reason: choose one of the committee's reasons for not accepting a proposal."),
            code="bad_reason",
        )
    proposal = common.lock(proposal, expected_version)
    common.require_status(proposal, (Status.SUBMITTED,), Status.REJECTED)
    _close_cosigning(proposal)
    proposal.rejection_reason = reason
    proposal.review_note = note
    fields = ["rejection_reason", "review_note", *_reviewed(proposal, actor)]
    text = f"{reason.text}；{note}" if note else reason.text
    common.move(proposal, Status.REJECTED, actor=actor, reason=text, fields=fields)
    common.send_to_proposers(
        proposal,
        kind="proposal.rejected",
        title=_("Your proposal was not accepted: %(title)s") % common.named(proposal),
        body=text,
        skip=actor,
    )
    sync_proposal_ledger(proposal, actor=actor)
    return proposal


# --- flags, supervision, closing ---------------------------------------------------------------------


def _require_accepted(proposal: Proposal, message: str) -> None:
    if proposal.status not in Proposal.ACCEPTED_STATUSES:
        raise ProposalError(message, code="not_accepted")


def is_leader(user: User, committee_id: int) -> bool:
    """An active account of the committee holding the 领导 role (who may supervise a key proposal)."""
    return (
        user.is_active
        and user.committee_id == committee_id
        and user.groups.filter(name=Role.LEADER.value).exists()
    )


@transaction.atomic
def mark_key(proposal: Proposal, *, actor: User, key: bool, leader: User | None = None) -> Proposal:
    """重点提案: an accepted case marked key with a supervising leader (a leader of the committee), or
    unmarked; a new leader for a key case keeps the day it was marked."""
    common.require_reviewer(actor, proposal)
    proposal = common.lock(proposal)
    _require_accepted(proposal, _("Only accepted proposals can be marked as key proposals."))
    if key:
        if leader is None or not is_leader(leader, proposal.committee_id):
            raise ProposalError(
                _("Supervising leader: choose one of the committee's leaders."), code="bad_leader"
            )
        if not proposal.is_key:
            proposal.key_marked_on = timezone.localdate()
        proposal.is_key = True
        proposal.key_leader = leader
    else:
        proposal.is_key = False
        proposal.key_leader = None
        proposal.key_marked_on = None
    proposal.save(update_fields=["is_key", "key_leader", "key_marked_on"])
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.key_marked" if key else "proposals.key_unmarked",
        params={"title": proposal.title, "leader": str(leader) if key else ""},
    )
    if key and leader is not None:
        common.send(
            proposal,
            [leader.pk],
            kind="proposal.key",
            title=_("You supervise the key proposal %(serial)s: %(title)s") % common.named(proposal),
            skip=actor,
        )
    sync_proposal_ledger(proposal, actor=actor)
    return proposal


@transaction.atomic
def mark_excellent(proposal: Proposal, *, actor: User, excellent: bool) -> Proposal:
    """优秀提案: an accepted case marked excellent (or unmarked)."""
    common.require_reviewer(actor, proposal)
    proposal = common.lock(proposal)
    _require_accepted(proposal, _("Only accepted proposals can be marked as excellent proposals."))
    if excellent and not proposal.is_excellent:
        proposal.excellent_marked_on = timezone.localdate()
    elif not excellent:
        proposal.excellent_marked_on = None
    proposal.is_excellent = excellent
    proposal.save(update_fields=["is_excellent", "excellent_marked_on"])
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.excellent_marked" if excellent else "proposals.excellent_unmarked",
        params={"title": proposal.title},
    )
    if excellent:
        common.send_to_proposers(
            proposal,
            kind="proposal.excellent",
            title=_("Your proposal was marked excellent: %(title)s") % common.named(proposal),
            skip=actor,
        )
    sync_proposal_ledger(proposal, actor=actor)
    return proposal


def may_supervise(user: User, proposal: Proposal) -> bool:
    """Proposal staff (no proposer of it) or the case's supervising leader."""
    if not user.is_authenticated or user.committee_id != proposal.committee_id:
        return False
    if proposal.key_leader_id is not None and proposal.key_leader_id == user.pk:
        return True
    return user.has_perm(common.REVIEW) and not common.is_proposer(user, proposal)


@transaction.atomic
def add_supervision_note(
    proposal: Proposal, *, actor: User, date: datetime.date, note: str
) -> SupervisionNote:
    """督办: a note of the follow-up on an accepted case still open, by staff or its supervising
    leader."""
    common.require_committee(actor, proposal)
    if not may_supervise(actor, proposal):
        raise PermissionDenied("neither proposal staff nor the supervising leader")
    note = common.required_text(note, _("Note: write what was done."), "note_required")
    note = _clean_note(note)
    if date is None or date > timezone.localdate():
        raise ProposalError(_("Date: the day it happened, today at the latest."), code="bad_date")
    proposal = common.lock(proposal)
    _require_accepted(proposal, _("Supervision notes are kept for accepted proposals."))
    if proposal.status == Status.CLOSED:
        raise ProposalError(_("The case is closed: there is nothing left to supervise."), code="closed")
    row = SupervisionNote.objects.create(proposal=proposal, date=date, note=note, created_by=actor)
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.supervision_noted",
        params={"title": proposal.title, "date": date.isoformat()},
    )
    return row


@transaction.atomic
def close(
    proposal: Proposal, *, actor: User, note: str = "", expected_version: int | None = None
) -> Proposal:
    """EVALUATED → CLOSED; REPLIED → CLOSED (the proposer never evaluated) only with a note why."""
    common.require_reviewer(actor, proposal)
    note = _clean_note(note)
    proposal = common.lock(proposal, expected_version)
    common.require_status(proposal, CLOSE_FROM, Status.CLOSED)
    if proposal.status == Status.REPLIED and not note:
        raise ProposalError(
            _("The proposer has not evaluated the reply: write why the case is closed anyway."),
            code="close_note_required",
        )
    proposal.closed_on = timezone.localdate()
    common.move(proposal, Status.CLOSED, actor=actor, reason=note, fields=["closed_on"])
    common.send_to_proposers(
        proposal,
        kind="proposal.closed",
        title=_("Your proposal's case was closed: %(title)s") % common.named(proposal),
        body=note,
        skip=actor,
    )
    sync_proposal_ledger(proposal, actor=actor)
    return proposal
