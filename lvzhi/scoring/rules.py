"""The rule-set format (考核细则): YAML (or JSON, read by the same loader) into frozen dataclasses.

A rule set is data that staff write and counties change every few years, so every rule remembers the
line it was written on: an explanation cites "第N行", and a validation error names the line and the key
("第12行：points 必须是数字"). The format is described for staff in docs/rule-format.md; the shape is

    name, year, description, pass_mark
    categories: [{code, name, start, cap, floor, rules: [{kind, points, text, split, per_role,
                  max_authors, max_count, exclusive}]}]
    grades: [{name, min}]           highest first
    requirements: [{code, text, kinds, at_least}]
    flags: [{code, text, kinds, at_least}]
    units: {indicators: [{code, name, max}], tiers: {first, second}}     optional: the assessment of
                                    town committees and sectors (inspection indicators, tier minimums)

Loading is as safe as yaml.safe_load (a SafeLoader subclass that only records line numbers): no tags,
no objects. Kind codes are checked against the ledger's taxonomy (lvzhi.ledger.kinds), whose registry the
apps fill in their ready(); a code under a reserved group that no app has registered yet (commendation.*,
the manual items) is accepted, since nothing can be checked against it until its app arrives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import yaml
from django.core.exceptions import ValidationError

from lvzhi.ledger import kinds as ledger_kinds

CENT = Decimal("0.01")

SPLIT_MODES = ("none", "equal", "lead_half", "share")
# The order in which authors of one item are counted when a rule keeps only `max_authors` of them.
ROLE_ORDER = ("lead", "collective", "co", "merged")
# The roles as the explanations name them (the ledger's labels, in the engine's own Chinese: it has no
# Django and its notes are Chinese like its errors).
ROLE_NAMES = {
    "lead": "第一作者",
    "collective": "集体提案主要执笔人",
    "co": "联名作者",
    "merged": "被合并信息的作者",
}

_CODE_RE = re.compile(r"^[a-z0-9_][a-z0-9_.-]*$")
_KIND_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$")


def money(value: Decimal) -> Decimal:
    """Two places, half up: every number of a score is exact at this precision."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


_ROLE_RANK = {role: rank for rank, role in enumerate(ROLE_ORDER)}


def role_rank(role: str) -> int:
    return _ROLE_RANK.get(role, len(ROLE_ORDER))


def kind_matches(pattern: str, kind: str) -> bool:
    if pattern.endswith(".*"):
        return kind.startswith(pattern[:-1])
    return kind == pattern


# --- the data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Points for the records of one kind (or of a `prefix.*` pattern of kinds)."""

    kind: str
    points: Decimal | None = None
    text: str = ""
    split: str = "none"
    per_role: tuple[tuple[str, Decimal], ...] = ()
    max_authors: int | None = None
    max_count: int | None = None
    exclusive: str = ""
    category: str = ""
    line: int = field(default=0, compare=False)

    def __hash__(self) -> int:
        # Kept by dataclass (an explicit __hash__ wins); cheap, since the engine keys dicts by rule.
        return hash((self.kind, self.category))

    @property
    def is_pattern(self) -> bool:
        return self.kind.endswith(".*")

    @property
    def specificity(self) -> int:
        """Exact codes beat every pattern; among patterns the longest prefix wins."""
        return 10_000 if not self.is_pattern else len(self.kind) - 2

    @property
    def needs_item(self) -> bool:
        """Whether a record's points depend on the other records of its item (authors, stages)."""
        return self.split != "none" or bool(self.per_role or self.max_authors or self.exclusive)

    def role_points(self, role: str) -> Decimal | None:
        for name, value in self.per_role:
            if name == role:
                return value
        return None

    def describe(self) -> str:
        return self.text or self.kind


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    rules: tuple[Rule, ...] = ()
    start: Decimal = Decimal("0")
    cap: Decimal | None = None
    floor: Decimal = Decimal("0")
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Grade:
    name: str
    min: Decimal | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Requirement:
    """A minimum the member must meet (at least `at_least` records of any of `kinds`)."""

    code: str
    text: str
    kinds: tuple[str, ...]
    at_least: int = 1
    line: int = field(default=0, compare=False)

    def matches(self, kind: str) -> bool:
        return any(kind_matches(p, kind) for p in self.kinds)


