import datetime

import pytest
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity, Participation
from lvzhi.factories import MemberFactory, MemberTermFactory


@pytest.fixture
def make_member(committee, term, make_user):
    """A serving member of the current term; `login=True` gives them a user account."""

    def make(*, login=False, standing=False, specials=(), **kwargs):
        kwargs.setdefault("committee", committee)
        if login:
            kwargs["user"] = make_user(Role.MEMBER)
        member = MemberFactory(**kwargs)
        row = MemberTermFactory(member=member, term=term, is_standing=standing)
        if specials:
            row.special_committees.set(specials)
        return member

    return make


@pytest.fixture
def make_activity(committee):
    """An activity starting `in_hours` from now (negative: in the past), published unless told."""

    def make(*, in_hours=24, hours=2, **kwargs):
        kwargs.setdefault("committee", committee)
        kwargs.setdefault("kind", Activity.Kind.STANDING)
        kwargs.setdefault("title", f"会议{Activity.objects.count() + 1}")
        kwargs.setdefault("status", Activity.Status.PUBLISHED)
        starts = timezone.now() + datetime.timedelta(hours=in_hours)
        return Activity.objects.create(
            starts_at=starts, ends_at=starts + datetime.timedelta(hours=hours), **kwargs
        )

    return make


@pytest.fixture
def invite():
    def make(activity, member, status=Participation.Status.INVITED, **kwargs):
        return Participation.objects.create(activity=activity, member=member, status=status, **kwargs)

    return make
