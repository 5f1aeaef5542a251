"""Fixtures of the pipeline tests: the people around a report. Test modules import what they use
(`from .pipeline_fixtures import *`)."""

import pytest

from lvzhi.accounts.roles import Role
from lvzhi.factories import DepartmentFactory, MemberFactory, UserFactory
from lvzhi.opinions.models import OpinionReport

from .factories import ReportFactory

Status = OpinionReport.Status

__all__ = [
    "author",
    "co_author",
    "other_member",
    "editor",
    "editor2",
    "leader",
    "unit_staff",
    "handling_unit",
    "foreign_editor",
    "make_report",
]


def _member(committee, name, role=Role.MEMBER):
    user = UserFactory(committee=committee, role=role, display_name=name)
    return MemberFactory(committee=committee, name=name, user=user)


@pytest.fixture
def author(committee):
    """A member with an account: the lead author of the reports of these tests."""
    return _member(committee, "张建国")


@pytest.fixture
def co_author(committee):
    return _member(committee, "李秀英")


@pytest.fixture
def other_member(committee):
    return _member(committee, "王志强")


@pytest.fixture
def editor(make_user):
    return make_user(Role.EDITOR, username="editor", display_name="编辑甲")


@pytest.fixture
def editor2(make_user):
    return make_user(Role.EDITOR, username="editor2", display_name="编辑乙")


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADER, username="leader", display_name="领导甲")


@pytest.fixture
def unit_staff(make_user, my_unit):
    return make_user(Role.UNIT_STAFF, username="unitstaff", units=[my_unit], display_name="工委干事")


@pytest.fixture
def handling_unit(make_user, committee):
    return make_user(Role.HANDLING_UNIT, username="dept", department=DepartmentFactory(committee=committee))


@pytest.fixture
def foreign_editor(other_committee):
    return UserFactory(committee=other_committee, role=Role.EDITOR, username="foreign_editor")


@pytest.fixture
def make_report(committee, author, co_author):
    """make_report(status=...) → a report of the home committee by `author` with `co_author`."""

    def make(status=Status.SUBMITTED, **kwargs):
        kwargs.setdefault("committee", committee)
        kwargs.setdefault("lead", author)
        kwargs.setdefault("co", [co_author])
        if status not in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED) and "serial" not in kwargs:
            kwargs["serial"] = OpinionReport.objects.filter(committee=kwargs["committee"]).count() + 1
        return ReportFactory(status=status, **kwargs)

    return make
