"""Step 1 of the roster import: read the file.

read_roster checks the upload (type, size, hostile content: uploads.check_spreadsheet), opens the .xlsx
(openpyxl, read-only), .xls (xlrd) or .csv (UTF-8 or GB18030) file, takes the sheet with the best header
row (one naming 姓名 first, then the one naming the most columns), found among its first HEADER_SCAN_ROWS
non-empty rows below any title rows, and returns a RosterTable: which column holds which field (by the
aliases in FIELD_ALIASES) and the rows below the header as raw cell values, empty rows left out.

Nothing is cleaned or compared with the database here. A file that cannot be read raises UploadRefused;
a missing header row or required column is a file issue on the table, which the plan reports. The next
step is clean.py.
"""

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lvzhi.core import idcard
from lvzhi.core.uploads import CSV, XLS, XLSX, UploadRefused, check_spreadsheet

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
# Columns a roster often has that the import has no use for: read as nothing, without a warning.
IGNORED_HEADERS = {"序号", "编号", "No.", "NO"}
# The template's sample row (roster_template.py) is recognised by this marker in its 备注 cell, or by its
# fictional ID number (area code 990000 does not exist), and left out with a note in the preview.
SAMPLE_MARKER = "示例"
SAMPLE_ID_NUMBER = idcard.make("990000", datetime.date(1970, 1, 1), 1)
# The required columns, by the header the template uses.
REQUIRED_FIELDS = {"name": "姓名", "id_number": "身份证号码"}
HEADER_SCAN_ROWS = 20
MAX_COLUMNS = 200
MAX_ROWS = 20_000


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
    # Header cells naming no column the import reads: (column letter, header text), shown as a warning.
    unknown_columns: list[tuple[str, str]] = field(default_factory=list)
    # Rows left out on purpose, with the reason the preview gives (the template's sample row).
    skipped: list[str] = field(default_factory=list)

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
    table.header_row, table.fields, table.headers, table.unknown_columns = header
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
        if _is_sample(table, values):
            table.skipped.append(
                _("Row %(row)d is the template's sample row and was skipped.") % {"row": number}
            )
            continue
        if len(table.rows) >= MAX_ROWS:
            raise UploadRefused(
                _("The file has more than %(n)s rows. Split it into smaller files.") % {"n": f"{MAX_ROWS:,}"}
            )
        table.rows.append((number, values))
    return table


def _is_empty(values):
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _is_sample(table, values):
    """The template's sample row, left in by whoever filled the template: its 备注 cell says 示例, or
    it carries the template's fictional ID number."""

    def cell(name):
        index = table.fields.get(name)
        value = values[index] if index is not None and index < len(values) else None
        return unicodedata.normalize("NFKC", str(value or "")).strip()

    return cell("notes").startswith(SAMPLE_MARKER) or cell("id_number").upper() == SAMPLE_ID_NUMBER


def _find_header(rows):
    """The row (among the first ones) with the most recognised column names:
    (row, fields, headers, unknown columns as (letter, header text))."""
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
                # A second column for a field already found is not read either: say so.
                unknown.append((_column_letter(index), text))
        if fields and (best is None or len(fields) > len(best[1])):
            best = (number, fields, headers, unknown)
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
