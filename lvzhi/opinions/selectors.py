"""Reads of the 社情民意 pipeline: a committee's settings, the queues of each role with their counts and
overdue reports, the author's own reports, and the reports similar to one being registered."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from .models import (
    DEFAULT_BODY_LIMIT,
    Category,
    OpinionAuthor,
    OpinionPolicy,
    OpinionReport,
    OpinionStatusChange,
)
from .permissions import PROCESS, SIGN, author_filter

if TYPE_CHECKING:
    from lvzhi.accounts.models import User

Status = OpinionReport.Status


@dataclass
class Policy:
    """A committee's pipeline settings, or the defaults when it has saved none."""

    body_limit: int = DEFAULT_BODY_LIMIT
    overdue_days: dict[str, int] = field(default_factory=dict)
    saved: OpinionPolicy | None = None

    def days_for(self, status: str) -> int | None:
        return self.overdue_days.get(status)


def policy_for(committee: Any) -> Policy:
    """The committee's OpinionPolicy, or the defaults (body 1,500 characters, DEFAULT_OVERDUE_DAYS):
    days a committee has not set fall back to the defaults step by step."""
    committee_id = committee if isinstance(committee, int) else committee.pk
    saved = OpinionPolicy.objects.filter(committee_id=committee_id).first()
    days = {str(k): v for k, v in OpinionReport.DEFAULT_OVERDUE_DAYS.items()}
    if saved is None:
        return Policy(overdue_days=days)
    for status, value in (saved.overdue_days or {}).items():
        if status in days and isinstance(value, int) and value > 0:
            days[status] = value
    return Policy(body_limit=saved.body_limit, overdue_days=days, saved=saved)


def active_categories(committee_id: int) -> QuerySet[Category]:
    return Category.objects.filter(committee_id=committee_id, is_active=True).order_by("order", "pk")


def _authors_prefetch() -> Prefetch:
    return Prefetch("authors", queryset=OpinionAuthor.objects.order_by("order", "pk"))


