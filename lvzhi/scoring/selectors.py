"""Reads for duty assessment: the active rule set, who is assessed, the ledger as engine records, and the
score table that exports write."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count

from lvzhi.core import masking
from lvzhi.ledger.models import DutyRecord
from lvzhi.members.models import MemberTerm

from .engine import Record
from .models import MemberScore, RuleSet

if TYPE_CHECKING:
    from lvzhi.organization.models import Committee

# Ledger rows fetched per round trip while streaming a year (a county year is some 10⁵ rows; 50 000
# members' years some 10⁶): big enough to keep round trips few, small enough to keep memory flat.
CHUNK_SIZE = 5000
# Rows of (member, kind, count) fetched per round trip: a year of 50 000 members is some 10⁶ such rows,
# three short values each.
COUNT_CHUNK_SIZE = 20000

_RECORD_FIELDS = ("id", "member_id", "kind", "date", "role", "share", "source_type_id", "source_id")


def active_rule_set(committee: Committee | int, year: int) -> RuleSet | None:
    committee_id = committee if isinstance(committee, int) else committee.pk
    return RuleSet.objects.filter(committee_id=committee_id, year=year, status=RuleSet.Status.ACTIVE).first()


def assessed_member_ids(committee: Committee) -> list[int]:
    """The members every year's scores list even without a single record: those serving in the
    committee's current term."""
    return list(
        MemberTerm.objects.filter(
            term__committee=committee, term__is_current=True, status=MemberTerm.Status.SERVING
        )
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def year_records(
    committee: Committee,
    year: int,
    *,
    member_ids: Collection[int] | None = None,
    exclude_kinds: Collection[str] = (),
) -> Iterator[Record]:
    """The committee's ledger records dated in `year` as engine records, streamed. The item names the
    source (`"<content type id>:<source id>"`), so that the records of one proposal or report are one
    piece of joint work.

    With `member_ids`: those members' records and their co-authors' records of the same items, which a
    split needs (a joint proposal's lead gets half only if the engine sees the others).

    `exclude_kinds`: kinds left out (those that year_counts counts instead); their sources are not
    followed to co-authors either, so one member's year does not read a whole plenary's attendance."""
    qs = DutyRecord.objects.filter(committee=committee, date__range=_year_bounds(year)).order_by()
    if exclude_kinds:
        qs = qs.exclude(kind__in=list(exclude_kinds))
    wanted: set[tuple[int, int]] | None = None
    if member_ids is not None:
        wanted = set(qs.filter(member_id__in=member_ids).values_list("source_type_id", "source_id"))
        qs = qs.filter(source_type_id__in={t for t, _s in wanted}, source_id__in={s for _t, s in wanted})
    for pk, member_id, kind, date, role, share, source_type_id, source_id in qs.values_list(
        *_RECORD_FIELDS
    ).iterator(chunk_size=CHUNK_SIZE):
        if wanted is not None and (source_type_id, source_id) not in wanted:
            continue
        yield Record(
            id=pk,
            member_id=member_id,
            kind=kind,
            date=date,
            role=role,
            share=share,
            item=f"{source_type_id}:{source_id}",
        )


def year_counts(
    committee: Committee, year: int, *, kinds: Collection[str], member_ids: Collection[int] | None = None
) -> Iterator[tuple[int, str, int]]:
    """(member id, kind, number of records) of the committee's ledger records of `kinds` dated in
    `year` (of `member_ids` only, if given): one SQL GROUP BY, streamed. For the kinds the engine scores
    by their number alone (engine.count_only_kinds), this is all it needs of them."""
    if not kinds:
        return iter(())
    qs = DutyRecord.objects.filter(
        committee=committee, date__range=_year_bounds(year), kind__in=list(kinds)
    ).order_by()
    if member_ids is not None:
        qs = qs.filter(member_id__in=list(member_ids))
    rows = qs.values_list("member_id", "kind").annotate(n=Count("*"))
    return rows.iterator(chunk_size=COUNT_CHUNK_SIZE)


@dataclass(frozen=True)
class ScoreTable:
    """The scores of one committee's year as rows for an export: categories in the rule set's order."""

    committee: Committee
    rule_set: RuleSet | None
    categories: list[tuple[str, str]]  # (code, name)
    rows: list[dict[str, Any]]


def score_table(committee: Committee, year: int) -> ScoreTable:
    """One row per member scored with the committee's active rule set for `year`, by the member's name
    order (pinyin): the ID number masked (6+4), never in full."""
    rule_set = active_rule_set(committee, year)
    if rule_set is None:
        return ScoreTable(committee=committee, rule_set=None, categories=[], rows=[])
    categories = [(c.code, c.name) for c in rule_set.parsed().categories]
    scores = (
        MemberScore.objects.filter(rule_set=rule_set)
        .select_related("member")
        .order_by("member__name_pinyin_key", "member_id")
    )
    rows = []
    for score in scores:
        member = score.member
        rows.append(
            {
                "id_number": masking.mask_id_number(member.id_number),
                "name": member.name,
                "categories": {
                    code: Decimal(score.categories[code]["score"])
                    for code, _name in categories
                    if code in score.categories
                },
                "total": score.total,
                "grade": score.grade,
                "passed": score.passed,
                "unmet": [entry["text"] for entry in score.unmet],
            }
        )
    return ScoreTable(committee=committee, rule_set=rule_set, categories=categories, rows=rows)
