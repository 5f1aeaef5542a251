"""Member roster import: read a spreadsheet, clean and check every row, preview, then write.

    table = read_roster(fileobj, filename)              # checks the upload, finds the header row
    plan = plan_import(committee=c, table=table)         # no writes; a constant number of queries
    counts = apply_import(committee=c, plan=plan, actor=user)

Rules worth knowing (the user guide repeats them):

- Columns are found by their header text (aliases in FIELD_ALIASES), in a header row anywhere in the
  first HEADER_SCAN_ROWS rows, below any title rows. 姓名 and a 身份证号 column are required.
  工作单位 and 职务 given as two columns are joined into one value.
- A row is matched to an existing member file of the committee by its ID number (through the blind
  index); a row without an ID number is matched by name and birth date to a file without one.
- An empty cell never erases stored data, except 是否常委, where an empty cell means "no" (rosters
  often mark only the standing members with √). A filled 专委会 cell replaces the member's list.
- Party: 群众 (no party at all) is stored as "non-party", the one value the model has for people outside
  every party; 无党派人士 and 群众 are therefore not told apart after an import.
- Numbers Excel made of ID numbers (a numeric cell, or text such as 1.10105E+17) are refused with a
  message saying so: the digits lost cannot be recovered.
- A birth date of a number 1900–2100 (Excel's "1975.03" typed into a general cell) reads as year.month,
  so 1975.1 is October (Excel dropped the 0 of 1975.10); the same as text, "1975.1", is January.
"""

import csv
import datetime
import difflib
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from lvzhi.core import audit, idcard
from lvzhi.core.uploads import CSV, XLS, XLSX, UploadRefused, check_spreadsheet
from lvzhi.organization.models import OrgUnit, Term

from .. import services
from ..forms import ID_ERRORS, MOBILE
from ..models import Member, MemberChange, MemberTerm

# --- columns -------------------------------------------------------------------------------------

FIELD_ALIASES = {
    "name": ["姓名"],
    "gender": ["性别"],
    "ethnicity": ["民族"],
    "birth_date": ["出生年月", "出生日期", "出生年月日"],
    "native_place": ["籍贯"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码"],
    "party": ["党派", "政治面貌"],
    "education": ["学历"],
    "sector": ["界别"],
    "employer_post": ["工作单位及职务"],
    "employer": ["工作单位"],
    "post": ["职务"],
    "phone": ["手机", "手机号", "手机号码", "联系电话"],
    "special_committees": ["专委会"],
    "town_committee": ["镇区", "所属工委"],
    "is_standing": ["是否常委", "常委"],
    "term": ["届次"],
    "notes": ["备注"],
}
# The required columns, by the header the template uses.
REQUIRED_FIELDS = {"name": "姓名", "id_number": "身份证号码"}
HEADER_SCAN_ROWS = 20
MAX_COLUMNS = 200
MAX_ROWS = 20_000
PROGRESS_EVERY = 100
# Digests per query when matching existing files: one query for any file up to this size, and far
# below the bind-parameter limits of SQLite and PostgreSQL.
MATCH_BATCH = 10_000

MEMBER_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "native_place",
    "id_number",
    "phone",
    "party",
    "education",
    "employer_post",
    "notes",
]
TERM_KEYS = ("sector", "town_committee", "special_committees", "is_standing")
MAX_LENGTHS = {"name": 50, "ethnicity": 20, "native_place": 50, "employer_post": 200}


def normalize_header(text):
    """Header text as compared with the aliases: NFKC (full-width → half-width), no whitespace or line
    breaks, no required-field stars, no explanation in brackets ("身份证号码（18位）")."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", "", text)
    return re.sub(r"[\s*:]+", "", text)


ALIAS_FIELD = {normalize_header(alias): name for name, aliases in FIELD_ALIASES.items() for alias in aliases}


# --- the table read from the file ---------------------------------------------------------------


@dataclass
class RosterTable:
    kind: str
    sheet: str
    header_row: int | None
    headers: dict[int, str]  # column index → header text as in the file
    fields: dict[str, int]  # field → column index
    rows: list[tuple[int, tuple]]  # (row number as the user sees it, cell values), empty rows left out
    issues: list[str] = field(default_factory=list)

    def header(self, name):
        """The header text of a field's column, or its column letter if it has none."""
        index = self.fields.get(name)
        if index is None:
            return ""
        return self.headers.get(index) or _column_letter(index)

    def columns(self):
        found = {name: self.header(name) for name in self.fields if name not in ("employer", "post")}
        if "employer_post" not in self.fields and {"employer", "post"} & set(self.fields):
            found["employer_post"] = "、".join(
                self.header(n) for n in ("employer", "post") if n in self.fields
            )
        return found


def _column_letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def read_roster(fileobj, filename):
    """Check the upload (uploads.check_spreadsheet) and read its roster sheet; raise UploadRefused."""
    kind = check_spreadsheet(fileobj, filename)
    sheets, close = {XLSX: _xlsx_sheets, XLS: _xls_sheets, CSV: _csv_sheets}[kind](fileobj)
    try:
        return _read_table(kind, sheets)
    finally:
        close()


