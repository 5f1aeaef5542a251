"""Hostile values, each with a short id so that a failing test names it."""

import re

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# What must never come back verbatim in an HTML page (the escaped forms are harmless).
UNESCAPED = (SCRIPT, "<img src=x onerror=alert(1)>")

# A key sent twice with different values: Django reads the last one with .get(), all with .getlist().
REPEATED = object()

VALUES = {
    "date-min": "0001-01-01T00:00",
    "date-max": "9999-12-31T23:59",
    "date-feb30": "2026-02-30",
    "date-zero": "0000-00-00",
    "huge": str(10**30),
    "negative": "-1",
    "inf": "1e309",
    "nan": "NaN",
    # Emoji (with a joined family and a non-BMP character), an RTL override and stacked combining marks.
    "unicode": "😀👨‍👩‍👧‍👦🀄\u202egpj.exe Z\u0351\u0356\u0308\u0301a\u0338\u0335l\u0362g\u0327o",
    "nul": "a\x00b",
    "script": SCRIPT,
    "img": IMG,
    # Several forms of one kind: the fields of a request get them in turn (field i the i-th, cycling).
    "formulas": ('=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(1)"),
    "traversal": ("../../etc/passwd", "..\\..\\win.ini"),
    "long": "长" * (100 * 1024 // 3) + "x" * 10,
    "repeated": REPEATED,
}

# In a URL path segment (<str:...> converters): no "/" (it would not match the route at all), and
# nothing of 100 KB (a server refuses such a request line before Django sees it).
PATH_VALUES = {
    f"{key}-{i}" if isinstance(values, tuple) else key: value
    for key, values in VALUES.items()
    if values is not REPEATED and key != "long"
    for i, value in enumerate(values if isinstance(values, tuple) else (values,))
    if "/" not in value
}
# For <int:...> converters: the numbers the route pattern lets through.
INT_PATH_VALUES = {"int64-overflow": str(2**63)}


def form_value(value, valid):
    """The value to post for a field: the hostile value, or for REPEATED the valid value then a second
    different one."""
    if value is REPEATED:
        return [valid if valid not in (None, "") else "1", "2"]
    return value


DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER_NAMES = {"year", "number", "sort_order", "version", "page", "kinds", "units", "roles"}


def deep_values(field, valid):
    """Values for one field posted alone, the other fields valid: the ones that break the code behind a
    form that validated (overflowing dates, numbers out of range) or that reach the database or the next
    page as they are (NUL, markup). Chosen by what a valid value of the field looks like."""
    sample = str(valid[0] if isinstance(valid, list) and valid else valid if valid is not None else "")
    if DATETIME.match(sample):
        return {"date-min": "0001-01-01T00:00", "date-max": "9999-12-31T23:59"}
    if DATE.match(sample) or field.endswith(("date", "_on", "_at")) or "date_" in field:
        return {"day-min": "0001-01-01", "day-max": "9999-12-31"}
    if sample.isdigit() or field.split("-")[-1] in NUMBER_NAMES:
        return {"huge": str(10**30), "negative": "-1"}
    return {"nul": "a\x00b", "script": SCRIPT}