def my_reports(user: User) -> QuerySet[OpinionReport]:
    """The reports `user` wrote, co-wrote or created, newest first, with what a list shows."""
    if not user.is_authenticated or user.committee_id is None:
        return OpinionReport.objects.none()
    ids = (
        OpinionReport.objects.filter(committee_id=user.committee_id).filter(author_filter(user)).values("pk")
    )
    lead = OpinionAuthor.objects.filter(report=OuterRef("pk"), role=OpinionAuthor.Role.LEAD).filter(
        Q(user=user) | Q(member__user=user)
    )
    last_reason = (
        OpinionStatusChange.objects.filter(report=OuterRef("pk")).order_by("-at", "-pk").values("reason")
    )
    return (
        OpinionReport.objects.filter(pk__in=ids)
        .annotate(
            is_lead=Case(
                When(created_by=user, then=Value(True)),
                When(Exists(lead), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            last_reason=Subquery(last_reason[:1]),
        )
        .select_related("category", "merged_into", "unit")
        .prefetch_related(_authors_prefetch())
        .order_by("-created_at", "-pk")
    )


def overdue_cutoff(
    policy: Policy, status: str, now: datetime.datetime | None = None
) -> datetime.datetime | None:
    days = policy.days_for(status)
    if not days:
        return None
    return (now or timezone.now()) - datetime.timedelta(days=days)


def overdue_q(policy: Policy, statuses: Iterable[str], now: datetime.datetime | None = None) -> Q:
    """Reports in one of `statuses` longer than the committee allows for that step."""
    q = Q(pk__in=[])
    for status in statuses:
        cutoff = overdue_cutoff(policy, status, now)
        if cutoff is not None:
            q |= Q(status=status, status_changed_at__lt=cutoff)
    return q


# The editors' queues, in the order of the pipeline: key, statuses, label (see views).
EDITOR_QUEUES = (
    ("submitted", (Status.SUBMITTED,)),
    ("verifying", (Status.REGISTERED, Status.VERIFYING)),
    ("editing", (Status.EDITING,)),
    ("signoff", (Status.AWAITING_SIGNOFF,)),
    ("signed", (Status.SIGNED,)),
)
QUEUE_STATUSES = dict(EDITOR_QUEUES)


def pipeline_reports(user: User) -> QuerySet[OpinionReport]:
    """The committee's reports an editor, leader or office sees (never others' drafts)."""
    return OpinionReport.objects.visible_to(user).exclude(status=Status.DRAFT)


def editor_queue_counts(user: User, now: datetime.datetime | None = None) -> dict[str, dict[str, int]]:
    """{queue key: {"count": n, "overdue": m}} for the editor's queues, in one query."""
    policy = policy_for(user.committee_id)
    aggregates: dict[str, Any] = {}
    for key, statuses in EDITOR_QUEUES:
        aggregates[f"{key}_count"] = Count("pk", filter=Q(status__in=statuses))
        aggregates[f"{key}_overdue"] = Count("pk", filter=overdue_q(policy, statuses, now))
    base = OpinionReport.objects.filter(committee_id=user.committee_id or 0).exclude(status=Status.DRAFT)
    values = base.aggregate(**aggregates)
    return {
        key: {"count": values[f"{key}_count"] or 0, "overdue": values[f"{key}_overdue"] or 0}
        for key, _statuses in EDITOR_QUEUES
    }


def queue(
    user: User, key: str, *, overdue_only: bool = False, now: datetime.datetime | None = None
) -> QuerySet[OpinionReport]:
    """The reports of one queue, oldest in its step first, with `is_overdue` set on each."""
    statuses = QUEUE_STATUSES[key]
    policy = policy_for(user.committee_id)
    qs = pipeline_reports(user).filter(status__in=statuses)
    if overdue_only:
        qs = qs.filter(overdue_q(policy, statuses, now))
    return (
        qs.select_related("category", "verifier")
        .prefetch_related(_authors_prefetch())
        .order_by("status_changed_at", "pk")
    )


def mark_overdue(
    reports: Iterable[OpinionReport], policy: Policy, now: datetime.datetime | None = None
) -> list[OpinionReport]:
    rows = list(reports)
    for report in rows:
        cutoff = overdue_cutoff(policy, report.status, now)
        report.is_overdue = bool(  # type: ignore[attr-defined]
            cutoff is not None and report.status_changed_at is not None and report.status_changed_at < cutoff
        )
        days = policy.days_for(report.status)
        report.allowed_days = days  # type: ignore[attr-defined]
    return rows


def to_verify(user: User) -> QuerySet[OpinionReport]:
    """What `user` was asked to verify and has not finished."""
    if not user.is_authenticated:
        return OpinionReport.objects.none()
    return (
        OpinionReport.objects.filter(
            committee_id=user.committee_id or 0, verifier=user, status=Status.VERIFYING
        )
        .select_related("category")
        .prefetch_related(_authors_prefetch())
        .order_by("status_changed_at", "pk")
    )


def to_sign(user: User) -> QuerySet[OpinionReport]:
    """For leaders: reports awaiting sign-off, except their own."""
    if not user.is_authenticated or not user.has_perm(SIGN):
        return OpinionReport.objects.none()
    return (
        pipeline_reports(user)
        .filter(status=Status.AWAITING_SIGNOFF)
        .exclude(pk__in=OpinionReport.objects.filter(author_filter(user)).values("pk"))
        .select_related("category")
        .prefetch_related(_authors_prefetch())
        .order_by("status_changed_at", "pk")
    )


def returned_to_me(user: User) -> QuerySet[OpinionReport]:
    return my_reports(user).filter(status=Status.RETURNED)


def is_editor(user: User) -> bool:
    return user.is_authenticated and user.has_perm(PROCESS)


@dataclass
class SimilarReport:
    report: OpinionReport
    score: float
    percent: int
    shared: list[str]
    title_html: str
    body_html: str


# The similarity index of each committee's reports, kept in this process between requests: building
# it segments every report with jieba (seconds for a few thousand), a query takes milliseconds.
# Rebuilt when the reports it was built from have changed: every change of a report's text or status
# bumps its version, and a new or deleted report changes the count, the highest id or the newest
# creation time (which also tells apart two databases that reuse ids, as tests' rolled-back ones do).
_INDEXES: dict[int, tuple[tuple[Any, ...], Any, dict[int, Any]]] = {}
_INDEXES_LOCK = threading.Lock()


def _similarity_index(committee_id: int) -> tuple[Any, dict[int, Any]]:
    """The committee's index over its reports (never drafts) and their texts by id."""
    from .similarity import Document, SimilarityIndex

    reports = OpinionReport.objects.filter(committee_id=committee_id).exclude(status=Status.DRAFT)
    figures = reports.aggregate(
        count=Count("pk"), last=Max("pk"), versions=Sum("version"), newest=Max("created_at")
    )
    signature = (figures["count"], figures["last"], figures["versions"], figures["newest"])
    cached = _INDEXES.get(committee_id)
    if cached is not None and cached[0] == signature:
        return cached[1], cached[2]
    with _INDEXES_LOCK:
        cached = _INDEXES.get(committee_id)
        if cached is not None and cached[0] == signature:
            return cached[1], cached[2]
        rows = reports.values_list("pk", "title", "body", "edited_title", "edited_body")
        documents = {
            pk: Document(pk, edited_title or title, edited_body or body)
            for pk, title, body, edited_title, edited_body in rows
        }
        index = SimilarityIndex.build(list(documents.values())) if documents else None
        _INDEXES[committee_id] = (signature, index, documents)
        return index, documents


def similar_reports(report: OpinionReport, k: int = 5) -> list[SimilarReport]:
    """The k reports of the committee most like `report` (any year, open ones too, never drafts), best
    first, with the shared passages highlighted — what the editor sees before registering."""
    from .similarity import Document, highlight

    index, texts = _similarity_index(report.committee_id)
    if index is None:
        return []
    matches = index.top(
        Document(report.pk, report.current_title, report.current_body), k=k, exclude_ids={report.pk}
    )
    found = OpinionReport.objects.select_related("category").in_bulk([m.id for m in matches])
    out = []
    for match in matches:
        other = found.get(match.id)
        if other is None:
            continue
        document = texts[match.id]
        out.append(
            SimilarReport(
                report=other,
                score=match.score,
                percent=round(match.score * 100),
                shared=list(match.shared),
                title_html=highlight(document.title, match.shared),
                body_html=highlight(document.body, match.shared),
            )
        )
    return out
