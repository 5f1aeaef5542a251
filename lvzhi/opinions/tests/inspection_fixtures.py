"""Fixtures of the inspection tests: an inspection activity of `my_unit` that started in the past, two
invited members with accounts, one member not invited, staff of every kind and two departments. Test
modules import what they use (`from .inspection_fixtures import *`)."""

import datetime
import zoneinfo

import pytest

from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity, Participation
from lvzhi.factories import DepartmentFactory, MemberFactory, UserFactory

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
# Well in the past, whatever day the tests run: hand-in is open from the start of the activity.
START = datetime.datetime(2026, 6, 10, 9, 0, tzinfo=TZ)

__all__ = [
    "TZ",
    "START",
    "make_activity",
    "inspection",
    "member_a",
    "member_b",
    "outsider",
    "unit_staff",
    "other_unit_staff",
    "leader",
    "editor",
    "foreign_office",
    "departments",
    "dept_account",
    "invite",
]


def member_with_account(committee, name):
    user = UserFactory(committee=committee, role=Role.MEMBER, display_name=name, username=f"m-{name}")
    return MemberFactory(committee=committee, name=name, user=user)


@pytest.fixture
def make_activity(committee, my_unit):
    def make(**kwargs):
        kwargs.setdefault("committee", committee)
        kwargs.setdefault("organizing_unit", my_unit)
        kwargs.setdefault("kind", Activity.Kind.INSPECTION)
        kwargs.setdefault("title", "重点项目建设情况视察")
        kwargs.setdefault("starts_at", START)
        kwargs.setdefault("ends_at", kwargs["starts_at"] + datetime.timedelta(hours=3))
        kwargs.setdefault("status", Activity.Status.PUBLISHED)
        kwargs.setdefault("place", "县产业园")
        return Activity.objects.create(**kwargs)

    return make


@pytest.fixture
def invite():
    def invite(activity, *members):
        for member in members:
            Participation.objects.create(activity=activity, member=member)

    return invite


@pytest.fixture
def member_a(committee):
    return member_with_account(committee, "张建国")


@pytest.fixture
def member_b(committee):
    return member_with_account(committee, "李秀英")


@pytest.fixture
def outsider(committee):
    return member_with_account(committee, "王志强")


@pytest.fixture
def inspection(make_activity, invite, member_a, member_b):
    activity = make_activity()
    invite(activity, member_a, member_b)
    return activity


@pytest.fixture
def unit_staff(make_user, my_unit):
    return make_user(Role.UNIT_STAFF, username="unitstaff", units=[my_unit], display_name="经委干事")


@pytest.fixture
def other_unit_staff(make_user, other_unit):
    return make_user(Role.UNIT_STAFF, username="otherstaff", units=[other_unit], display_name="提案委干事")


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADER, username="leader")


@pytest.fixture
def editor(make_user):
    return make_user(Role.EDITOR, username="editor")


@pytest.fixture
def foreign_office(other_committee):
    return UserFactory(committee=other_committee, role=Role.OFFICE, username="foreign_office")


@pytest.fixture
def departments(committee):
    return [
        DepartmentFactory(committee=committee, name="县发展和改革局"),
        DepartmentFactory(committee=committee, name="县住房和城乡建设局"),
    ]


@pytest.fixture
def dept_account(make_user, departments):
    return make_user(Role.HANDLING_UNIT, username="fgj", department=departments[0])
