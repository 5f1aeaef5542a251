"""The statistics of the 社情民意 pipeline for a year (for those who see every report: office, editors,
leaders): reports by status, category, source channel, unit and month, adoptions and instructions by
level, and days spent per step, as charts and tables with the same numbers, and as .xlsx (one sheet per
table, audited). The numbers come from lvzhi/opinions/stats.py."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from lvzhi.core import audit, xlsx

from .. import stats

VIEW = stats.VIEW
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Charts drawn for these tables (static/lvzhi/charts.js "opinion-bars"); the others are tables only.
CHARTED = ("status", "category", "source", "month", "adoption", "steps")


def _year(request):
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if FIRST_YEAR <= year <= LAST_YEAR else timezone.localdate().year


@login_required
@permission_required(VIEW, raise_exception=True)
def stats_page(request):
    year = _year(request)
    tables = stats.statistics_of_year(request.user, year)
    total = tables[0].total
    return render(
        request,
        "opinions/stats.html",
        {
            "year": year,
            "tables": tables,
            "total": total,
            "chart": stats.chart_data(tables) if total else None,
            "charted": CHARTED,
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def stats_export(request):
    """The page's tables as .xlsx, one sheet each, written to the audit log."""
    year = _year(request)
    tables = stats.statistics_of_year(request.user, year)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        # Sheet names: at most 31 characters, none of []:*?/\ (the titles have none).
        sheet = workbook.create_sheet(title=table.title[:31])
        header_row = xlsx.start_sheet(sheet, table.columns, title=f"{year} {table.title}")
        for row in table.rows:
            xlsx.append_row(sheet, row)
        xlsx.fit_columns(sheet, header_row=header_row)
    filename = _("Public-opinion statistics %(year)s.xlsx") % {"year": year}
    response = xlsx.workbook_response(workbook, filename)
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        event="opinions.exported",
        params={"file": filename},
        detail={"report": "statistics", "year": year, "reports": tables[0].total},
    )
    return response


urlpatterns = [
    path("stats/", stats_page, name="stats"),
    path("stats/export.xlsx", stats_export, name="stats_export"),
]
