"""交办: staff give an accepted case to one lead unit (主办) and co-units (协办) with a handling deadline;
each unit's account signs for its assignment, or asks within the committee's days (10) to return it
with a reason, which staff accept (the assignment ends) or refuse (it stands, signed for).

Locks are taken in one order everywhere: the proposal first, then its assignments."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit, workflow

from .. import selectors
from ..models import Assignment, Proposal
from . import common
from .common import ProposalError

if TYPE_CHECKING:
    from lvzhi.accounts.models import User
    from lvzhi.organization.models import Department

Status = Proposal.Status
AStatus = Assignment.Status
REASON_MAX = 2000


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later; the month's last day where it is shorter
    (30 November + 3 months = 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_deadline(proposal: Proposal, assigned_on: datetime.date | None = None) -> datetime.date:
    """The handling deadline of an assignment made on `assigned_on` (today): the session's months later."""
    return add_months(assigned_on or timezone.localdate(), selectors.handling_months(proposal.session_id))


def return_until(assignment: Assignment) -> datetime.date:
    """The last day the unit may ask to return the assignment (assigned on + the committee's days)."""
    days = selectors.policy_for(assignment.committee_id).return_days
    return assignment.assigned_on + datetime.timedelta(days=days)


def is_unit_account(user: User, assignment: Assignment) -> bool:
    """An account of the assignment's department holding the handling right."""
    return (
        user.is_authenticated
        and user.committee_id == assignment.committee_id
        and user.department_id is not None
        and user.department_id == assignment.department_id
        and user.has_perm(common.HANDLE)
    )


def _require_unit(actor: User, assignment: Assignment) -> None:
    if not is_unit_account(actor, assignment):
        raise PermissionDenied("not an account of the assigned department")


def _lock_assignment(assignment: Assignment) -> Assignment:
    return workflow.lock(Assignment, assignment.pk)


def _clean_text(value: str | None, message: str, code: str) -> str:
    value = common.required_text(value, message, code)
    if len(value) > REASON_MAX:
        raise ProposalError(_("At most %(n)s characters."), code="text_too_long", params={"n": REASON_MAX})
    return value


def _notify_unit(
    assignment: Assignment, *, kind: str, title: str, body: str = "", skip: User | None = None
) -> None:
    common.send(
        assignment.proposal,
        common.department_user_ids(assignment.department_id),
        kind=kind,
        title=title,
        body=body,
        skip=skip,
    )


