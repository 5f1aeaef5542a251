"""Who may do what with the suggestions of an inspection or research activity and its report, and the
scoped reads the inspection pages start from (DESIGN §6.6).

- A member hands in suggestions for an activity of these kinds that they are on the list of (invited),
  once it has started (published, in progress or closed), until its report is sent to the departments;
  they edit and withdraw their own until then, and may turn one into a 社情民意 draft at any time.
- Staff who hold opinions.change_inspectionreport compile the report: the office for every activity of
  the committee, unit staff for the activities their units organise. Holders of
  opinions.view_inspectionreport (editors, leaders) read the same pages in the same scope.
- Anything outside one's scope (another committee, another unit, someone else's suggestion) is a 404.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from lvzhi.activities.models import Activity, Participation

from .models import InspectionReport, Suggestion

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    from lvzhi.accounts.models import User
    from lvzhi.members.models import Member

VIEW = "opinions.view_inspectionreport"
COMPILE = "opinions.change_inspectionreport"

# The activities whose outcome is a report with members' suggestions: 视察, 调研, 考察.
KINDS = (Activity.Kind.INSPECTION, Activity.Kind.RESEARCH, Activity.Kind.STUDY_TOUR)
# A member hands in during or after the activity: once it is published and has started, or later.
HAND_IN_STATUSES = (Activity.Status.PUBLISHED, Activity.Status.IN_PROGRESS, Activity.Status.CLOSED)


def member_of(user: User | AnonymousUser) -> Member | None:
    return getattr(user, "member", None) if user.is_authenticated else None


def _in_scope(user: User | AnonymousUser, activity: Activity, perm: str) -> bool:
    if not user.is_authenticated or user.committee_id != activity.committee_id or activity.kind not in KINDS:
        return False
    if not user.has_perm(perm):
        return False
    if user.is_committee_wide:
        return True
    return activity.organizing_unit_id is not None and activity.organizing_unit_id in user.unit_ids()


def can_view(user: User | AnonymousUser, activity: Activity) -> bool:
    """Whether `user` reads the activity's suggestions and report (the staff page)."""
    return _in_scope(user, activity, VIEW)


def can_compile(user: User | AnonymousUser, activity: Activity) -> bool:
    """Whether `user` lists suggestions, writes, sends the report and marks suggestions adopted."""
    return _in_scope(user, activity, COMPILE)


def staff_activities(user: User | AnonymousUser) -> QuerySet[Activity]:
    """The inspection, research and study-tour activities whose suggestions `user` may read: the
    committee's (committee-wide staff) or their units' (unit staff); never drafts or cancelled ones."""
    if not user.is_authenticated or user.committee_id is None or not user.has_perm(VIEW):
        return Activity.objects.none()
    activities = Activity.objects.filter(committee_id=user.committee_id, kind__in=KINDS).exclude(
        status__in=(Activity.Status.DRAFT, Activity.Status.CANCELLED)
    )
    if not user.is_committee_wide:
        activities = activities.filter(organizing_unit_id__in=user.unit_ids())
    return activities


def staff_activity_list(user: User | AnonymousUser) -> QuerySet[Activity]:
    """The staff list's rows: each activity with its unit, its report and the counts of suggestions
    handed in, listed and adopted, latest first; a constant number of queries."""
    return (
        staff_activities(user)
        .select_related("organizing_unit", "inspection_report")
        .annotate(
            suggestion_count=Count("suggestions"),
            listed_count=Count("suggestions", filter=Q(suggestions__included=True)),
            adopted_count=Count("suggestions", filter=Q(suggestions__adopted=True)),
        )
        .order_by("-starts_at", "-pk")
    )


def get_staff_activity_for_user(user: User, pk: int | str) -> Activity:
    """An activity whose suggestions `user` may read (staff_activities), else 404."""
    try:
        return staff_activities(user).select_related("organizing_unit", "committee").get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_staff_suggestion_for_user(user: User, pk: int | str) -> Suggestion:
    """A suggestion of an activity in `user`'s staff scope, else 404."""
    try:
        return (
            Suggestion.objects.filter(activity__in=staff_activities(user))
            .select_related("activity", "member", "committee")
            .get(pk=pk)
        )
    except (Suggestion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_own_suggestion_for_user(user: User, pk: int | str) -> Suggestion:
    """One of `user`'s own suggestions (through their member file), else 404."""
    member = member_of(user)
    if member is None:
        raise Http404
    try:
        return Suggestion.objects.select_related("activity", "member", "report", "committee").get(
            pk=pk, member=member, committee_id=user.committee_id
        )
    except (Suggestion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def report_of(activity: Activity) -> InspectionReport | None:
    return InspectionReport.objects.filter(activity=activity).first()


def is_invited(member: Member, activity: Activity) -> bool:
    return Participation.objects.filter(activity=activity, member=member).exists()


def hand_in_closed_reason(
    activity: Activity, report: InspectionReport | None, now: datetime.datetime | None = None
) -> str:
    """Why members may not hand in (or change) suggestions for `activity` now, as a code; "" when they
    may: "kind" (not an inspection, research or study tour), "status" (draft or cancelled), "not_started",
    "sent" (the report went to the departments)."""
    now = now or timezone.now()
    if activity.kind not in KINDS:
        return "kind"
    if activity.status not in HAND_IN_STATUSES:
        return "status"
    if activity.starts_at > now:
        return "not_started"
    if report is not None and report.status == InspectionReport.Status.SENT:
        return "sent"
    return ""


def member_inspections(member: Member) -> QuerySet[Participation]:
    """The member's places on inspection, research and study-tour activities (not drafts, not cancelled),
    with each activity and its report, latest first: the member's list of where to hand in."""
    return (
        Participation.objects.filter(member=member, activity__kind__in=KINDS)
        .exclude(activity__status__in=(Activity.Status.DRAFT, Activity.Status.CANCELLED))
        .select_related("activity", "activity__inspection_report")
        .order_by("-activity__starts_at", "-pk")
    )


def member_suggestions(member: Member) -> QuerySet[Suggestion]:
    """The member's suggestions with their activity, report and 社情民意 draft, latest first."""
    return (
        Suggestion.objects.filter(member=member)
        .select_related("activity", "activity__inspection_report", "report")
        .order_by("-created_at", "-pk")
    )
