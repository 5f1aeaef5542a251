"""Reads of the proposals app that more than one view needs: the settings in force, the units' deadlines and
records, the staff's work queues, the proposer's sessions, proposals and invitations, the batch assignment queue."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from lvzhi.organization.models import Session

from .models import (
    DEFAULT_BODY_LIMIT,
    DEFAULT_COSIGN_DAYS,
    DEFAULT_HANDLING_MONTHS,
    DEFAULT_REMIND_DAYS,
    DEFAULT_RETURN_DAYS,
    Assignment,
    Evaluation,
    Proposal,
    ProposalAuthor,
    ProposalPolicy,
    Reply,
    SessionPolicy,
)

if TYPE_CHECKING:
    from lvzhi.accounts.models import User


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


# --- handling: deadlines and the units' record --------------------------------------------------


def open_assignments(committee_id: int | None = None) -> QuerySet[Assignment]:
    """Assignments on cases still waiting for the units: the lead unit until it replies, a co-unit
    until it gives its views (of one committee, or of all)."""
    qs = (
        Assignment.objects.all()
        if committee_id is None
        else Assignment.objects.filter(committee_id=committee_id)
    )
    return (
        qs.filter(
            status__in=Assignment.ACTIVE,
            proposal__status__in=(Proposal.Status.ASSIGNED, Proposal.Status.HANDLING),
            proposal__deadline__isnull=False,
        )
        .exclude(role=Assignment.Role.CO, views_given_at__isnull=False)
        .select_related("proposal", "department")
    )


def overdue_assignments(committee_id: int, today: datetime.date | None = None) -> QuerySet[Assignment]:
    """Assignments past the proposal's handling deadline whose unit still owes its part (the lead unit
    its reply, a co-unit its views), oldest deadline first."""
    today = today or timezone.localdate()
    return (
        open_assignments(committee_id)
        .filter(proposal__deadline__lt=today)
        .order_by("proposal__deadline", "department__name", "pk")
    )


def due_soon_assignments(committee_id: int, today: datetime.date | None = None) -> QuerySet[Assignment]:
    """Assignments whose deadline falls within the committee's reminder days (today included)."""
    today = today or timezone.localdate()
    last = today + datetime.timedelta(days=policy_for(committee_id).remind_days)
    return (
        open_assignments(committee_id)
        .filter(proposal__deadline__gte=today, proposal__deadline__lte=last)
        .order_by("proposal__deadline", "department__name", "pk")
    )


@dataclass
class UnitRecord:
    """One handling unit's record: cases it leads and co-handles, replies, timeliness, results and the
    proposers' satisfaction (over every evaluation of its replies)."""

    department_id: int
    name: str
    lead: int = 0
    co: int = 0
    replied: int = 0
    on_time: int = 0
    overdue: int = 0
    results: dict[str, int] = field(default_factory=dict)
    ratings: dict[str, int] = field(default_factory=dict)

    @property
    def open(self) -> int:
        return self.lead - self.replied

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.replied if self.replied else None

    @property
    def rating_labels(self) -> list[tuple[str, int]]:
        """The ratings in their order (满意, 基本满意, 不满意) by label, those given at least once."""
        return [
            (str(label), self.ratings[value])
            for value, label in Evaluation.Rating.choices
            if value in self.ratings
        ]


def unit_records(
    committee_id: int, *, session_id: int | None = None, today: datetime.date | None = None
) -> list[UnitRecord]:
    """Per department with assignments (returned ones not counted): lead and co cases, replied (the
    current round's reply sent), on time (sent by the deadline), overdue (not replied, past the
    deadline), result codes of those replies and the ratings of all its evaluated replies."""
    today = today or timezone.localdate()
    assignments = Assignment.objects.filter(committee_id=committee_id).exclude(
        status=Assignment.Status.RETURNED
    )
    replies = Reply.objects.filter(proposal__committee_id=committee_id, sent_at__isnull=False)
    if session_id is not None:
        assignments = assignments.filter(proposal__session_id=session_id)
        replies = replies.filter(proposal__session_id=session_id)
    records: dict[int, UnitRecord] = {}
    rows = assignments.values_list(
        "department_id", "department__name", "role", "proposal__status", "proposal__deadline"
    )
    for department_id, name, role, status, deadline in rows:
        record = records.setdefault(department_id, UnitRecord(department_id, name))
        if role == Assignment.Role.CO:
            record.co += 1
            continue
        record.lead += 1
        waiting = status in (Proposal.Status.ASSIGNED, Proposal.Status.HANDLING)
        if waiting and deadline is not None and deadline < today:
            record.overdue += 1
    current = replies.filter(round=F("proposal__round")).exclude(
        proposal__status__in=(Proposal.Status.ASSIGNED, Proposal.Status.HANDLING)
    )
    for department_id, name, result, sent_at, deadline in current.values_list(
        "department_id", "department__name", "result", "sent_at", "proposal__deadline"
    ):
        record = records.setdefault(department_id, UnitRecord(department_id, name))
        record.replied += 1
        if deadline is None or timezone.localdate(sent_at) <= deadline:
            record.on_time += 1
        if result:
            record.results[result] = record.results.get(result, 0) + 1
    for department_id, name, rating in Evaluation.objects.filter(reply__in=replies).values_list(
        "reply__department_id", "reply__department__name", "rating"
    ):
        record = records.setdefault(department_id, UnitRecord(department_id, name))
        record.ratings[rating] = record.ratings.get(rating, 0) + 1
    for record in records.values():
        record.results = dict(sorted(record.results.items()))
    return sorted(records.values(), key=lambda r: (-r.overdue, r.name))


# --- review and assignment: the staff's work queues (views/review.py work, home_cards.staff_queue) ---

# Imported under names of this part's own, so that it stands whatever the other parts import.