@transaction.atomic
def assign(
    proposal: Proposal,
    *,
    actor: User,
    lead: Department,
    co_units: Iterable[Department] = (),
    deadline: datetime.date | None = None,
    expected_version: int | None = None,
) -> Proposal:
    """ACCEPTED → ASSIGNED: one assignment row per unit (the lead unit and the distinct co-units, all of
    the committee), the deadline (default: the session's months after today), each unit told."""
    common.require_reviewer(actor, proposal)
    proposal = common.lock(proposal, expected_version)
    common.require_status(proposal, (Status.ACCEPTED,), Status.ASSIGNED)
    if lead is None or lead.committee_id != proposal.committee_id or not lead.is_active:
        raise ProposalError(_("Lead unit: choose one of the committee's departments."), code="bad_lead")
    units: list[Department] = []
    for unit in co_units:
        if unit.committee_id != proposal.committee_id or not unit.is_active:
            raise ProposalError(_("Co-units: choose the committee's departments."), code="bad_co_unit")
        if unit.pk == lead.pk or unit.pk in {u.pk for u in units}:
            continue
        units.append(unit)
    today = timezone.localdate()
    deadline = deadline or default_deadline(proposal, today)
    if deadline <= today:
        raise ProposalError(_("Deadline: a day after today."), code="bad_deadline")
    if proposal.assignments.exclude(status=AStatus.RETURNED).exists():
        # Not after a lead unit's accepted return, which ends every assignment (decide_return).
        raise ProposalError(_("The proposal still has assignments in force."), code="still_assigned")
    proposal.assigned_on = today
    proposal.deadline = deadline
    common.move(proposal, Status.ASSIGNED, actor=actor, fields=["assigned_on", "deadline"])
    rows = [
        Assignment.objects.create(
            committee_id=proposal.committee_id,
            proposal=proposal,
            department=unit,
            role=role,
            status=AStatus.ASSIGNED,
            assigned_on=today,
            created_by=actor,
        )
        for unit, role in [(lead, Assignment.Role.LEAD), *((u, Assignment.Role.CO) for u in units)]
    ]
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.assigned",
        params={
            "serial": proposal.serial_label,
            "title": proposal.title,
            "lead": lead.name,
            "co_units": "、".join(u.name for u in units),
            "deadline": deadline.isoformat(),
        },
        detail={"assignments": [row.pk for row in rows]},
    )
    for row in rows:
        _notify_unit(
            row,
            kind="proposal.assigned",
            title=(
                _("A proposal was assigned to you as the lead unit: %(serial)s %(title)s")
                if row.role == Assignment.Role.LEAD
                else _("A proposal was assigned to you as a co-unit: %(serial)s %(title)s")
            )
            % common.named(proposal),
            body=_("Sign for it, or ask to return it by %(day)s; reply by %(deadline)s.")
            % {"day": return_until(row).isoformat(), "deadline": deadline.isoformat()},
            skip=actor,
        )
    common.send_to_proposers(
        proposal,
        kind="proposal.assigned",
        title=_("Your proposal was assigned to %(unit)s: %(title)s")
        % {"unit": lead.name, "title": proposal.title},
        skip=actor,
    )
    return proposal


@transaction.atomic
def sign_for(assignment: Assignment, *, actor: User) -> Assignment:
    """The unit signs for its assignment (ASSIGNED → SIGNED); when the lead unit signs, the proposal is
    being handled (ASSIGNED → HANDLING)."""
    _require_unit(actor, assignment)
    proposal = common.lock(assignment.proposal)
    assignment = _lock_assignment(assignment)
    if assignment.status != AStatus.ASSIGNED:
        raise ProposalError(
            _("An assignment that is %(from)s cannot become %(to)s."),
            code="illegal_transition",
            params={"from": AStatus(assignment.status).label, "to": AStatus.SIGNED.label},
        )
    assignment.signed_at = timezone.now()
    assignment.signed_by = actor
    common.move_assignment(assignment, AStatus.SIGNED, actor=actor, fields=["signed_at", "signed_by"])
    if assignment.role == Assignment.Role.LEAD and proposal.status == Status.ASSIGNED:
        common.move(proposal, Status.HANDLING, actor=actor)
    return assignment


@transaction.atomic
def request_return(assignment: Assignment, *, actor: User, reason: str) -> Assignment:
    """The unit asks to return its assignment (ASSIGNED or SIGNED → RETURN_REQUESTED) with a reason, at
    most the committee's days (10) after it was assigned; staff decide."""
    _require_unit(actor, assignment)
    reason = _clean_text(reason, _("Reason: say why the proposal is not yours to handle."), "reason_required")
    common.lock(assignment.proposal)
    assignment = _lock_assignment(assignment)
    if assignment.status not in (AStatus.ASSIGNED, AStatus.SIGNED):
        raise ProposalError(
            _("An assignment that is %(from)s cannot become %(to)s."),
            code="illegal_transition",
            params={"from": AStatus(assignment.status).label, "to": AStatus.RETURN_REQUESTED.label},
        )
    until = return_until(assignment)
    if timezone.localdate() > until:
        raise ProposalError(
            _("A return could be asked for until %(day)s; ask the proposal staff instead."),
            code="return_too_late",
            params={"day": until.isoformat()},
        )
    assignment.return_reason = reason
    assignment.return_requested_at = timezone.now()
    common.move_assignment(
        assignment,
        AStatus.RETURN_REQUESTED,
        actor=actor,
        reason=reason,
        fields=["return_reason", "return_requested_at"],
    )
    common.send_to_reviewers(
        assignment.proposal,
        kind="proposal.return_requested",
        title=_("%(unit)s asks to return %(serial)s %(title)s")
        % {"unit": assignment.department.name, **common.named(assignment.proposal)},
        body=reason,
        skip=actor,
    )
    return assignment


