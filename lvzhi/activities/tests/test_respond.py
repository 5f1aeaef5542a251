"""A member's own answer: confirm, decline (optional only), ask for leave (with a reason)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from lvzhi.activities import services
from lvzhi.activities.models import Activity, Participation

from .conftest import START

P = Participation.Status
BEFORE = START - datetime.timedelta(days=2)


@pytest.fixture
def member(make_member):
    return make_member(login=True)


@pytest.fixture
def invitation(make_activity, member, invite_member):
    activity = make_activity(
        status=Activity.Status.PUBLISHED,
        is_required=False,
        registration_deadline=START - datetime.timedelta(days=1),
    )
    return invite_member(activity, member)


def answer(invitation, member, action, reason="", now=BEFORE):
    return services.respond(
        participation=invitation, action=action, actor=member.user, reason=reason, now=now
    )


def test_confirm(invitation, member):
    assert answer(invitation, member, "confirm").status == P.CONFIRMED
    invitation.refresh_from_db()
    assert invitation.status == P.CONFIRMED and invitation.responded_at == BEFORE


def test_decline_an_optional_activity(invitation, member):
    assert answer(invitation, member, "decline").status == P.DECLINED


def test_a_required_activity_cannot_be_declined(invitation, member):
    Activity.objects.filter(pk=invitation.activity_id).update(is_required=True)
    with pytest.raises(services.ActivityError) as error:
        answer(invitation, member, "decline")
    assert error.value.code == "required_activity"
    invitation.refresh_from_db()
    assert invitation.status == P.INVITED


def test_leave_needs_a_reason(invitation, member):
    with pytest.raises(services.ActivityError):
        answer(invitation, member, "leave", reason=" ")
    answer(invitation, member, "leave", reason="出差")
    invitation.refresh_from_db()
    assert (invitation.status, invitation.leave_reason) == (P.LEAVE_REQUESTED, "出差")


def test_a_member_may_change_their_mind_before_the_deadline(invitation, member):
    answer(invitation, member, "decline")
    answer(invitation, member, "leave", reason="出差")
    answer(invitation, member, "confirm")
    invitation.refresh_from_db()
    assert invitation.status == P.CONFIRMED


def test_nothing_after_the_deadline(invitation, member):
    late = START - datetime.timedelta(hours=12)
    for action in ("confirm", "decline", "leave"):
        with pytest.raises(services.ActivityError) as error:
            answer(invitation, member, action, reason="事", now=late)
        assert error.value.code == "deadline_passed"


@pytest.mark.parametrize("status", [P.PRESENT, P.LATE, P.LEFT_EARLY, P.ABSENT])
def test_nothing_after_check_in(invitation, member, status):
    Participation.objects.filter(pk=invitation.pk).update(status=status)
    with pytest.raises(services.ActivityError):
        answer(invitation, member, "leave", reason="事")


@pytest.mark.parametrize("status", [Activity.Status.DRAFT, Activity.Status.CLOSED, Activity.Status.CANCELLED])
def test_nothing_unless_published_or_in_progress(invitation, member, status):
    Activity.objects.filter(pk=invitation.activity_id).update(status=status)
    with pytest.raises(services.ActivityError):
        answer(invitation, member, "confirm")


def test_only_ones_own_invitation(invitation, make_member, office):
    other = make_member(login=True)
    for actor in (other.user, office):
        with pytest.raises(PermissionDenied):
            services.respond(participation=invitation, action="confirm", actor=actor, now=BEFORE)
    invitation.refresh_from_db()
    assert invitation.status == P.INVITED


def test_an_unknown_answer_is_refused(invitation, member):
    with pytest.raises(services.ActivityError):
        answer(invitation, member, "maybe")


def test_a_leave_request_can_be_restated_with_a_new_reason(invitation, member):
    answer(invitation, member, "leave", reason="出差")
    answer(invitation, member, "leave", reason="住院")
    invitation.refresh_from_db()
    assert (invitation.status, invitation.leave_reason) == (P.LEAVE_REQUESTED, "住院")
