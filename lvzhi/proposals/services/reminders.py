"""The daily proposal run (`manage.py proposal_reminders`): co-signers who did not confirm in time drop
off (services.filing.drop_unconfirmed), and the handling units hear of their deadlines.

A unit that still owes its part of a case (the lead unit its reply, a co-unit its views) is told once
when the deadline comes within the committee's reminder days, and once more when it has passed. Both
are remembered on the assignment (`reminded_for`), so the run may go as often as one likes and a new
deadline (another round after 不满意) starts afresh:

- reminded_for == deadline: told the deadline is near;
- reminded_for  > deadline: told it is overdue (on that day)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit, workflow

from ..models import Assignment, Proposal
from ..selectors import open_assignments, overdue_assignments, policy_for
from .common import department_user_ids, named, send
from .filing import drop_unconfirmed

__all__ = ["DailyRun", "overdue_assignments", "run_daily", "send_deadline_reminders"]


@dataclass(frozen=True)
class DailyRun:
    dropped: int = 0
    due_soon: int = 0
    overdue: int = 0

    @property
    def reminders(self) -> int:
        return self.due_soon + self.overdue


def _remind(assignment_pk: int, today: datetime.date) -> str:
    """Remind one unit if it is due ("due", "overdue"), else ""; locked, so two runs tell it once."""
    with transaction.atomic():
        assignment = workflow.lock(Assignment, assignment_pk)
        proposal = Proposal.objects.select_related("committee").get(pk=assignment.proposal_id)
        deadline = proposal.deadline
        if (
            deadline is None
            or assignment.status not in Assignment.ACTIVE
            or proposal.status not in (Proposal.Status.ASSIGNED, Proposal.Status.HANDLING)
        ):
            return ""
        told = assignment.reminded_for
        if deadline < today:
            if told is not None and told > deadline:
                return ""
            kind = "overdue"
            title = _("Overdue since %(date)s: %(serial)s %(title)s") % {
                "date": deadline.isoformat(),
                **named(proposal),
            }
            assignment.reminded_for = today
        else:
            last = today + datetime.timedelta(days=policy_for(proposal.committee_id).remind_days)
            if deadline > last or told == deadline:
                return ""
            kind = "due"
            title = _("Due on %(date)s (%(days)s days left): %(serial)s %(title)s") % {
                "date": deadline.isoformat(),
                "days": (deadline - today).days,
                **named(proposal),
            }
            assignment.reminded_for = deadline
        assignment.save(update_fields=["reminded_for"])
        if assignment.role == Assignment.Role.LEAD:
            body = _("Your department leads the handling of this proposal: reply to it in lvzhi.")
        else:
            body = _("Your department co-handles this proposal: give your views to the lead unit.")
        send(
            proposal,
            department_user_ids(assignment.department_id),
            kind=f"proposal.deadline_{kind}",
            title=title,
            body=body,
        )
        return kind


def _deadline_reminders(today: datetime.date) -> tuple[int, int]:
    due = overdue = 0
    committees = open_assignments().values_list("committee_id", flat=True).distinct().order_by("committee_id")
    for committee_id in committees:
        last = today + datetime.timedelta(days=policy_for(committee_id).remind_days)
        candidates = open_assignments(committee_id).filter(proposal__deadline__lte=last)
        counts = {"due": 0, "overdue": 0, "": 0}
        for pk in candidates.values_list("pk", flat=True).order_by("pk"):
            counts[_remind(pk, today)] += 1
        if counts["due"] or counts["overdue"]:
            audit.record(
                audit.Action.UPDATE,
                committee=committee_id,
                event="proposals.reminders_sent",
                params={"due": counts["due"], "overdue": counts["overdue"]},
                detail={"today": today.isoformat(), "due": counts["due"], "overdue": counts["overdue"]},
            )
        due += counts["due"]
        overdue += counts["overdue"]
    return due, overdue


def run_daily(*, today: datetime.date | None = None) -> DailyRun:
    """Drop the co-signers whose time ran out, then remind the units of near and passed deadlines."""
    today = today or timezone.localdate()
    dropped = drop_unconfirmed()
    due, overdue = _deadline_reminders(today)
    return DailyRun(dropped=dropped, due_soon=due, overdue=overdue)


def send_deadline_reminders(*, today: datetime.date | None = None) -> int:
    """The daily run (see run_daily); returns how many units were reminded."""
    return run_daily(today=today).reminders
