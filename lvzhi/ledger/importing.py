"""Historical duty records from a spreadsheet: read the file, clean every row, plan the import.

    table = read_table(fileobj, filename)                       # checks the upload, finds the header row
    plan = plan_import(committee=c, table=table, file_name=n)   # no writes; a constant number of queries
    preview = summarize(plan)                                   # what the preview page keeps (masked)

import_services writes a plan (one DutyImportItem per item, its records through sync_records); the
import_duty_records command and the pages in import_views run both. The columns and the rules are
documented for the office in docs/duty-import.md; the template is built by import_template.py.

Rules worth knowing:

- Columns are found by their header text (COLUMN_ALIASES) in a header row anywhere in the first
  HEADER_SCAN_ROWS rows, as the roster import finds them (its sheet readers are reused). 日期 and 类型
  are required, and 身份证号 or 姓名.
- A member is found by ID number through the blind index, or without one by name (and 界别 when given):
  exactly one member of the committee must match.
- 类型 is a ledger kind code (proposal.submitted) or its label in the site's language or English.
- 事项 groups the rows of one piece of work (a proposal's title or number) into one item, so that the
  rule sets can split joint work by role; a row without one is an item of its own. The same member and
  kind twice in one item is an error of the later row.
- 角色 is read into the ledger roles (kinds.ROLES): lead, co, collective, merged.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from lvzhi.core.log_filters import redact
from lvzhi.core.masking import mask_id_number
from lvzhi.core.uploads import CSV, XLS, XLSX, UploadRefused, check_spreadsheet
from lvzhi.members.models import Member, MemberTerm
from lvzhi.members.roster_import import clean as roster_clean
from lvzhi.members.roster_import import read as roster_read
from lvzhi.organization.models import OrgUnit

from . import kinds
from .models import DutyImportItem, DutyRecord

COLUMN_ALIASES = {
    "id_number": ["身份证号", "身份证号码", "公民身份号码", "证件号码"],
    "name": ["姓名", "委员姓名", "委员"],
    "sector": ["界别", "所在界别"],
    "date": ["日期", "时间", "履职日期", "活动日期", "会议日期", "提交日期"],
    "kind": ["类型", "履职类型", "记录类型", "类别", "项目类型"],
    "item": ["事项", "事项名称", "标题", "提案标题", "提案名称", "信息标题", "编号", "案号", "提案号"],
    "role": ["角色", "身份", "提案人类型"],
    "note": ["备注", "说明"],
}
# The headers the template uses, by field, for the messages that name a missing column.
TEMPLATE_HEADERS = {name: aliases[0] for name, aliases in COLUMN_ALIASES.items()}
IGNORED_HEADERS = {"序号", "编号序号", "No.", "NO"}
HEADER_SCAN_ROWS = roster_read.HEADER_SCAN_ROWS
MAX_ROWS = 20_000
# The template's sample rows say so in their 备注 cell; a file that keeps them imports them not.
SAMPLE_MARKER = "示例"

# 角色 as people write it → the ledger role (kinds.ROLES).
ROLE_ALIASES = {
    "lead": [
        "lead",
        "first",
        "第一提案人",
        "第一",
        "领衔",
        "领衔人",
        "领衔提案人",
        "第一作者",
        "主笔",
        "提案人",
    ],
    "co": ["co", "joint", "联名", "联名人", "联名提案人", "附议", "附议人", "合作者", "第二作者"],
    "collective": ["collective", "集体", "集体提案", "主要执笔人", "执笔人", "集体提案执笔人"],
    "merged": ["merged", "被合并", "合并", "并案"],
}
EARLIEST_YEAR = 1950
# The language of what the import writes as data (the items' labels, the ledger's source labels) and of
# the kind labels it reads: offices keep their sheets in Chinese whatever language a reader's page uses.
DATA_LANGUAGE = "zh-hans"
# A DutyImportItem key; longer 事项 texts are cut and told apart by a digest of the whole text.
KEY_LENGTH = DutyImportItem._meta.get_field("key").max_length
LABEL_LENGTH = DutyImportItem._meta.get_field("label").max_length
NOTE_LENGTH = DutyRecord._meta.get_field("note").max_length
# The preview keeps this many error lines and sample rows; the counts are always complete.
PREVIEW_ERRORS = 1_000
PREVIEW_SAMPLE = 20
PREVIEW_WARNINGS = 200
# ID digests or names per query when finding the members: far below SQLite's bind-parameter limit.
MATCH_BATCH = 5_000


class _Invalid(Exception):
    """A cell that cannot be read; its message becomes the row's issue."""


