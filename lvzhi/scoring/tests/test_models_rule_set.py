"""RuleSet and MemberScore: one active rule set per committee and year, versions unique, the text parsed
through the rule format."""

from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from lvzhi.scoring import rules
from lvzhi.scoring.models import RuleSet

DEFAULT = (Path(__file__).resolve().parent.parent / "data" / "default_rules.yaml").read_text(encoding="utf-8")


def make(committee, version, status=RuleSet.Status.DRAFT, year=2026):
    return RuleSet.objects.create(
        committee=committee, year=year, version=version, name="细则", text=DEFAULT, status=status
    )


def test_the_database_refuses_a_second_active_rule_set_for_a_year(committee):
    make(committee, 1, RuleSet.Status.ACTIVE)
    with pytest.raises(IntegrityError), transaction.atomic():
        make(committee, 2, RuleSet.Status.ACTIVE)


def test_active_rule_sets_of_other_years_and_committees_coexist(committee, other_committee):
    make(committee, 1, RuleSet.Status.ACTIVE)
    make(committee, 1, RuleSet.Status.ACTIVE, year=2027)
    make(other_committee, 1, RuleSet.Status.ACTIVE)
    make(committee, 2, RuleSet.Status.RETIRED)
    make(committee, 3, RuleSet.Status.RETIRED)
    assert RuleSet.objects.filter(status=RuleSet.Status.ACTIVE).count() == 3


def test_the_database_refuses_a_version_number_twice(committee):
    make(committee, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make(committee, 1)


def test_parsed_reads_the_text_through_the_rule_format(committee):
    parsed = make(committee, 1).parsed()
    assert parsed.name == "政协委员年度履职考核细则（默认模板）"
    assert [c.code for c in parsed.categories][:2] == ["plenary", "discipline"]


def test_parsed_raises_the_line_numbered_error_of_a_broken_text(committee):
    rule_set = make(committee, 1)
    rule_set.text = "name: x\ncategories: 3\n"
    with pytest.raises(rules.RuleSetError) as caught:
        rule_set.parsed()
    assert caught.value.messages[0].startswith("第2行")


def test_rule_sets_are_scoped_to_the_users_committee(committee, other_committee, make_user):
    mine = make(committee, 1)
    make(other_committee, 1)
    assert list(RuleSet.objects.visible_to(make_user())) == [mine]
