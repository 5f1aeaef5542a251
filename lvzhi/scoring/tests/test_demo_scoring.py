"""The demo's assessment (seed_scoring) on a small committee: 17 town committees, a few dozen members."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from lvzhi.core.audit import AuditEvent
from lvzhi.factories import MemberTermFactory, OrgUnitFactory, TermFactory
from lvzhi.organization.models import Membership, OrgUnit
from lvzhi.scoring import selectors
from lvzhi.scoring.demo import seed_scoring
from lvzhi.scoring.models import InspectionGroup, MemberScore, UnitAssessment

NOW = timezone.make_aware(datetime.datetime(2026, 6, 15, 10))


@pytest.fixture
def small(committee, office):
    term = TermFactory(committee=committee, is_current=True, start_date=datetime.date(2025, 1, 8))
    OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.CHAIRS_COUNCIL, name="主席会议")
    towns = [
        OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE, name=f"第{n}镇", sort_order=n)
        for n in range(17)
    ]
    sector = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="经济界")
    for n in range(40):
        MemberTermFactory(member__committee=committee, term=term, town_committee=towns[n % 17], sector=sector)
    return {"committee": committee, "users": {"office": office}}


def test_it_seeds_the_years_assessment(small):
    committee = small["committee"]
    towns = seed_scoring(committee=committee, users=small["users"], now=NOW, seed=7)
    assert selectors.active_rule_set(committee, 2026) is not None
    assert MemberScore.objects.filter(committee=committee, year=2026).count() == 40
    council = Membership.objects.filter(unit__kind=OrgUnit.Kind.CHAIRS_COUNCIL)
    assert council.count() == 4
    assert set(council.values_list("position", flat=True)) == {Membership.Position.DEPUTY_DIRECTOR}
    groups = list(InspectionGroup.objects.filter(committee=committee, year=2026).order_by("order"))
    assert len(groups) == 6
    assert sorted(Counter(g.leader_id for g in groups).values()) == [1, 1, 2, 2]
    assert {g.leader_id for g in groups} == set(council.values_list("member_id", flat=True))
    assert all(g.leader_title == "副主席" for g in groups)
    assert all(3 <= g.members.count() <= 4 for g in groups)
    assert len(towns) == 17 and all(t.group_id for t in towns)
    assert Counter(t.tier for t in towns) == {"first": 5, "second": 9, "third": 3}
    assert all(t.findings and t.score is not None and len(t.inspection) == 5 for t in towns)
    # the decided tiers are the ones the scores suggest
    assert all(
        t.tier == {True: "first"}.get(t.score >= 90, "second" if t.score >= 75 else "third") for t in towns
    )
    sector = UnitAssessment.objects.get(unit__name="经济界")
    assert sector.indicators["members"]["value"] == "40" and not sector.tier
    assert AuditEvent.objects.filter(event="scoring.unit_tier_decided").count() == 17


def test_a_second_run_changes_nothing(small):
    seed_scoring(committee=small["committee"], users=small["users"], now=NOW, seed=7)
    assert seed_scoring(committee=small["committee"], users=small["users"], now=NOW, seed=7) is None
    assert InspectionGroup.objects.count() == 6
