"""Reads of the proposals app that more than one view needs. Other parts append their selectors here."""

from __future__ import annotations

from dataclasses import dataclass

from .models import (
    DEFAULT_BODY_LIMIT,
    DEFAULT_COSIGN_DAYS,
    DEFAULT_HANDLING_MONTHS,
    DEFAULT_REMIND_DAYS,
    DEFAULT_RETURN_DAYS,
    ProposalPolicy,
    SessionPolicy,
)


@dataclass(frozen=True)
class Policy:
    body_limit: int = DEFAULT_BODY_LIMIT
    cosign_days: int = DEFAULT_COSIGN_DAYS
    return_days: int = DEFAULT_RETURN_DAYS
    remind_days: int = DEFAULT_REMIND_DAYS


def policy_for(committee_id: int) -> Policy:
    """The committee's proposal settings, or the defaults when it never saved any."""
    row = ProposalPolicy.objects.filter(committee_id=committee_id).first()
    if row is None:
        return Policy()
    return Policy(
        body_limit=row.body_limit,
        cosign_days=row.cosign_days,
        return_days=row.return_days,
        remind_days=row.remind_days,
    )


def handling_months(session_id: int) -> int:
    """Months a unit has to reply after the assignment, set per session (3 by default)."""
    months = (
        SessionPolicy.objects.filter(session_id=session_id).values_list("handling_months", flat=True).first()
    )
    return months or DEFAULT_HANDLING_MONTHS

# --- review and assignment: the staff's work queues (views/review.py work, home_cards.staff_queue) ---

# Imported under names of this part's own, so that it stands whatever the other parts import.
import datetime as _datetime  # noqa: E402
from collections.abc import Iterable  # noqa: E402

from django.db.models import Count, Exists, OuterRef, Prefetch, Q  # noqa: E402
from django.db.models import QuerySet as _QuerySet  # noqa: E402
from django.utils import timezone as _timezone  # noqa: E402

from .models import Assignment as _Assignment  # noqa: E402
from .models import Proposal as _Proposal  # noqa: E402
from .models import ProposalAuthor  # noqa: E402

# The tabs of the proposal work page, in their order.
WORK_TABS = ("review", "cosigning", "assign", "returns", "handling", "overdue", "closing")


def cosigning_open_q(now: _datetime.datetime) -> Q:
    """Submitted proposals whose co-signers are still confirming (some invited, the deadline ahead)."""
    pending = ProposalAuthor.objects.filter(proposal=OuterRef("pk"), consent=ProposalAuthor.Consent.PENDING)
    return Q(cosign_deadline__gt=now) & Q(Exists(pending))


def work_tab_q(tab: str, *, now: _datetime.datetime, today: _datetime.date) -> Q:
    """The proposals of one tab of the work page."""
    Status = _Proposal.Status
    if tab == "review":
        return Q(status=Status.SUBMITTED) & ~cosigning_open_q(now)
    if tab == "cosigning":
        return Q(status=Status.SUBMITTED) & cosigning_open_q(now)
    if tab == "assign":
        return Q(status=Status.ACCEPTED)
    if tab == "returns":
        requested = _Assignment.objects.filter(
            proposal=OuterRef("pk"), status=_Assignment.Status.RETURN_REQUESTED
        )
        return Q(Exists(requested))
    if tab == "handling":
        return Q(status__in=(Status.ASSIGNED, Status.HANDLING))
    if tab == "overdue":
        return Q(status__in=(Status.ASSIGNED, Status.HANDLING), deadline__lt=today)
    if tab == "closing":
        return Q(status__in=(Status.REPLIED, Status.EVALUATED))
    raise ValueError(tab)


def work_proposals(
    committee_id: int, *, session_id: int | None = None, category_id: int | None = None
) -> _QuerySet[_Proposal]:
    """The committee's proposals past the draft, filtered by session and category."""
    qs = _Proposal.objects.filter(committee_id=committee_id).exclude(status=_Proposal.Status.DRAFT)
    if session_id:
        qs = qs.filter(session_id=session_id)
    if category_id:
        qs = qs.filter(category_id=category_id)
    return qs


def work_counts(
    committee_id: int,
    *,
    session_id: int | None = None,
    category_id: int | None = None,
    tabs: Iterable[str] = WORK_TABS,
    now: _datetime.datetime | None = None,
) -> dict[str, int]:
    """{tab: count} for the work page's tabs (or some of them), in one query."""
    now = now or _timezone.now()
    today = _timezone.localdate(now)
    values = work_proposals(committee_id, session_id=session_id, category_id=category_id).aggregate(
        **{tab: Count("pk", filter=work_tab_q(tab, now=now, today=today)) for tab in tabs}
    )
    return {tab: values[tab] or 0 for tab in tabs}


def work_queue(
    committee_id: int,
    tab: str,
    *,
    session_id: int | None = None,
    category_id: int | None = None,
    now: _datetime.datetime | None = None,
) -> _QuerySet[_Proposal]:
    """The proposals of one tab with what its rows show (proposers, units), oldest first."""
    now = now or _timezone.now()
    qs = work_proposals(committee_id, session_id=session_id, category_id=category_id).filter(
        work_tab_q(tab, now=now, today=_timezone.localdate(now))
    )
    order = {
        "review": ("submitted_at", "pk"),
        "cosigning": ("cosign_deadline", "pk"),
        "assign": ("serial", "pk"),
        "handling": ("deadline", "serial", "pk"),
        "overdue": ("deadline", "serial", "pk"),
    }.get(tab, ("status_changed_at", "pk"))
    return (
        qs.select_related("session", "session__term", "category")
        .prefetch_related(
            Prefetch("authors", queryset=ProposalAuthor.objects.order_by("order", "pk")),
            Prefetch(
                "assignments",
                queryset=_Assignment.objects.exclude(status=_Assignment.Status.RETURNED).select_related(
                    "department"
                ),
            ),
        )
        .order_by(*order)
    )