def _read_table(kind, sheets):
    best = None
    for sheet_name, rows in sheets:
        head = []
        for number, values in rows():
            if _is_empty(values):
                continue
            head.append((number, values))
            if len(head) >= HEADER_SCAN_ROWS:
                break
        header = _find_header(head)
        score = ("name" in header[1], len(header[1])) if header else (False, 0)
        if best is None or score > best[0]:
            best = (score, sheet_name, rows, header)
    if best is None:
        raise UploadRefused(_("The file contains no worksheet."))
    _score, sheet_name, rows, header = best
    table = RosterTable(kind=kind, sheet=sheet_name, header_row=None, headers={}, fields={}, rows=[])
    if header is None:
        table.issues.append(
            _(
                "No header row was found: none of the first %(n)d rows names the columns "
                "(for example %(examples)s)."
            )
            % {"n": HEADER_SCAN_ROWS, "examples": "姓名、身份证号码"}
        )
        return table
    table.header_row, table.fields, table.headers = header
    for name, label in REQUIRED_FIELDS.items():
        if name not in table.fields:
            table.issues.append(
                _("The required column “%(column)s” is missing from the header row (row %(row)d).")
                % {"column": label, "row": table.header_row}
            )
    width = max(table.fields.values()) + 1
    for number, values in rows():
        values = values[:width]
        # Only the columns read count: a row with just a 序号 or a stray note beside the table is empty.
        if number <= table.header_row or _is_empty(
            values[i] for i in table.fields.values() if i < len(values)
        ):
            continue
        if len(table.rows) >= MAX_ROWS:
            raise UploadRefused(
                _("The file has more than %(n)s rows. Split it into smaller files.") % {"n": f"{MAX_ROWS:,}"}
            )
        table.rows.append((number, values))
    return table


def _is_empty(values):
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _find_header(rows):
    """The row (among the first ones) with the most recognised column names: (row, fields, headers)."""
    best = None
    for number, values in rows:
        fields, headers = {}, {}
        for index, value in enumerate(values):
            if not isinstance(value, str):
                continue
            name = ALIAS_FIELD.get(normalize_header(value))
            if name and name not in fields:
                fields[name] = index
                headers[index] = re.sub(r"\s+", "", value)
        if fields and (best is None or len(fields) > len(best[1])):
            best = (number, fields, headers)
    return best


def _refused_unreadable():
    return UploadRefused(
        _("The file could not be read as a spreadsheet. Open it in Excel and save it again.")
    )


def _refusal(exc):
    """The message for a parser's failure; openpyxl wraps defusedxml's refusal in a ValueError."""
    from defusedxml import DefusedXmlException

    seen = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return UploadRefused(_("The file contains unsafe XML (entity declarations). It was refused."))
        seen = seen.__cause__ or seen.__context__
    return _refused_unreadable()


def _xlsx_sheets(fileobj):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise _refusal(exc) from exc

    def reader(worksheet):
        def rows():
            # The dimension a file declares may be a lie (A1:XFD1048576): ignore it and cap the width.
            worksheet.reset_dimensions()
            try:
                yield from enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1)
            except UploadRefused:
                raise
            except Exception as exc:
                raise _refusal(exc) from exc

        return rows

    return [(ws.title, reader(ws)) for ws in workbook.worksheets], workbook.close


def _xls_sheets(fileobj):
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=fileobj.read(), on_demand=True)
        sheets = [book.sheet_by_index(i) for i in range(book.nsheets)]
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct.error… on bad files
        raise UploadRefused(
            _("This file is not an Excel workbook, or it is damaged. Open it in Excel and save it as .xlsx.")
        ) from exc

    def value(cell):
        if cell.ctype == xlrd.XL_CELL_DATE:
            try:
                return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                return cell.value
        if cell.ctype == xlrd.XL_CELL_NUMBER:
            return int(cell.value) if float(cell.value).is_integer() else cell.value
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
            return None
        return cell.value

    def reader(sheet):
        def rows():
            for r in range(sheet.nrows):
                yield r + 1, tuple(value(c) for c in sheet.row(r)[:MAX_COLUMNS])

        return rows

    return [(sheet.name, reader(sheet)) for sheet in sheets], book.release_resources


def _csv_sheets(fileobj):
    raw = fileobj.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UploadRefused(
            _("The CSV file is neither UTF-8 nor GB18030 text. Save it from Excel as CSV again.")
        )
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel

    def rows():
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        try:
            # The record number is the row number Excel shows for the file.
            for number, values in enumerate(reader, start=1):
                yield number, tuple(values[:MAX_COLUMNS])
        except csv.Error as exc:
            raise _refused_unreadable() from exc

    return [("CSV", rows)], lambda: None


# --- the plan ------------------------------------------------------------------------------------


@dataclass
class RowIssue:
    row: int
    column: str
    message: str


@dataclass
class PlannedRow:
    row: int
    action: str  # "create" | "update" | "unchanged" | "error"
    name: str
    member_id: int | None = None
    changes: list[dict] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    data: dict = field(default_factory=dict)


ACTIONS = ("create", "update", "unchanged", "error")


@dataclass
class ImportPlan:
    rows: list[PlannedRow]
    file_issues: list[str]
    columns: dict[str, str]

    def counts(self):
        counts = dict.fromkeys(ACTIONS, 0)
        for row in self.rows:
            counts[row.action] += 1
        return counts


class ImportHasErrors(Exception):
    """The plan has errors and the caller asked for all rows or none; nothing was written."""


