from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lvzhi.core.navigation import HomeCard, MenuEntry, has_perm
from lvzhi.members.apps import has_member_file

VIEW = "activities.view_activity"


def _decides_leave(user):
    # A unit's head decides leave without any permission. Asked only when a page draws the menu; the
    # selectors read models, which are not loaded yet when Django imports this module.
    from .selectors import may_decide_some_leave

    return may_decide_some_leave(user)


def _leave_in_duty_work(user):
    return user.has_perm(VIEW) and _decides_leave(user)


def _leave_on_its_own(user):
    """Who decides leave without seeing activities (a member heading a unit) finds it in the bar."""
    return not user.has_perm(VIEW) and _decides_leave(user)


def _standing_report(user):
    return user.has_perm(VIEW) and user.is_committee_wide


class ActivitiesConfig(AppConfig):
    name = "lvzhi.activities"
    label = "activities"
    verbose_name = _("Duty activities")
    menu = [
        MenuEntry(_("Activities"), "activities:staff_list", section="duty", order=10, shown=has_perm(VIEW)),
        MenuEntry(
            _("Leave requests"),
            "activities:leave_requests",
            section="duty",
            order=20,
            shown=_leave_in_duty_work,
        ),
        MenuEntry(
            _("Attendance statistics"), "activities:stats", section="duty", order=30, shown=has_perm(VIEW)
        ),
        MenuEntry(
            _("Standing committee attendance notice"),
            "activities:standing_report",
            section="duty",
            order=40,
            shown=_standing_report,
        ),
        MenuEntry(_("My activities"), "activities:mine", order=80, shown=has_member_file),
        MenuEntry(_("Leave requests"), "activities:leave_requests", order=100, shown=_leave_on_its_own),
    ]
    home_cards = [
        HomeCard(
            "activities/_home_to_close.html", "lvzhi.activities.home_cards.activities_to_close", order=30
        ),
        HomeCard(
            "activities/_home_leave_to_decide.html",
            "lvzhi.activities.home_cards.leave_to_decide",
            order=20,
            wide=True,
        ),
        HomeCard(
            "activities/_home_meetings.html",
            "lvzhi.activities.home_cards.coming_meetings",
            order=30,
            wide=True,
        ),
        HomeCard(
            "activities/_home_attendance.html",
            "lvzhi.activities.home_cards.attendance_this_year",
            order=40,
            wide=True,
        ),
        HomeCard(
            "activities/_home_mine.html", "lvzhi.activities.home_cards.my_activities", order=100, wide=True
        ),
        HomeCard(
            "activities/_home_leave_decisions.html",
            "lvzhi.activities.home_cards.my_leave_decisions",
            order=110,
            wide=True,
        ),
    ]
