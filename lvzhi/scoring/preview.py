"""试算 (preview): a rule set's year computed in memory and compared with the scores stored now.

Before staff activate a version they see what it would do: how many members end in each grade before
and after, who changes grade (and by how much), and how many totals move. Nothing is written: the
ledger is read as compute_year reads it (services.year_results), and "before" is the MemberScores of the
rule set active now (none: everybody's "before" is empty). The number of queries does not depend on the
number of members: the ledger is streamed in chunks, scores and names are read in one query each.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lvzhi.members.models import Member

from . import selectors, services
from .models import MemberScore, RuleSet

# The grade of a member without a stored score, or of a rule set without grades (shown as "—").
NO_GRADE = ""


@dataclass(frozen=True)
class Change:
    """One member whose grade the rule set would change."""

    member_id: int
    name: str
    before_total: Decimal | None
    before_grade: str
    after_total: Decimal
    after_grade: str

    @property
    def delta(self) -> Decimal | None:
        return None if self.before_total is None else self.after_total - self.before_total


@dataclass(frozen=True)
class GradeCount:
    name: str
    before: int
    after: int

    @property
    def delta(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class Preview:
    rule_set: RuleSet
    active: RuleSet | None
    members: int
    grades: list[GradeCount]
    changes: list[Change]
    totals_changed: int
    passed_before: int = 0
    passed_after: int = 0

    @property
    def grade_changes(self) -> int:
        return len(self.changes)

    def chart_data(self, *, before_label: str, after_label: str, no_grade: str) -> dict[str, Any]:
        """The numbers of the grade chart (static/lvzhi/scoring_rules.js): the same as the table's."""
        return {
            "grades": [g.name or no_grade for g in self.grades],
            "before": [g.before for g in self.grades],
            "after": [g.after for g in self.grades],
            "labels": {"before": before_label, "after": after_label},
        }


def _grade_order(rule_set: RuleSet, active: RuleSet | None, seen: set[str]) -> list[str]:
    """The grades in the new rule set's order (highest first), then those only the active one has, then
    any other grade name still stored (a score computed with an older text), then "no grade"."""
    names: list[str] = []
    for source in (rule_set, active):
        if source is None:
            continue
        for grade in source.parsed().grades:
            if grade.name not in names:
                names.append(grade.name)
    names += sorted(name for name in seen if name and name not in names)
    if NO_GRADE in seen:
        names.append(NO_GRADE)
    return names


def _change_order(change: Change) -> tuple[Decimal, str]:
    # Largest rise first, largest fall last; a member without a stored score sorts by the new total.
    delta = change.delta if change.delta is not None else change.after_total
    return (-delta, change.name)


def preview(rule_set: RuleSet) -> Preview:
    """Compute `rule_set`'s year with its text, in memory, and compare with the stored scores of the
    rule set active for that year. Raises rules.RuleSetError if the text no longer loads."""
    committee = rule_set.committee
    parsed = rule_set.parsed()
    # The same reading as compute_year (counts where the number suffices), so a preview of a large
    # committee takes as long as computing it.
    results, _records = services.year_results(
        committee, rule_set.year, parsed, assessed=selectors.assessed_member_ids(committee)
    )
    active = selectors.active_rule_set(committee, rule_set.year)
    before: dict[int, tuple[Decimal, str]] = {}
    passed_before = 0
    if active is not None:
        for member_id, total, grade, passed in MemberScore.objects.filter(rule_set=active).values_list(
            "member_id", "total", "grade", "passed"
        ):
            before[member_id] = (total, grade)
            passed_before += bool(passed)
    seen = {grade for _total, grade in before.values()} | {r.grade for r in results.values()}
    order = _grade_order(rule_set, active, seen)
    before_counts = dict.fromkeys(order, 0)
    after_counts = dict.fromkeys(order, 0)
    for _total, grade in before.values():
        before_counts[grade] += 1
    for result in results.values():
        after_counts[result.grade] += 1

    totals_changed = 0
    moved: list[tuple[int, Decimal | None, str, Decimal, str]] = []
    for member_id, result in results.items():
        old_total, old_grade = before.get(member_id, (None, NO_GRADE))
        if old_total != result.total:
            totals_changed += 1
        if member_id not in before or old_grade != result.grade:
            moved.append((member_id, old_total, old_grade, result.total, result.grade))
    names = dict(Member.objects.filter(pk__in=[m[0] for m in moved]).values_list("pk", "name"))
    changes = sorted(
        (
            Change(
                member_id=member_id,
                name=names.get(member_id, ""),
                before_total=old_total,
                before_grade=old_grade,
                after_total=new_total,
                after_grade=new_grade,
            )
            for member_id, old_total, old_grade, new_total, new_grade in moved
        ),
        key=_change_order,
    )
    pass_mark = parsed.pass_mark
    return Preview(
        rule_set=rule_set,
        active=active,
        members=len(results),
        grades=[
            GradeCount(name=name, before=before_counts[name], after=after_counts[name]) for name in order
        ],
        changes=changes,
        totals_changed=totals_changed,
        passed_before=passed_before,
        passed_after=sum(1 for r in results.values() if pass_mark is not None and r.total >= pass_mark),
    )
