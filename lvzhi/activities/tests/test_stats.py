"""Attendance statistics selectors: counts, rates, period and kind filters, scope, order, query counts."""

import datetime
from decimal import Decimal

import pytest

from lvzhi.activities import services, stats
from lvzhi.activities.models import Activity, Participation
from lvzhi.activities.tests.conftest import TZ
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import OrgUnitFactory, TermFactory
from lvzhi.organization.models import OrgUnit

P = Participation.Status
CLOSED = Activity.Status.CLOSED
YEAR = {"date_from": datetime.date(2026, 1, 1), "date_to": datetime.date(2026, 12, 31)}


def at(month, day, hour=9, minute=0):
    start = datetime.datetime(2026, month, day, hour, minute, tzinfo=TZ)
    return {"starts_at": start, "ends_at": start + datetime.timedelta(minutes=20)}


@pytest.fixture
def closed(make_activity, invite_member):
    """closed({member: status, ...}, **activity fields) → a closed activity with those participations."""

    def make(statuses, **kwargs):
        kwargs.setdefault("status", CLOSED)
        activity = make_activity(**kwargs)
        for member, status in statuses.items():
            invite_member(activity, member, status=status)
        return activity

    return make


@pytest.fixture
def people(make_member, committee):
    """Eight members in two sectors and two towns (one member in neither)."""
    edu = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="教育界", sort_order=2)
    eco = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="经济界", sort_order=1)
    east = OrgUnitFactory(
        committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE, name="东镇工委", sort_order=1
    )
    west = OrgUnitFactory(
        committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE, name="西镇工委", sort_order=2
    )
    names = {
        "wang": ("王芳", edu, east),
        "ding": ("丁力", edu, west),
        "li": ("李明", eco, east),
        "zhao": ("赵强", eco, west),
        "lost": ("马丽", None, None),
    }
    members = {key: make_member(name=name, sector=s, town=t) for key, (name, s, t) in names.items()}
    return members, {"edu": edu, "eco": eco, "east": east, "west": west}


def test_rate_is_one_decimal_half_up():
    assert stats.rate(2, 3) == Decimal("66.7")
    assert stats.rate(1, 8) == Decimal("12.5")
    assert stats.rate(1, 16) == Decimal("6.3")  # 6.25 rounds up, not to even
    assert stats.rate(3, 3) == Decimal("100.0")
    assert stats.rate(0, 0) is None
    assert stats.format_rate(Decimal("66.7")) == "66.7%"
    assert stats.format_rate(None) == "—"


def test_activity_counts_every_final_status(office, people, closed):
    members, _units = people
    activity = closed(
        {
            members["wang"]: P.PRESENT,
            members["ding"]: P.LATE,
            members["li"]: P.LEFT_EARLY,
            members["zhao"]: P.LEAVE_APPROVED,
            members["lost"]: P.ABSENT,
        },
        **at(6, 10),
    )
    table = stats.activity_table(stats.closed_activities(office, **YEAR))
    [row] = table.rows
    assert row.activity == activity
    assert (row.invited, row.present, row.late, row.left_early, row.leave, row.absent) == (5, 1, 1, 1, 1, 1)
    assert row.attended == 3
    assert row.rate == Decimal("60.0")
    assert row.rate_display == "60.0%"
    assert table.total.invited == 5 and table.total.rate == Decimal("60.0")


def test_only_closed_activities_in_the_period_and_kinds_count(office, people, closed):
    members, _units = people
    everyone = dict.fromkeys(members.values(), P.PRESENT)
    inside = closed(everyone, title="in", **at(3, 1))
    last_evening = closed(everyone, title="last evening", kind=Activity.Kind.TRAINING, **at(3, 31, 23, 30))
    closed(everyone, title="next morning", **at(4, 1, 0, 10))
    closed(everyone, title="before", **at(2, 28, 23, 59))
    closed(everyone, title="running", status=Activity.Status.IN_PROGRESS, **at(3, 5))
    closed(everyone, title="cancelled", status=Activity.Status.CANCELLED, **at(3, 6))

    march = {"date_from": datetime.date(2026, 3, 1), "date_to": datetime.date(2026, 3, 31)}
    found = stats.closed_activities(office, **march)
    # Both ends of the period are whole local days (23:30 Beijing time is 15:30 UTC the same day).
    assert set(found) == {inside, last_evening}
    training = stats.closed_activities(office, **march, kinds=[Activity.Kind.TRAINING])
    assert list(training) == [last_evening]


