"""Handling (DESIGN §6.3): what the handling units do once a proposal is assigned to them, and the
proposer's evaluation of their reply.

- Each unit that signed for its assignment records its contacts with the proposer (面商, phone, …) in
  the current round (`record_contact`); a co-unit (协办) gives its views to the lead unit (`give_views`).
- The lead unit (主办) drafts the reply of the round (`save_reply`: result code A–D, text, the reply
  document) and sends it (`send_reply`, HANDLING → REPLIED) once it has a result, a text or document,
  a contact with the proposer in this round, and the views of every co-unit still on the case. Staff
  type in a reply that came on paper (`record_paper_reply`).
- The first proposer evaluates the reply (`evaluate`): 满意 or 基本满意 → EVALUATED (staff close it);
  不满意 → handled again: round + 1 and a new deadline, the units are told.

Every step locks the proposal (the row the status lives on), checks the actor's right, writes an audit
row, notifies, and syncs the ledger where the proposal's status changes."""

from __future__ import annotations

import calendar
import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit, uploads, workflow

from .. import selectors
from ..facts import sync_proposal_ledger
from ..models import Assignment, ContactRecord, Evaluation, Proposal, Reply
from .common import (
    HANDLE,
    REVIEW,
    ProposalError,
    department_user_ids,
    is_first_proposer,
    is_proposer,
    lock,
    move,
    move_assignment,
    named,
    require_reviewer,
    send,
    send_to_proposers,
    send_to_reviewers,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from lvzhi.accounts.models import User

Status = Proposal.Status
AStatus = Assignment.Status
# The statuses in which the units work on the case (contacts, views).
WORKING = (Status.ASSIGNED, Status.HANDLING)
NOTE_MAX = 2000
VIEWS_MAX = 5000
REPLY_MAX = 20000
COMMENTS_MAX = 2000


# --- small helpers ----------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months, on the month's last day when it is shorter (31 Jan + 1
    month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def new_deadline(proposal: Proposal, today: datetime.date | None = None) -> datetime.date:
    """The deadline of another round: today plus the session's handling months."""
    return add_months(today or timezone.localdate(), selectors.handling_months(proposal.session_id))


def lead_assignment(proposal: Proposal) -> Assignment | None:
    """The lead unit's assignment still on the case (not returned)."""
    return (
        proposal.assignments.select_related("department")
        .filter(role=Assignment.Role.LEAD)
        .exclude(status=AStatus.RETURNED)
        .first()
    )


def current_reply(proposal: Proposal) -> Reply | None:
    """The reply of the proposal's current round, sent or a draft."""
    return proposal.replies.filter(round=proposal.round).first()


def _is_unit_of(user: User, assignment: Assignment) -> bool:
    return (
        user.is_authenticated
        and bool(getattr(user, "department_id", None))
        and user.department_id == assignment.department_id
        and user.committee_id == assignment.committee_id
        and user.has_perm(HANDLE)
    )


def _require_unit(user: User, assignment: Assignment) -> None:
    if not _is_unit_of(user, assignment):
        raise PermissionDenied(HANDLE)


def _text(value: str | None, limit: int, message: str, code: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ProposalError(message, code=code)
    if "\x00" in value:
        raise ProposalError(_("The text contains a character that cannot be stored."), code="nul")
    if len(value) > limit:
        raise ProposalError(
            _("The text is too long: at most %(limit)s characters."), code="too_long", params={"limit": limit}
        )
    return value


def _past_date(day: datetime.date, *, not_before: datetime.date | None = None) -> datetime.date:
    if day > timezone.localdate():
        raise ProposalError(_("The date lies in the future."), code="future_date")
    if not_before is not None and day < not_before:
        raise ProposalError(
            _("The date lies before the assignment (%(date)s)."),
            code="date_before_assignment",
            params={"date": not_before.isoformat()},
        )
    return day


def _store(reply: Reply, uploaded_file: UploadedFile | None, actor: User) -> None:
    if uploaded_file is None:
        return
    try:
        uploads.store(reply, uploaded_file, actor=actor)
    except uploads.UploadRefused as refused:
        raise ProposalError(str(refused), code="upload_refused") from refused


def _unit_ids(proposal: Proposal, *, roles: tuple[str, ...] = ("lead", "co")) -> set[int]:
    ids: set[int] = set()
    departments = (
        proposal.assignments.filter(role__in=roles)
        .exclude(status=AStatus.RETURNED)
        .values_list("department_id", flat=True)
    )
    for department_id in departments:
        ids |= department_user_ids(department_id)
    return ids


# --- who may (the proposal page asks the same) ------------------------------------------------------


def may_record_contact(user: User, assignment: Assignment, proposal: Proposal) -> bool:
    return (
        _is_unit_of(user, assignment) and assignment.status == AStatus.SIGNED and proposal.status in WORKING
    )


def may_give_views(user: User, assignment: Assignment, proposal: Proposal) -> bool:
    return may_record_contact(user, assignment, proposal) and assignment.role == Assignment.Role.CO


def may_reply(user: User, proposal: Proposal, lead: Assignment | None = None) -> bool:
    """The lead unit's account, while the proposal is being handled and the lead unit signed for it."""
    lead = lead if lead is not None else lead_assignment(proposal)
    return (
        lead is not None
        and _is_unit_of(user, lead)
        and lead.status == AStatus.SIGNED
        and proposal.status == Status.HANDLING
    )


# A paper reply is typed in while the case is handled, or while it is still assigned: the lead unit that
# never signs in signed on paper too (record_paper_reply signs for it).
PAPER_REPLY_STATUSES = (Status.ASSIGNED, Status.HANDLING)


def _paper_signable(proposal: Proposal, lead: Assignment | None) -> bool:
    """Whether the lead unit's assignment lets a paper reply in: signed (handling), or still waiting to
    be signed for while the proposal is assigned (not while it asks to return it)."""
    if lead is None:
        return False
    if proposal.status == Status.ASSIGNED:
        return lead.status == AStatus.ASSIGNED
    return True


def may_record_paper_reply(user: User, proposal: Proposal, lead: Assignment | None = None) -> bool:
    if not (
        proposal.status in PAPER_REPLY_STATUSES
        and user.committee_id == proposal.committee_id
        and user.has_perm(REVIEW)
    ):
        return False
    if proposal.status == Status.ASSIGNED and not _paper_signable(
        proposal, lead if lead is not None else lead_assignment(proposal)
    ):
        return False
    return not is_proposer(user, proposal)


def may_evaluate(user: User, proposal: Proposal) -> bool:
    if proposal.status != Status.REPLIED or not is_first_proposer(user, proposal):
        return False
    reply = current_reply(proposal)
    return reply is not None and reply.sent_at is not None and not hasattr(reply, "evaluation")


def reply_blockers(
    proposal: Proposal, reply: Reply | None = None, lead: Assignment | None = None
) -> list[str]:
    """What still keeps the lead unit from sending the reply of this round (empty: it may send)."""
    lead = lead if lead is not None else lead_assignment(proposal)
    reply = reply if reply is not None else current_reply(proposal)
    problems = []
    if reply is None or not reply.result:
        problems.append(_("Choose the result (A, B, C or D)."))
    if reply is None or not (reply.text.strip() or reply.file):
        problems.append(_("Write the reply or upload the reply document."))
    if (
        lead is None
        or not ContactRecord.objects.filter(assignment=lead, proposal=proposal, round=proposal.round).exists()
    ):
        problems.append(_("Record at least one contact with the proposer in this round."))
    waiting = (
        proposal.assignments.filter(role=Assignment.Role.CO, views_given_at__isnull=True)
        .exclude(status=AStatus.RETURNED)
        .select_related("department")
        .order_by("pk")
    )
    for co in waiting:
        problems.append(_("%(unit)s (co-unit) has not given its views yet.") % {"unit": co.department.name})
    return problems


# --- contacts and views -----------------------------------------------------------------------------


@transaction.atomic
def record_contact(
    assignment: Assignment, *, actor: User, date: datetime.date, way: str, note: str
) -> ContactRecord:
    """A unit that signed for its assignment records a contact with the proposer in this round."""
    _require_unit(actor, assignment)
    proposal = lock(assignment.proposal)
    assignment = workflow.lock(Assignment, assignment.pk)
    if assignment.status != AStatus.SIGNED:
        raise ProposalError(
            _("Sign for the assignment before you record contacts with the proposer."), code="not_signed"
        )
    if proposal.status not in WORKING:
        raise ProposalError(
            _("Contacts are recorded while the proposal is being handled; it is %(status)s."),
            code="not_handling",
            params={"status": proposal.get_status_display()},
        )
    if way not in ContactRecord.Way.values:
        raise ProposalError(_("Choose how you contacted the proposer."), code="way")
    _past_date(date, not_before=assignment.assigned_on)
    note = _text(note, NOTE_MAX, _("Write what was discussed."), "note_required")
    contact = ContactRecord.objects.create(
        proposal=proposal,
        assignment=assignment,
        round=proposal.round,
        date=date,
        way=way,
        note=note,
        created_by=actor,
    )
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.contact_recorded",
        params={"object": str(proposal), "unit": assignment.department.name},
        detail={"contact": contact.pk, "assignment": assignment.pk, "round": proposal.round, "way": way},
    )
    return contact


@transaction.atomic
def give_views(assignment: Assignment, *, actor: User, views: str) -> Assignment:
    """A co-unit gives (or corrects) its views for the lead unit before the lead unit replies; the lead
    unit's accounts are told."""
    _require_unit(actor, assignment)
    proposal = lock(assignment.proposal)
    assignment = workflow.lock(Assignment, assignment.pk)
    if assignment.role != Assignment.Role.CO:
        raise ProposalError(_("Only a co-unit gives its views to the lead unit."), code="not_co_unit")
    if assignment.status != AStatus.SIGNED:
        raise ProposalError(_("Sign for the assignment before you give your views."), code="not_signed")
    if proposal.status not in WORKING:
        raise ProposalError(
            _("Views are given before the lead unit replies; the proposal is %(status)s."),
            code="not_handling",
            params={"status": proposal.get_status_display()},
        )
    views = _text(views, VIEWS_MAX, _("Write your views for the lead unit."), "views_required")
    first = assignment.views_given_at is None
    assignment.views = views
    assignment.views_given_at = timezone.now()
    assignment.version += 1
    assignment.save(update_fields=["views", "views_given_at", "version"])
    audit.record(
        audit.Action.CREATE if first else audit.Action.UPDATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=assignment,
        event="proposals.views_given",
        params={"object": str(proposal), "unit": assignment.department.name},
        detail={"proposal": proposal.pk, "round": proposal.round},
    )
    send(
        proposal,
        _unit_ids(proposal, roles=(Assignment.Role.LEAD,)),
        kind="proposal.views_given",
        title=_("%(unit)s gave its views on %(serial)s %(title)s")
        % {"unit": assignment.department.name, **named(proposal)},
        body=views[:500],
        skip=actor,
    )
    return assignment


# --- the reply --------------------------------------------------------------------------------------


def _locked_lead(proposal: Proposal) -> Assignment:
    lead = lead_assignment(proposal)
    if lead is None:
        raise ProposalError(_("The proposal has no lead unit."), code="no_lead_unit")
    return lead


def _clean_result(result: str | None) -> str:
    result = result or ""
    if result and result not in Reply.Result.values:
        raise ProposalError(_("Choose the result (A, B, C or D)."), code="result")
    return result


@transaction.atomic
def save_reply(
    proposal: Proposal, *, actor: User, result: str, text: str, uploaded_file: UploadedFile | None = None
) -> Reply:
    """The lead unit drafts (and redrafts) the reply of this round until it sends it."""
    proposal = lock(proposal)
    lead = _locked_lead(proposal)
    _require_unit(actor, lead)
    if lead.status != AStatus.SIGNED or proposal.status != Status.HANDLING:
        raise ProposalError(
            _("The lead unit drafts its reply once it has signed for the proposal, before replying."),
            code="not_handling",
        )
    result = _clean_result(result)
    text = _text(text, REPLY_MAX, "", "text", required=False)
    reply = current_reply(proposal)
    if reply is not None and reply.sent_at is not None:
        raise ProposalError(_("The reply of this round has been sent."), code="reply_sent")
    created = reply is None
    if reply is None:
        reply = Reply(proposal=proposal, round=proposal.round, department=lead.department, created_by=actor)
    reply.department = lead.department
    reply.deadline = proposal.deadline
    reply.result = result
    reply.text = text
    _store(reply, uploaded_file, actor)
    reply.save()
    audit.record(
        audit.Action.CREATE if created else audit.Action.UPDATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.reply_saved",
        params={"object": str(proposal), "round": proposal.round},
        detail={"reply": reply.pk, "result": result, "document": bool(reply.file)},
    )
    return reply


def _replied(proposal: Proposal, reply: Reply, actor: User) -> None:
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.reply_sent",
        params={"object": str(proposal), "result": reply.get_result_display()},
        detail={"reply": reply.pk, "round": reply.round, "on_paper": reply.on_paper},
    )
    sync_proposal_ledger(proposal, actor=actor)
    send_to_proposers(
        proposal,
        kind="proposal.replied",
        title=_("%(unit)s replied to your proposal %(serial)s %(title)s: please evaluate the handling")
        % {"unit": reply.department.name, **named(proposal)},
        body=reply.get_result_display(),
        skip=actor,
    )


