"""Attendance reports: statistics for any period (page and Excel), and the standing committee attendance
notice (常委会出勤情况通报) as a preview, a Word document in official layout and an Excel workbook. The
documents are built by documents.py, the reports' numbers by stats.py."""

import datetime

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from lvzhi.core import audit, docx_official, xlsx

from . import documents, stats
from .forms import MODE_PERIOD, StandingReportForm, StatsForm

VIEW_PERMISSION = "activities.view_activity"


# --- statistics ------------------------------------------------------------------------------------


def _stats_form(request):
    """The form bound to the query string, with the defaults (this year up to today, by activity) for
    whatever the query string leaves out."""
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("date_from", datetime.date(today.year, 1, 1).isoformat())
    data.setdefault("date_to", today.isoformat())
    data.setdefault("view", stats.VIEW_ACTIVITY)
    return StatsForm(data)


def _closed_activities(request, form):
    data = form.cleaned_data
    return stats.closed_activities(
        request.user, date_from=data["date_from"], date_to=data["date_to"], kinds=data["kinds"]
    )


def _stats_table(request, form):
    activities = _closed_activities(request, form)
    return stats.table_for(form.cleaned_data["view"], activities, committee_id=request.user.committee_id)


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def stats_page(request):
    form = _stats_form(request)
    table = _stats_table(request, form) if form.is_valid() else None
    view = form.cleaned_data["view"] if table is not None else stats.VIEW_ACTIVITY
    # By member, a name links to the duty record only where the viewer may open it (no link to a 404).
    openable = (
        stats.openable_members(request.user, _closed_activities(request, form))
        if view == stats.VIEW_MEMBER
        else set()
    )
    return render(
        request,
        "activities/reports/stats.html",
        {"form": form, "table": table, "view": view, "openable": openable, "query": request.GET.urlencode()},
    )


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def stats_export(request):
    """The statistics page's table as .xlsx, written to the audit log."""
    form = _stats_form(request)
    if not form.is_valid():
        return render(
            request, "activities/reports/stats.html", {"form": form, "table": None, "view": ""}, status=400
        )
    data = form.cleaned_data
    table = _stats_table(request, form)
    workbook = documents.build_stats_xlsx(
        table,
        view=data["view"],
        view_label=dict(form.fields["view"].choices)[data["view"]],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )
    filename = documents.stats_filename(data["date_from"], data["date_to"])
    response = xlsx.workbook_response(workbook, filename)
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        event="activities.stats_exported",
        params={"file": filename},
        detail={
            "report": "attendance_stats",
            "view": data["view"],
            "from": data["date_from"].isoformat(),
            "to": data["date_to"].isoformat(),
            "kinds": data["kinds"],
            "rows": len(table.rows),
        },
    )
    return response


# --- standing committee attendance notice ----------------------------------------------------------


def _require_committee_wide(user):
    """The notice covers the whole standing committee: office and leaders, not unit staff."""
    if not (user.has_perm(VIEW_PERMISSION) and user.is_committee_wide):
        raise PermissionDenied(VIEW_PERMISSION)


def _standing_report(request):
    form = StandingReportForm(request.GET or None, user=request.user)
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if request.GET else {}
    if data.get("mode") == MODE_PERIOD:
        report = stats.standing_report(request.user, date_from=data["date_from"], date_to=data["date_to"])
    else:
        report = stats.standing_report(request.user, meeting=data.get("meeting"))
    return form, report


@login_required
def standing_report(request):
    _require_committee_wide(request.user)
    form, report = _standing_report(request)
    text = documents.NoticeText(request.user.committee, report) if report is not None else None
    return render(
        request,
        "activities/reports/standing_report.html",
        {
            "form": form,
            "report": report,
            "text": text,
            "columns": [header for header, _value in documents.member_table_columns()],
            "query": request.GET.urlencode(),
        },
    )


def _report_or_page(request):
    """The report for a download, or the preview page (with the form's errors or "no meeting")."""
    form, report = _standing_report(request)
    if report is None:
        return None, render(
            request,
            "activities/reports/standing_report.html",
            {"form": form, "report": None, "text": None, "query": ""},
            status=400 if form.errors else 404,
        )
    return report, None


def _audit_download(request, report, filename, extension):
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        event="activities.standing_report_exported",
        params={"file": filename},
        detail={
            "report": "standing_attendance",
            "format": extension,
            "meetings": [row.activity.pk for row in report.meetings],
            "from": report.date_from.isoformat() if report.is_period else None,
            "to": report.date_to.isoformat() if report.is_period else None,
            "rows": len(report.members),
        },
    )


def _notice_download(request, extension, build, respond):
    """The notice built by `build(text)` and sent by `respond(file, filename)`, with its audit row; the
    preview page instead when the form is wrong or there is no meeting to report on."""
    _require_committee_wide(request.user)
    report, page = _report_or_page(request)
    if page is not None:
        return page
    text = documents.NoticeText(request.user.committee, report)
    filename = text.filename(extension)
    response = respond(build(text), filename)
    _audit_download(request, report, filename, extension)
    return response


@login_required
def standing_report_docx(request):
    return _notice_download(request, "docx", documents.build_notice_docx, docx_official.document_response)


@login_required
def standing_report_xlsx(request):
    return _notice_download(request, "xlsx", documents.build_notice_xlsx, xlsx.workbook_response)