def _end(row: Assignment, *, actor: User, reason: str) -> None:
    """End an assignment in force (ASSIGNED, SIGNED or RETURN_REQUESTED → RETURNED) with the reason."""
    common.move_assignment(row, AStatus.RETURNED, actor=actor, reason=reason)


@transaction.atomic
def decide_return(assignment: Assignment, *, actor: User, accept: bool, answer: str = "") -> Assignment:
    """Staff decide a return request. Accepted: the assignment is RETURNED; when it was the lead unit's,
    the proposal goes back to ACCEPTED to be assigned again and the co-units' assignments end too (a new
    assignment names all the units afresh; whoever stays a co-unit is assigned again and told). Refused:
    the assignment stands, SIGNED, with the answer (required); a refused lead unit's proposal is being
    handled. The unit is told either way."""
    proposal = assignment.proposal
    common.require_reviewer(actor, proposal)
    answer = (answer or "").strip()
    if not accept:
        answer = _clean_text(answer, _("Answer: say why the unit has to handle it."), "answer_required")
    elif len(answer) > REASON_MAX:
        raise ProposalError(_("At most %(n)s characters."), code="text_too_long", params={"n": REASON_MAX})
    proposal = common.lock(proposal)
    assignment = _lock_assignment(assignment)
    assignment.proposal = proposal
    if assignment.status != AStatus.RETURN_REQUESTED:
        raise ProposalError(_("This unit has not asked to return the proposal."), code="no_return_request")
    if accept:
        assignment.return_answer = answer
        common.move_assignment(
            assignment, AStatus.RETURNED, actor=actor, reason=answer, fields=["return_answer"]
        )
        if assignment.role == Assignment.Role.LEAD:
            reason = _("The lead unit's return was accepted; the proposal is assigned again.")
            others = (
                Assignment.objects.select_for_update()
                .filter(proposal=proposal, status__in=Assignment.ACTIVE)
                .exclude(pk=assignment.pk)
                .order_by("pk")
            )
            for row in others:
                _end(row, actor=actor, reason=reason)
                _notify_unit(
                    row,
                    kind="proposal.assignment_ended",
                    title=_("Assignment withdrawn: %(serial)s %(title)s") % common.named(proposal),
                    body=reason,
                    skip=actor,
                )
            if proposal.status in (Status.ASSIGNED, Status.HANDLING):
                proposal.assigned_on = None
                proposal.deadline = None
                common.move(
                    proposal, Status.ACCEPTED, actor=actor, reason=reason, fields=["assigned_on", "deadline"]
                )
        title = _("Your return of %(serial)s %(title)s was accepted") % common.named(proposal)
    else:
        assignment.return_answer = answer
        fields = ["return_answer"]
        if assignment.signed_at is None:
            assignment.signed_at = timezone.now()
            fields.append("signed_at")
        common.move_assignment(assignment, AStatus.SIGNED, actor=actor, reason=answer, fields=fields)
        if assignment.role == Assignment.Role.LEAD and proposal.status == Status.ASSIGNED:
            common.move(proposal, Status.HANDLING, actor=actor)
        title = _("Your return of %(serial)s %(title)s was refused: please handle it") % common.named(
            proposal
        )
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=assignment,
        event="proposals.return_accepted" if accept else "proposals.return_refused",
        params={"unit": assignment.department.name, "title": proposal.title},
    )
    _notify_unit(assignment, kind="proposal.return_decided", title=title, body=answer, skip=actor)
    return assignment
