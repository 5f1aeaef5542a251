"""Duty assessment's writes: saving and activating rule sets, computing the year's scores, exporting them.

A person acting (`actor`) needs scoring.manage_rules in the committee concerned; the management commands
act as the system (actor None), audited with no actor.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook  # type: ignore[import-untyped]

from lvzhi.core import audit, xlsx
from lvzhi.ledger import kinds as ledger_kinds
from lvzhi.organization.models import Committee

from . import engine, rules, selectors
from .models import MANAGE_RULES, VIEW_SCORES, MemberScore, RuleSet

if TYPE_CHECKING:
    from lvzhi.accounts.models import User
    from lvzhi.members.models import Member

YEAR_RANGE = (1949, 2100)
EXPORT_FORMATS = ("csv", "xlsx")
NAME_MAX = RuleSet._meta.get_field("name").max_length or 200
# Rows inserted per statement when a year's scores are replaced (bulk_create, outside PostgreSQL).
BATCH_SIZE = 1000
# compute_members reads only the members' own records up to this many members, the whole year above.
FULL_READ_ABOVE = 2000


class ScoringError(ValidationError):
    """Bad input or an act the state does not allow: shown as a message, never a 500."""


@dataclass(frozen=True)
class ComputeResult:
    rule_set: RuleSet
    members: int
    records: int


def _require_right(actor: User | None, committee_id: int) -> None:
    if actor is None:
        return
    if actor.committee_id != committee_id or not actor.has_perm(MANAGE_RULES):
        raise PermissionDenied(MANAGE_RULES)


def _check_year(year: int) -> None:
    low, high = YEAR_RANGE
    if not isinstance(year, int) or isinstance(year, bool) or not low <= year <= high:
        raise ScoringError(
            _("Year: a year from %(low)s to %(high)s."), code="bad_year", params={"low": low, "high": high}
        )


GRADE_MAX = MemberScore._meta.get_field("grade").max_length or 50


def _strings(value: Any, line: int) -> Iterable[tuple[str, int]]:
    """Every string of a parsed rule set with the line of the part that holds it."""
    if isinstance(value, str):
        yield value, line
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        line = getattr(value, "line", 0) or line
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name), line)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item, line)


def _check_storable(parsed: rules.RuleSet) -> None:
    """Names and texts go into the scores' rows (the grade a column of GRADE_MAX characters, the
    categories, requirements and flags JSON): a NUL or a lone surrogate, which a quoted YAML or JSON
    string can write as an escape, or a longer grade name would make computing the year a database
    error. Refused here with the line, like any other mistake of the text."""
    problems = set()
    for value, line in _strings(parsed, 0):
        if any(ch == "\x00" or "\ud800" <= ch <= "\udfff" for ch in value):
            problems.add((line, "含有无法保存的字符（如空字符 \\0），请删除"))
    for grade in parsed.grades:
        if len(grade.name) > GRADE_MAX:
            problems.add((grade.line, f"等次名称“{grade.name[:20]}…”太长，最多 {GRADE_MAX} 个字"))
    if problems:
        raise rules.RuleSetError(sorted(problems))


def save_rule_set(
    *, actor: User | None = None, committee: Committee, year: int, text: str, activate: bool = False
) -> RuleSet:
    """Save `text` as the next version (1, 2, …) of the committee's rules for `year`, as a draft unless
    `activate`. The text is validated first: a rules.RuleSetError lists every problem with its line, and
    nothing is saved."""
    _require_right(actor, committee.pk)
    _check_year(year)
    parsed = rules.load(text)
    _check_storable(parsed)
    if parsed.year is not None and parsed.year != year:
        raise rules.RuleSetError([(0, f"细则写的年度是 {parsed.year}，与所选年度 {year} 不一致")])
    with transaction.atomic():
        # The committee row serialises version numbering: two saves at once get 1 and 2, not 1 twice.
        Committee.objects.select_for_update().filter(pk=committee.pk).first()
        last = (
            RuleSet.objects.filter(committee=committee, year=year)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        rule_set = RuleSet.objects.create(
            committee=committee,
            year=year,
            version=(last or 0) + 1,
            name=parsed.name[:NAME_MAX],
            text=text,
            created_by=actor,
        )
        audit.record(
            audit.Action.CREATE,
            actor=actor,
            committee=committee,
            obj=rule_set,
            event="scoring.rule_set_saved",
            params={"name": rule_set.name, "year": year, "version": rule_set.version},
        )
        if activate:
            rule_set = activate_rule_set(rule_set, actor=actor)
    return rule_set


def activate_rule_set(rule_set: RuleSet, *, actor: User | None) -> RuleSet:
    """Make `rule_set` the one the year's scores are computed with, retiring the one active before.
    Scores are not recomputed here: compute_year does that."""
    _require_right(actor, rule_set.committee_id)
    with transaction.atomic():
        Committee.objects.select_for_update().filter(pk=rule_set.committee_id).first()
        rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
        if rule_set.status == RuleSet.Status.ACTIVE:
            return rule_set
        # a text that no longer loads (a kind since removed) must not become active
        _check_storable(rule_set.parsed())
        previous = RuleSet.objects.filter(
            committee_id=rule_set.committee_id, year=rule_set.year, status=RuleSet.Status.ACTIVE
        )
        previous.update(status=RuleSet.Status.RETIRED)
        rule_set.status = RuleSet.Status.ACTIVE
        rule_set.activated_by = actor
        rule_set.activated_at = timezone.now()
        rule_set.save(update_fields=["status", "activated_by", "activated_at"])
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            committee=rule_set.committee_id,
            obj=rule_set,
            event="scoring.rule_set_activated",
            params={"name": rule_set.name, "year": rule_set.year, "version": rule_set.version},
        )
    return rule_set


def _category_data(c: engine.CategoryResult) -> dict[str, Any]:
    return {
        "name": c.name,
        "score": str(c.score),
        "raw": str(c.raw),
        "capped": c.capped,
        "floored": c.floored,
    }


def _score_row(
    result: engine.MemberResult, *, rule_set: RuleSet, committee_id: int, year: int, now: Any
) -> MemberScore:
    return MemberScore(
        committee_id=committee_id,
        year=year,
        member_id=result.member_id,
        rule_set=rule_set,
        total=result.total,
        grade=result.grade,
        passed=result.passed,
        categories={c.code: _category_data(c) for c in result.categories},
        unmet=[{"code": r.code, "text": r.text} for r in result.unmet],
        flags=[{"code": f.code, "text": f.text} for f in result.flags],
        computed_at=now,
    )


_COPY_COLUMNS = (
    "committee_id",
    "year",
    "member_id",
    "rule_set_id",
    "total",
    "grade",
    "passed",
    "categories",
    "unmet",
    "flags",
    "computed_at",
)


class _ScoreCopy:
    """A year's score rows written with PostgreSQL's COPY: 50 000 rows in some 2 s, where bulk_create
    takes over 10 (Django inserts through UNNEST arrays, and psycopg quotes each JSON text of them in
    Python, character by character). The JSON is the text JSONField would write; most members share
    most category results (the engine hands out one object per category and raw points), so each
    one's JSON is written once."""

    def __init__(self, *, rule_set: RuleSet, committee_id: int, year: int, now: Any) -> None:
        self.prefix = (committee_id, year)
        self.rule_set_id = rule_set.pk
        self.now = now
        # id(object) → (object, its JSON); the object is kept so that its id is not reused meanwhile
        self.json: dict[int, tuple[Any, str]] = {}
        self.entries: dict[tuple[int, ...], str] = {}

    def _category(self, c: engine.CategoryResult) -> str:
        known = self.json.get(id(c))
        if known is None:
            known = self.json[id(c)] = (c, f"{json.dumps(c.code)}: {json.dumps(_category_data(c))}")
        return known[1]

    def _entries(self, entries: tuple[rules.Requirement, ...] | tuple[rules.Flag, ...]) -> str:
        if not entries:
            return "[]"
        # the rule set's own requirement and flag objects, alive as long as it is
        key = tuple(map(id, entries))
        text = self.entries.get(key)
        if text is None:
            text = self.entries[key] = json.dumps([{"code": e.code, "text": e.text} for e in entries])
        return text

    def row(self, result: engine.MemberResult) -> tuple[Any, ...]:
        categories = "{" + ", ".join(self._category(c) for c in result.categories) + "}"
        return (
            *self.prefix,
            result.member_id,
            self.rule_set_id,
            result.total,
            result.grade,
            result.passed,
            categories,
            self._entries(result.unmet),
            self._entries(result.flags),
            self.now,
        )

    def write(self, results: Iterable[engine.MemberResult]) -> int:
        written = 0
        table = connection.ops.quote_name(MemberScore._meta.db_table)
        statement = f"COPY {table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for result in results:
                copy.write_row(self.row(result))
                written += 1
        return written


