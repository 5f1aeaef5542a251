"""Who decides leave: leave_approvers, can_decide_leave and leave_decidable_activities agree (issue 4)."""

import datetime

import pytest
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.activities import selectors
from lvzhi.activities.models import Activity
from lvzhi.factories import MembershipFactory
from lvzhi.organization.models import Membership

K = Activity.Kind
Position = Membership.Position


@pytest.fixture
def make_head(make_member):
    def make(unit, position=Position.DIRECTOR, **dates):
        member = make_member(login=True)
        MembershipFactory(unit=unit, member=member, position=position, **dates)
        return member.user

    return make


@pytest.fixture
def people(make_user, make_head, my_unit, other_unit, other_committee, office, leader, unit_staff):
    """Everyone who might claim to decide, by name."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    return {
        "leader": leader,
        "office": office,
        "unit_staff": unit_staff,
        "editor": make_user(Role.EDITOR),
        "member": make_user(Role.MEMBER),
        "head": make_head(my_unit, Position.DIRECTOR),
        "convener": make_head(my_unit, Position.CONVENER),
        "deputy": make_head(my_unit, Position.DEPUTY_DIRECTOR),
        "ex_head": make_head(
            my_unit, start_date=yesterday - datetime.timedelta(days=300), end_date=yesterday
        ),
        "other_head": make_head(other_unit, Position.GROUP_LEADER),
        "other_leader": make_user(Role.LEADER, committee=other_committee),
        "other_office": make_user(Role.OFFICE, committee=other_committee),
    }


CASES = {
    "plenary": ({"kind": K.PLENARY}, {"leader"}),
    "standing": ({"kind": K.STANDING}, {"leader"}),
    "chairs": ({"kind": K.CHAIRS}, {"leader"}),
    "standing_by_unit": ({"kind": K.STANDING, "unit": True}, {"leader"}),
    "office_training": ({"kind": K.TRAINING}, {"leader", "office"}),
    "unit_research": ({"kind": K.RESEARCH, "unit": True}, {"leader", "head", "convener"}),
    "unit_meeting": ({"kind": K.COMMITTEE_MEETING, "unit": True}, {"leader", "head", "convener"}),
}


@pytest.mark.parametrize("case", CASES)
def test_the_three_sides_of_the_rule_agree(make_activity, people, my_unit, case):
    spec, expected = CASES[case]
    activity = make_activity(kind=spec["kind"], organizing_unit=my_unit if spec.get("unit") else None)
    by_pk = {user.pk: name for name, user in people.items()}

    approvers = {by_pk[user.pk] for user in selectors.leave_approvers(activity)}
    assert approvers == expected
    assert {name for name, user in people.items() if selectors.can_decide_leave(user, activity)} == expected
    assert {
        name
        for name, user in people.items()
        if selectors.leave_decidable_activities(user).filter(pk=activity.pk).exists()
    } == expected


def test_inactive_users_do_not_decide(make_activity, make_head, my_unit, leader):
    head = make_head(my_unit)
    for user in (head, leader):
        user.is_active = False
        user.save()
    activity = make_activity(kind=K.RESEARCH, organizing_unit=my_unit)
    assert list(selectors.leave_approvers(activity)) == []
    assert not selectors.can_decide_leave(head, activity)
    assert not selectors.can_decide_leave(leader, activity)


def test_a_head_whose_member_has_no_account_is_no_approver(make_activity, make_member, my_unit):
    MembershipFactory(unit=my_unit, member=make_member(), position=Position.DIRECTOR)
    activity = make_activity(kind=K.RESEARCH, organizing_unit=my_unit)
    assert list(selectors.leave_approvers(activity)) == []


def test_a_superuser_of_the_committee_decides_like_has_perm_says(make_activity, make_user):
    root = make_user(is_superuser=True)
    activity = make_activity(kind=K.PLENARY)
    assert selectors.can_decide_leave(root, activity)
    assert list(selectors.leave_approvers(activity)) == [root]


@pytest.mark.parametrize("unit", [False, True])
def test_leave_approvers_is_one_query(make_activity, people, my_unit, unit, django_assert_num_queries):
    activity = make_activity(kind=K.RESEARCH, organizing_unit=my_unit if unit else None)
    with django_assert_num_queries(1):
        list(selectors.leave_approvers(activity))


def test_may_decide_some_leave(people):
    allowed = {name for name, user in people.items() if selectors.may_decide_some_leave(user)}
    assert allowed == {
        "leader",
        "office",
        "head",
        "convener",
        "other_head",
        "other_leader",
        "other_office",
    }
