"""Who hears what about an activity: invitations, leave requests and decisions, cancellations."""

import pytest

from lvzhi.activities import services
from lvzhi.activities.models import Activity, Participation
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import MembershipFactory
from lvzhi.members.models import Member
from lvzhi.notifications.models import Notification
from lvzhi.organization.models import Membership

P = Participation.Status
K = Activity.Kind


def _received(kind):
    """{recipient id: number of notifications of `kind`}."""
    counts = {}
    for recipient_id in Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True):
        counts[recipient_id] = counts.get(recipient_id, 0) + 1
    return counts


def _once(*users):
    return {user.pk: 1 for user in users}


@pytest.fixture
def head(make_member, my_unit):
    member = make_member(login=True)
    MembershipFactory(unit=my_unit, member=member, position=Membership.Position.DIRECTOR)
    return member.user


# --- invitations ---------------------------------------------------------------------------------


def test_publishing_invites_every_invitee_with_an_account_once(make_activity, make_member, office, sector):
    invited = [make_member(login=True, sector=sector) for _ in range(3)]
    make_member(sector=sector)  # invited, no account
    make_member(login=True)  # an account, not invited
    activity = make_activity(invitee_rules={"units": [sector.pk]}, title="教育调研", place="县一中")
    services.publish_activity(activity=activity, actor=office)

    assert _received("activity.invited") == _once(*(m.user for m in invited))
    note = Notification.objects.filter(kind="activity.invited").first()
    assert "教育调研" in note.title
    assert "县一中" in note.body and "2026-06-10 09:00" in note.body
    assert note.url == f"/activities/{activity.pk}/"
    assert not note.urgent


def test_invite_later_notifies_only_the_new_invitees(make_activity, make_member, office, sector, town):
    first = make_member(login=True, sector=sector)
    activity = make_activity(invitee_rules={"units": [sector.pk]})
    activity = services.publish_activity(activity=activity, actor=office)
    later = make_member(login=True, town=town)
    activity = services.set_invitee_rules(
        activity=activity, rules={"units": [sector.pk, town.pk]}, actor=office
    )
    services.invite(activity=activity, actor=office)
    services.invite(activity=activity, actor=office)  # nobody new: nobody hears anything

    assert _received("activity.invited") == _once(first.user, later.user)


def test_a_draft_notifies_nobody(make_activity, make_member, office):
    make_member(login=True)
    services.create_activity(
        actor=office,
        kind=K.TRAINING,
        title="学习",
        starts_at=make_activity().starts_at,
        ends_at=make_activity().ends_at,
        invitee_rules={"all_members": True},
    )
    assert not Notification.objects.exists()


def _publish_queries(make_activity, make_member, office, invitees):
    """Queries to publish an activity inviting `invitees` members, all with accounts."""
    while Member.objects.count() < invitees:
        make_member(login=True)
    activity = make_activity(invitee_rules={"all_members": True})
    Notification.objects.all().delete()
    with capture_queries() as queries:
        services.publish_activity(activity=activity, actor=office)
    assert Notification.objects.filter(kind="activity.invited").count() == invitees
    return queries


def test_publishing_costs_the_same_for_3_or_20_invitees(make_activity, make_member, office):
    assert_same_query_count(
        _publish_queries(make_activity, make_member, office, 3),
        _publish_queries(make_activity, make_member, office, 20),
    )


# --- leave ---------------------------------------------------------------------------------------


def _ask_leave(activity, member):
    participation = Participation.objects.create(activity=activity, member=member)
    return services.respond(participation=participation, action="leave", actor=member.user, reason="出差")


def test_a_leave_request_reaches_the_chairs_only(make_activity, make_member, leader, office, head, my_unit):
    activity = make_activity(kind=K.STANDING, organizing_unit=my_unit, status=Activity.Status.PUBLISHED)
    member = make_member(login=True)
    _ask_leave(activity, member)

    assert _received("activity.leave_requested") == _once(leader)
    note = Notification.objects.get(kind="activity.leave_requested")
    assert member.name in note.title and "出差" in note.body
    assert note.url == "/activities/leave/"


