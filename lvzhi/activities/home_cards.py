"""What the activities app shows on the start page (ActivitiesConfig.home_cards, drawn by lvzhi.home).

Each card costs a fixed number of queries: lists are sliced in the database and counts are aggregated
there (COUNT … FILTER), so a committee with 300 activities and 3,000 members pays what one with 3 pays."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors, stats
from .models import Activity, Participation

P = Participation.Status
# How many rows a card lists before it says "and n more" and links to the full page.
LIST_LIMIT = 6
# A member sees leave decisions of this many days back.
RECENT_DECISIONS = datetime.timedelta(days=30)
# A leader sees the meetings of this many days ahead.
MEETINGS_AHEAD = datetime.timedelta(days=60)
# What counts as not answered yet, and what a member still has to answer (refused leave asks them to
# come after all, or to ask again).
TO_ANSWER = (P.INVITED, P.LEAVE_DENIED)


def _sliced(qs, limit=LIST_LIMIT):
    """The first `limit` rows and whether there are more, in one query."""
    rows = list(qs[: limit + 1])
    return rows[:limit], len(rows) > limit


def my_activities(user):
    """The member's activities of today and ahead, each saying whether the member still has to answer."""
    member = getattr(user, "member", None)
    if member is None:
        return None
    now = timezone.now()
    today = timezone.localdate(now)
    rows, more = _sliced(
        Participation.objects.filter(
            member=member, activity__status__in=Activity.OPEN_STATUSES, activity__ends_at__gte=now
        )
        .select_related("activity")
        .order_by("activity__starts_at", "pk")
    )
    today_rows, coming = [], []
    for participation in rows:
        activity = participation.activity
        participation.to_answer = participation.status in TO_ANSWER and (
            activity.registration_deadline is None or now <= activity.registration_deadline
        )
        (today_rows if timezone.localdate(activity.starts_at) <= today else coming).append(participation)
    return {"today": today_rows, "coming": coming, "more": more}


def my_leave_decisions(user):
    """The member's leave requests decided in the last days, with the approver's note (the reason of a
    refusal); nothing when there are none."""
    member = getattr(user, "member", None)
    if member is None:
        return None
    rows, _more = _sliced(
        Participation.objects.filter(
            member=member,
            status__in=(P.LEAVE_APPROVED, P.LEAVE_DENIED),
            decided_at__gte=timezone.now() - RECENT_DECISIONS,
        )
        .exclude(activity__status__in=(Activity.Status.DRAFT, Activity.Status.CANCELLED))
        .select_related("activity")
        .order_by("-decided_at", "pk"),
        limit=3,
    )
    return {"decisions": rows} if rows else None


def leave_to_decide(user):
    """The leave requests waiting for the user's decision (leaders, office staff, units' heads): how
    many, and the first of them by the activity's date."""
    if not selectors.may_decide_some_leave(user):
        return None
    pending = selectors.leave_requests_for_user(user).filter(
        status=P.LEAVE_REQUESTED, activity__status__in=Activity.OPEN_STATUSES
    )
    rows, _more = _sliced(
        pending.select_related("member", "activity").order_by("activity__starts_at", "responded_at", "pk")
    )
    count = pending.count()
    if not count and not (user.has_perm(selectors.PLENARY_LEAVE_PERM) or user.has_perm(selectors.LEAVE_PERM)):
        # A member who heads a unit hears of leave only when some waits: their page is about their own.
        return None
    return {"count": count, "rows": rows}


def _is_leader(user):
    return user.has_perm(selectors.PLENARY_LEAVE_PERM) and user.has_perm("activities.view_activity")


def coming_meetings(user):
    """For leaders: the activities of the coming weeks with their expected attendance (invited,
    accepted, on leave, leave asked, not answered); one query."""
    if not _is_leader(user):
        return None
    now = timezone.now()
    rows, more = _sliced(
        Activity.objects.visible_to(user)
        .filter(status__in=Activity.OPEN_STATUSES, ends_at__gte=now, starts_at__lt=now + MEETINGS_AHEAD)
        .select_related("organizing_unit")
        .annotate(
            invited=Count("participations"),
            accepted=Count("participations", filter=Q(participations__status=P.CONFIRMED)),
            on_leave=Count("participations", filter=Q(participations__status=P.LEAVE_APPROVED)),
            leave_asked=Count("participations", filter=Q(participations__status=P.LEAVE_REQUESTED)),
            declined=Count("participations", filter=Q(participations__status=P.DECLINED)),
            not_answered=Count("participations", filter=Q(participations__status__in=TO_ANSWER)),
        )
        .order_by("starts_at", "pk")
    )
    return {"rows": rows, "more": more}


# The kinds of the leaders' attendance table and chart, in this order (the committee's meetings first).
MEETING_KINDS = [kind for kind in Activity.Kind]
TOP_ABSENTEES = 10


def attendance_this_year(user):
    """For leaders: this year's closed activities by kind (invited, present, late, left early, on leave,
    absent, rate) and the members absent most often; two queries. The same figures feed the charts."""
    if not _is_leader(user):
        return None
    year = timezone.localdate().year
    activities = stats.closed_activities(
        user, date_from=datetime.date(year, 1, 1), date_to=datetime.date(year, 12, 31)
    )
    counted = {
        row["kind"]: row
        for row in activities.order_by()
        .values("kind")
        .annotate(meetings=Count("pk", distinct=True), **stats._count_expressions("participations__"))
    }
    kinds = []
    for kind in MEETING_KINDS:
        if kind.value in counted:
            values = counted[kind.value]
            row = stats.Counts(**{name: values[name] or 0 for name in stats.COUNT_NAMES})
            kinds.append(
                {"kind": kind.value, "label": kind.label, "meetings": values["meetings"], "counts": row}
            )
    absentees = list(
        Participation.objects.filter(activity__in=activities.order_by().values("pk"))
        .values("member_id", "member__name", "member__name_stroke_key")
        .annotate(**stats._count_expressions())
        .filter(absent__gt=0)
        .order_by("-absent", "member__name_stroke_key", "member_id")[:TOP_ABSENTEES]
    )
    for row in absentees:
        row["rate"] = stats.format_rate(
            stats.rate(row["present"] + row["late"] + row["left_early"], row["invited"])
        )
    chart = {
        # The series' names, as the tables' column titles.
        "labels": {
            "present": _("Present"),
            "late": _("Late"),
            "left_early": _("Left early"),
            "leave": _("On leave"),
            "absent": _("Absent"),
        },
        "kinds": [str(row["label"]) for row in kinds],
        "series": {name: [getattr(row["counts"], name) for row in kinds] for name, _status in stats.COUNTED},
        "absentees": [row["member__name"] for row in absentees],
        "absences": [row["absent"] for row in absentees],
    }
    if not kinds:
        return {"year": year, "kinds": [], "absentees": [], "chart": None}
    return {"year": year, "kinds": kinds, "absentees": absentees, "chart": chart}


def activities_to_close(user):
    """For staff who run activities: those begun or past their end but not closed, in their scope (the
    office every one of the committee, unit staff their units' own, as `selectors.can_run`)."""
    if not user.has_perm("activities.run_activity") or user.committee_id is None:
        return None
    qs = selectors.to_close(user)
    rows, _more = _sliced(qs.order_by("starts_at", "pk"), limit=3)
    # The count links to the staff list filtered by the same selector, so that both show the same.
    return {"count": qs.count(), "rows": rows, "status": selectors.TO_CLOSE}
