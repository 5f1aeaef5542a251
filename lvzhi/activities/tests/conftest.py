import datetime
import time
import zoneinfo

import factory
import pytest

from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity, Participation
from lvzhi.factories import MemberFactory, MemberTermFactory, OrgUnitFactory
from lvzhi.organization.models import OrgUnit

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 6, 10, 9, 0, tzinfo=TZ)
END = datetime.datetime(2026, 6, 10, 11, 30, tzinfo=TZ)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    kind = Activity.Kind.STANDING
    title = factory.Sequence(lambda n: f"第{n}次常委会议")
    starts_at = START
    ends_at = END
    place = "会议室"


@pytest.fixture
def make_member(committee, term, make_user):
    """A serving member of the current term; `login=True` gives them a user account."""

    def make(*, standing=False, sector=None, town=None, specials=(), status="serving", login=False, **kwargs):
        kwargs.setdefault("committee", committee)
        if login:
            kwargs["user"] = make_user(Role.MEMBER)
        member = MemberFactory(**kwargs)
        member_term = MemberTermFactory(
            member=member, term=term, is_standing=standing, sector=sector, town_committee=town, status=status
        )
        if specials:
            member_term.special_committees.set(specials)
        return member

    return make


@pytest.fixture
def make_activity(committee):
    def make(**kwargs):
        kwargs.setdefault("committee", committee)
        return ActivityFactory(**kwargs)

    return make


@pytest.fixture
def invite_member():
    def invite(activity, member, status=Participation.Status.INVITED, **kwargs):
        return Participation.objects.create(activity=activity, member=member, status=status, **kwargs)

    return invite


@pytest.fixture
def unit_staff(make_user, my_unit):
    return make_user(Role.UNIT_STAFF, username="unitstaff", units=[my_unit])


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADER, username="leader")


@pytest.fixture
def sector(committee):
    return OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="教育界")


@pytest.fixture
def town(committee):
    return OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE, name="城关镇工委")


class Clock:
    """Moves time.time() (read by the rotating check-in codes, the scan grant and the activation's
    steps) by whole seconds."""

    def __init__(self, monkeypatch):
        self.offset = 0
        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() + self.offset)

    def advance(self, seconds):
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)
