"""Approving and refusing leave requests."""

import pytest
from django.core.exceptions import PermissionDenied

from lvzhi.accounts.roles import Role
from lvzhi.activities import services
from lvzhi.activities.models import Activity, Participation

P = Participation.Status


@pytest.fixture
def request_(make_activity, make_member, invite_member):
    activity = make_activity(status=Activity.Status.PUBLISHED)
    return invite_member(activity, make_member(), status=P.LEAVE_REQUESTED, leave_reason="出差")


@pytest.mark.parametrize("approve,expected", [(True, P.LEAVE_APPROVED), (False, P.LEAVE_DENIED)])
@pytest.mark.parametrize("who", ["office", "leader"])
def test_office_and_leaders_decide(request, request_, approve, expected, who):
    actor = request.getfixturevalue(who)
    services.decide_leave(participation=request_, approve=approve, actor=actor)
    request_.refresh_from_db()
    assert (request_.status, request_.decided_by) == (expected, actor)
    assert request_.decided_at is not None


@pytest.mark.parametrize("role", [Role.MEMBER, Role.UNIT_STAFF, Role.EDITOR])
def test_others_cannot_decide(make_user, request_, role, my_unit):
    with pytest.raises(PermissionDenied):
        services.decide_leave(participation=request_, approve=True, actor=make_user(role, units=[my_unit]))
    request_.refresh_from_db()
    assert request_.status == P.LEAVE_REQUESTED


def test_another_committees_leader_cannot_decide(make_user, request_, other_committee):
    with pytest.raises(PermissionDenied):
        services.decide_leave(
            participation=request_, approve=True, actor=make_user(Role.LEADER, committee=other_committee)
        )


@pytest.mark.parametrize("status", [P.INVITED, P.CONFIRMED, P.LEAVE_APPROVED, P.PRESENT])
def test_only_a_pending_request_is_decided(request_, office, status):
    Participation.objects.filter(pk=request_.pk).update(status=status)
    with pytest.raises(services.ActivityError):
        services.decide_leave(participation=request_, approve=True, actor=office)


def test_not_after_closing(request_, office):
    Activity.objects.filter(pk=request_.activity_id).update(status=Activity.Status.CLOSED)
    with pytest.raises(services.ActivityError):
        services.decide_leave(participation=request_, approve=True, actor=office)
