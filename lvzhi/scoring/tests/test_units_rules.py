"""The rule-set format's optional `units:` part: inspection indicators and tier minimums."""

from decimal import Decimal
from pathlib import Path

import pytest

from lvzhi.scoring import rules
from lvzhi.scoring.rules import RuleSetError

DEFAULT = Path(rules.__file__).parent / "data" / "default_rules.yaml"

BASE = """\
name: 测试
categories:
  - code: a
    name: 甲
    rules:
      - kind: activity.inspection
        points: 2
"""

UNITS = """\
units:
  indicators:
    - code: organization
      name: 组织建设
      max: 40
    - code: duty
      name: 履职活动
      max: 60
  tiers:
    first: 90
    second: 75
"""


def errors_of(text):
    with pytest.raises(RuleSetError) as caught:
        rules.load(text)
    return caught.value.messages


def test_it_reads_the_units_part():
    units = rules.load(BASE + UNITS).units
    assert [(i.code, i.name, i.max, i.line) for i in units.indicators] == [
        ("organization", "组织建设", Decimal("40.00"), 10),
        ("duty", "履职活动", Decimal("60.00"), 13),
    ]
    assert (units.first, units.second, units.total_max) == (
        Decimal("90.00"),
        Decimal("75.00"),
        Decimal("100"),
    )


def test_units_is_optional():
    assert rules.load(BASE).units is None
    assert "units" not in rules.dump(rules.load(BASE))


@pytest.mark.parametrize(
    ("score", "tier"),
    [
        ("100", "first"),
        ("90", "first"),
        ("89.99", "second"),
        ("75", "second"),
        ("74.99", "third"),
        ("0", "third"),
    ],
)
def test_the_suggested_tier_follows_the_minimums(score, tier):
    assert rules.load(BASE + UNITS).units.tier_for(Decimal(score)) == tier


def test_it_round_trips():
    ruleset = rules.load(BASE + UNITS)
    assert rules.load(rules.dump(ruleset)) == ruleset


def test_the_default_template_has_the_five_indicators():
    units = rules.load(DEFAULT.read_text(encoding="utf-8")).units
    assert [(i.name, int(i.max)) for i in units.indicators] == [
        ("组织建设", 20),
        ("学习教育", 15),
        ("履职活动", 25),
        ("社情民意和提案", 20),
        ("特色亮点", 20),
    ]
    assert units.total_max == 100


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ("units: 3\n", "第8行：units（工委和界别考核） 必须是一个映射（键: 值）"),
        ("units:\n  tiers: {first: 90, second: 75}\n", "第8行：units 的 indicators 至少要有一项考核指标"),
        (
            "units:\n  indicators:\n    - code: a\n      max: 0\n  tiers: {first: 90, second: 75}\n",
            "第11行：考核指标 a 的 max（满分）必须大于 0",
        ),
        (
            "units:\n  indicators:\n    - code: a\n      max: 十\n  tiers: {first: 9, second: 7}\n",
            "第11行：max 必须是数字",
        ),
        (
            "units:\n  indicators:\n    - name: 甲\n      max: 10\n  tiers: {first: 9, second: 7}\n",
            "第10行：缺少 code",
        ),
        (
            "units:\n  indicators:\n    - {code: a, max: 10}\n    - {code: a, max: 10}\n"
            "  tiers: {first: 9, second: 7}\n",
            "第11行：考核指标代码 a 重复（第10行已有）",
        ),
        (
            "units:\n  indicators:\n    - {code: a, max: 10}\n",
            "第8行：units 缺少 tiers（一类、二类的最低分）",
        ),
        (
            "units:\n  indicators:\n    - {code: a, max: 10}\n  tiers: {first: 5, second: 7}\n",
            "第11行：tiers 的 first（一类最低分）5.00 应大于 second（二类最低分）7.00",
        ),
        (
            "units:\n  indicators:\n    - {code: a, max: 10}\n  tiers: {first: 12, second: 7}\n",
            "第11行：tiers 的 first（一类最低分）12.00 超过了各指标满分之和 10.00",
        ),
        (
            "units:\n  indicators:\n    - {code: a, max: 10}\n  tiers: {first: 9}\n",
            "第11行：缺少 second",
        ),
        (
            "units:\n  indicators:\n    - {code: a, max: 10, weight: 2}\n  tiers: {first: 9, second: 7}\n",
            "第10行：考核指标中不认识的键 weight（可用的键：code、name、max）",
        ),
        (
            "units:\n  indicators:\n    - {code: a, max: 10}\n  tiers: {first: 9, second: 7}\n  extra: 1\n",
            "第12行：units中不认识的键 extra（可用的键：indicators、tiers）",
        ),
    ],
)
def test_errors_name_the_line(units, message):
    assert message in errors_of(BASE + units)