def test_a_leave_request_from_a_unit_activity_reaches_leaders_and_the_units_head(
    make_activity, make_member, leader, office, head, my_unit, unit_staff
):
    activity = make_activity(kind=K.RESEARCH, organizing_unit=my_unit, status=Activity.Status.PUBLISHED)
    _ask_leave(activity, make_member(login=True))
    assert _received("activity.leave_requested") == _once(leader, head)


def test_a_leave_request_from_an_office_activity_reaches_leaders_and_office(
    make_activity, make_member, leader, office, head
):
    activity = make_activity(kind=K.TRAINING, status=Activity.Status.PUBLISHED)
    _ask_leave(activity, make_member(login=True))
    assert _received("activity.leave_requested") == _once(leader, office)


def test_a_head_asking_leave_is_not_told_of_their_own_request(make_activity, leader, head, my_unit):
    activity = make_activity(kind=K.RESEARCH, organizing_unit=my_unit, status=Activity.Status.PUBLISHED)
    _ask_leave(activity, head.member)
    assert _received("activity.leave_requested") == _once(leader)


def test_confirming_notifies_nobody(make_activity, make_member, leader):
    activity = make_activity(status=Activity.Status.PUBLISHED)
    member = make_member(login=True)
    participation = Participation.objects.create(activity=activity, member=member)
    services.respond(participation=participation, action="confirm", actor=member.user)
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "approve,kind", [(True, "activity.leave_approved"), (False, "activity.leave_denied")]
)
def test_the_decision_reaches_the_member_only(make_activity, make_member, leader, office, approve, kind):
    activity = make_activity(kind=K.PLENARY, status=Activity.Status.PUBLISHED, title="全体会议")
    member = make_member(login=True)
    participation = _ask_leave(activity, member)
    Notification.objects.all().delete()
    services.decide_leave(participation=participation, approve=approve, actor=leader, note="请提交书面发言")

    assert {n.recipient_id: (n.kind, n.urgent) for n in Notification.objects.all()} == {
        member.user.pk: (kind, False)
    }
    note = Notification.objects.get()
    assert "全体会议" in note.title and note.body.endswith("请提交书面发言")
    if not approve:  # the reason for refusing, named as such
        assert note.body.split("\n")[-1] in (
            "Reason for refusing: 请提交书面发言",
            "不批准理由：请提交书面发言",
        )
    assert note.url == f"/activities/{activity.pk}/"


def test_a_decision_for_a_member_without_account_notifies_nobody(make_activity, make_member, leader):
    activity = make_activity(kind=K.PLENARY, status=Activity.Status.PUBLISHED)
    participation = Participation.objects.create(
        activity=activity, member=make_member(), status=P.LEAVE_REQUESTED, leave_reason="病假"
    )
    services.decide_leave(participation=participation, approve=True, actor=leader)
    assert not Notification.objects.exists()


# --- cancellation --------------------------------------------------------------------------------


def test_cancelling_tells_every_invitee_urgently(make_activity, make_member, office, leader, other_committee):
    activity = make_activity(status=Activity.Status.PUBLISHED, title="视察")
    members = [make_member(login=True) for _ in range(3)]
    for member, status in zip(members, [P.INVITED, P.CONFIRMED, P.LEAVE_APPROVED], strict=True):
        Participation.objects.create(activity=activity, member=member, status=status)
    Participation.objects.create(activity=activity, member=make_member())  # no account
    make_member(login=True)  # not invited
    services.cancel_activity(activity=activity, actor=office, reason="天气原因")

    assert _received("activity.cancelled") == _once(*(m.user for m in members))
    assert set(Notification.objects.values_list("urgent", flat=True)) == {True}
    assert "天气原因" in Notification.objects.first().body


def test_cancelling_a_draft_tells_nobody(make_activity, office):
    services.cancel_activity(activity=make_activity(), actor=office, reason="取消")
    assert not Notification.objects.exists()