@transaction.atomic
def send_reply(proposal: Proposal, *, actor: User) -> Proposal:
    """The lead unit sends the reply of this round: HANDLING → REPLIED; the proposers are asked to
    evaluate it."""
    proposal = lock(proposal)
    lead = _locked_lead(proposal)
    _require_unit(actor, lead)
    if lead.status != AStatus.SIGNED:
        raise ProposalError(_("Sign for the proposal before you reply."), code="not_signed")
    if proposal.status != Status.HANDLING:
        raise ProposalError(
            _("A proposal that is %(from)s cannot become %(to)s."),
            code="illegal_transition",
            params={"from": proposal.get_status_display(), "to": Status.REPLIED.label},
        )
    reply = current_reply(proposal)
    if reply is not None:
        reply = workflow.lock(Reply, reply.pk)
        if reply.sent_at is not None:
            raise ProposalError(_("The reply of this round has been sent."), code="reply_sent")
    problems = reply_blockers(proposal, reply, lead)
    if problems:
        raise ProposalError([ProposalError(p, code="not_ready") for p in problems])
    assert reply is not None  # reply_blockers refuses a missing reply
    reply.sent_at = timezone.now()
    reply.sent_by = actor
    reply.on_paper = False
    reply.save(update_fields=["sent_at", "sent_by", "on_paper"])
    move(proposal, Status.REPLIED, actor=actor)
    _replied(proposal, reply, actor)
    return proposal


