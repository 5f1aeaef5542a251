"""The scoring engine: a rule set (rules.py) and plain ledger records in, each member's scores out.

Pure Python, no ORM: the services read the ledger into `Record`s and store what `compute` returns, so
the same function serves the full year, one member after a change and the preview of a draft rule set.

How a record becomes points, in this order (docs/rule-format.md tells staff the same):
1. the most specific rule for its kind (exact code, else the longest `prefix.*`); none → not scored;
2. the rule's points, split among the authors of its item (split / per_role / max_authors; authors are
   ranked lead → collective → co → merged, then by member id);
3. exclusive groups: per member and item only the highest-valued rule of the group counts;
4. max_count: per member at most that many records of the rule count (the highest-valued first, then the
   earliest);
5. per category: start + the points, then the floor, then the cap; the total is the sum of categories.

Speed: records are grouped by (member, kind) first; a rule that depends on nothing but the count (no
split, no exclusive group) is scored once per group as count × points, and only the records of rules
that need their item (joint work, later stages) are looked at one by one.

For a whole year the caller need not even read those count-only records: `compute(counts=...)` takes
(member id, kind, number of records) rows, which a SQL GROUP BY returns, for the kinds `counts_suffice`
accepts, and the records of the other kinds as usual. The numbers are the same as from the records
themselves, because for such a kind nothing but the number is ever read: its points are count × points
(max_count taken off the count), requirements and flags count records per kind, and no rule looks at a
date, a role or a share unless it needs the item. Only an explanation needs the records (each line lists
its record ids), so explain=True takes records alone.
"""

from __future__ import annotations

import datetime
import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from .rules import ROLE_NAMES, Category, Flag, Requirement, Rule, RuleSet, money, role_rank

ZERO = Decimal("0.00")
_NO_DATE = datetime.date.min


@dataclass(frozen=True, slots=True)
class Record:
    """One ledger record as the engine sees it. `item` groups the records of one piece of work (e.g.
    "proposals.proposal:17") so that joint work can be split and later stages compared; an empty item
    makes the record its own item."""

    id: int
    member_id: int
    kind: str
    date: datetime.date | None = None
    role: str = ""
    share: Decimal = Decimal("1")
    item: str = ""


@dataclass(frozen=True)
class Line:
    """One line of an explanation: a rule, the records it scored and the points each earned."""

    rule: Rule
    record_ids: tuple[int, ...]
    points: tuple[Decimal, ...]
    note: str = ""

    @property
    def subtotal(self) -> Decimal:
        return money(sum(self.points, ZERO))

    @property
    def rule_line(self) -> int:
        return self.rule.line

    @property
    def rule_text(self) -> str:
        return self.rule.describe()


@dataclass(frozen=True)
class CategoryResult:
    code: str
    name: str
    raw: Decimal
    start: Decimal
    cap: Decimal | None
    floor: Decimal
    score: Decimal
    lines: tuple[Line, ...] = ()

    @property
    def before_limits(self) -> Decimal:
        return self.start + self.raw

    @property
    def capped(self) -> bool:
        return self.cap is not None and self.before_limits > self.cap

    @property
    def floored(self) -> bool:
        return self.before_limits < self.floor


@dataclass(frozen=True)
class MemberResult:
    member_id: int
    categories: tuple[CategoryResult, ...]
    total: Decimal
    grade: str
    passed: bool | None
    unmet: tuple[Requirement, ...] = ()
    flags: tuple[Flag, ...] = ()
    unscored: tuple[int, ...] = field(default=())

    def category(self, code: str) -> CategoryResult:
        for category in self.categories:
            if category.code == code:
                return category
        raise KeyError(code)

    @property
    def scores(self) -> dict[str, Decimal]:
        return {c.code: c.score for c in self.categories}


# One scored record: (points, record, note); note says why it earned what it did.
_Entry = tuple[Decimal, Record, str]


def _date_key(record: Record) -> tuple[datetime.date, int]:
    return (record.date or _NO_DATE, record.id)


def _best_first(entry: _Entry) -> tuple[Decimal, datetime.date, int]:
    return (-entry[0], entry[1].date or _NO_DATE, entry[1].id)


