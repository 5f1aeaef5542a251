"""explain_member: the stored score and a fresh explanation down to the ledger records."""

from decimal import Decimal

import pytest

from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.scoring import explain

from .conftest import YEAR, add_record

pytestmark = pytest.mark.usefixtures("english")


def _category(x, code):
    return next(c for c in x.categories if c.code == code)


def test_it_explains_the_capped_opinions_of_a(year_world):
    a = year_world["a"]
    x = explain.explain_member(a, YEAR)
    assert x.score is not None and x.score.total == Decimal("87.50")
    assert x.total == Decimal("87.50") and x.grade == "良好" and not x.stale
    opinions = _category(x, "opinions")
    assert (opinions.raw, opinions.cap, opinions.score) == (Decimal("18.00"), Decimal("15"), Decimal("15.00"))
    assert opinions.limits == ("Capped at 15 points; 3 points over the cap do not count.",)
    listed = [(line.rule_text, [(r.record.kind, r.points) for r in line.records]) for line in opinions.lines]
    assert listed == [
        ("报送社情民意信息每条 10 分", [("opinion.submitted", Decimal("10"))]),
        ("被市级采用加 8 分", [("opinion.adopted.city", Decimal("8"))]),
    ]
    # each line names the rule set line it comes from
    text = year_world["rule_set"].text.splitlines()
    for line in opinions.lines:
        assert line.rule_text in text[line.rule_line - 1] or line.kind in text[line.rule_line - 1]


def test_the_joint_proposal_is_split_and_the_co_authors_records_are_not_listed_as_as(year_world):
    a, b = year_world["a"], year_world["b"]
    proposals = _category(explain.explain_member(a, YEAR), "proposals")
    assert proposals.score == Decimal("12.50")
    records = [r for line in proposals.lines for r in line.records]
    assert {r.record.member_id for r in records} == {a.pk}
    assert sorted((r.record.kind, r.points, line.note) for line in proposals.lines for r in line.records) == [
        ("proposal.accepted", Decimal("7.50"), "第一作者得一半"),
        ("proposal.submitted", Decimal("5.00"), "第一作者得一半"),
    ]
    assert [line.subtotal for line in proposals.lines] == [Decimal("5.00"), Decimal("7.50")]
    b_proposals = _category(explain.explain_member(b, YEAR), "proposals")
    assert {r.record.member_id for line in b_proposals.lines for r in line.records} == {b.pk}
    assert b_proposals.score == Decimal("12.50")


def test_it_shows_the_start_and_the_deduction(year_world):
    discipline = _category(explain.explain_member(year_world["a"], YEAR), "discipline")
    assert (discipline.start, discipline.raw, discipline.score) == (
        Decimal("10"),
        Decimal("-2.00"),
        Decimal("8.00"),
    )
    assert discipline.limits[0].startswith("Starts at 10 points")
    [line] = discipline.lines
    assert [r.points for r in line.records] == [Decimal("-2")]


def test_it_lists_unmet_requirements_and_records_that_scored_nothing(year_world):
    b = year_world["b"]
    nothing = add_record(b, "study.notes")
    x = explain.explain_member(b, YEAR)
    assert "出席全体会议" in x.unmet
    assert [r.pk for r in x.unscored] == [nothing.pk]
    # the plenary absence has a rule worth 0: it is on a line, not among the records that scored nothing
    plenary = _category(x, "plenary")
    assert [(r.record.kind, r.points) for line in plenary.lines for r in line.records] == [
        ("attendance.plenary.absent", Decimal("0"))
    ]


def test_it_says_when_the_stored_score_is_behind_the_ledger(year_world):
    a = year_world["a"]
    add_record(a, "activity.research")  # written directly: no recompute ran
    x = explain.explain_member(a, YEAR)
    assert x.stale
    assert x.score.total == Decimal("87.50") and x.total == Decimal("89.50")
    activities = _category(x, "activities")
    assert activities.stored_score == Decimal("2.00") and activities.score == Decimal("4.00")


def test_a_year_without_rules_has_no_score(year_world):
    x = explain.explain_member(year_world["a"], YEAR - 1)
    assert not x.has_rules and x.score is None and x.categories == ()


def test_a_member_without_a_stored_score_is_computed_afresh(year_world):
    c = year_world["c"]
    year_world["c"].scores.all().delete()
    x = explain.explain_member(c, YEAR)
    assert x.score is None and x.stale and x.total == Decimal("10.00")


def test_its_query_count_does_not_grow_with_records(year_world):
    a = year_world["a"]
    explain.explain_member(a, YEAR)
    with capture_queries() as small:
        explain.explain_member(a, YEAR)
    for n in range(20):
        add_record(a, "activity.inspection")
        add_record(a, "opinion.submitted", source=5000 + n)
    with capture_queries() as large:
        explain.explain_member(a, YEAR)
    assert_same_query_count(small, large)