def _store_scores(
    results: Collection[engine.MemberResult], *, rule_set: RuleSet, committee_id: int, year: int, now: Any
) -> int:
    """Insert the score rows of `results` (inside the caller's transaction): COPY on PostgreSQL, else
    bulk_create."""
    if connection.vendor == "postgresql":
        copier = _ScoreCopy(rule_set=rule_set, committee_id=committee_id, year=year, now=now)
        return copier.write(results)
    rows = [_score_row(r, rule_set=rule_set, committee_id=committee_id, year=year, now=now) for r in results]
    MemberScore.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(rows)


class _Counted:
    """Passes the records (or (member, kind, n) counts) through to the engine while counting the ledger
    records they stand for: they are streamed, not listed."""

    def __init__(self, rows: Any, *, counts: bool = False) -> None:
        self.rows = rows
        self.counts = counts
        self.count = 0

    def __iter__(self) -> Any:
        for row in self.rows:
            self.count += row[2] if self.counts else 1
            yield row


def year_results(
    committee: Committee,
    year: int,
    parsed: rules.RuleSet,
    *,
    member_ids: Collection[int] | None = None,
    assessed: Collection[int] = (),
) -> tuple[dict[int, engine.MemberResult], int]:
    """The engine's results (explain=False) for the committee's `year` under `parsed`, and the number of
    ledger records they were computed from. The kinds the engine scores by their number alone
    (engine.count_only_kinds) are read as SQL GROUP BY counts, only the others as records: a county's
    year is mostly attendance, which the database counts far faster than Python reads it row by row.
    With `member_ids`: only what those members' scores need (see selectors.year_records). `assessed`:
    members who get a result even without records."""
    counted_kinds = engine.count_only_kinds(parsed, ledger_kinds.all_kinds())
    counts = _Counted(
        selectors.year_counts(committee, year, kinds=counted_kinds, member_ids=member_ids), counts=True
    )
    records = _Counted(
        selectors.year_records(committee, year, member_ids=member_ids, exclude_kinds=counted_kinds)
    )
    results = engine.compute(parsed, records, counts=counts, member_ids=assessed, explain=False)
    return results, counts.count + records.count


