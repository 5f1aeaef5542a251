"""One member's score explained: "why do I have 72?".

The stored MemberScore says what the member has; the explanation is computed afresh with the active rule
set over the member's records and their co-authors' records of the same items (a split needs them), and
joined to the ledger rows so that every line shows its rule (with the rule set's line number) and the
records it scored, each with the points it earned. When the ledger changed after the score was stored,
the fresh numbers differ from the stored ones: the page says so (the background recompute catches up).

Reads only: a constant number of queries whatever the number of records (the records in one query, their
sources prefetched once per source type for the links).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from lvzhi.ledger.models import DutyRecord

from . import engine, rules, selectors
from .models import MemberScore, RuleSet

if TYPE_CHECKING:
    from lvzhi.members.models import Member


@dataclass(frozen=True)
class ScoredRecord:
    """A ledger record on a line of the explanation and the points it earned there."""

    record: DutyRecord
    points: Decimal


@dataclass(frozen=True)
class ExplainedLine:
    rule_text: str
    rule_line: int
    kind: str
    note: str
    records: tuple[ScoredRecord, ...]
    subtotal: Decimal


@dataclass(frozen=True)
class ExplainedCategory:
    code: str
    name: str
    raw: Decimal
    start: Decimal
    cap: Decimal | None
    floor: Decimal
    score: Decimal
    # The stored score of the category, when it differs from the fresh one (None: the same, or nothing stored)
    stored_score: Decimal | None
    lines: tuple[ExplainedLine, ...]
    limits: tuple[str, ...]  # "Capped at 25 points; 3 points over the cap do not count." and the like

    @property
    def records_count(self) -> int:
        return sum(len(line.records) for line in self.lines)


@dataclass(frozen=True)
class Explanation:
    member: Member
    year: int
    rule_set: RuleSet | None
    score: MemberScore | None  # the stored row, if any
    categories: tuple[ExplainedCategory, ...] = ()
    total: Decimal | None = None
    grade: str = ""
    passed: bool | None = None
    unmet: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    unscored: tuple[DutyRecord, ...] = ()
    # The fresh computation differs from the stored score (or nothing is stored yet).
    stale: bool = False
    records_count: int = 0
    errors: tuple[str, ...] = field(default=())

    @property
    def has_rules(self) -> bool:
        return self.rule_set is not None


def _limits(category: engine.CategoryResult) -> tuple[str, ...]:
    """What the start, the floor and the cap did to the category, in words for the member."""
    notes = []
    if category.start:
        notes.append(
            _("Starts at %(start)s points; the points below are added to or taken from it.")
            % {"start": _number(category.start)}
        )
    if category.capped and category.cap is not None:
        notes.append(
            _("Capped at %(cap)s points; %(over)s points over the cap do not count.")
            % {"cap": _number(category.cap), "over": _number(category.before_limits - category.cap)}
        )
    if category.floored:
        notes.append(
            _("Never below %(floor)s points; %(under)s points under it are not taken off.")
            % {"floor": _number(category.floor), "under": _number(category.floor - category.before_limits)}
        )
    return tuple(notes)


def _number(value: Decimal) -> str:
    """12.50 → "12.5", 15.00 → "15": points as people write them."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def stored_score(member: Member, year: int, rule_set: RuleSet | None) -> MemberScore | None:
    if rule_set is None:
        return None
    return MemberScore.objects.filter(member=member, rule_set=rule_set).first()


def explain_member(member: Member, year: int) -> Explanation:
    """The member's stored score for `year` and its explanation, computed now with the committee's
    active rule set."""
    rule_set = selectors.active_rule_set(member.committee_id, year)
    if rule_set is None:
        return Explanation(member=member, year=year, rule_set=None, score=None)
    score = stored_score(member, year, rule_set)
    try:
        parsed = rule_set.parsed()
    except rules.RuleSetError as error:
        # A kind the rules name was removed since they were activated: the stored score still shows.
        return Explanation(
            member=member, year=year, rule_set=rule_set, score=score, errors=tuple(error.messages)
        )
    records = list(selectors.year_records(member.committee, year, member_ids=[member.pk]))
    result = engine.compute(parsed, records, member_ids=[member.pk], explain=True)[member.pk]

    own_ids = [r.id for r in records if r.member_id == member.pk]
    by_id = {
        record.pk: record
        for record in DutyRecord.objects.filter(pk__in=own_ids)
        .select_related("source_type")
        .prefetch_related("source")
    }

    stored_categories = score.categories if score is not None else {}
    categories = []
    for category in result.categories:
        stored = stored_categories.get(category.code, {}).get("score")
        stored_value = Decimal(stored) if stored is not None else None
        lines = []
        for line in category.lines:
            scored = tuple(
                ScoredRecord(record=by_id[record_id], points=points)
                for record_id, points in zip(line.record_ids, line.points, strict=True)
                if record_id in by_id
            )
            lines.append(
                ExplainedLine(
                    rule_text=line.rule_text,
                    rule_line=line.rule_line,
                    kind=line.rule.kind,
                    note=line.note,
                    records=scored,
                    subtotal=line.subtotal,
                )
            )
        categories.append(
            ExplainedCategory(
                code=category.code,
                name=category.name,
                raw=category.raw,
                start=category.start,
                cap=category.cap,
                floor=category.floor,
                score=category.score,
                stored_score=stored_value
                if stored_value is not None and stored_value != category.score
                else None,
                lines=tuple(lines),
                limits=_limits(category),
            )
        )
    stale = score is None or score.total != result.total or score.grade != result.grade
    stale = stale or any(c.stored_score is not None for c in categories)
    return Explanation(
        member=member,
        year=year,
        rule_set=rule_set,
        score=score,
        categories=tuple(categories),
        total=result.total,
        grade=result.grade,
        passed=result.passed,
        unmet=tuple(r.text for r in result.unmet),
        flags=tuple(f.text for f in result.flags),
        unscored=tuple(by_id[i] for i in result.unscored if i in by_id),
        stale=stale,
        records_count=len(own_ids),
    )


def score_years(member: Member) -> list[int]:
    """The years for which the member has a score under the active rule set, latest first."""
    return sorted(
        set(
            MemberScore.objects.filter(member=member, rule_set__status=RuleSet.Status.ACTIVE).values_list(
                "year", flat=True
            )
        ),
        reverse=True,
    )