class ImportOutdated(Exception):
    """The database changed since the plan was made (a planned file was deleted, a unit renamed, or a
    new file has an ID number the plan would create); nothing was written. Check the file again."""

    def __init__(self, row=None):
        if row is None:
            message = _(
                "The member files changed since the file was checked. Nothing was imported; check the file again."
            )
        else:
            message = _(
                "The member files changed since the file was checked (row %(row)d). Nothing was imported; "
                "check the file again."
            ) % {"row": row}
        super().__init__(message)


class _Invalid(Exception):
    pass


# --- reference data, loaded once per plan ---------------------------------------------------------

SECTOR_ABBREVIATIONS = {
    "中共": "中国共产党",
    "民革": "中国国民党革命委员会",
    "民盟": "中国民主同盟",
    "民建": "中国民主建国会",
    "民进": "中国民主促进会",
    "农工党": "中国农工民主党",
    "致公党": "中国致公党",
    "九三": "九三学社",
    "台盟": "台湾民主自治同盟",
    "无党派": "无党派人士",
    "共青团": "中国共产主义青年团",
    "工会": "总工会",
    "妇联": "妇女联合会",
    "工商联": "工商业联合会",
    "科协": "科学技术协会",
    "侨联": "归国华侨联合会",
    "台联": "台湾同胞联谊会",
    "青联": "青年联合会",
}
TOWN_SUFFIXES = ("政协工作委员会", "政协工委", "工作委员会", "工委", "政协")
TOWN_LOOSE_SUFFIXES = ("街道办事处", "街道", "镇", "乡", "区")
SPECIAL_SUFFIXES = ("专门委员会", "委员会", "专委会", "专委", "委")


def _key(text):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _strip_suffixes(text, suffixes):
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


class _UnitIndex:
    """Units of one kind by every name people write for them; a name shared by two units is ambiguous."""

    AMBIGUOUS = object()

    def __init__(self, units, variants):
        self.units = units
        self.variants = variants
        self.by_key = {}
        for unit in units:
            for name in filter(None, (unit.name, unit.short_name)):
                for key in variants(_key(name)):
                    existing = self.by_key.get(key)
                    self.by_key[key] = unit if existing in (None, unit) else self.AMBIGUOUS

    def find(self, value):
        for key in self.variants(_key(value)):
            unit = self.by_key.get(key)
            if unit is not None and unit is not self.AMBIGUOUS:
                return unit
        return None

    def suggestions(self, value):
        names = [u.name for u in self.units]
        return difflib.get_close_matches(_key(value), names, n=3, cutoff=0.4)


def _sector_variants(key):
    keys = [key, key + "界", key.removesuffix("界")]
    if key in SECTOR_ABBREVIATIONS:
        keys.append(SECTOR_ABBREVIATIONS[key])
    return [k for k in keys if k]


def _town_variants(key):
    base = _strip_suffixes(key, TOWN_SUFFIXES)
    return [k for k in (key, base, _strip_suffixes(base, TOWN_LOOSE_SUFFIXES)) if k]


def _special_variants(key):
    return [k for k in (key, _strip_suffixes(key, SPECIAL_SUFFIXES)) if k]


class _Reference:
    """The committee's sectors, town committees, special committees and terms (two queries)."""

    def __init__(self, committee):
        kinds = [OrgUnit.Kind.SECTOR, OrgUnit.Kind.TOWN_COMMITTEE, OrgUnit.Kind.SPECIAL_COMMITTEE]
        units = list(
            OrgUnit.objects.filter(committee=committee, kind__in=kinds, is_active=True)
            .only("id", "committee_id", "kind", "name", "short_name")
            .order_by("sort_order", "name")
        )
        self.units_by_id = {u.pk: u for u in units}
        self.sectors = _UnitIndex([u for u in units if u.kind == OrgUnit.Kind.SECTOR], _sector_variants)
        self.towns = _UnitIndex([u for u in units if u.kind == OrgUnit.Kind.TOWN_COMMITTEE], _town_variants)
        self.specials = _UnitIndex(
            [u for u in units if u.kind == OrgUnit.Kind.SPECIAL_COMMITTEE], _special_variants
        )
        self.terms = {t.pk: t for t in Term.objects.filter(committee=committee)}
        self.terms_by_number = {t.number: t for t in self.terms.values()}
        self.current_term = next((t for t in self.terms.values() if t.is_current), None)
        # Every member's place goes through the one writer of places; it knows the units, so that the
        # history's names cost no query. The plan only compares; the apply queues and saves once.
        self.placements = services.TermPlacements(units=units)

    def unit_name(self, pk):
        unit = self.units_by_id.get(pk)
        return unit.name if unit else ""


# --- cleaning ------------------------------------------------------------------------------------

FULL_WIDTH_ALNUM = {
    **{0xFF10 + i: 0x30 + i for i in range(10)},
    **{0xFF21 + i: 0x41 + i for i in range(26)},
    **{0xFF41 + i: 0x61 + i for i in range(26)},
    0x3000: 0x20,
}
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]+)?E\+?[0-9]+$", re.IGNORECASE)