# The tabs of the proposal work page, in their order.
WORK_TABS = ("review", "cosigning", "assign", "returns", "handling", "overdue", "closing")


def cosigning_open_q(now: datetime.datetime) -> Q:
    """Submitted proposals whose co-signers are still confirming (some invited, the deadline ahead)."""
    pending = ProposalAuthor.objects.filter(proposal=OuterRef("pk"), consent=ProposalAuthor.Consent.PENDING)
    return Q(cosign_deadline__gt=now) & Q(Exists(pending))


def work_tab_q(tab: str, *, now: datetime.datetime, today: datetime.date) -> Q:
    """The proposals of one tab of the work page."""
    Status = Proposal.Status
    if tab == "review":
        return Q(status=Status.SUBMITTED) & ~cosigning_open_q(now)
    if tab == "cosigning":
        return Q(status=Status.SUBMITTED) & cosigning_open_q(now)
    if tab == "assign":
        return Q(status=Status.ACCEPTED)
    if tab == "returns":
        requested = Assignment.objects.filter(
            proposal=OuterRef("pk"), status=Assignment.Status.RETURN_REQUESTED
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
) -> QuerySet[Proposal]:
    """The committee's proposals past the draft, filtered by session and category."""
    qs = Proposal.objects.filter(committee_id=committee_id).exclude(status=Proposal.Status.DRAFT)
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
    now: datetime.datetime | None = None,
) -> dict[str, int]:
    """{tab: count} for the work page's tabs (or some of them), in one query."""
    now = now or timezone.now()
    today = timezone.localdate(now)
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
    now: datetime.datetime | None = None,
) -> QuerySet[Proposal]:
    """The proposals of one tab with what its rows show (proposers, units), oldest first."""
    now = now or timezone.now()
    qs = work_proposals(committee_id, session_id=session_id, category_id=category_id).filter(
        work_tab_q(tab, now=now, today=timezone.localdate(now))
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
                queryset=Assignment.objects.exclude(status=Assignment.Status.RETURNED).select_related(
                    "department"
                ),
            ),
        )
        .order_by(*order)
    )


# --- filing: sessions, my proposals, invitations to co-sign ---------------------------------------


def filing_sessions(committee_id: int) -> QuerySet[Session]:
    """The sessions a proposal may be filed for: the committee's, latest first."""
    return (
        Session.objects.filter(term__committee_id=committee_id)
        .select_related("term")
        .order_by("-term__number", "-number")
    )


def latest_session(committee_id: int) -> Session | None:
    """The latest session of the committee's current term: the session a new proposal is filed for
    unless the proposer chooses another."""
    return filing_sessions(committee_id).filter(term__is_current=True).first()


def _mine(user: User) -> Q:
    return Q(created_by=user) | Q(authors__user=user) | Q(authors__member__user=user)


def my_proposals(user: User) -> QuerySet[Proposal]:
    """The proposals `user` created, first-proposed, co-signed or was invited to co-sign, latest first,
    with what the list shows (session, category, proposers) in a fixed number of queries."""
    if user.committee_id is None:
        return Proposal.objects.none()
    ids = Proposal.objects.filter(committee_id=user.committee_id).filter(_mine(user)).values("pk")
    return (
        Proposal.objects.filter(pk__in=ids)
        .select_related("session", "session__term", "category", "collective_unit")
        .prefetch_related(Prefetch("authors", queryset=ProposalAuthor.objects.order_by("order", "pk")))
        .order_by("-pk")
    )


def cosign_invitations(user: User, now: datetime.datetime | None = None) -> QuerySet[ProposalAuthor]:
    """The invitations to co-sign that wait for `user`'s answer (submitted, deadline not passed),
    the nearest deadline first."""
    now = now or timezone.now()
    if user.committee_id is None:
        return ProposalAuthor.objects.none()
    return (
        ProposalAuthor.objects.filter(
            role=ProposalAuthor.Role.CO,
            consent=ProposalAuthor.Consent.PENDING,
            proposal__committee_id=user.committee_id,
            proposal__status=Proposal.Status.SUBMITTED,
            proposal__cosign_deadline__gte=now,
        )
        .filter(Q(user=user) | Q(member__user=user))
        .select_related("proposal", "proposal__session", "proposal__session__term")
        .order_by("proposal__cosign_deadline", "pk")
    )


def replies_to_evaluate(user: User) -> QuerySet[Proposal]:
    """Replied proposals whose first proposer is `user`: the reply waits for their evaluation."""
    lead = Q(authors__role=ProposalAuthor.Role.LEAD) & (Q(authors__user=user) | Q(authors__member__user=user))
    if user.committee_id is None:
        return Proposal.objects.none()
    ids = (
        Proposal.objects.filter(committee_id=user.committee_id, status=Proposal.Status.REPLIED)
        .filter(lead | Q(created_by=user))
        .values("pk")
    )
    return Proposal.objects.filter(pk__in=ids).order_by("status_changed_at", "pk")


# --- 批量交办: the batch assignment page (views/assignment.py assign_batch) ----------------------------


def batch_assign_queue(
    committee_id: int, *, session_id: int | None = None, category_id: int | None = None
) -> QuerySet[Proposal]:
    """The accepted proposals waiting for assignment, session by session in serial order, with their
    proposers and suggested units (a fixed number of queries whatever the rows)."""
    return (
        work_proposals(committee_id, session_id=session_id, category_id=category_id)
        .filter(status=Proposal.Status.ACCEPTED)
        .select_related("session", "session__term", "category")
        .prefetch_related(
            Prefetch("authors", queryset=ProposalAuthor.objects.order_by("order", "pk")),
            "suggested_departments",
        )
        .order_by("session__term__number", "session__number", "serial", "pk")
    )
