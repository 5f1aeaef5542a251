"""Approving and refusing leave requests: who decides depends on the kind and the organizer (issue 4)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.activities import services
from lvzhi.activities.models import Activity, Participation
from lvzhi.factories import MembershipFactory
from lvzhi.organization.models import Membership

P = Participation.Status
K = Activity.Kind
Position = Membership.Position


@pytest.fixture
def make_head(make_member):
    """A member with a user account who holds `position` in `unit` (current unless dates say otherwise)."""

    def make(unit, position=Position.DIRECTOR, **dates):
        member = make_member(login=True)
        MembershipFactory(unit=unit, member=member, position=position, **dates)
        return member.user

    return make


@pytest.fixture
def make_request(make_activity, make_member, invite_member):
    def make(**activity_kwargs):
        activity_kwargs.setdefault("status", Activity.Status.PUBLISHED)
        activity = make_activity(**activity_kwargs)
        return invite_member(activity, make_member(), status=P.LEAVE_REQUESTED, leave_reason="出差")

    return make


@pytest.fixture
def request_(make_request):
    """Leave from a standing committee meeting (the factory's default kind)."""
    return make_request()


def _decided(participation, actor, approve=True):
    services.decide_leave(participation=participation, approve=approve, actor=actor, note="理由")
    participation.refresh_from_db()
    return participation


def _refused(participation, actor):
    with pytest.raises(PermissionDenied):
        services.decide_leave(participation=participation, approve=True, actor=actor)
    participation.refresh_from_db()
    return participation.status == P.LEAVE_REQUESTED


# --- the committee's own meetings: chairs only ---------------------------------------------------


@pytest.mark.parametrize("approve,expected", [(True, P.LEAVE_APPROVED), (False, P.LEAVE_DENIED)])
@pytest.mark.parametrize("kind", [K.PLENARY, K.STANDING, K.CHAIRS])
def test_leaders_decide_the_committees_meetings(make_request, leader, kind, approve, expected):
    participation = _decided(make_request(kind=kind), leader, approve)
    assert (participation.status, participation.decided_by) == (expected, leader)
    assert participation.decided_at is not None


@pytest.mark.parametrize("kind", [K.PLENARY, K.STANDING, K.CHAIRS])
def test_office_does_not_decide_the_committees_meetings(make_request, office, kind):
    assert _refused(make_request(kind=kind), office)


def test_a_unit_head_does_not_decide_a_standing_meeting_even_of_the_unit(make_request, make_head, my_unit):
    assert _refused(make_request(kind=K.STANDING, organizing_unit=my_unit), make_head(my_unit))


# --- office activities: office staff and leaders --------------------------------------------------


@pytest.mark.parametrize("who", ["office", "leader"])
def test_office_and_leaders_decide_office_activities(request, make_request, who):
    actor = request.getfixturevalue(who)
    participation = _decided(make_request(kind=K.TRAINING), actor)
    assert (participation.status, participation.decided_by) == (P.LEAVE_APPROVED, actor)


def test_a_unit_head_does_not_decide_office_activities(make_request, make_head, my_unit):
    assert _refused(make_request(kind=K.TRAINING), make_head(my_unit))


# --- a unit's activities: its current heads and leaders ------------------------------------------


@pytest.mark.parametrize("position", [Position.DIRECTOR, Position.CONVENER, Position.GROUP_LEADER])
def test_the_units_head_decides(make_request, make_head, my_unit, position):
    head = make_head(my_unit, position)
    participation = _decided(make_request(kind=K.RESEARCH, organizing_unit=my_unit), head, approve=False)
    assert (participation.status, participation.decided_by) == (P.LEAVE_DENIED, head)


def test_leaders_decide_unit_activities(make_request, leader, my_unit):
    assert _decided(make_request(kind=K.RESEARCH, organizing_unit=my_unit), leader).status == P.LEAVE_APPROVED


@pytest.mark.parametrize("position", [Position.DEPUTY_DIRECTOR, Position.MEMBER])
def test_other_posts_in_the_unit_do_not_decide(make_request, make_head, my_unit, position):
    assert _refused(make_request(kind=K.RESEARCH, organizing_unit=my_unit), make_head(my_unit, position))


def test_the_head_of_another_unit_cannot(make_request, make_head, my_unit, other_unit):
    assert _refused(make_request(kind=K.RESEARCH, organizing_unit=my_unit), make_head(other_unit))


def test_unit_staff_cannot(make_request, unit_staff, my_unit):
    assert _refused(make_request(kind=K.RESEARCH, organizing_unit=my_unit), unit_staff)


def test_office_does_not_decide_unit_activities(make_request, office, my_unit):
    assert _refused(make_request(kind=K.RESEARCH, organizing_unit=my_unit), office)


def test_an_ex_head_cannot(make_request, make_head, my_unit):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    head = make_head(my_unit, start_date=yesterday - datetime.timedelta(days=400), end_date=yesterday)
    assert _refused(make_request(kind=K.RESEARCH, organizing_unit=my_unit), head)


def test_a_future_head_cannot_yet(make_request, make_head, my_unit):
    head = make_head(my_unit, start_date=timezone.localdate() + datetime.timedelta(days=1))
    assert _refused(make_request(kind=K.RESEARCH, organizing_unit=my_unit), head)


def test_an_inactive_head_cannot(make_request, make_head, my_unit):
    head = make_head(my_unit)
    head.is_active = False
    head.save()
    assert _refused(make_request(kind=K.RESEARCH, organizing_unit=my_unit), head)


# --- everyone else -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MEMBER, Role.UNIT_STAFF, Role.EDITOR])
def test_others_cannot_decide(make_user, request_, role, my_unit):
    assert _refused(request_, make_user(role, units=[my_unit]))


@pytest.mark.parametrize("role", [Role.LEADER, Role.OFFICE])
def test_another_committees_staff_cannot_decide(make_user, make_request, other_committee, role):
    actor = make_user(role, committee=other_committee)
    assert _refused(make_request(kind=K.PLENARY), actor)
    assert _refused(make_request(kind=K.TRAINING), actor)


def test_nobody_decides_their_own_leave(make_activity, make_member, invite_member, make_user):
    chair = make_user(Role.LEADER)
    member = make_member(user=chair)  # a chair who is also a member
    activity = make_activity(kind=K.PLENARY, status=Activity.Status.PUBLISHED)
    participation = invite_member(activity, member, status=P.LEAVE_REQUESTED, leave_reason="出差")
    with pytest.raises(services.ActivityError) as exc:
        services.decide_leave(participation=participation, approve=True, actor=chair)
    assert exc.value.code == "own_leave_request"


# --- what can be decided -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [P.INVITED, P.CONFIRMED, P.LEAVE_APPROVED, P.PRESENT])
def test_only_a_pending_request_is_decided(request_, leader, status):
    Participation.objects.filter(pk=request_.pk).update(status=status)
    with pytest.raises(services.ActivityError):
        services.decide_leave(participation=request_, approve=True, actor=leader)


def test_not_after_closing(request_, leader):
    Activity.objects.filter(pk=request_.activity_id).update(status=Activity.Status.CLOSED)
    with pytest.raises(services.ActivityError):
        services.decide_leave(participation=request_, approve=True, actor=leader)


def test_the_note_is_kept(request_, leader):
    services.decide_leave(participation=request_, approve=False, actor=leader, note="会议重要，请尽量参加")
    request_.refresh_from_db()
    assert request_.note == "会议重要，请尽量参加"