@transaction.atomic
def record_paper_reply(
    proposal: Proposal,
    *,
    actor: User,
    result: str,
    text: str,
    replied_on: datetime.date,
    uploaded_file: UploadedFile | None = None,
) -> Proposal:
    """Proposal staff (not a proposer) type in the lead unit's reply that came on paper, with a scan
    optionally; it replaces the unit's unsent draft and is sent at once (HANDLING → REPLIED). While the
    proposal is still assigned (a unit that never signs in), the lead unit signed on paper: staff sign
    for its assignment in the same step (ASSIGNED → SIGNED, then the proposal ASSIGNED → HANDLING →
    REPLIED, each with its history)."""
    require_reviewer(actor, proposal)
    proposal = lock(proposal)
    if proposal.status not in PAPER_REPLY_STATUSES:
        raise ProposalError(
            _("A proposal that is %(from)s cannot become %(to)s."),
            code="illegal_transition",
            params={"from": proposal.get_status_display(), "to": Status.REPLIED.label},
        )
    lead = _locked_lead(proposal)
    if proposal.status == Status.ASSIGNED:
        lead = workflow.lock(Assignment, lead.pk)
        if not _paper_signable(proposal, lead):
            raise ProposalError(
                # zh: 主办单位%(unit)s的交办处于“%(status)s”状态，请先处理后再录入纸质答复。
                _("The lead unit %(unit)s's assignment is %(status)s: settle that before a paper reply."),
                code="lead_not_signable",
                params={"unit": lead.department.name, "status": lead.get_status_display()},
            )
    result = _clean_result(result)
    if not result:
        raise ProposalError(_("Choose the result (A, B, C or D)."), code="result")
    text = _text(text, REPLY_MAX, "", "text", required=False)
    if not text and uploaded_file is None:
        raise ProposalError(_("Write the reply or upload the reply document."), code="reply_required")
    _past_date(replied_on, not_before=proposal.assigned_on)
    reply = current_reply(proposal)
    if reply is not None:
        reply = workflow.lock(Reply, reply.pk)
        if reply.sent_at is not None:
            raise ProposalError(_("The reply of this round has been sent."), code="reply_sent")
    else:
        reply = Reply(proposal=proposal, round=proposal.round, created_by=actor)
    if proposal.status == Status.ASSIGNED:
        _sign_on_paper(proposal, lead, actor)
    reply.department = lead.department
    reply.deadline = proposal.deadline
    reply.result = result
    reply.text = text
    if replied_on == timezone.localdate():
        reply.sent_at = timezone.now()
    else:
        reply.sent_at = timezone.make_aware(datetime.datetime.combine(replied_on, datetime.time(12)))
    reply.sent_by = actor
    reply.on_paper = True
    if uploaded_file is None and reply.file:
        # The unit's draft document is not what came on paper.
        uploads.clear(reply)
    _store(reply, uploaded_file, actor)
    reply.save()
    move(proposal, Status.REPLIED, actor=actor, reason=_("Paper reply recorded by staff"))
    _replied(proposal, reply, actor)
    send(
        proposal,
        _unit_ids(proposal, roles=(Assignment.Role.LEAD,)),
        kind="proposal.paper_reply_recorded",
        title=_("Your paper reply to %(serial)s %(title)s was recorded") % named(proposal),
        skip=actor,
    )
    return proposal