@dataclass(frozen=True)
class Flag:
    """A consequence raised when a member has at least `at_least` records of any of `kinds`."""

    code: str
    text: str
    kinds: tuple[str, ...]
    at_least: int = 1
    line: int = field(default=0, compare=False)

    def matches(self, kind: str) -> bool:
        return any(kind_matches(p, kind) for p in self.kinds)


@dataclass(frozen=True)
class UnitIndicator:
    """One thing an inspection group scores a town committee or sector on, from 0 to `max`."""

    code: str
    name: str
    max: Decimal
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class UnitRules:
    """The `units:` part: the inspection's indicators and the minimum scores of tiers one and two (a unit
    below `second` is tier three)."""

    indicators: tuple[UnitIndicator, ...]
    first: Decimal
    second: Decimal
    line: int = field(default=0, compare=False)

    @property
    def total_max(self) -> Decimal:
        return money(sum((i.max for i in self.indicators), Decimal("0")))

    def indicator(self, code: str) -> UnitIndicator:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    def tier_for(self, score: Decimal) -> str:
        """The tier a score suggests: "first", "second" or "third" (UnitAssessment.Tier's values)."""
        if score >= self.first:
            return "first"
        if score >= self.second:
            return "second"
        return "third"


@dataclass(frozen=True)
class RuleSet:
    name: str
    categories: tuple[Category, ...]
    grades: tuple[Grade, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    flags: tuple[Flag, ...] = ()
    year: int | None = None
    description: str = ""
    pass_mark: Decimal | None = None
    units: UnitRules | None = None

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(rule for category in self.categories for rule in category.rules)

    def category(self, code: str) -> Category:
        for category in self.categories:
            if category.code == code:
                return category
        raise KeyError(code)

    def rule_for(self, kind: str) -> Rule | None:
        """The most specific rule matching the kind: its exact code, else the longest `prefix.*`."""
        best: Rule | None = None
        for rule in self.rules:
            if kind_matches(rule.kind, kind) and (best is None or rule.specificity > best.specificity):
                best = rule
        return best

    def grade_for(self, total: Decimal) -> str:
        for grade in self.grades:
            if grade.min is None or total >= grade.min:
                return grade.name
        return ""


# --- errors -------------------------------------------------------------------------------------


class RuleSetError(ValidationError):
    """Everything wrong with a rule-set text, each message naming its line (and key)."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = sorted(problems)
        super().__init__([_at(line, message) for line, message in self.problems], code="invalid_rules")


def _at(line: int, message: str) -> str:
    return f"第{line}行：{message}" if line else message


# --- reading ------------------------------------------------------------------------------------


class _Map(dict[str, Any]):
    line: int = 0
    key_lines: dict[str, int]


class _Seq(list[Any]):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """yaml.SafeLoader that remembers where each mapping, list and key was written, and refuses a key
    written twice in one mapping (plain YAML keeps the last silently)."""

    duplicates: list[tuple[int, str]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> _Map:  # type: ignore[override]
        self.flatten_mapping(node)
        result = _Map()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                self.duplicates.append((key_line, f"{key} 重复出现"))
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_line
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> _Seq:
        result = _Seq(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        return result


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_sequence)


def _default_known_kind() -> Callable[[str], bool]:
    registered = list(ledger_kinds.all_kinds())
    groups_in_use = {k.split(".", 1)[0] for k in registered}
    unchecked = {g for g in ledger_kinds.RESERVED_PREFIXES if g not in groups_in_use}

    def known(code: str) -> bool:
        group = code.split(".", 1)[0]
        if group in unchecked and "." in code:
            return True
        if code.endswith(".*"):
            return any(kind_matches(code, k) for k in registered)
        return bool(ledger_kinds.is_known(code))

    return known


class _Reader:
    def __init__(self, known_kind: Callable[[str], bool]) -> None:
        self.problems: list[tuple[int, str]] = []
        self.known_kind = known_kind

    def fail(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    def mapping(self, value: Any, line: int, what: str) -> _Map | None:
        if isinstance(value, _Map):
            return value
        self.fail(line, f"{what} 必须是一个映射（键: 值）")
        return None

    def check_keys(self, data: _Map, allowed: Iterable[str], where: str) -> None:
        allowed = tuple(allowed)
        for key in data:
            if key not in allowed:
                self.fail(
                    data.key_lines.get(key, data.line),
                    f"{where}中不认识的键 {key}（可用的键：{'、'.join(allowed)}）",
                )

    def line_of(self, data: _Map, key: str) -> int:
        return data.key_lines.get(key, data.line)

    def text(self, data: _Map, key: str, *, required: bool = False, default: str = "") -> str:
        if key not in data or data[key] is None:
            if required:
                self.fail(data.line, f"缺少 {key}")
            return default
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(self.line_of(data, key), f"{key} 必须是文字")
            return default
        return str(value).strip()

    def number(self, data: _Map, key: str, *, required: bool = False) -> Decimal | None:
        if key not in data or data[key] is None:
            if required:
                self.fail(data.line, f"缺少 {key}")
            return None
        return self.as_number(data[key], self.line_of(data, key), key)

    def as_number(self, value: Any, line: int, key: str) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(line, f"{key} 必须是数字")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(line, f"{key} 必须是数字")
            return None
        if not number.is_finite():
            self.fail(line, f"{key} 必须是数字")
            return None
        if number != number.quantize(CENT):
            self.fail(line, f"{key} 最多两位小数")
            return None
        return money(number)

    def count(self, data: _Map, key: str, *, minimum: int) -> int | None:
        if key not in data or data[key] is None:
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(self.line_of(data, key), f"{key} 必须是不小于 {minimum} 的整数")
            return None
        return value

    def code(self, data: _Map, key: str, where: str) -> str:
        value = self.text(data, key, required=True)
        if value and not _CODE_RE.match(value):
            self.fail(
                self.line_of(data, key), f"{where}的 {key} 只能用小写英文字母、数字、下划线、点和连字符"
            )
        return value

    def kind(self, value: Any, line: int, key: str) -> str:
        if not isinstance(value, str) or not _KIND_RE.match(value.strip()):
            self.fail(line, f"{key} 必须是履职记录类型代码，如 proposal.accepted 或 opinion.adopted.*")
            return ""
        value = value.strip()
        if not self.known_kind(value):
            self.fail(line, f"{key} 不是已知的履职记录类型：{value}")
            return ""
        return value

    def seq(self, data: _Map, key: str) -> _Seq:
        if key not in data or data[key] is None:
            return _Seq()
        value = data[key]
        if not isinstance(value, _Seq):
            self.fail(self.line_of(data, key), f"{key} 必须是一个列表")
            return _Seq()
        return value

    # --- sections ---

    def ruleset(self, root: Any) -> RuleSet | None:
        data = self.mapping(root, 1, "细则")
        if data is None:
            return None
        self.check_keys(
            data,
            (
                "name",
                "year",
                "description",
                "pass_mark",
                "categories",
                "grades",
                "requirements",
                "flags",
                "units",
            ),
            "细则",
        )
        name = self.text(data, "name", required=True)
        year: int | None = None
        if "year" in data and data["year"] is not None:
            year = self.count(data, "year", minimum=1900)
        pass_mark = self.number(data, "pass_mark")
        categories: list[Category] = []
        seen_categories: dict[str, int] = {}
        seen_kinds: dict[str, int] = {}
        items = self.seq(data, "categories")
        if not items:
            self.fail(self.line_of(data, "categories"), "categories 至少要有一个类别")
        for item in items:
            category = self.category(item, getattr(items, "line", data.line), seen_kinds)
            if category is None:
                continue
            if category.code in seen_categories:
                self.fail(
                    category.line,
                    f"类别代码 {category.code} 重复（第{seen_categories[category.code]}行已有）",
                )
            seen_categories.setdefault(category.code, category.line)
            categories.append(category)
        grades = self.grades(data)
        requirements = tuple(
            r
            for r in (self.requirement(i, data, Requirement, "要求") for i in self.seq(data, "requirements"))
            if r
        )
        flags = tuple(
            f for f in (self.requirement(i, data, Flag, "标记") for i in self.seq(data, "flags")) if f
        )
        self.unique_codes(requirements, "要求")
        self.unique_codes(flags, "标记")
        units = None
        if "units" in data and data["units"] is not None:
            units = self.units(data["units"], self.line_of(data, "units"))
        return RuleSet(
            name=name,
            year=year,
            description=self.text(data, "description"),
            pass_mark=pass_mark,
            categories=tuple(categories),
            grades=grades,
            requirements=requirements,  # type: ignore[arg-type]
            flags=flags,  # type: ignore[arg-type]
            units=units,
        )

    def units(self, value: Any, line: int) -> UnitRules | None:
        data = self.mapping(value, line, "units（工委和界别考核）")
        if data is None:
            return None
        self.check_keys(data, ("indicators", "tiers"), "units")
        problems_before = len(self.problems)
        indicators: list[UnitIndicator] = []
        seen: dict[str, int] = {}
        items = self.seq(data, "indicators")
        if not items:
            # A missing key is reported on the `units:` line itself, where the staff member will look.
            self.fail(data.key_lines.get("indicators", line), "units 的 indicators 至少要有一项考核指标")
        for item in items:
            entry = self.mapping(item, getattr(items, "line", data.line), "考核指标")
            if entry is None:
                continue
            self.check_keys(entry, ("code", "name", "max"), "考核指标")
            code = self.code(entry, "code", "考核指标")
            name = self.text(entry, "name", default=code)
            maximum = self.number(entry, "max", required=True)
            if maximum is not None and maximum <= 0:
                self.fail(self.line_of(entry, "max"), f"考核指标 {name} 的 max（满分）必须大于 0")
                maximum = None
            if code in seen:
                self.fail(entry.line, f"考核指标代码 {code} 重复（第{seen[code]}行已有）")
            seen.setdefault(code, entry.line)
            if code and maximum is not None:
                indicators.append(UnitIndicator(code=code, name=name, max=maximum, line=entry.line))
        first = second = None
        if "tiers" not in data or data["tiers"] is None:
            self.fail(line, "units 缺少 tiers（一类、二类的最低分）")
        else:
            tiers = self.mapping(data["tiers"], self.line_of(data, "tiers"), "tiers")
            if tiers is not None:
                self.check_keys(tiers, ("first", "second"), "tiers")
                first = self.number(tiers, "first", required=True)
                second = self.number(tiers, "second", required=True)
                if first is not None and second is not None:
                    if second < 0:
                        self.fail(self.line_of(tiers, "second"), "tiers 的 second（二类最低分）不能小于 0")
                    if first <= second:
                        self.fail(
                            self.line_of(tiers, "first"),
                            f"tiers 的 first（一类最低分）{first} 应大于 second（二类最低分）{second}",
                        )
                    total = money(sum((i.max for i in indicators), Decimal("0")))
                    if indicators and first > total:
                        self.fail(
                            self.line_of(tiers, "first"),
                            f"tiers 的 first（一类最低分）{first} 超过了各指标满分之和 {total}",
                        )
        if len(self.problems) > problems_before or first is None or second is None:
            return None
        return UnitRules(indicators=tuple(indicators), first=first, second=second, line=data.line)

    def unique_codes(self, entries: Iterable[Requirement | Flag], what: str) -> None:
        seen: dict[str, int] = {}
        for entry in entries:
            if entry.code in seen:
                self.fail(entry.line, f"{what}代码 {entry.code} 重复（第{seen[entry.code]}行已有）")
            seen.setdefault(entry.code, entry.line)

    def category(self, value: Any, line: int, seen_kinds: dict[str, int]) -> Category | None:
        data = self.mapping(value, line, "类别")
        if data is None:
            return None
        self.check_keys(data, ("code", "name", "start", "cap", "floor", "rules"), "类别")
        code = self.code(data, "code", "类别")
        name = self.text(data, "name", default=code)
        start = self.number(data, "start") or Decimal("0.00")
        cap = self.number(data, "cap")
        floor = self.number(data, "floor")
        floor = money(Decimal(0)) if floor is None else floor
        if cap is not None and cap < 0:
            self.fail(self.line_of(data, "cap"), "cap（上限）不能小于 0")
        elif cap is not None and floor > cap:
            self.fail(self.line_of(data, "floor"), f"floor（下限）{floor} 不能大于 cap（上限）{cap}")
        rules: list[Rule] = []
        items = self.seq(data, "rules")
        for item in items:
            rule = self.rule(item, getattr(items, "line", data.line), code)
            if rule is None:
                continue
            if rule.kind in seen_kinds:
                self.fail(
                    rule.line, f"类型 {rule.kind} 已在第{seen_kinds[rule.kind]}行有规则，同一类型只能有一条"
                )
            else:
                seen_kinds[rule.kind] = rule.line
            rules.append(rule)
        return Category(
            code=code, name=name, rules=tuple(rules), start=start, cap=cap, floor=floor, line=data.line
        )

    def rule(self, value: Any, line: int, category: str) -> Rule | None:
        data = self.mapping(value, line, "规则")
        if data is None:
            return None
        self.check_keys(
            data,
            ("kind", "points", "text", "split", "per_role", "max_authors", "max_count", "exclusive"),
            "规则",
        )
        problems_before = len(self.problems)
        kind = ""
        if "kind" not in data:
            self.fail(data.line, "规则缺少 kind")
        else:
            kind = self.kind(data["kind"], self.line_of(data, "kind"), "kind")
        points = self.number(data, "points")
        split = self.text(data, "split", default="none")
        if split not in SPLIT_MODES:
            self.fail(
                self.line_of(data, "split"), f"split 只能是 {'、'.join(SPLIT_MODES)} 之一，而不是 {split}"
            )
        per_role: list[tuple[str, Decimal]] = []
        if "per_role" in data and data["per_role"] is not None:
            roles = self.mapping(data["per_role"], self.line_of(data, "per_role"), "per_role")
            if roles is not None:
                for role, role_value in roles.items():
                    role_line = roles.key_lines.get(role, roles.line)
                    if role not in ROLE_ORDER:
                        self.fail(
                            role_line, f"per_role 中不认识的角色 {role}（可用：{'、'.join(ROLE_ORDER)}）"
                        )
                        continue
                    number = self.as_number(role_value, role_line, f"per_role.{role}")
                    if number is not None:
                        per_role.append((role, number))
        if "points" not in data and "per_role" not in data:
            self.fail(data.line, "规则需要 points 或 per_role")
        if split == "share" and per_role:
            self.fail(self.line_of(data, "per_role"), "split: share 不能与 per_role 同用")
        max_authors = self.count(data, "max_authors", minimum=1)
        max_count = self.count(data, "max_count", minimum=1)
        exclusive = self.text(data, "exclusive")
        if exclusive and not _CODE_RE.match(exclusive):
            self.fail(
                self.line_of(data, "exclusive"), "exclusive 只能用小写英文字母、数字、下划线、点和连字符"
            )
        if len(self.problems) > problems_before:
            return None
        return Rule(
            kind=kind,
            points=points,
            text=self.text(data, "text"),
            split=split,
            per_role=tuple(sorted(per_role, key=lambda p: role_rank(p[0]))),
            max_authors=max_authors,
            max_count=max_count,
            exclusive=exclusive,
            category=category,
            line=data.line,
        )

    def grades(self, data: _Map) -> tuple[Grade, ...]:
        grades: list[Grade] = []
        items = self.seq(data, "grades")
        for position, item in enumerate(items):
            entry = self.mapping(item, getattr(items, "line", data.line), "等次")
            if entry is None:
                continue
            self.check_keys(entry, ("name", "min"), "等次")
            name = self.text(entry, "name", required=True)
            last = position == len(items) - 1
            minimum = self.number(entry, "min", required=not last)
            if grades and minimum is not None:
                previous = grades[-1]
                if previous.min is None or minimum >= previous.min:
                    self.fail(
                        self.line_of(entry, "min"),
                        f"等次须从高到低排列：{name} 的 min {minimum} 应小于上一等次"
                        f" {previous.name} 的 {previous.min}",
                    )
            grades.append(Grade(name=name, min=minimum, line=entry.line))
        return tuple(grades)

    def requirement(
        self, value: Any, parent: _Map, cls: type[Requirement] | type[Flag], what: str
    ) -> Requirement | Flag | None:
        data = self.mapping(value, parent.line, what)
        if data is None:
            return None
        self.check_keys(data, ("code", "text", "kinds", "at_least"), what)
        code = self.code(data, "code", what)
        text = self.text(data, "text", default=code)
        patterns: list[str] = []
        raw = data.get("kinds")
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            self.fail(self.line_of(data, "kinds"), "kinds 必须是至少有一项的类型列表")
        else:
            for pattern in raw:
                checked = self.kind(pattern, self.line_of(data, "kinds"), "kinds")
                if checked:
                    patterns.append(checked)
        at_least = self.count(data, "at_least", minimum=1) or 1
        return cls(code=code, text=text, kinds=tuple(patterns), at_least=at_least, line=data.line)


def load(text: str, *, known_kind: Callable[[str], bool] | None = None) -> RuleSet:
    """Read a rule set written in the format (YAML, or JSON, which the YAML loader reads too).

    Raises RuleSetError listing every problem found, each with its line. `known_kind` decides which
    kind codes exist (default: the ledger's taxonomy, see the module docstring)."""
    loader = _LineLoader(text)
    loader.duplicates = []
    try:
        root = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise RuleSetError([(line, f"不是有效的 YAML/JSON：{exc.problem or exc.context}")]) from exc
    except yaml.YAMLError as exc:
        raise RuleSetError([(0, f"不是有效的 YAML/JSON：{exc}")]) from exc
    finally:
        loader.dispose()
    reader = _Reader(known_kind or _default_known_kind())
    reader.problems.extend(loader.duplicates)
    if root is None:
        raise RuleSetError([(1, "细则是空的")])
    ruleset = reader.ruleset(root)
    if reader.problems or ruleset is None:
        raise RuleSetError(reader.problems)
    return ruleset


def load_file(path: str, *, known_kind: Callable[[str], bool] | None = None) -> RuleSet:
    with open(path, encoding="utf-8") as handle:
        return load(handle.read(), known_kind=known_kind)


# --- writing ------------------------------------------------------------------------------------


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def to_data(ruleset: RuleSet) -> dict[str, Any]:
    """The rule set as plain data in the format's shape (keys at their defaults left out)."""
    data: dict[str, Any] = {"name": ruleset.name}
    if ruleset.year is not None:
        data["year"] = ruleset.year
    if ruleset.description:
        data["description"] = ruleset.description
    if ruleset.pass_mark is not None:
        data["pass_mark"] = _plain(ruleset.pass_mark)
    data["categories"] = [_category_data(c) for c in ruleset.categories]
    if ruleset.grades:
        data["grades"] = [
            {"name": g.name, **({"min": _plain(g.min)} if g.min is not None else {})} for g in ruleset.grades
        ]
    for key, entries in (("requirements", ruleset.requirements), ("flags", ruleset.flags)):
        if entries:
            data[key] = [
                {"code": e.code, "text": e.text, "kinds": list(e.kinds), "at_least": e.at_least}
                for e in entries
            ]
    if ruleset.units is not None:
        data["units"] = {
            "indicators": [
                {"code": i.code, "name": i.name, "max": _plain(i.max)} for i in ruleset.units.indicators
            ],
            "tiers": {"first": _plain(ruleset.units.first), "second": _plain(ruleset.units.second)},
        }
    return data


def _category_data(category: Category) -> dict[str, Any]:
    data: dict[str, Any] = {"code": category.code, "name": category.name}
    if category.start:
        data["start"] = _plain(category.start)
    if category.cap is not None:
        data["cap"] = _plain(category.cap)
    if category.floor:
        data["floor"] = _plain(category.floor)
    data["rules"] = [_rule_data(r) for r in category.rules]
    return data


def _rule_data(rule: Rule) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": rule.kind}
    if rule.points is not None:
        data["points"] = _plain(rule.points)
    if rule.text:
        data["text"] = rule.text
    if rule.split != "none":
        data["split"] = rule.split
    if rule.per_role:
        data["per_role"] = {role: _plain(value) for role, value in rule.per_role}
    if rule.max_authors is not None:
        data["max_authors"] = rule.max_authors
    if rule.max_count is not None:
        data["max_count"] = rule.max_count
    if rule.exclusive:
        data["exclusive"] = rule.exclusive
    return data


def dump(ruleset: RuleSet) -> str:
    """The rule set written back in the format, which `load` reads to an equal RuleSet."""
    return yaml.safe_dump(to_data(ruleset), allow_unicode=True, sort_keys=False, width=100)