def _key(text):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def normalize_header(text):
    return roster_read.normalize_header(text)


ALIAS_FIELD = {normalize_header(alias): name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}
ROLE_FIELD = {_key(alias).lower(): role for role, aliases in ROLE_ALIASES.items() for alias in aliases}


# --- reading ---------------------------------------------------------------------------------------


@dataclass
class DutyTable:
    kind: str
    header_row: int | None = None
    headers: dict[int, str] = field(default_factory=dict)  # column index → header text as in the file
    fields: dict[str, int] = field(default_factory=dict)  # field → column index
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (row number as seen, cells)
    issues: list[str] = field(default_factory=list)
    unknown_columns: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def header(self, name):
        """The header text of a field's column as in the file (the template's name if it has none)."""
        index = self.fields.get(name)
        if index is None:
            return TEMPLATE_HEADERS.get(name, name)
        return self.headers.get(index) or roster_read._column_letter(index)

    def cell(self, values, name):
        index = self.fields.get(name)
        if index is None or index >= len(values):
            return None
        value = values[index]
        if isinstance(value, str) and not value.strip():
            return None
        return value


def read_table(fileobj, filename):
    """Check the upload (uploads.check_spreadsheet) and read its sheet of records; raise UploadRefused
    for a file that is not a readable spreadsheet. A missing header row or column is a table issue."""
    kind = check_spreadsheet(fileobj, filename)
    readers = {
        XLSX: roster_read._xlsx_sheets,
        XLS: roster_read._xls_sheets,
        CSV: roster_read._csv_sheets,
    }
    sheets, close = readers[kind](fileobj)
    try:
        return _read(kind, sheets)
    finally:
        close()


def _without_nul(rows):
    """The rows with NUL characters taken out of every text cell: a CSV (past the part the upload check
    reads) or an old .xls can carry them, and PostgreSQL stores them in no text or JSON column (the
    preview, the items, the records), so they were a server error. A NUL means nothing in a cell."""

    def read():
        for number, values in rows():
            yield number, tuple(v.replace("\x00", "") if isinstance(v, str) else v for v in values)

    return read


def _read(kind, sheets):
    best = None
    for _sheet_name, sheet_rows in sheets:
        rows = _without_nul(sheet_rows)
        head = []
        for number, values in rows():
            if roster_read._is_empty(values):
                continue
            head.append((number, values))
            if len(head) >= HEADER_SCAN_ROWS:
                break
        header = _find_header(head)
        score = (_has_required(header[1]) if header else False, len(header[1]) if header else 0)
        if best is None or score > best[0]:
            best = (score, rows, header)
    if best is None:
        raise UploadRefused(_("The file contains no worksheet."))
    _score, rows, header = best
    table = DutyTable(kind=kind)
    if header is None:
        table.issues.append(
            _(
                "No header row was found: none of the first %(n)d rows names the columns (for example %(examples)s)."
            )
            % {"n": HEADER_SCAN_ROWS, "examples": "身份证号、日期、类型"}
        )
        return table
    table.header_row, table.fields, table.headers, table.unknown_columns = header
    for name in ("date", "kind"):
        if name not in table.fields:
            table.issues.append(
                _("The required column “%(column)s” is missing from the header row (row %(row)d).")
                % {"column": TEMPLATE_HEADERS[name], "row": table.header_row}
            )
    if "id_number" not in table.fields and "name" not in table.fields:
        table.issues.append(
            _(
                "The header row (row %(row)d) has neither a “%(id)s” nor a “%(name)s” column to find the members by."
            )
            % {"row": table.header_row, "id": TEMPLATE_HEADERS["id_number"], "name": TEMPLATE_HEADERS["name"]}
        )
    width = max(table.fields.values()) + 1
    for number, values in rows():
        values = tuple(values[:width])
        if number <= table.header_row or roster_read._is_empty(
            values[i] for i in table.fields.values() if i < len(values)
        ):
            continue
        if str(table.cell(values, "note") or "").strip().startswith(SAMPLE_MARKER):
            table.skipped.append(
                _("Row %(row)d is a sample row of the template and was skipped.") % {"row": number}
            )
            continue
        if len(table.rows) >= MAX_ROWS:
            raise UploadRefused(
                _("The file has more than %(n)s rows. Split it into smaller files.") % {"n": f"{MAX_ROWS:,}"}
            )
        table.rows.append((number, values))
    return table


