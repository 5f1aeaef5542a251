"""The rule-set format: every error names its line, JSON is read too, dump/load round-trips."""

import json
from pathlib import Path

import pytest

from lvzhi.scoring import rules
from lvzhi.scoring.rules import RuleSetError

DEFAULT = Path(rules.__file__).parent / "data" / "default_rules.yaml"
COUNTIES = sorted((Path(__file__).parent / "rules").glob("*.yaml"))

BASE = """\
name: 测试
categories:
  - code: a
    name: 甲
    rules:
      - kind: activity.inspection
        points: 2
"""


def errors_of(text):
    with pytest.raises(RuleSetError) as caught:
        rules.load(text)
    return caught.value.messages


@pytest.mark.parametrize("path", [DEFAULT, *COUNTIES], ids=lambda p: p.name)
def test_shipped_rule_sets_load_and_round_trip(path):
    ruleset = rules.load(path.read_text(encoding="utf-8"))
    assert rules.load(rules.dump(ruleset)) == ruleset


def test_it_remembers_the_line_of_every_rule():
    ruleset = rules.load(BASE)
    assert ruleset.rules[0].line == 6
    assert ruleset.categories[0].line == 3


def test_json_is_read_with_the_same_loader():
    ruleset = rules.load(BASE)
    text = json.dumps(rules.to_data(ruleset), ensure_ascii=False, indent=2)
    assert rules.load(text) == ruleset


def test_a_rule_set_is_an_error_value_of_django():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        rules.load("name: x\n")


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        ("points: 2", 'points: "两分"', "第7行：points 必须是数字"),
        ("points: 2", "points: 2\n        colour: red", "第8行：规则中不认识的键 colour"),
        (
            "kind: activity.inspection",
            "kind: activity.flying",
            "第6行：kind 不是已知的履职记录类型：activity.flying",
        ),
        ("kind: activity.inspection", "kind: nothing.*", "第6行：kind 不是已知的履职记录类型：nothing.*"),
        ("points: 2", "points: 2\n        split: thirds", "第8行：split 只能是"),
        ("points: 2", "points: 2\n        max_count: 0", "第8行：max_count 必须是不小于 1 的整数"),
        ("points: 2", "points: 2\n        per_role: {boss: 3}", "第8行：per_role 中不认识的角色 boss"),
        ("    name: 甲\n", "    name: 甲\n    cap: -1\n", "第5行：cap（上限）不能小于 0"),
        ("    name: 甲\n", "    name: 甲\n    cap: 5\n    floor: 6\n", "第6行：floor（下限）6.00 不能大于"),
        ("points: 2", "points: 2.005", "第7行：points 最多两位小数"),
        ("points: 2", "text: 没有分值", "第6行：规则需要 points 或 per_role"),
    ],
)
def test_each_error_names_its_line_and_key(replace, by, expected):
    messages = errors_of(BASE.replace(replace, by))
    assert any(m.startswith(expected) for m in messages), messages


def test_duplicate_category_codes():
    text = BASE + "  - code: a\n    rules: []\n"
    assert any(m.startswith("第8行：类别代码 a 重复（第3行已有）") for m in errors_of(text))


def test_the_same_kind_twice():
    text = BASE + "      - kind: activity.inspection\n        points: 3\n"
    assert any(m.startswith("第8行：类型 activity.inspection 已在第6行有规则") for m in errors_of(text))


def test_a_key_written_twice():
    assert any(m.startswith("第2行：name 重复出现") for m in errors_of("name: a\nname: b\n" + BASE[9:]))


def test_grades_out_of_order():
    text = BASE + "grades:\n  - name: 好\n    min: 60\n  - name: 更好\n    min: 90\n  - name: 差\n"
    assert any(m.startswith("第12行：等次须从高到低排列") for m in errors_of(text))


def test_requirements_check_their_kinds():
    text = BASE + "requirements:\n  - code: r\n    kinds: [proposal.nothing]\n    at_least: 0\n"
    messages = errors_of(text)
    assert any(m.startswith("第10行：kinds 不是已知的履职记录类型") for m in messages), messages
    assert any(m.startswith("第11行：at_least 必须是不小于 1 的整数") for m in messages), messages


def test_broken_yaml_names_its_line():
    assert errors_of(BASE + "  - code: [b\n")[0].startswith("第9行：不是有效的 YAML/JSON")


def test_it_refuses_python_tags():
    assert "不是有效的 YAML/JSON" in errors_of("name: !!python/object:os.system {}\n")[0]


def test_patterns_and_the_most_specific_match():
    text = BASE.replace("activity.inspection", "activity.*") + (
        "      - kind: activity.inspection\n        points: 5\n"
    )
    ruleset = rules.load(text)
    assert ruleset.rule_for("activity.inspection").points == 5
    assert ruleset.rule_for("activity.research").points == 2
    assert ruleset.rule_for("speech.oral") is None


def test_every_problem_is_reported_at_once():
    text = BASE.replace("points: 2", 'points: "x"\n        split: y')
    assert len(errors_of(text)) == 2
