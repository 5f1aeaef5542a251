"""Unit assessment services: indicators from the ledger, groups, inspection scores, tiers."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity
from lvzhi.core.audit import AuditEvent
from lvzhi.factories import MemberFactory, MemberTermFactory, OrgUnitFactory
from lvzhi.organization.models import OrgUnit
from lvzhi.scoring import units
from lvzhi.scoring.models import InspectionGroup, UnitAssessment
from lvzhi.scoring.services import ScoringError

from .conftest import YEAR, add_record

FULL = {"organization": "18", "study": "14", "duty": "23.5", "opinions_proposals": "18", "highlights": "18"}

# Messages are asserted in the msgids' English.
pytestmark = pytest.mark.usefixtures("english")


def activity(committee, unit, *, status=Activity.Status.CLOSED, day=datetime.date(YEAR, 5, 1)):
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return Activity.objects.create(
        committee=committee,
        organizing_unit=unit,
        kind=Activity.Kind.INSPECTION,
        title="视察",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        status=status,
    )


def values(assessment):
    return {code: entry["value"] for code, entry in assessment.indicators.items()}


@pytest.fixture
def world(year_world):
    w = year_world
    w["town2"] = OrgUnitFactory(
        committee=w["committee"], kind=OrgUnit.Kind.TOWN_COMMITTEE, name="河口镇政协工委"
    )
    w["d"] = MemberTermFactory(
        member__committee=w["committee"], term=w["term"], town_committee=w["town2"], sector=None
    ).member
    add_record(w["d"], "attendance.committee.present")
    add_record(w["d"], "attendance.plenary.late")
    add_record(w["d"], "opinion.submitted", date=datetime.date(YEAR - 1, 12, 31))  # another year
    activity(w["committee"], w["town"])
    activity(w["committee"], w["town"], day=datetime.date(YEAR, 11, 30))
    activity(w["committee"], w["town"], day=datetime.date(YEAR - 1, 11, 30))
    activity(w["committee"], w["town"], status=Activity.Status.PUBLISHED)
    activity(w["committee"], w["sector"])
    return w


def by_unit(committee):
    return {a.unit.name: a for a in UnitAssessment.objects.filter(committee=committee, year=YEAR)}


def test_indicators_are_exact_on_a_small_ledger(world):
    units.refresh_units(committee=world["committee"], year=YEAR, actor=world["office"])
    rows = by_unit(world["committee"])
    assert values(rows["城关镇政协工委"]) == {
        "members": "3",
        "attendance_rate": "33.33",  # a: plenary present, standing leave; b: plenary absent
        "opinions": "1",
        "opinions_per_member": "0.33",
        "opinions_adopted": "1",
        "proposals": "2",  # one joint proposal: a record per author
        "proposals_per_member": "0.67",
        "proposals_accepted": "2",
        "average_score": "40.00",  # (87.50 + 22.50 + 10.00) / 3
        "activities": "2",  # closed and held in the year
    }
    assert values(rows["中国民主同盟"])["activities"] == "1"
    assert values(rows["中国民主同盟"])["members"] == "3"
    assert values(rows["河口镇政协工委"]) == {
        "members": "1",
        "attendance_rate": "100.00",  # late counts as attended
        "opinions": "0",
        "opinions_per_member": "0.00",
        "opinions_adopted": "0",
        "proposals": "0",
        "proposals_per_member": "0.00",
        "proposals_accepted": "0",
        "average_score": "",  # d has no score yet (not computed since d joined)
        "activities": "0",
    }


def test_refresh_keeps_the_inspection_and_is_audited(world):
    office = world["office"]
    units.refresh_units(committee=world["committee"], year=YEAR, actor=office)
    town = by_unit(world["committee"])["城关镇政协工委"]
    units.record_inspection(assessment=town, scores=FULL, findings="好", version=town.version, actor=office)
    add_record(world["c"], "proposal.submitted")
    units.refresh_units(committee=world["committee"], year=YEAR, actor=office)
    town = by_unit(world["committee"])["城关镇政协工委"]
    assert values(town)["proposals"] == "3"
    assert town.score == Decimal("91.50")
    assert town.findings == "好"
    assert AuditEvent.objects.filter(event="scoring.units_refreshed").count() == 2
    assert UnitAssessment.objects.filter(year=YEAR).count() == 3


def test_refresh_costs_the_same_queries_for_many_units(world, django_assert_max_num_queries):
    committee = world["committee"]
    units.refresh_units(committee=committee, year=YEAR, actor=world["office"])
    with django_assert_max_num_queries(30) as few:
        units.refresh_units(committee=committee, year=YEAR, actor=world["office"])
    for n in range(40):
        unit = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name=f"界别{n}")
        member = MemberTermFactory(member__committee=committee, term=world["term"], sector=unit).member
        add_record(member, "opinion.submitted")
        activity(committee, unit)
    # one INSERT more than a refresh that only updates
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        units.refresh_units(committee=committee, year=YEAR, actor=world["office"])  # creates 40, updates 3
    with django_assert_max_num_queries(len(few.captured_queries)):
        units.refresh_units(committee=committee, year=YEAR, actor=world["office"])  # updates 43
    assert UnitAssessment.objects.filter(year=YEAR).count() == 43


def test_the_overview_costs_the_same_queries_for_many_units(world, django_assert_max_num_queries):
    committee = world["committee"]
    units.refresh_units(committee=committee, year=YEAR, actor=world["office"])
    with django_assert_max_num_queries(20) as few:
        units.overview(committee, YEAR)
    for n in range(20):
        unit = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name=f"界别{n}")
        units.save_group(
            committee=committee,
            year=YEAR,
            name=f"第{n}组",
            leader=world["a"],
            members=[world["b"]],
            units=[unit],
        )
    units.refresh_units(committee=committee, year=YEAR)
    with django_assert_max_num_queries(len(few.captured_queries) + 2):  # + the groups' members prefetch
        overview = units.overview(committee, YEAR)
    assert len(overview.sector_rows) == 21 and len(overview.groups) == 20


def test_groups_take_their_units_from_each_other(world):
    w, office = world, world["office"]
    first = units.save_group(
        committee=w["committee"],
        year=YEAR,
        name="第一考核组",
        leader=w["a"],
        leader_title="副主席",
        members=[w["b"], w["c"]],
        units=[w["town"], w["town2"]],
        actor=office,
    )
    second = units.save_group(
        committee=w["committee"],
        year=YEAR,
        name="第二考核组",
        leader=w["b"],
        units=[w["town2"]],
        actor=office,
    )
    rows = by_unit(w["committee"])
    assert rows["城关镇政协工委"].group == first
    assert rows["河口镇政协工委"].group == second
    assert set(first.members.all()) == {w["b"], w["c"]}
    units.save_group(
        committee=w["committee"], year=YEAR, name="第一组", leader=w["a"], units=[], group=first, actor=office
    )
    assert by_unit(w["committee"])["城关镇政协工委"].group is None
    with pytest.raises(ScoringError, match="already has a group"):
        units.save_group(committee=w["committee"], year=YEAR, name="第二考核组", leader=w["c"], actor=office)
    units.delete_group(group=second, actor=office)
    assert by_unit(w["committee"])["河口镇政协工委"].group is None
    events = list(
        AuditEvent.objects.filter(event__startswith="scoring.inspection_group").values_list(
            "event", flat=True
        )
    )
    assert events.count("scoring.inspection_group_saved") == 3
    assert "scoring.inspection_group_deleted" in events


def test_groups_refuse_people_and_units_of_another_committee(world, other_committee):
    stranger = MemberFactory(committee=other_committee)
    with pytest.raises(PermissionDenied):
        units.save_group(committee=world["committee"], year=YEAR, name="组", leader=stranger)
    elsewhere = OrgUnitFactory(committee=other_committee, kind=OrgUnit.Kind.SECTOR)
    with pytest.raises(PermissionDenied):
        units.save_group(
            committee=world["committee"], year=YEAR, name="组", leader=world["a"], units=[elsewhere]
        )
    chairs = OrgUnitFactory(committee=world["committee"], kind=OrgUnit.Kind.CHAIRS_COUNCIL)
    with pytest.raises(ScoringError):
        units.save_group(
            committee=world["committee"], year=YEAR, name="组", leader=world["a"], units=[chairs]
        )
    assert not InspectionGroup.objects.exists()


def test_only_the_office_writes(world, make_user):
    leader = world["leader"]
    with pytest.raises(PermissionDenied):
        units.refresh_units(committee=world["committee"], year=YEAR, actor=leader)
    with pytest.raises(PermissionDenied):
        units.save_group(committee=world["committee"], year=YEAR, name="组", leader=world["a"], actor=leader)


@pytest.mark.usefixtures("english")
def test_inspection_scores_are_checked_per_indicator(world):
    units.refresh_units(committee=world["committee"], year=YEAR)
    town = by_unit(world["committee"])["城关镇政协工委"]
    for bad, message in (
        ({**FULL, "duty": "26"}, "履职活动: a score from 0 to 25.00"),
        ({**FULL, "duty": "-1"}, "履职活动: a score from 0 to 25.00"),
        ({**FULL, "duty": "1.234"}, "履职活动: a score from 0 to 25.00"),
        ({**FULL, "duty": "很好"}, "履职活动: a score from 0 to 25.00"),
        ({k: v for k, v in FULL.items() if k != "study"}, "学习教育: enter a score."),
        ({**FULL, "nope": "1"}, "Not an indicator of the rule set: nope."),
    ):
        with pytest.raises(ScoringError) as caught:
            units.record_inspection(assessment=town, scores=bad, version=town.version, actor=world["office"])
        assert message in caught.value.messages[0] % caught.value.params
    town.refresh_from_db()
    assert town.score is None and town.version == 1 and town.inspection == {}


def test_the_inspection_is_stored_per_indicator(world):
    units.refresh_units(committee=world["committee"], year=YEAR)
    town = by_unit(world["committee"])["城关镇政协工委"]
    saved = units.record_inspection(
        assessment=town,
        scores=FULL,
        notes={"duty": "全年组织视察 6 次"},
        findings="组织健全，活动扎实。",
        version=1,
        actor=world["office"],
    )
    assert saved.score == Decimal("91.50") and saved.version == 2
    assert saved.inspection["duty"] == {"name": "履职活动", "score": "23.50", "finding": "全年组织视察 6 次"}
    assert units.suggested_tier(saved, units.unit_rules(world["committee"], YEAR)) == "first"
    assert AuditEvent.objects.filter(event="scoring.unit_inspected").count() == 1


@pytest.mark.usefixtures("english")
def test_a_stale_version_saves_nothing(world):
    units.refresh_units(committee=world["committee"], year=YEAR)
    town = by_unit(world["committee"])["城关镇政协工委"]
    units.record_inspection(assessment=town, scores=FULL, findings="第一位", version=1, actor=world["office"])
    with pytest.raises(ScoringError, match="Someone else saved"):
        units.record_inspection(
            assessment=town, scores={**FULL, "duty": "1"}, findings="第二位", version=1, actor=world["office"]
        )
    with pytest.raises(ScoringError, match="Someone else saved"):
        units.decide_tier(assessment=town, tier="third", version=1, actor=world["office"])
    town.refresh_from_db()
    assert (town.findings, town.score, town.tier, town.version) == ("第一位", Decimal("91.50"), "", 2)


def test_the_office_decides_the_tier_and_it_is_audited(world):
    units.refresh_units(committee=world["committee"], year=YEAR)
    town = by_unit(world["committee"])["城关镇政协工委"]
    town = units.record_inspection(assessment=town, scores=FULL, version=1, actor=world["office"])
    decided = units.decide_tier(assessment=town, tier="second", version=2, actor=world["office"])
    assert (decided.tier, decided.decided_by, decided.version) == ("second", world["office"], 3)
    assert decided.decided_at is not None
    event = AuditEvent.objects.get(event="scoring.unit_tier_decided")
    assert event.detail == {"tier": "second", "suggested": "first", "score": "91.50"}
    with pytest.raises(ScoringError):
        units.decide_tier(assessment=decided, tier="fourth", actor=world["office"])
    with pytest.raises(PermissionDenied):
        units.decide_tier(assessment=decided, tier="first", actor=world["leader"])
    member = world["a"].user
    assert member.has_perm("scoring.view_scores") is False
    with pytest.raises(PermissionDenied):
        units.decide_tier(assessment=decided, tier="first", actor=member)


def test_an_office_of_another_committee_is_refused(world, make_user, other_committee):
    units.refresh_units(committee=world["committee"], year=YEAR)
    town = by_unit(world["committee"])["城关镇政协工委"]
    stranger = make_user(Role.OFFICE, committee=other_committee, username="office2")
    with pytest.raises(PermissionDenied):
        units.record_inspection(assessment=town, scores=FULL, actor=stranger)