GENDERS = {
    "男": Member.Gender.MALE,
    "男性": Member.Gender.MALE,
    "M": Member.Gender.MALE,
    "MALE": Member.Gender.MALE,
    "女": Member.Gender.FEMALE,
    "女性": Member.Gender.FEMALE,
    "F": Member.Gender.FEMALE,
    "FEMALE": Member.Gender.FEMALE,
}
Party = Member.Party
PARTIES = {
    "中共": Party.CPC,
    "中国共产党": Party.CPC,
    "共产党": Party.CPC,
    "共产党员": Party.CPC,
    "中共党员": Party.CPC,
    "中国共产党党员": Party.CPC,
    "党员": Party.CPC,
    "中共预备党员": Party.CPC,
    "民革": Party.RCCK,
    "中国国民党革命委员会": Party.RCCK,
    "民盟": Party.CDL,
    "中国民主同盟": Party.CDL,
    "民建": Party.CNDCA,
    "中国民主建国会": Party.CNDCA,
    "民进": Party.CAPD,
    "中国民主促进会": Party.CAPD,
    "农工党": Party.PWDP,
    "农工": Party.PWDP,
    "中国农工民主党": Party.PWDP,
    "致公党": Party.CZGP,
    "致公": Party.CZGP,
    "中国致公党": Party.CZGP,
    "九三": Party.JIUSAN,
    "九三学社": Party.JIUSAN,
    "台盟": Party.TDSGL,
    "台湾民主自治同盟": Party.TDSGL,
    "无党派": Party.NON_PARTY,
    "无党派人士": Party.NON_PARTY,
    "无党派民主人士": Party.NON_PARTY,
    "群众": Party.NON_PARTY,
}
PARTY_MEMBER_SUFFIXES = ("党员", "盟员", "会员", "社员", "成员")
Education = Member.Education
# Checked in this order: the first keyword contained in the cell wins (大学专科 before 大学).
EDUCATION_KEYWORDS = [
    ("博士", Education.DOCTORATE),
    ("硕士", Education.MASTER),
    ("研究生", Education.MASTER),
    ("大专", Education.ASSOCIATE),
    ("专科", Education.ASSOCIATE),
    ("本科", Education.BACHELOR),
    ("大学", Education.BACHELOR),
    ("中专", Education.SECONDARY),
    ("中技", Education.SECONDARY),
    ("职高", Education.SECONDARY),
    ("技校", Education.SECONDARY),
    ("高中", Education.SECONDARY),
    ("初中", Education.BASIC),
    ("小学", Education.BASIC),
]
YES = {"是", "√", "✓", "✔", "☑", "常委", "Y", "YES", "TRUE", "1", "是常委"}
NO = {"否", "×", "✗", "✘", "N", "NO", "FALSE", "0", "不是", "非常委"}
CHINESE_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def half_width_alnum(text):
    """Full-width digits, letters and the ideographic space become ASCII; Chinese punctuation stays."""
    return text.translate(FULL_WIDTH_ALNUM)


def clean_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = half_width_alnum(str(value))
    return re.sub(r"\s+", " ", text).strip()


def clean_name(value):
    name = clean_text(value)
    # 张 三 and 张　三 (typed to line up two-character names) are 张三.
    name = re.sub(f"(?<=[{HAN}]) +(?=[{HAN}])", "", name)
    return re.sub(r"\s*[·•・]\s*", "·", name)


def clean_id_number(value):
    if isinstance(value, bool) or value is None:
        raise _Invalid(ID_ERRORS["format"])
    if isinstance(value, (int, float)):
        raise _Invalid(_excel_number_message(f"{value:.5E}"))
    text = idcard.normalize(str(value))
    if SCIENTIFIC.match(text):
        raise _Invalid(_excel_number_message(text))
    try:
        return idcard.parse(text)
    except idcard.InvalidIdNumber as exc:
        raise _Invalid(ID_ERRORS[str(exc)]) from exc


def _excel_number_message(shown):
    return _(
        "Excel turned this ID number into a number (%(value)s) and lost its last digits. "
        "Format the column as text, type the ID numbers again and upload the file again."
    ) % {"value": shown}