def _rule_set_for(committee: Committee, year: int, rule_set: RuleSet | None) -> RuleSet:
    if rule_set is None:
        rule_set = selectors.active_rule_set(committee, year)
        if rule_set is None:
            raise ScoringError(
                _("%(committee)s has no active rule set for %(year)s."),
                code="no_rule_set",
                params={"committee": committee.name, "year": year},
            )
    elif rule_set.committee_id != committee.pk or rule_set.year != year:
        raise ScoringError(_("The rule set belongs to another committee or year."), code="rule_set_mismatch")
    return rule_set


def compute_year(
    *, committee: Committee, year: int, rule_set: RuleSet | None = None, actor: User | None = None
) -> ComputeResult:
    """Compute every member's score for `year` with `rule_set` (default: the active one) and store them
    in place of that rule set's previous scores. Every member serving in the committee's current term
    gets a row, with records or without; a member with records of the year who no longer serves gets
    one too."""
    _require_right(actor, committee.pk)
    _check_year(year)
    rule_set = _rule_set_for(committee, year, rule_set)
    # Reading, scoring and writing a year make and keep some 10⁶ objects: see engine.gc_paused.
    with engine.gc_paused(), transaction.atomic():
        results, records = year_results(
            committee, year, rule_set.parsed(), assessed=selectors.assessed_member_ids(committee)
        )
        MemberScore.objects.filter(rule_set=rule_set).delete()
        members = _store_scores(
            results.values(), rule_set=rule_set, committee_id=committee.pk, year=year, now=timezone.now()
        )
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            committee=committee,
            obj=rule_set,
            event="scoring.scores_computed",
            params={"year": year, "version": rule_set.version, "members": members},
            detail={"records": records},
        )
    return ComputeResult(rule_set=rule_set, members=members, records=records)


def compute_members(*, committee: Committee, year: int, member_ids: Collection[int]) -> int:
    """Recompute the scores of `member_ids` for `year` with the committee's active rule set, after a
    change to their ledger (lvzhi.scoring.tasks). Only their records and their co-authors' records of the
    same items are read. Returns how many scores were written (0 without an active rule set). Not
    audited: the ledger change that prompted it is, and the scores follow from it."""
    rule_set = selectors.active_rule_set(committee, year)
    if rule_set is None or not member_ids:
        return 0
    member_ids = set(member_ids)
    # A closed plenary names every member: past some thousands the whole year is read (one GROUP BY,
    # as compute_year does) rather than queries listing every id; the scores are the same.
    wanted = member_ids if len(member_ids) <= FULL_READ_ABOVE else None
    with engine.gc_paused(), transaction.atomic():
        results, _records = year_results(
            committee, year, rule_set.parsed(), member_ids=wanted, assessed=member_ids
        )
        MemberScore.objects.filter(rule_set=rule_set, member_id__in=member_ids).delete()
        return _store_scores(
            [results[member_id] for member_id in sorted(member_ids)],
            rule_set=rule_set,
            committee_id=committee.pk,
            year=year,
            now=timezone.now(),
        )


