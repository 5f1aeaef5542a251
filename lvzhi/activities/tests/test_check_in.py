"""Check-in: by the member within the window, by staff with a reason outside it; late and left early."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from lvzhi.activities import services
from lvzhi.activities.models import Activity, Participation

from .conftest import END, START

P = Participation.Status
MIN = datetime.timedelta(minutes=1)


@pytest.fixture
def member(make_member):
    return make_member(login=True)


@pytest.fixture
def activity(make_activity):
    return make_activity(status=Activity.Status.IN_PROGRESS)


@pytest.fixture
def invitation(activity, member, invite_member):
    return invite_member(activity, member, status=P.CONFIRMED)


def self_check_in(activity, member, when):
    return services.check_in(activity=activity, member=member, actor=member.user, when=when)


@pytest.mark.parametrize(
    "when,expected",
    [
        (START - 60 * MIN, P.PRESENT),
        (START, P.PRESENT),
        (START + 15 * MIN, P.PRESENT),
        (START + 16 * MIN, P.LATE),
        (END, P.LATE),
    ],
)
def test_self_check_in_within_the_window(activity, member, invitation, when, expected):
    participation = self_check_in(activity, member, when)
    assert participation.status == expected
    invitation.refresh_from_db()
    assert (invitation.status, invitation.checked_in_at, invitation.checked_in_by) == (expected, when, None)


@pytest.mark.parametrize("when", [START - 61 * MIN, END + MIN])
def test_self_check_in_outside_the_window_is_refused(activity, member, invitation, when):
    with pytest.raises(services.ActivityError) as error:
        self_check_in(activity, member, when)
    assert error.value.code == "window_closed"


def test_an_explicit_window_replaces_the_default(make_activity, member, invite_member):
    activity = make_activity(
        status=Activity.Status.PUBLISHED,
        checkin_opens_at=START - 10 * MIN,
        checkin_closes_at=START + 30 * MIN,
    )
    invite_member(activity, member)
    with pytest.raises(services.ActivityError):
        self_check_in(activity, member, START - 20 * MIN)
    assert self_check_in(activity, member, START - 5 * MIN).status == P.PRESENT


def test_checking_in_twice_is_refused(activity, member, invitation):
    self_check_in(activity, member, START)
    with pytest.raises(services.ActivityError):
        self_check_in(activity, member, START + MIN)


def test_an_uninvited_member_cannot_check_in_themselves(activity, make_member):
    stranger = make_member(login=True)
    with pytest.raises(services.ActivityError):
        self_check_in(activity, stranger, START)


def test_a_member_cannot_check_in_another(activity, invitation, make_member):
    friend = make_member(login=True)
    with pytest.raises(PermissionDenied):
        services.check_in(activity=activity, member=invitation.member, actor=friend.user, when=START)
    invitation.refresh_from_db()
    assert invitation.status == P.CONFIRMED


@pytest.mark.parametrize("status", [Activity.Status.DRAFT, Activity.Status.CLOSED, Activity.Status.CANCELLED])
def test_no_check_in_unless_published_or_in_progress(activity, member, invitation, status):
    Activity.objects.filter(pk=activity.pk).update(status=status)
    with pytest.raises(services.ActivityError):
        self_check_in(activity, member, START)


def test_staff_check_in_within_the_window(activity, invitation, office):
    participation = services.check_in(activity=activity, member=invitation.member, actor=office, when=START)
    assert (participation.status, participation.checked_in_by) == (P.PRESENT, office)


def test_staff_check_in_outside_the_window_needs_a_reason(activity, invitation, office):
    after = END + 30 * MIN
    with pytest.raises(services.ActivityError) as error:
        services.check_in(activity=activity, member=invitation.member, actor=office, when=after)
    assert error.value.code == "reason_required"
    participation = services.check_in(
        activity=activity, member=invitation.member, actor=office, when=after, reason="签到设备故障"
    )
    assert participation.status == P.LATE
    change = participation.status_changes.get()
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        P.CONFIRMED,
        P.LATE,
        office,
        "签到设备故障",
    )


def test_staff_may_check_in_a_member_on_approved_leave_who_came(activity, invitation, office):
    Participation.objects.filter(pk=invitation.pk).update(status=P.LEAVE_APPROVED)
    assert (
        services.check_in(activity=activity, member=invitation.member, actor=office, when=START).status
        == P.PRESENT
    )


def test_staff_add_an_uninvited_member_who_came(activity, make_member, office):
    walk_in = make_member()
    with pytest.raises(services.ActivityError) as error:
        services.check_in(activity=activity, member=walk_in, actor=office, when=START)
    assert error.value.code == "not_invited"
    services.add_participant(activity=activity, member=walk_in, actor=office, when=START)
    participation = Participation.objects.get(activity=activity, member=walk_in)
    assert (participation.status, participation.checked_in_by) == (P.PRESENT, office)


def test_unit_staff_cannot_check_in_at_another_units_activity(
    make_activity, unit_staff, other_unit, make_member, invite_member
):
    activity = make_activity(status=Activity.Status.IN_PROGRESS, organizing_unit=other_unit)
    participation = invite_member(activity, make_member())
    with pytest.raises(PermissionDenied):
        services.check_in(activity=activity, member=participation.member, actor=unit_staff, when=START)


def test_mark_left_early(activity, member, invitation, office):
    self_check_in(activity, member, START)
    assert (
        services.mark_left_early(participation=invitation, actor=office, reason="身体不适").status
        == P.LEFT_EARLY
    )


@pytest.mark.parametrize("status", [P.CONFIRMED, P.LEAVE_APPROVED, P.LEFT_EARLY])
def test_left_early_only_after_check_in(invitation, office, status):
    Participation.objects.filter(pk=invitation.pk).update(status=status)
    with pytest.raises(services.ActivityError):
        services.mark_left_early(participation=invitation, actor=office)


def test_a_member_cannot_mark_themselves_left_early(activity, member, invitation):
    self_check_in(activity, member, START)
    with pytest.raises(PermissionDenied):
        services.mark_left_early(participation=invitation, actor=member.user)