@dataclass(frozen=True)
class PartialDate:
    date: datetime.date
    precision: str  # "day" | "month" | "year"

    def matches(self, other):
        if self.precision == "year":
            return self.date.year == other.year
        if self.precision == "month":
            return (self.date.year, self.date.month) == (other.year, other.month)
        return self.date == other

    def display(self):
        return (
            {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[self.precision]
            .replace("%Y", f"{self.date.year:04d}")
            .replace("%m", f"{self.date.month:02d}")
            .replace("%d", f"{self.date.day:02d}")
        )


DATE_TEXT = re.compile(r"^(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*(?:[月.\-/]\s*(?:(\d{1,2})\s*日?)?)?$")
DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
YEAR_ONLY = re.compile(r"^(\d{4})\s*年?$")
TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def clean_birth_date(value):
    """A date, a year and month, or a year, from what people put in a birth-date cell."""
    if isinstance(value, datetime.datetime):
        return _checked_date(value.year, value.month, value.day, "day")
    if isinstance(value, datetime.date):
        return _checked_date(value.year, value.month, value.day, "day")
    if isinstance(value, bool):
        raise _Invalid(_date_message(value))
    if isinstance(value, (int, float)):
        return _date_from_number(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = TIME_SUFFIX.sub("", text).strip()
    if m := DATE_TEXT.match(text):
        year, month, day = m.groups()
        return _checked_date(int(year), int(month), int(day) if day else 1, "day" if day else "month")
    if m := DATE_COMPACT.match(text):
        year, month, day = m.groups()
        return _checked_date(int(year), int(month), int(day) if day else 1, "day" if day else "month")
    if m := YEAR_ONLY.match(text):
        return _checked_date(int(m.group(1)), 1, 1, "year")
    raise _Invalid(_date_message(value))


def _date_from_number(value):
    if 1900 <= value < 2100:
        year = int(value)
        month = round((value - year) * 100)
        if month == 0:
            return _checked_date(year, 1, 1, "year")
        return _checked_date(year, month, 1, "month")
    if float(value).is_integer() and 19000101 <= value <= 21001231:
        number = int(value)
        return _checked_date(number // 10000, number // 100 % 100, number % 100, "day")
    if float(value).is_integer() and 190001 <= value <= 210012:
        number = int(value)
        return _checked_date(number // 100, number % 100, 1, "month")
    if 1 <= value < 80000:
        from openpyxl.utils.datetime import from_excel

        day = from_excel(value)
        return _checked_date(day.year, day.month, day.day, "day")
    raise _Invalid(_date_message(value))


def _checked_date(year, month, day, precision):
    try:
        date = datetime.date(year, month, day)
    except ValueError as exc:
        raise _Invalid(_("%(value)s is not a real date.") % {"value": f"{year}-{month}-{day}"}) from exc
    if year < 1900 or date > datetime.date.today():
        raise _Invalid(_("%(value)s is not a possible birth date.") % {"value": date.isoformat()})
    return PartialDate(date, precision)


def _date_message(value):
    return _("“%(value)s” is not a date; write it as 1975-03-01, 1975.03 or 1975年3月.") % {"value": value}


def clean_gender(value):
    text = clean_text(value).upper()
    if text in GENDERS:
        return GENDERS[text]
    raise _Invalid(
        _("“%(value)s” is not a gender; write %(choices)s.") % {"value": value, "choices": "男、女"}
    )


def clean_phone(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    digits = re.sub(r"[\s\-()（）]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not MOBILE.match(digits):
        raise _Invalid(_("A mobile number has 11 digits and starts with 1."))
    return digits


def clean_party(value):
    text = _key(value)
    party = PARTIES.get(text) or PARTIES.get(_strip_suffixes(text, PARTY_MEMBER_SUFFIXES))
    if party:
        return party
    raise _Invalid(
        _("“%(value)s” is not a party this system knows; write for example %(examples)s.")
        % {"value": value, "examples": "中共、民盟、九三学社、无党派人士"}
    )


def clean_education(value):
    text = _key(value)
    for keyword, level in EDUCATION_KEYWORDS:
        if keyword in text:
            return level
    raise _Invalid(
        _("“%(value)s” is not an education level this system knows; write for example %(examples)s.")
        % {"value": value, "examples": "研究生、大学本科、大专、高中"}
    )


def clean_ethnicity(value):
    text = clean_text(value).replace(" ", "")
    # 汉 and 汉族, 蒙古 and 蒙古族 are the same ethnic group.
    if text and re.fullmatch(f"[{HAN}]{{1,4}}", text) and not text.endswith("族"):
        text += "族"
    return text


def clean_yes_no(value):
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    text = _key(clean_text(value)).upper()
    if text in YES:
        return True
    if text in NO or not text:
        return False
    raise _Invalid(
        _("“%(value)s” is neither yes nor no; write %(choices)s.") % {"value": value, "choices": "是、否"}
    )


def parse_term_number(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return int(value)
    text = _key(clean_text(value))
    text = text.removeprefix("第").removesuffix("届")
    if text.isdigit():
        return int(text)
    if text and all(c in CHINESE_DIGITS or c == "十" for c in text):
        if "十" not in text:
            return int("".join(str(CHINESE_DIGITS[c]) for c in text))
        tens, _sep, units = text.partition("十")
        return CHINESE_DIGITS.get(tens, 1) * 10 + (CHINESE_DIGITS[units] if units else 0)
    return None


def _unit_message(kind_label, value, suggestions):
    if suggestions:
        return _("There is no %(kind)s “%(value)s”. Did you mean %(suggestions)s?") % {
            "kind": kind_label,
            "value": value,
            "suggestions": "、".join(suggestions),
        }
    return _("There is no %(kind)s “%(value)s” in this committee.") % {"kind": kind_label, "value": value}


# --- one row ------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    name: str
    data: dict
    issues: list
    id_number: str = ""
    digest: str = ""

    def match_key(self):
        return (self.name, self.data.get("birth_date"))


class _RowCleaner:
    def __init__(self, table, ref):
        self.table = table
        self.ref = ref

    def cell(self, values, name):
        index = self.table.fields.get(name)
        if index is None or index >= len(values):
            return None
        value = values[index]
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def clean(self, number, values):
        row = _Row(number=number, name="", data={}, issues=[])

        def issue(field_name, message):
            column = self.table.header(field_name) or self.table.header("name")
            row.issues.append(RowIssue(row=number, column=column, message=str(message)))

        def run(field_name, cleaner, target=None):
            value = self.cell(values, field_name)
            if value is None:
                return None
            try:
                result = cleaner(value)
            except _Invalid as exc:
                issue(field_name, exc.args[0])
                return None
            if target and result not in (None, ""):
                row.data[target] = result
            return result

        data = row.data
        row.name = run("name", clean_name) or ""
        if not row.name:
            issue("name", _("The name is empty."))

        parsed_id = run("id_number", clean_id_number)
        birth = run("birth_date", clean_birth_date)
        gender = run("gender", clean_gender)
        if parsed_id:
            row.id_number = parsed_id.value
            row.digest = Member._meta.get_field("id_number_index").digest(parsed_id.value)
            data["id_number"] = parsed_id.value
            if birth and not birth.matches(parsed_id.birth_date):
                issue(
                    "birth_date",
                    _("The birth date %(birth)s does not match the ID number, which says %(id_birth)s.")
                    % {"birth": birth.display(), "id_birth": parsed_id.birth_date.isoformat()},
                )
            id_gender = Member.Gender.MALE if parsed_id.is_male else Member.Gender.FEMALE
            if gender and gender != id_gender:
                issue(
                    "gender",
                    _("The gender does not match the ID number, which says %(gender)s.")
                    % {"gender": Member.Gender(id_gender).label},
                )
            data["birth_date"] = parsed_id.birth_date
            data["gender"] = id_gender
        else:
            if birth:
                if birth.precision == "year":
                    issue(
                        "birth_date",
                        _("“%(value)s” gives only a year; write the year and month, for example 1975.03.")
                        % {"value": birth.display()},
                    )
                else:
                    data["birth_date"] = birth.date
            if gender:
                data["gender"] = gender

        if row.name:
            data["name"] = row.name
        run("ethnicity", clean_ethnicity, "ethnicity")
        run("native_place", clean_text, "native_place")
        run("phone", clean_phone, "phone")
        run("party", clean_party, "party")
        run("education", clean_education, "education")
        run("notes", lambda v: str(v).strip() if isinstance(v, str) else clean_text(v), "notes")
        employer_post = self._employer_post(values)
        if employer_post:
            data["employer_post"] = employer_post
        for name, limit in MAX_LENGTHS.items():
            if len(data.get(name) or "") > limit:
                column = (
                    name if name in self.table.fields else ("employer" if name == "employer_post" else name)
                )
                issue(column, _("This is longer than %(max)d characters.") % {"max": limit})
                data.pop(name, None)

        sector = run("sector", lambda v: self._unit(self.ref.sectors, _("sector"), v))
        if sector:
            data["sector"] = sector.pk
        town = run("town_committee", lambda v: self._unit(self.ref.towns, _("town committee"), v))
        if town:
            data["town_committee"] = town.pk
        specials = run("special_committees", self._specials)
        if specials is not None:
            data["special_committees"] = specials
        if "is_standing" in self.table.fields:
            try:
                data["is_standing"] = clean_yes_no(self.cell(values, "is_standing"))
            except _Invalid as exc:
                issue("is_standing", exc.args[0])
        term = self._term(values, issue)
        if term:
            data["term"] = term.pk
        return row

    def _employer_post(self, values):
        combined = clean_text(self.cell(values, "employer_post"))
        if combined:
            return combined
        employer = clean_text(self.cell(values, "employer"))
        post = clean_text(self.cell(values, "post"))
        if post and post in employer:
            return employer
        return f"{employer}{post}"

    def _unit(self, index, kind_label, value):
        text = clean_text(value)
        unit = index.find(text)
        if unit is None:
            raise _Invalid(_unit_message(kind_label, text, index.suggestions(text)))
        return unit

    def _specials(self, value):
        parts = [p for p in re.split(r"[、,，;；/\s]+", clean_text(value)) if p]
        ids, unknown = [], []
        for part in parts:
            unit = self.ref.specials.find(part)
            if unit is None:
                unknown.append(part)
            elif unit.pk not in ids:
                ids.append(unit.pk)
        if unknown:
            raise _Invalid(
                "；".join(
                    _unit_message(_("special committee"), part, self.ref.specials.suggestions(part))
                    for part in unknown
                )
            )
        return sorted(ids)

    def _term(self, values, issue):
        value = self.cell(values, "term")
        if value is None:
            if self.ref.current_term is None:
                issue(
                    "term" if "term" in self.table.fields else "name",
                    _("The committee has no current term; give the term of this row (for example 第九届)."),
                )
            return self.ref.current_term
        number = parse_term_number(value)
        term = self.ref.terms_by_number.get(number) if number is not None else None
        if term is None:
            issue(
                "term",
                _("The committee has no term “%(value)s”; it has %(terms)s.")
                % {
                    "value": clean_text(value),
                    "terms": "、".join(
                        t.name for t in sorted(self.ref.terms.values(), key=lambda t: t.number)
                    )
                    or "—",
                },
            )
        return term


# --- planning ------------------------------------------------------------------------------------


def plan_import(*, committee, table, progress=None):
    """Clean, check and match every row; write nothing. Queries: reference data and existing files,
    a fixed number whatever the number of rows (see MATCH_BATCH)."""
    plan = ImportPlan(rows=[], file_issues=list(table.issues), columns=table.columns())
    if plan.file_issues:
        return plan
    ref = _Reference(committee)
    if ref.current_term is None and "term" not in table.fields:
        plan.file_issues.append(
            _(
                "The committee has no current term. Set the current term under Organization, or give "
                "each row's term in a “%(column)s” column."
            )
            % {"column": FIELD_ALIASES["term"][0]}
        )
        return plan
    cleaner = _RowCleaner(table, ref)
    total = len(table.rows)
    rows = []
    for done, (number, values) in enumerate(table.rows, start=1):
        rows.append(cleaner.clean(number, values))
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)
    _flag_duplicates(rows, table)
    existing = _existing_members(committee, rows, ref)
    for row in rows:
        plan.rows.append(_decide(row, existing, ref, table, committee))
    if progress:
        progress(total, total)
    return plan


def _flag_duplicates(rows, table):
    by_id, by_person = {}, {}
    for row in rows:
        if row.id_number:
            by_id.setdefault(row.id_number, []).append(row)
        if row.name:
            by_person.setdefault(row.match_key(), []).append(row)
    for group in by_id.values():
        if len(group) > 1:
            for row in group:
                others = "、".join(str(r.number) for r in group if r is not row)
                row.issues.append(
                    RowIssue(
                        row.number,
                        table.header("id_number"),
                        _("The same ID number is also on row %(rows)s.") % {"rows": others},
                    )
                )
    for group in by_person.values():
        if len(group) > 1 and any(not r.id_number for r in group):
            for row in group:
                if row.id_number:
                    continue
                others = "、".join(str(r.number) for r in group if r is not row)
                row.issues.append(
                    RowIssue(
                        row.number,
                        table.header("name"),
                        _(
                            "The same name and birth date are also on row %(rows)s, and this row has no ID "
                            "number to tell the people apart."
                        )
                        % {"rows": others},
                    )
                )


@dataclass
class _Existing:
    by_digest: dict
    by_person: dict


def _existing_members(committee, rows, ref):
    """The committee's files matching the rows: by blind index, or by name for rows without an ID."""
    digests = sorted({r.digest for r in rows if r.digest and not r.issues})
    names = sorted({r.name for r in rows if r.name and not r.id_number and not r.issues})
    terms = MemberTerm.objects.filter(term_id__in=list(ref.terms)).prefetch_related(
        Prefetch("special_committees", queryset=OrgUnit.objects.only("id"))
    )
    members = []
    for start in range(0, max(len(digests), len(names), 1), MATCH_BATCH):
        chunk_digests, chunk_names = digests[start : start + MATCH_BATCH], names[start : start + MATCH_BATCH]
        if not chunk_digests and not chunk_names:
            break
        members += (
            Member.objects.filter(committee=committee)
            .filter(Q(id_number_index__in=chunk_digests) | Q(id_number_index="", name__in=chunk_names))
            .prefetch_related(Prefetch("terms", queryset=terms))
        )
    existing = _Existing(by_digest={}, by_person={})
    for member in members:
        if member.id_number_index:
            existing.by_digest[member.id_number_index] = member
        else:
            existing.by_person.setdefault((member.name, member.birth_date), []).append(member)
    return existing


def _member_changes(member, data):
    changes = []
    for name in MEMBER_FIELDS:
        if name not in data:
            continue
        old, new = getattr(member, name), data[name]
        if (old or "") != (new or ""):
            changes.append(
                {
                    "field": name,
                    "label": str(Member._meta.get_field(name).verbose_name),
                    "old": services.display_value(name, old),
                    "new": services.display_value(name, new),
                }
            )
    return changes


def _term_values(data, ref):
    """A row's place in its term as TermPlacements takes it: the columns the roster filled, units as
    the committee's OrgUnit objects."""
    values = {}
    for key in TERM_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if key == "special_committees":
            value = [ref.units_by_id[pk] for pk in value]
        elif key != "is_standing":
            value = ref.units_by_id[value]
        values[key] = value
    return values


def _find_member_term(member, term_id):
    return next((mt for mt in member.terms.all() if mt.term_id == term_id), None)


def _decide(row, existing, ref, table, committee):
    planned = PlannedRow(row=row.number, action="error", name=row.name, issues=row.issues, data=row.data)
    if row.issues:
        return planned
    if row.digest:
        member = existing.by_digest.get(row.digest)
    else:
        candidates = existing.by_person.get(row.match_key(), [])
        if len(candidates) > 1:
            planned.issues.append(
                RowIssue(
                    row.number,
                    table.header("name"),
                    _(
                        "Several member files have this name and birth date and no ID number; add the ID number."
                    ),
                )
            )
            return planned
        member = candidates[0] if candidates else None
    if member is None:
        if "gender" not in row.data:
            column = table.header("gender") or table.header("name")
            planned.issues.append(
                RowIssue(
                    row.number,
                    column,
                    _("Give the gender (%(choices)s) or the ID number.") % {"choices": "男、女"},
                )
            )
            return planned
        fields = {name: row.data[name] for name in MEMBER_FIELDS if name in row.data}
        try:
            Member(committee=committee, **fields).clean_fields(exclude=["committee", "user", "photo"])
        except Exception as exc:  # a rule of the model the cleaning above did not foresee
            for name, messages in getattr(exc, "message_dict", {"name": [str(exc)]}).items():
                column = table.header(name) or table.header("name")
                planned.issues.extend(RowIssue(row.number, column, str(m)) for m in messages)
            return planned
        planned.action = "create"
        return planned
    planned.member_id = member.pk
    changes = _member_changes(member, row.data)
    term_id = row.data.get("term")
    if term_id:
        changes += ref.placements.compare(
            member=member,
            term=ref.terms[term_id],
            values=_term_values(row.data, ref),
            current=_find_member_term(member, term_id),
        ).changes
    planned.changes = changes
    planned.action = "update" if changes else "unchanged"
    return planned


# --- applying ------------------------------------------------------------------------------------


def apply_import(*, committee, plan, actor, valid_only=True, progress=None, request=None):
    """Write the plan in one transaction: changed files through services.update_member, new ones in
    bulk through services.create_members (history source "import" for both), every member's place in
    its term through services.TermPlacements in bulk at the end, and an audit row with the counts. With valid_only=False a plan with any error writes nothing and
    raises ImportHasErrors. Returns {"created", "updated", "unchanged", "errors"}.

    The queries do not grow with the new rows (a few per batch of services.CREATE_BATCH files); each
    changed file costs its own few (version check, save, history and audit rows)."""
    if plan.file_issues:
        raise ImportHasErrors(plan.file_issues[0])
    counts = plan.counts()
    if counts["error"] and not valid_only:
        raise ImportHasErrors(_("%(n)d rows have errors; nothing was imported.") % {"n": counts["error"]})
    result = {"created": 0, "updated": 0, "unchanged": counts["unchanged"], "errors": counts["error"]}
    work = [row for row in plan.rows if row.action in ("create", "update")]
    updates = [row for row in work if row.action == "update"]
    creates = [row for row in work if row.action == "create"]
    total = len(work)
    with transaction.atomic():
        ref = _Reference(committee)
        for row in work:
            _check_references(row, ref)
        members = _members_to_update(committee, [r.member_id for r in updates], ref)
        _check_still_new(committee, creates)
        for done, row in enumerate(updates, start=1):
            member = members.get(row.member_id)
            if member is None:
                raise ImportOutdated(row.row)
            if _update(member, row, ref, actor, request):
                result["updated"] += 1
            else:
                result["unchanged"] += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, total)
        created = []
        if creates:
            created = services.create_members(
                committee=committee,
                rows=[
                    {name: row.data[name] for name in MEMBER_FIELDS if name in row.data} for row in creates
                ],
                actor=actor,
                places=[
                    (ref.terms[row.data["term"]], _term_values(row.data, ref))
                    if row.data.get("term")
                    else None
                    for row in creates
                ],
                placements=ref.placements,
                source=MemberChange.Source.IMPORT,
                request=request,
                progress=(lambda done: progress(len(updates) + done, total)) if progress else None,
            )
        result["created"] = len(created)
        ref.placements.save()
        audit.record(
            audit.Action.IMPORT,
            actor=actor,
            request=request,
            committee=committee,
            username="" if actor else "manage.py import_members",
            summary=f"roster import: created {result['created']}, updated {result['updated']}, "
            f"unchanged {result['unchanged']}, errors {result['errors']}",
            detail=dict(result),
        )
    if progress:
        progress(total, total)
    return result


def _check_references(row, ref):
    """The units and the term a row names must still be the committee's active ones: the plan was made
    before the transaction, and a unit may have been deactivated or deleted since."""
    data = row.data
    unit_ids = [data.get("sector"), data.get("town_committee"), *(data.get("special_committees") or [])]
    if any(pk is not None and pk not in ref.units_by_id for pk in unit_ids) or (
        data.get("term") is not None and data["term"] not in ref.terms
    ):
        raise ImportOutdated(row.row)


def _members_to_update(committee, member_ids, ref):
    if not member_ids:
        return {}
    terms = MemberTerm.objects.filter(term_id__in=list(ref.terms)).prefetch_related(
        Prefetch("special_committees", queryset=OrgUnit.objects.only("id"))
    )
    queryset = (
        Member.objects.select_for_update()
        .filter(committee=committee, pk__in=member_ids)
        .prefetch_related(Prefetch("terms", queryset=terms))
    )
    return {m.pk: m for m in queryset}


def _check_still_new(committee, rows):
    digests = [
        Member._meta.get_field("id_number_index").digest(r.data["id_number"])
        for r in rows
        if r.data.get("id_number")
    ]
    for start in range(0, len(digests), MATCH_BATCH):
        if Member.objects.filter(
            committee=committee, id_number_index__in=digests[start : start + MATCH_BATCH]
        ).exists():
            raise ImportOutdated()


def _update(member, row, ref, actor, request):
    before = services.snapshot(member)
    for name in MEMBER_FIELDS:
        if name in row.data:
            setattr(member, name, row.data[name])
    term_id = row.data.get("term")
    term = ref.terms[term_id] if term_id else None
    values = _term_values(row.data, ref) if term_id else None
    place_changes = []
    if term_id:
        place_changes = ref.placements.compare(
            member=member, term=term, values=values, current=_find_member_term(member, term_id)
        ).changes
    if not _member_changes_from(before, member) and not place_changes:
        return False
    services.update_member(
        member=member,
        before=before,
        expected_version=member.version,
        actor=actor,
        term=term,
        term_values=values,
        new_place=True,
        placements=ref.placements,
        source=MemberChange.Source.IMPORT,
        request=request,
    )
    return True


def _member_changes_from(before, member):
    return [name for name in MEMBER_FIELDS if (before.get(name) or "") != (getattr(member, name) or "")]