def compute_member(*, member: Member, year: int) -> MemberScore | None:
    """Recompute one member's score for `year` (see compute_members); None without an active rule set."""
    if not compute_members(committee=member.committee, year=year, member_ids=[member.pk]):
        return None
    return MemberScore.objects.get(member=member, year=year, rule_set__status=RuleSet.Status.ACTIVE)


# --- export -----------------------------------------------------------------------------------------


def _yes_no(passed: bool | None) -> str:
    if passed is None:
        return ""
    return "是" if passed else "否"


def _table_rows(table: selectors.ScoreTable, *, with_committee: bool) -> tuple[list[str], list[list[Any]]]:
    headers = [
        "身份证号",
        "姓名",
        *(name for _code, name in table.categories),
        "总分",
        "等次",
        "是否合格",
        "未达基本要求",
    ]
    if with_committee:
        headers.insert(0, "委员会")
    rows = []
    for row in table.rows:
        values: list[Any] = [
            row["id_number"],
            row["name"],
            *(row["categories"].get(code) for code, _name in table.categories),
            row["total"],
            row["grade"],
            _yes_no(row["passed"]),
            "、".join(row["unmet"]),
        ]
        if with_committee:
            values.insert(0, table.committee.name)
        rows.append(values)
    return headers, rows


def _csv(tables: list[selectors.ScoreTable]) -> bytes:
    """One CSV; with several committees (whose categories may differ) the category columns are the
    union by name, in order of first appearance, and a committee column comes first."""
    several = len(tables) > 1
    names: list[str] = []
    for table in tables:
        names.extend(name for _code, name in table.categories if name not in names)
    headers = ["身份证号", "姓名", *names, "总分", "等次", "是否合格", "未达基本要求"]
    if several:
        headers.insert(0, "委员会")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for table in tables:
        name_of = dict(table.categories)
        for row in table.rows:
            by_name = {name_of[code]: score for code, score in row["categories"].items()}
            values: list[Any] = [
                row["id_number"],
                row["name"],
                *(by_name.get(name, "") for name in names),
                row["total"],
                row["grade"],
                _yes_no(row["passed"]),
                "、".join(row["unmet"]),
            ]
            if several:
                values.insert(0, table.committee.name)
            writer.writerow([xlsx.safe_cell(v) if isinstance(v, str) else v for v in values])
    # With a BOM, Excel (and WPS) read the file as UTF-8 instead of the system's GBK.
    return out.getvalue().encode("utf-8-sig")


def _workbook(tables: list[selectors.ScoreTable], year: int) -> bytes:
    """One sheet per committee, each with that committee's categories."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(title=table.committee.code[:31])
        headers, rows = _table_rows(table, with_committee=False)
        xlsx.start_sheet(sheet, headers, title=f"{table.committee.name}{year}年度委员履职考核得分")
        for values in rows:
            xlsx.append_row(sheet, values)
        xlsx.fit_columns(sheet, header_row=2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _require_view_right(actor: User | None, committee_id: int) -> None:
    # The scores are read (and exported) by everyone who sees them all, leaders included, not only by
    # those who edit the rules.
    if actor is None:
        return
    if actor.committee_id != committee_id or not actor.has_perm(VIEW_SCORES):
        raise PermissionDenied(VIEW_SCORES)


def export_scores(
    *, committees: list[Committee], year: int, fmt: str, filename: str, actor: User | None = None
) -> bytes:
    """The stored scores of `year` for `committees` as CSV (UTF-8 with BOM) or xlsx: one row per member,
    ID numbers masked, formula-like text escaped. Audited as an export per committee."""
    if fmt not in EXPORT_FORMATS:
        raise ScoringError(_("Format: csv or xlsx."), code="bad_format")
    _check_year(year)
    for committee in committees:
        _require_view_right(actor, committee.pk)
    tables = [selectors.score_table(committee, year) for committee in committees]
    content = _csv(tables) if fmt == "csv" else _workbook(tables, year)
    for table in tables:
        audit.record(
            audit.Action.EXPORT,
            actor=actor,
            committee=table.committee,
            event="scoring.scores_exported",
            params={"year": year, "file": filename},
            detail={"rows": len(table.rows), "format": fmt},
        )
    return content
