"""The statistics of a session's proposals (for those who see every proposal: proposal staff, leaders):
the page (charts beside tables with the same numbers), its .xlsx (one sheet per table) and the session's
documents (the catalogue and the handling report, .docx). Every download is audited as an export. The
numbers come from lvzhi/proposals/stats.py, the documents from documents.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from openpyxl import Workbook

from lvzhi.core import audit, docx_official, xlsx

from .. import documents, stats
from ..permissions import get_session_for_user
from ..services.common import REVIEW

VIEW = stats.VIEW


def _session(request, *, required=False):
    """The session named by ?session= (the user's committee only, else 404), or the default one."""
    pk = request.GET.get("session", "")
    if pk:
        return get_session_for_user(request.user, pk)
    session = stats.default_session(request.user)
    if session is None and required:
        raise Http404
    return session


@login_required
@permission_required(VIEW, raise_exception=True)
def stats_page(request):
    session = _session(request)
    numbers, tables = stats.statistics_of_session(session) if session else (None, [])
    total = numbers.total.received if numbers else 0
    return render(
        request,
        "proposals/stats/page.html",
        {
            "session": session,
            "sessions": list(stats.sessions_of(request.user)),
            "numbers": numbers,
            "tables": tables,
            "total": total,
            "chart": stats.chart_data(tables) if total else None,
            "may_configure": request.user.has_perm(REVIEW),
        },
    )


def _audit_export(request, session, *, event, filename, detail):
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        committee=session.term.committee_id,
        obj=session,
        event=event,
        params={"file": filename, "session": str(session)},
        detail={"file": filename, "session": session.pk, **detail},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def stats_export(request):
    """The page's tables as .xlsx, one sheet each, written to the audit log."""
    session = _session(request, required=True)
    numbers, tables = stats.statistics_of_session(session)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        # Sheet names: at most 31 characters, none of []:*?/\ (the titles have none).
        sheet = workbook.create_sheet(title=table.title[:31])
        header_row = xlsx.start_sheet(sheet, table.columns, title=f"{session} {table.title}")
        for row in table.rows:
            xlsx.append_row(sheet, row)
        xlsx.fit_columns(sheet, header_row=header_row)
    filename = documents.safe_filename(_("%(session)s proposal statistics.xlsx") % {"session": session})
    response = xlsx.workbook_response(workbook, filename)
    _audit_export(
        request,
        session,
        event="proposals.stats_exported",
        filename=filename,
        detail={"report": "statistics", "proposals": numbers.total.received},
    )
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def catalogue(request):
    """The session's 提案目录 (.docx)."""
    session = _session(request, required=True)
    proposals = documents.catalogue_proposals(session)
    document = documents.build_catalogue_docx(session, proposals)
    filename = documents.safe_filename(documents.catalogue_filename(session))
    response = docx_official.document_response(document, filename)
    _audit_export(
        request,
        session,
        event="proposals.catalogue_downloaded",
        filename=filename,
        detail={"report": "catalogue", "proposals": [p.pk for p in proposals]},
    )
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def handling_report(request):
    """The session's 提案办理情况报告 (.docx)."""
    session = _session(request, required=True)
    numbers = stats.session_numbers(session)
    document = documents.build_handling_report_docx(session, numbers)
    filename = documents.safe_filename(documents.handling_report_filename(session))
    response = docx_official.document_response(document, filename)
    _audit_export(
        request,
        session,
        event="proposals.handling_report_downloaded",
        filename=filename,
        detail={"report": "handling", "proposals": numbers.total.received},
    )
    return response


urlpatterns: list = [
    path("stats/", stats_page, name="stats"),
    path("stats/export.xlsx", stats_export, name="stats_export"),
    path("stats/catalogue.docx", catalogue, name="catalogue"),
    path("stats/handling-report.docx", handling_report, name="handling_report"),
]