def _split_item(rule: Rule, group: list[Record]) -> list[_Entry]:
    """The points of each record of one item under one rule: max_authors, per_role, then the split."""
    authors = sorted(group, key=lambda r: (role_rank(r.role), r.member_id, r.id))
    entries: list[_Entry] = []
    if rule.max_authors is not None and len(authors) > rule.max_authors:
        for record in authors[rule.max_authors :]:
            entries.append((ZERO, record, f"只计前 {rule.max_authors} 位作者"))
        authors = authors[: rule.max_authors]
    rest: list[Record] = []
    for record in authors:
        fixed = rule.role_points(record.role)
        if fixed is not None:
            entries.append((fixed, record, f"按{ROLE_NAMES.get(record.role, record.role)}计分"))
        else:
            rest.append(record)
    if not rest:
        return entries
    points = rule.points if rule.points is not None else ZERO
    if rule.split == "none":
        entries += [(points, r, "") for r in rest]
    elif rule.split == "share":
        entries += [(money(points * r.share), r, f"按份额 {r.share.normalize()}") for r in rest]
    else:
        leads = [r for r in rest if r.role == "lead"] if rule.split == "lead_half" else []
        others = [r for r in rest if r.role != "lead"]
        if leads and others:
            half = points / 2
            lead_each = money(half / len(leads))
            other_each = money(half / len(others))
            entries += [(lead_each, r, "第一作者得一半") for r in leads]
            entries += [(other_each, r, f"其余 {len(others)} 位作者均分一半") for r in others]
        elif len(rest) == 1:
            entries.append((points, rest[0], ""))
        else:
            each = money(points / len(rest))
            entries += [(each, r, f"{len(rest)} 位作者均分") for r in rest]
    return entries


def _apply_exclusive(entries: list[tuple[Rule, str, _Entry]]) -> list[tuple[Rule, _Entry]]:
    """Per member, exclusive group and item, only the highest-valued entry counts (a tie goes to the
    rule written first)."""
    kept: list[tuple[Rule, _Entry]] = []
    groups: dict[tuple[int, str, str], list[tuple[Rule, _Entry]]] = defaultdict(list)
    for rule, item, entry in entries:
        if rule.exclusive:
            groups[(entry[1].member_id, rule.exclusive, item)].append((rule, entry))
        else:
            kept.append((rule, entry))
    for (_member, group_name, _item), members in groups.items():
        members.sort(key=lambda re: (-re[1][0], re[0].line, re[1][1].id))
        best_rule, best = members[0]
        kept.append((best_rule, best))
        for rule, (_points, record, _note) in members[1:]:
            kept.append(
                (rule, (ZERO, record, f"同一事项已按第{best_rule.line}行计分（{group_name} 组只计最高一项）"))
            )
    return kept


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection meanwhile (restored after, nesting allowed). A year is some 10⁶
    small objects made and kept (records, counts, results); the collector, triggered by the allocations,
    walks all of them again and again and took as long as the scoring itself. Nothing here makes
    reference cycles: reference counting frees it all."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def counts_suffice(ruleset: RuleSet, kind: str) -> bool:
    """Whether the records of `kind` are scored from their number alone (see the module docstring): its
    most specific rule needs no item (no split, per_role, max_authors or exclusive group), or it has none
    (not scored; it may still count for requirements and flags)."""
    rule = ruleset.rule_for(kind)
    return rule is None or not rule.needs_item


def count_only_kinds(ruleset: RuleSet, kinds: Iterable[str]) -> frozenset[str]:
    """Those of `kinds` that `compute` may be given as counts instead of records."""
    return frozenset(kind for kind in kinds if counts_suffice(ruleset, kind))


def compute(
    ruleset: RuleSet,
    records: Iterable[Record],
    *,
    member_ids: Iterable[int] = (),
    explain: bool = True,
    counts: Iterable[tuple[int, str, int]] | None = None,
) -> dict[int, MemberResult]:
    """Score every member who has records (and every member in `member_ids`, who may have none).

    The result does not depend on the order of the records. With explain=False the categories carry no
    lines (faster for a full year when only the numbers are stored).

    `counts`: (member id, kind, number of records) for kinds whose records are not among `records`,
    each a kind `counts_suffice` accepts (ValueError otherwise); a (member, kind) may appear more than
    once and in the records too, the numbers add up. Only with explain=False: an explanation lists
    record ids, which counts do not have."""
    if counts is not None and explain:
        raise ValueError("An explanation lists record ids: compute it from records, not counts.")
    with gc_paused():
        return _compute(ruleset, records, member_ids=member_ids, explain=explain, counts=counts)


