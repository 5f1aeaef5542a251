"""Activity.objects.visible_to and get_activity_for_user."""

import pytest
from django.http import Http404

from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity
from lvzhi.activities.selectors import get_activity_for_user


@pytest.fixture
def activities(make_activity, my_unit, other_unit, other_committee, make_member, invite_member):
    mine = make_activity(organizing_unit=my_unit, status=Activity.Status.PUBLISHED)
    theirs = make_activity(organizing_unit=other_unit, status=Activity.Status.PUBLISHED)
    office_run = make_activity(status=Activity.Status.PUBLISHED)
    draft = make_activity(organizing_unit=my_unit)
    elsewhere = make_activity(committee=other_committee, status=Activity.Status.PUBLISHED)
    return {"mine": mine, "theirs": theirs, "office_run": office_run, "draft": draft, "elsewhere": elsewhere}


def visible(user):
    return set(Activity.objects.visible_to(user))


@pytest.mark.parametrize("role", [Role.OFFICE, Role.LEADER])
def test_committee_wide_roles_see_the_whole_committee(make_user, activities, role):
    assert visible(make_user(role)) == {a for k, a in activities.items() if k != "elsewhere"}


def test_unit_staff_see_their_units_activities(unit_staff, activities):
    assert visible(unit_staff) == {activities["mine"], activities["draft"]}


def test_unit_staff_who_are_members_also_see_what_they_are_invited_to(
    unit_staff, make_member, make_activity, other_unit, activities, invite_member
):
    member = make_member(user=unit_staff)
    for key in ("theirs", "office_run"):
        invite_member(activities[key], member)
    invite_member(make_activity(organizing_unit=other_unit), member)  # a draft stays hidden
    expected = {activities[key] for key in ("mine", "draft", "theirs", "office_run")}
    assert visible(unit_staff) == expected


def test_members_see_published_activities_they_are_invited_to(make_member, activities, invite_member):
    member = make_member(login=True)
    for key in ("theirs", "draft"):
        invite_member(activities[key], member)
    assert visible(member.user) == {activities["theirs"]}


def test_a_member_of_no_committee_and_anonymous_see_nothing(make_user, activities):
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == set()
    assert visible(make_user(Role.OFFICE, committee=None)) == set()


def test_get_activity_for_user_404s_outside_scope(unit_staff, activities):
    assert get_activity_for_user(unit_staff, activities["mine"].pk) == activities["mine"]
    for key in ("theirs", "elsewhere"):
        with pytest.raises(Http404):
            get_activity_for_user(unit_staff, activities[key].pk)
    with pytest.raises(Http404):
        get_activity_for_user(unit_staff, "nonsense")


def test_visible_to_takes_constant_queries(make_user, make_activity, django_assert_num_queries):
    user = make_user(Role.OFFICE)
    user.has_perm("activities.view_activity")  # permission cache, as after the first check of a request
    for _ in range(5):
        make_activity()
    with django_assert_num_queries(1):
        assert len(list(Activity.objects.visible_to(user))) == 5