def _has_required(fields):
    return "date" in fields and "kind" in fields and ("id_number" in fields or "name" in fields)


def _find_header(rows):
    """The row (among the first ones) naming the most known columns: (row, fields, headers, unknown)."""
    best = None
    for number, values in rows:
        fields, headers, unknown = {}, {}, []
        for index, value in enumerate(values):
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            text = re.sub(r"\s+", "", str(value))
            name = ALIAS_FIELD.get(normalize_header(value)) if isinstance(value, str) else None
            if name and name not in fields:
                fields[name] = index
                headers[index] = text
            elif normalize_header(text) not in IGNORED_HEADERS:
                unknown.append((roster_read._column_letter(index), text))
        if fields and (best is None or len(fields) > len(best[1])):
            best = (number, fields, headers, unknown)
    return best


# --- cleaning --------------------------------------------------------------------------------------

DATE_TEXT = re.compile(r"^(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?$")
DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def clean_date(value, *, today=None):
    """A day from a date cell, an Excel day number, or text such as 2026-03-05, 2026.3.5, 2026年3月5日
    or 20260305; a day after today is refused (the import is for records of what happened)."""
    today = today or datetime.date.today()
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, bool):
        raise _Invalid(_date_message(value))
    elif isinstance(value, (int, float)):
        day = _date_from_number(value)
    else:
        text = TIME_SUFFIX.sub("", unicodedata.normalize("NFKC", str(value)).strip()).strip()
        match = DATE_TEXT.match(text) or DATE_COMPACT.match(text)
        if not match:
            raise _Invalid(_date_message(value))
        day = _real_date(*(int(g) for g in match.groups()))
    if day.year < EARLIEST_YEAR:
        raise _Invalid(_("%(date)s is too early for a duty record.") % {"date": day.isoformat()})
    if day > today:
        raise _Invalid(_("%(date)s is in the future.") % {"date": day.isoformat()})
    return day