def _compute(
    ruleset: RuleSet,
    records: Iterable[Record],
    *,
    member_ids: Iterable[int],
    explain: bool,
    counts: Iterable[tuple[int, str, int]] | None,
) -> dict[int, MemberResult]:
    by_member_kind: dict[tuple[int, str], list[Record]] = defaultdict(list)
    for record in records:
        by_member_kind[(record.member_id, record.kind)].append(record)

    # per kind, looked up once: its rule, and which requirements and flags it counts for
    kinds: dict[str, _KindInfo] = {}

    def info_of(kind: str) -> _KindInfo:
        info = kinds.get(kind)
        if info is None:
            rule = ruleset.rule_for(kind)
            info = kinds[kind] = _KindInfo(
                rule,
                rule is not None and not rule.needs_item,
                tuple(i for i, r in enumerate(ruleset.requirements) if r.matches(kind)),
                tuple(i for i, f in enumerate(ruleset.flags) if f.matches(kind)),
            )
        return info

    # (member, rule) → records of a rule whose points are the same for every record (only kept for an
    # explanation: without one, such a rule needs nothing but the member's number of records per kind)
    uniform: dict[int, dict[Rule, list[Record]]] = defaultdict(dict)
    # (rule, item) → records of a rule that needs the other records of its item
    items: dict[tuple[Rule, str], list[Record]] = defaultdict(list)
    kind_counts: dict[int, dict[str, int]] = defaultdict(dict)
    unscored: dict[int, list[int]] = defaultdict(list)

    for (member_id, kind), group in by_member_kind.items():
        member_kinds = kind_counts[member_id]
        member_kinds[kind] = member_kinds.get(kind, 0) + len(group)
        rule = info_of(kind).rule
        if rule is None:
            unscored[member_id].extend(r.id for r in group)
        elif rule.needs_item:
            for record in group:
                items[(rule, record.item or f"#{record.id}")].append(record)
        elif explain:
            uniform[member_id].setdefault(rule, []).extend(group)

    if counts is not None:
        for member_id, kind, n in counts:
            info = kinds.get(kind) or info_of(kind)
            if info.rule is not None and not info.by_count:
                raise ValueError(
                    f"{kind} is scored by item ({info.rule.describe()}): give its records, not a count."
                )
            member_kinds = kind_counts[member_id]
            member_kinds[kind] = member_kinds.get(kind, 0) + n

    split_entries: list[tuple[Rule, str, _Entry]] = []
    for (rule, item), group in items.items():
        split_entries += [(rule, item, entry) for entry in _split_item(rule, group)]
    scored: dict[int, dict[Rule, list[_Entry]]] = defaultdict(dict)
    for rule, entry in _apply_exclusive(split_entries):
        scored[entry[1].member_id].setdefault(rule, []).append(entry)

    everyone = set(kind_counts) | set(member_ids)
    context = _Context(ruleset, kinds, explain)
    return {
        member_id: _member_result(
            context,
            member_id,
            uniform.get(member_id, {}),
            scored.get(member_id, {}),
            kind_counts.get(member_id, {}),
            sorted(unscored.get(member_id, ())),
        )
        for member_id in everyone
    }


@dataclass(frozen=True, slots=True)
class _KindInfo:
    rule: Rule | None
    by_count: bool  # the rule needs nothing but the number of records
    requirements: tuple[int, ...]
    flags: tuple[int, ...]


class _Context:
    """What every member's result of one compute call shares."""

    def __init__(self, ruleset: RuleSet, kinds: dict[str, _KindInfo], explain: bool) -> None:
        self.ruleset = ruleset
        self.kinds = kinds
        self.explain = explain
        # Without lines a category's result depends on its raw points alone, and most members share
        # them (everyone at the plenary has 50): one frozen result per (category, raw) is built once.
        self.bare_categories: dict[tuple[int, Decimal], CategoryResult] = {}