def _sign_on_paper(proposal: Proposal, lead: Assignment, actor: User) -> None:
    """The lead unit signed for the proposal on paper: its assignment ASSIGNED → SIGNED, signed by the
    staff who type the reply in, and the proposal ASSIGNED → HANDLING (as assignment.sign_for does)."""
    lead.signed_at = timezone.now()
    lead.signed_by = actor
    # zh: 书面签收
    move_assignment(
        lead, AStatus.SIGNED, actor=actor, reason=_("signed on paper"), fields=["signed_at", "signed_by"]
    )
    move(proposal, Status.HANDLING, actor=actor, reason=_("signed on paper"))


# --- the proposer's evaluation ----------------------------------------------------------------------


@transaction.atomic
def evaluate(proposal: Proposal, *, actor: User, rating: str, comments: str = "") -> Proposal:
    """The first proposer rates the reply of this round. 满意 / 基本满意: EVALUATED, staff are asked to
    close the case. 不满意 (comments required): handled again, round + 1 with a new deadline, the units
    are told."""
    proposal = lock(proposal)
    if not is_first_proposer(actor, proposal):
        raise PermissionDenied("only the first proposer evaluates")
    if proposal.status != Status.REPLIED:
        raise ProposalError(
            _("Only a replied proposal is evaluated; this one is %(status)s."),
            code="not_replied",
            params={"status": proposal.get_status_display()},
        )
    reply = current_reply(proposal)
    if reply is None or reply.sent_at is None:
        raise ProposalError(_("There is no reply to evaluate."), code="no_reply")
    if Evaluation.objects.filter(reply=reply).exists():
        raise ProposalError(_("This reply has been evaluated."), code="evaluated")
    if rating not in Evaluation.Rating.values:
        raise ProposalError(_("Choose how satisfied you are."), code="rating")
    unsatisfied = rating == Evaluation.Rating.UNSATISFIED
    comments = _text(
        comments,
        COMMENTS_MAX,
        _("Say why you are not satisfied: the unit handles the proposal again."),
        "comments_required",
        required=unsatisfied,
    )
    evaluation = Evaluation.objects.create(reply=reply, rating=rating, comments=comments, by=actor)
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.evaluated",
        params={"object": str(proposal), "rating": evaluation.get_rating_display()},
        detail={"reply": reply.pk, "round": reply.round, "rating": rating},
    )
    if unsatisfied:
        proposal.round += 1
        proposal.deadline = new_deadline(proposal)
        move(
            proposal,
            Status.HANDLING,
            actor=actor,
            reason=_("Not satisfied: handled again"),
            fields=["round", "deadline"],
        )
        send(
            proposal,
            _unit_ids(proposal),
            kind="proposal.rehandling",
            title=_(
                "The proposer is not satisfied with the reply to %(serial)s %(title)s: handle it again by %(date)s"
            )
            % {**named(proposal), "date": proposal.deadline.isoformat()},
            body=comments[:500],
            skip=actor,
        )
    else:
        move(proposal, Status.EVALUATED, actor=actor)
        send_to_reviewers(
            proposal,
            kind="proposal.evaluated",
            title=_(
                "The proposer evaluated the handling of %(serial)s %(title)s (%(rating)s): close the case"
            )
            % {**named(proposal), "rating": evaluation.get_rating_display()},
            skip=actor,
        )
        send(
            proposal,
            _unit_ids(proposal, roles=(Assignment.Role.LEAD,)),
            kind="proposal.evaluated",
            title=_("The proposer evaluated your reply to %(serial)s %(title)s: %(rating)s")
            % {**named(proposal), "rating": evaluation.get_rating_display()},
            skip=actor,
        )
    sync_proposal_ledger(proposal, actor=actor)
    return proposal