def _date_from_number(value):
    if float(value).is_integer() and 19000101 <= value <= 21001231:
        number = int(value)
        return _real_date(number // 10000, number // 100 % 100, number % 100)
    if 1 <= value < 80000:
        from openpyxl.utils.datetime import from_excel

        return from_excel(int(value)).date()
    raise _Invalid(_date_message(value))


def _real_date(year, month, day):
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise _Invalid(_("%(value)s is not a real date.") % {"value": f"{year}-{month}-{day}"}) from exc


def _date_message(value):
    return _("“%(value)s” is not a date; write it as 2026-03-05, 2026.3.5 or 2026年3月5日.") % {
        "value": value
    }


class KindIndex:
    """Every ledger kind by its code and its labels: Chinese (the labels offices write and the template
    lists, whatever the reader's language), the site's language and English."""

    def __init__(self):
        self.by_key = {}
        self.labels = {}
        codes = kinds.all_kinds()
        for code in codes:
            self.by_key[code.lower()] = code
        for language in (DATA_LANGUAGE, settings.LANGUAGE_CODE, "en"):
            with translation.override(language):
                for code in codes:
                    label = str(kinds.label(code))
                    self.by_key.setdefault(self._normal(label), code)
                    if language == DATA_LANGUAGE:
                        self.labels[code] = label

    @staticmethod
    def _normal(text):
        return _key(text).replace("：", ":").lower()

    def find(self, value):
        text = self._normal(value)
        code = self.by_key.get(text)
        if code is None:
            raise _Invalid(self._unknown(value, text))
        return code

    def _unknown(self, value, text):
        names = list(self.labels.values()) + list(self.labels)
        nearest = difflib.get_close_matches(text, [self._normal(n) for n in names], n=3, cutoff=0.3)
        shown = []
        for key in nearest:
            code = self.by_key.get(key)
            if code and self.labels.get(code) not in shown:
                shown.append(self.labels[code])
        if shown:
            return _("“%(value)s” is not a duty-record kind. Did you mean %(nearest)s?") % {
                "value": value,
                "nearest": "、".join(shown),
            }
        return _("“%(value)s” is not a duty-record kind; the template's 说明 sheet lists them all.") % {
            "value": value
        }


def clean_role(value):
    text = _key(value).lower()
    role = ROLE_FIELD.get(text)
    if role is None:
        raise _Invalid(
            _("“%(value)s” is not a role; write %(choices)s, or leave it empty.")
            % {"value": value, "choices": "领衔（第一提案人）、联名（附议）、集体"}
        )
    return role


def clean_item(value):
    """(key, title): the 事项 text as typed (spaces tidied), and the key that groups rows by it."""
    title = roster_clean.clean_text(value)
    key = "t:" + _key(title)
    if len(key) > KEY_LENGTH:
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        key = f"{key[: KEY_LENGTH - 18]}#{digest}"
    return key, title


# --- members ---------------------------------------------------------------------------------------


class MemberIndex:
    """The committee's members the rows name, loaded at once (a constant number of queries): by the
    blind index of their ID number, and by name with the sectors of their terms."""

    def __init__(self, committee, digests, names):
        self.by_digest = {}
        self.by_name = defaultdict(list)
        self.sectors_of = defaultdict(set)
        digests, names = sorted(digests), sorted(names)
        members = {}
        for start in range(0, max(len(digests), len(names)), MATCH_BATCH):
            query = Member.objects.filter(committee=committee).only(
                "id", "committee_id", "name", "id_number", "id_number_index"
            )
            chunk = query.filter(id_number_index__in=digests[start : start + MATCH_BATCH]) | query.filter(
                name__in=names[start : start + MATCH_BATCH]
            )
            members.update((m.pk, m) for m in chunk)
        members = list(members.values())
        for member in members:
            self.by_digest[member.id_number_index] = member
            self.by_name[member.name].append(member)
        wanted_names = set(names)
        by_pk = {m.pk: m for m in members if m.name in wanted_names}
        if by_pk:
            for member_id, sector_id in MemberTerm.objects.filter(
                member_id__in=list(by_pk), sector__isnull=False
            ).values_list("member_id", "sector_id"):
                self.sectors_of[member_id].add(sector_id)
        self.sectors = roster_clean._UnitIndex(
            list(
                OrgUnit.objects.filter(committee=committee, kind=OrgUnit.Kind.SECTOR).only(
                    "id", "name", "short_name"
                )
            ),
            roster_clean._sector_variants,
        )


# --- planning --------------------------------------------------------------------------------------


@dataclass
class RowIssue:
    row: int
    column: str
    message: str


@dataclass
class PlannedRow:
    row: int
    name: str = ""
    id_number: str = ""
    digest: str = ""
    sector: str = ""
    member: Member | None = None
    date: datetime.date | None = None
    kind: str = ""
    item_key: str = ""
    item_title: str = ""
    role: str = ""
    note: str = ""
    issues: list[RowIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self):
        return not self.issues


@dataclass
class ImportPlan:
    file_name: str
    rows: list[PlannedRow]
    file_issues: list[str]
    columns: dict[str, str]
    unknown_columns: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    kind_labels: dict[str, str] = field(default_factory=dict)

    @property
    def valid_rows(self):
        return [row for row in self.rows if row.valid]

    @property
    def error_rows(self):
        return [row for row in self.rows if not row.valid]

    def items(self):
        """The valid rows by item, in the order of their first row: [(key, label, first row, rows)]."""
        grouped = {}
        for row in self.valid_rows:
            grouped.setdefault(row.item_key, []).append(row)
        result = []
        for key, rows in grouped.items():
            what = rows[0].item_title or self.kind_labels.get(rows[0].kind, rows[0].kind)
            result.append((key, self.item_label(what), rows[0].row, rows))
        return result

    def item_label(self, what):
        """The item's name in the ledger (its records' source label): 导入：<事项 or kind> (<file>)."""
        suffix = f" ({self.file_name[:60]})"
        head = "导入："
        room = LABEL_LENGTH - len(head) - len(suffix)
        if len(what) > room:
            what = what[: room - 1] + "…"
        return f"{head}{what}{suffix}"


def plan_import(*, committee, table, file_name, today=None):
    """Clean, check and match every row; write nothing. A fixed number of queries whatever the rows."""
    kind_index = KindIndex()
    plan = ImportPlan(
        file_name=file_name,
        rows=[],
        file_issues=list(table.issues),
        columns={name: table.header(name) for name in table.fields},
        unknown_columns=list(table.unknown_columns),
        skipped=list(table.skipped),
        kind_labels=kind_index.labels,
    )
    if plan.file_issues:
        return plan
    rows = [_clean(table, number, values, kind_index, today) for number, values in table.rows]
    members = MemberIndex(
        committee,
        digests={r.digest for r in rows if r.digest},
        names={r.name for r in rows if r.name and not r.digest},
    )
    for row in rows:
        _match_member(row, members, table)
    _flag_duplicates(rows, table)
    _warn_existing(committee, rows)
    plan.rows = rows
    return plan


def _clean(table, number, values, kind_index, today):
    row = PlannedRow(row=number)

    def issue(name, message):
        row.issues.append(RowIssue(number, table.header(name), str(message)))

    def run(name, cleaner):
        value = table.cell(values, name)
        if value is None:
            return None
        try:
            return cleaner(value)
        except (_Invalid, roster_clean._Invalid) as exc:
            issue(name, exc.args[0])
            return None

    row.name = run("name", roster_clean.clean_name) or ""
    parsed = run("id_number", roster_clean.clean_id_number)
    if parsed:
        row.id_number = parsed.value
        row.digest = Member._meta.get_field("id_number_index").digest(parsed.value)
    elif table.cell(values, "id_number") is None and not row.name:
        issue(
            "id_number" if "id_number" in table.fields else "name", _("Give the member's ID number or name.")
        )
    row.sector = roster_clean.clean_text(table.cell(values, "sector"))

    if table.cell(values, "date") is None:
        issue("date", _("The date is empty."))
    else:
        row.date = run("date", lambda v: clean_date(v, today=today))
    if table.cell(values, "kind") is None:
        issue("kind", _("The kind is empty."))
    else:
        row.kind = run("kind", kind_index.find) or ""
    row.role = run("role", clean_role) or ""
    if table.cell(values, "item") is not None:
        row.item_key, row.item_title = clean_item(table.cell(values, "item"))
    else:
        row.item_key = f"r:{number}"
    note = table.cell(values, "note")
    if note is not None:
        row.note = str(note).strip() if isinstance(note, str) else roster_clean.clean_text(note)
        if len(row.note) > NOTE_LENGTH:
            issue("note", _("This is longer than %(max)d characters.") % {"max": NOTE_LENGTH})
    return row


def _match_member(row, members, table):
    if row.digest:
        member = members.by_digest.get(row.digest)
        if member is None:
            row.issues.append(
                RowIssue(
                    row.row, table.header("id_number"), _("No member of this committee has this ID number.")
                )
            )
        elif row.name and row.name != member.name:
            row.issues.append(
                RowIssue(
                    row.row,
                    table.header("name"),
                    _("The ID number belongs to %(member)s, not to %(name)s.")
                    % {"member": member.name, "name": row.name},
                )
            )
        else:
            row.member = member
        return
    if not row.name or any(i.column == table.header("id_number") for i in row.issues):
        return
    candidates = members.by_name.get(row.name, [])
    if row.sector:
        unit = members.sectors.find(row.sector)
        if unit is None:
            suggestions = members.sectors.suggestions(row.sector)
            message = (
                _("There is no sector “%(value)s”. Did you mean %(suggestions)s?")
                % {"value": row.sector, "suggestions": "、".join(suggestions)}
                if suggestions
                else _("There is no sector “%(value)s” in this committee.") % {"value": row.sector}
            )
            row.issues.append(RowIssue(row.row, table.header("sector"), message))
            return
        candidates = [m for m in candidates if unit.pk in members.sectors_of[m.pk]]
    if len(candidates) == 1:
        row.member = candidates[0]
        return
    if not candidates:
        message = (
            _("No member of this committee is called %(name)s in the sector %(sector)s.")
            % {"name": row.name, "sector": row.sector}
            if row.sector
            else _("No member of this committee is called %(name)s.") % {"name": row.name}
        )
    else:
        message = _(
            "%(count)d members of this committee are called %(name)s; give the ID number (or the sector) "
            "to tell them apart."
        ) % {"count": len(candidates), "name": row.name}
    row.issues.append(RowIssue(row.row, table.header("name"), message))


def _flag_duplicates(rows, table):
    """The same member and kind twice in one item is one fact written twice: the later rows are errors."""
    first = {}
    for row in rows:
        if row.member is None or not row.kind or row.issues:
            continue
        key = (row.item_key, row.member.pk, row.kind)
        if key in first:
            column = table.header("id_number" if row.digest else "name")
            row.issues.append(
                RowIssue(
                    row.row,
                    column,
                    _("Row %(row)d already gives this member and kind for the same item.")
                    % {"row": first[key]},
                )
            )
        else:
            first[key] = row.row


def _warn_existing(committee, rows):
    """Rows whose member already has a record of that kind on that day (typed in, or imported before):
    imported, they would count twice. A warning, not an error: two meetings may fall on one day."""
    candidates = [r for r in rows if r.valid]
    if not candidates:
        return
    existing = set(
        DutyRecord.objects.filter(
            committee=committee,
            member_id__in={r.member.pk for r in candidates},
            kind__in={r.kind for r in candidates},
            date__in={r.date for r in candidates},
        ).values_list("member_id", "kind", "date")
    )
    for row in candidates:
        if (row.member.pk, row.kind, row.date) in existing:
            row.warnings.append(
                _("The ledger already has a record of this kind for this member on this day.")
            )


# --- the preview -----------------------------------------------------------------------------------


def summarize(plan):
    """What the preview page keeps: complete counts, the errors by row and column, a sample of valid
    rows, counts by kind and by year. ID numbers only masked; any number in a message masked too."""
    valid = plan.valid_rows
    errors = [
        {"row": i.row, "column": i.column, "message": i.message}
        for row in plan.error_rows
        for i in row.issues
    ]
    warnings = [{"row": row.row, "message": w} for row in valid for w in row.warnings]
    by_kind = Counter(row.kind for row in valid)
    by_year = Counter(row.date.year for row in valid)
    items = plan.items()
    preview = {
        "rows": len(plan.rows),
        "valid": len(valid),
        "error_rows": len(plan.rows) - len(valid),
        "error_count": len(errors),
        "errors": errors[:PREVIEW_ERRORS],
        "warning_count": len(warnings),
        "warnings": warnings[:PREVIEW_WARNINGS],
        "items": len(items),
        "joint_items": sum(1 for item in items if len(item[3]) > 1),
        "members": len({row.member.pk for row in valid}),
        "sample": [
            {
                "row": row.row,
                "name": row.member.name,
                "id_number": mask_id_number(row.member.id_number or row.id_number),
                "date": row.date.isoformat(),
                "kind": row.kind,
                "item": row.item_title,
                "role": row.role,
                "note": row.note,
            }
            for row in valid[:PREVIEW_SAMPLE]
        ],
        "by_kind": dict(sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_year": {str(year): n for year, n in sorted(by_year.items())},
        "file_issues": list(plan.file_issues),
        "columns": dict(plan.columns),
        "unknown_columns": [{"letter": letter, "header": header} for letter, header in plan.unknown_columns],
        "notes": list(plan.skipped),
    }
    return mask_numbers(preview)


def mask_numbers(value):
    """`value` with every full ID and mobile number in its text masked: a cell read from the wrong column
    would otherwise come back in clear in an error message."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [mask_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_numbers(v) for k, v in value.items()}
    return value