def _member_result(
    context: _Context,
    member_id: int,
    uniform: dict[Rule, list[Record]],
    scored: dict[Rule, list[_Entry]],
    kind_counts: dict[str, int],
    unscored: list[int],
) -> MemberResult:
    ruleset, explain = context.ruleset, context.explain
    raw: dict[str, Decimal] = defaultdict(lambda: ZERO)
    lines: dict[str, list[tuple[int, int, Line]]] = defaultdict(list)

    if explain:
        for rule, group in uniform.items():
            points = rule.points if rule.points is not None else ZERO
            kept = len(group) if rule.max_count is None else min(len(group), rule.max_count)
            raw[rule.category] += points * kept
            ordered = sorted(group, key=_date_key)
            lines[rule.category].append(
                (rule.line, 0, Line(rule, tuple(r.id for r in ordered[:kept]), (points,) * kept))
            )
            if kept < len(group):
                lines[rule.category].append(
                    (
                        rule.line,
                        1,
                        Line(
                            rule,
                            tuple(r.id for r in ordered[kept:]),
                            (ZERO,) * (len(group) - kept),
                            f"超过本条最多计 {rule.max_count} 次",
                        ),
                    )
                )

    met: dict[int, int] = defaultdict(int)
    raised: dict[int, int] = defaultdict(int)
    # Without an explanation a rule scored by number needs only how many records of its kinds the
    # member has (from records or counts alike); max_count caps the rule's kinds together.
    per_rule: dict[int, tuple[Rule, int]] = {}
    for kind, n in kind_counts.items():
        info = context.kinds[kind]
        if info.by_count and not explain and info.rule is not None:
            # keyed by identity: a Rule's own hash and equality cost more, and each rule is one object
            rule_key = id(info.rule)
            if rule_key in per_rule:
                per_rule[rule_key] = (info.rule, per_rule[rule_key][1] + n)
            else:
                per_rule[rule_key] = (info.rule, n)
        for i in info.requirements:
            met[i] += n
        for i in info.flags:
            raised[i] += n
    for rule, n in per_rule.values():
        points = rule.points if rule.points is not None else ZERO
        raw[rule.category] += points * (n if rule.max_count is None else min(n, rule.max_count))

    for rule, entries in scored.items():
        entries.sort(key=_best_first)
        if rule.max_count is not None and len(entries) > rule.max_count:
            over = entries[rule.max_count :]
            entries = entries[: rule.max_count] + [
                (ZERO, record, f"超过本条最多计 {rule.max_count} 次") for _p, record, _n in over
            ]
        raw[rule.category] += sum((points for points, _r, _n in entries), ZERO)
        if explain:
            by_note: dict[str, list[tuple[Decimal, Record]]] = defaultdict(list)
            for points, record, note in entries:
                by_note[note].append((points, record))
            for order, (note, pairs) in enumerate(sorted(by_note.items(), key=lambda kv: kv[0])):
                pairs.sort(key=lambda pr: _date_key(pr[1]))
                line = Line(rule, tuple(r.id for _p, r in pairs), tuple(p for p, _r in pairs), note)
                lines[rule.category].append((rule.line, order, line))

    if explain:
        categories = tuple(
            _category_result(c, money(raw[c.code]), lines.get(c.code, [])) for c in ruleset.categories
        )
    else:
        bare = context.bare_categories
        results = []
        for i, c in enumerate(ruleset.categories):
            category_key = (i, money(raw[c.code]))
            result = bare.get(category_key)
            if result is None:
                result = bare[category_key] = _category_result(c, category_key[1], [])
            results.append(result)
        categories = tuple(results)
    total = money(sum((c.score for c in categories), ZERO))
    unmet = tuple(req for i, req in enumerate(ruleset.requirements) if met[i] < req.at_least)
    flags = tuple(flag for i, flag in enumerate(ruleset.flags) if raised[i] >= flag.at_least)
    return MemberResult(
        member_id=member_id,
        categories=categories,
        total=total,
        grade=ruleset.grade_for(total),
        passed=None if ruleset.pass_mark is None else total >= ruleset.pass_mark,
        unmet=unmet,
        flags=flags,
        unscored=tuple(unscored) if explain else (),
    )


def _category_result(category: Category, raw: Decimal, lines: list[tuple[int, int, Line]]) -> CategoryResult:
    score = max(category.start + raw, category.floor)
    if category.cap is not None:
        score = min(score, category.cap)
    lines.sort(key=lambda entry: (entry[0], entry[1]))
    return CategoryResult(
        code=category.code,
        name=category.name,
        raw=raw,
        start=category.start,
        cap=category.cap,
        floor=category.floor,
        score=money(score),
        lines=tuple(line for _l, _o, line in lines),
    )