def test_member_table_sums_over_activities_in_sector_then_stroke_order(office, people, closed):
    members, _units = people
    closed({m: P.PRESENT for m in members.values()}, **at(3, 1))
    closed(
        {members["wang"]: P.ABSENT, members["ding"]: P.LEAVE_APPROVED, members["li"]: P.LATE},
        **at(4, 1),
    )
    table = stats.member_table(stats.closed_activities(office, **YEAR), committee_id=office.committee_id)
    # 经济界 (sort order 1) first, then 教育界; within a sector by strokes (丁 2, 王 4; 李 7, 赵 9); no sector last.
    assert [row.name for row in table.rows] == ["李明", "赵强", "丁力", "王芳", "马丽"]
    by_name = {row.name: row for row in table.rows}
    wang = by_name["王芳"]
    assert (wang.invited, wang.present, wang.absent, wang.sector, wang.town) == (
        2,
        1,
        1,
        "教育界",
        "东镇工委",
    )
    assert wang.rate == Decimal("50.0")
    li = by_name["李明"]
    assert (li.invited, li.present, li.late, li.rate) == (2, 1, 1, Decimal("100.0"))
    assert by_name["丁力"].leave == 1
    assert by_name["马丽"].sector == ""
    assert table.total.invited == 8


def test_member_sector_comes_from_the_current_term(office, people, closed, committee):
    members, units = people
    old = TermFactory(committee=committee, number=8, name="第八届", is_current=False)
    members["wang"].terms.create(term=old, sector=units["eco"])
    closed({members["wang"]: P.PRESENT}, **at(3, 1))
    [row] = stats.member_table(stats.closed_activities(office, **YEAR), committee_id=office.committee_id).rows
    assert row.sector == "教育界"


@pytest.mark.parametrize(
    "view,expected",
    [
        # name: (members, invited, present, leave, absent)
        ("sector", [("经济界", 2, 4, 4, 0, 0), ("教育界", 2, 4, 2, 1, 1), ("", 1, 1, 1, 0, 0)]),
        ("town", [("东镇工委", 2, 4, 3, 0, 1), ("西镇工委", 2, 4, 3, 1, 0), ("", 1, 1, 1, 0, 0)]),
    ],
)
def test_unit_tables(office, people, closed, view, expected):
    members, _units = people
    closed({m: P.PRESENT for m in members.values()}, **at(3, 1))
    closed(
        {
            members["wang"]: P.ABSENT,
            members["ding"]: P.LEAVE_APPROVED,
            members["li"]: P.PRESENT,
            members["zhao"]: P.PRESENT,
        },
        **at(4, 1),
    )
    table = stats.unit_table(
        stats.closed_activities(office, **YEAR), committee_id=office.committee_id, view=view
    )
    got = [(row.name, row.members, row.invited, row.present, row.leave, row.absent) for row in table.rows]
    assert got == expected
    assert table.total.members == 5
    assert table.total.invited == 9


def test_unit_staff_count_only_their_units_activities(unit_staff, my_unit, other_unit, people, closed):
    members, _units = people
    everyone = dict.fromkeys(members.values(), P.PRESENT)
    mine = closed(everyone, organizing_unit=my_unit, **at(3, 1))
    closed(everyone, organizing_unit=other_unit, **at(3, 2))
    closed(everyone, organizing_unit=None, **at(3, 3))
    found = stats.closed_activities(unit_staff, **YEAR)
    assert list(found) == [mine]
    table = stats.member_table(found, committee_id=unit_staff.committee_id)
    assert {row.invited for row in table.rows} == {1}


def test_other_committees_activities_never_count(office, other_committee, people, closed, make_member):
    members, _units = people
    closed({members["wang"]: P.PRESENT}, **at(3, 1))
    closed({}, committee=other_committee, **at(3, 1))
    assert stats.closed_activities(office, **YEAR).count() == 1


def test_closing_with_services_is_what_stats_count(office, people, make_activity, invite_member):
    members, _units = people
    activity = make_activity(status=Activity.Status.IN_PROGRESS, **at(5, 5))
    invite_member(activity, members["wang"], status=P.PRESENT)
    invite_member(activity, members["ding"], status=P.CONFIRMED)  # never came: absent at closing
    invite_member(activity, members["li"], status=P.LEAVE_APPROVED)
    services.close_activity(activity=activity, actor=office)
    [row] = stats.activity_table(stats.closed_activities(office, **YEAR)).rows
    assert (row.invited, row.present, row.leave, row.absent) == (3, 1, 1, 1)


def _queries(office, view):
    activities = stats.closed_activities(office, **YEAR)
    with capture_queries() as queries:
        table = stats.table_for(view, activities, committee_id=office.committee_id)
        assert table.rows
    return queries


@pytest.mark.parametrize("view", stats.VIEWS)
def test_query_count_does_not_grow_with_activities_and_members(office, committee, make_member, closed, view):
    sectors = [OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR) for _ in range(8)]
    towns = [OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE) for _ in range(8)]
    people = [make_member(sector=sectors[i], town=towns[i]) for i in range(8)]
    closed(dict.fromkeys(people[:2], P.PRESENT), **at(2, 1))
    closed(dict.fromkeys(people[:2], P.ABSENT), **at(2, 2))
    small = _queries(office, view)
    for day in range(3, 9):
        closed(dict.fromkeys(people, P.LATE), **at(2, day))
    assert_same_query_count(small, _queries(office, view))
    assert len(small) <= 2
