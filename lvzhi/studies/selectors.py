"""Reads for the study pages: permission-checked fetches (404 outside one's scope) and the lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.http import Http404

from lvzhi.activities.models import Activity

from .models import StudySubmission, TrainingPlan, TrainingSession

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from lvzhi.accounts.models import User
    from lvzhi.members.models import Member


def get_plan_for_user(user: User, pk: int | str) -> TrainingPlan:
    try:
        return TrainingPlan.objects.visible_to(user).get(pk=pk)
    except (TrainingPlan.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_session_for_user(user: User, pk: int | str) -> TrainingSession:
    try:
        return TrainingSession.objects.select_related("plan").get(
            pk=pk, plan__in=TrainingPlan.objects.visible_to(user)
        )
    except (TrainingSession.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_submission_for_user(user: User, pk: int | str) -> StudySubmission:
    """The submission if the user may see it: their own, or (staff) one of a member they may see."""
    try:
        return (
            StudySubmission.objects.visible_to(user)
            .select_related("member", "session", "reviewed_by")
            .get(pk=pk)
        )
    except (StudySubmission.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def sessions_with_activities(plan: TrainingPlan) -> QuerySet[TrainingSession]:
    """The plan's sessions with their linked activities in one query."""
    return plan.sessions.select_related("activity").order_by("planned_on", "pk")


def queue(
    user: User, *, year: int | None = None, kind: str = "", status: str = ""
) -> QuerySet[StudySubmission]:
    """Submissions the user may see, those waiting for acknowledgement first, then newest first."""
    qs = StudySubmission.objects.visible_to(user).select_related("member", "session")
    if year:
        qs = qs.filter(submitted_at__year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        pending=Case(
            When(status=StudySubmission.Status.SUBMITTED, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("pending", "-submitted_at", "pk")


def published_plan(user: User, year: int) -> TrainingPlan | None:
    """This year's published plan of the user's committee with its sessions and their activities."""
    sessions = TrainingSession.objects.select_related("activity").order_by("planned_on", "pk")
    return (
        TrainingPlan.objects.visible_to(user)
        .filter(year=year, status=TrainingPlan.Status.PUBLISHED)
        .prefetch_related(Prefetch("sessions", queryset=sessions))
        .first()
    )


def my_submissions(member: Member) -> QuerySet[StudySubmission]:
    return (
        StudySubmission.objects.filter(member=member)
        .select_related("session")
        .order_by("-submitted_at", "pk")
    )


def visible_activity_ids(user: User, activity_ids: Iterable[int]) -> set[int]:
    """Which of these activities the user may open (members: those they are invited to)."""
    return set(Activity.objects.visible_to(user).filter(pk__in=activity_ids).values_list("pk", flat=True))
