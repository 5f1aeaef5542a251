"""The start-page cards of the proposals app (apps.py names them): each returns the card's context for
the user, or None when the card is not theirs."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from . import selectors
from .models import Assignment


def staff_queue(user):
    """Proposal staff: what waits for review, assignment and return decisions; overdue cases (one query)."""
    if (
        not user.is_authenticated
        or user.committee_id is None
        or not user.has_perm("proposals.review_proposal")
    ):
        return None
    return selectors.work_counts(user.committee_id, tabs=("review", "assign", "returns", "overdue"))


def unit_queue(user):
    """A handling unit: assignments to sign for, replies (or views) due within the reminder days, and
    overdue ones, with the most pressing few listed. Three queries."""
    if (
        not user.is_authenticated
        or user.committee_id is None
        or not getattr(user, "department_id", None)
        or not user.has_perm("proposals.handle_proposal")
    ):
        return None
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=selectors.policy_for(user.committee_id).remind_days)
    waiting = selectors.open_assignments(user.committee_id).filter(department_id=user.department_id)
    counts = waiting.aggregate(
        to_sign=Count("pk", filter=Q(status=Assignment.Status.ASSIGNED)),
        due_soon=Count("pk", filter=Q(proposal__deadline__gte=today, proposal__deadline__lte=soon)),
        overdue=Count("pk", filter=Q(proposal__deadline__lt=today)),
    )
    rows = list(
        waiting.filter(Q(status=Assignment.Status.ASSIGNED) | Q(proposal__deadline__lte=soon)).order_by(
            "proposal__deadline", "pk"
        )[:6]
    )
    for row in rows:
        row.days_left = (row.proposal.deadline - today).days
    return {**counts, "rows": rows, "today": today}


def mine(user):
    """A proposer: invitations to co-sign waiting for their answer, and replies waiting for their
    evaluation (they are the first proposer); None when there is nothing. A fixed number of queries."""
    if not user.is_authenticated or user.committee_id is None:
        return None
    limit = 5
    invitations = list(selectors.cosign_invitations(user)[: limit + 1])
    replies = list(selectors.replies_to_evaluate(user)[: limit + 1])
    if not invitations and not replies:
        return None
    return {
        "invitations": invitations[:limit],
        "replies": replies[:limit],
        "more": len(invitations) > limit or len(replies) > limit,
    }
