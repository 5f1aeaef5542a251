"""试算: a version's year computed in memory against the scores stored now (lvzhi/scoring/preview.py)."""

from decimal import Decimal

import pytest

from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import MemberTermFactory
from lvzhi.scoring import preview, services
from lvzhi.scoring.models import MemberScore, RuleSet

from .conftest import DEFAULT_RULES, YEAR, add_record

PLENARY_60 = DEFAULT_RULES.replace(
    "      - kind: attendance.plenary.present\n        points: 50",
    "      - kind: attendance.plenary.present\n        points: 60",
).replace("    cap: 50\n", "    cap: 60\n", 1)


def draft(world, text):
    return services.save_rule_set(committee=world["committee"], year=YEAR, text=text)


def test_it_shows_who_changes_grade_with_exact_numbers(year_world):
    stored = list(MemberScore.objects.order_by("pk").values())
    result = preview.preview(draft(year_world, PLENARY_60))

    a = year_world["a"]
    assert [(c.member_id, c.name) for c in result.changes] == [(a.pk, "甲委员")]
    change = result.changes[0]
    assert (change.before_total, change.before_grade) == (Decimal("87.50"), "良好")
    assert (change.after_total, change.after_grade) == (Decimal("97.50"), "优秀")
    assert change.delta == Decimal("10.00")
    assert result.totals_changed == 1
    assert result.members == 3
    assert [(g.name, g.before, g.after) for g in result.grades] == [
        ("优秀", 0, 1),
        ("良好", 1, 0),
        ("称职", 0, 0),
        ("不称职", 2, 2),
    ]
    assert result.active == year_world["rule_set"]
    # nothing stored
    assert list(MemberScore.objects.order_by("pk").values()) == stored
    assert RuleSet.objects.get(pk=year_world["rule_set"].pk).status == RuleSet.Status.ACTIVE


def test_the_active_version_changes_nothing(year_world):
    result = preview.preview(year_world["rule_set"])
    assert result.changes == []
    assert result.totals_changed == 0
    assert result.passed_before == result.passed_after == 1


def test_without_an_active_version_everybody_is_new(committee, year_world):
    RuleSet.objects.filter(pk=year_world["rule_set"].pk).update(status=RuleSet.Status.RETIRED)
    result = preview.preview(draft(year_world, DEFAULT_RULES))
    assert result.active is None
    assert {c.member_id for c in result.changes} == {year_world[k].pk for k in "abc"}
    assert all(c.before_total is None for c in result.changes)
    assert [(g.name, g.before) for g in result.grades if g.before] == []


def _members(world, n):
    for i in range(n):
        member = MemberTermFactory(member__committee=world["committee"], term=world["term"]).member
        add_record(member, "attendance.plenary.present")
        add_record(member, "proposal.submitted", source=5000 + i, role="lead")


def test_the_query_count_does_not_grow_with_members(year_world):
    rule_set = draft(year_world, PLENARY_60)
    _members(year_world, 2)
    services.compute_year(committee=year_world["committee"], year=YEAR)
    preview.preview(RuleSet.objects.get(pk=rule_set.pk))  # warm caches (content types)
    with capture_queries() as small:
        preview.preview(RuleSet.objects.get(pk=rule_set.pk))
    _members(year_world, 30)
    services.compute_year(committee=year_world["committee"], year=YEAR)
    with capture_queries() as large:
        result = preview.preview(RuleSet.objects.get(pk=rule_set.pk))
    assert result.members == 35
    assert result.grade_changes > 20
    assert_same_query_count(small, large)


@pytest.mark.parametrize("wanted", ["优秀", "不称职"])
def test_grades_sum_to_the_members(year_world, wanted):
    result = preview.preview(draft(year_world, PLENARY_60))
    assert sum(g.after for g in result.grades) == sum(g.before for g in result.grades) == 3
    assert wanted in [g.name for g in result.grades]
