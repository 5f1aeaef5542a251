"""Attendance reports: statistics for any period (page and Excel), and the standing committee attendance
notice (常委会出勤情况通报) as a preview, a Word document in official layout and an Excel workbook."""

import copy
import datetime

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook

from lvzhi.core import audit, docx_official, xlsx
from lvzhi.core.forms import StyledFormMixin

from . import stats
from .models import Activity

VIEW_PERMISSION = "activities.view_activity"
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_text(value):
    """A date as the language writes it (zh-hans: 2026年6月10日)."""
    return formats.date_format(value, "DATE_FORMAT")


# --- statistics ------------------------------------------------------------------------------------


class StatsForm(StyledFormMixin, forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), widget=DATE_INPUT)
    date_to = forms.DateField(label=gettext_lazy("To"), widget=DATE_INPUT)
    view = forms.ChoiceField(
        label=gettext_lazy("Count by"),
        choices=[
            (stats.VIEW_ACTIVITY, gettext_lazy("Activity")),
            (stats.VIEW_MEMBER, gettext_lazy("Member")),
            (stats.VIEW_SECTOR, gettext_lazy("Sector")),
            (stats.VIEW_TOWN, gettext_lazy("Town committee")),
        ],
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Kinds of activity"),
        choices=Activity.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every kind."),
    )

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


def _stats_form(request):
    """The form bound to the query string, with the defaults (this year up to today, by activity) for
    whatever the query string leaves out."""
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("date_from", datetime.date(today.year, 1, 1).isoformat())
    data.setdefault("date_to", today.isoformat())
    data.setdefault("view", stats.VIEW_ACTIVITY)
    return StatsForm(data)


def _stats_table(request, form):
    data = form.cleaned_data
    activities = stats.closed_activities(
        request.user, date_from=data["date_from"], date_to=data["date_to"], kinds=data["kinds"]
    )
    return stats.table_for(data["view"], activities, committee_id=request.user.committee_id)


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def stats_page(request):
    form = _stats_form(request)
    table = _stats_table(request, form) if form.is_valid() else None
    view = form.cleaned_data["view"] if table is not None else stats.VIEW_ACTIVITY
    return render(
        request,
        "activities/reports/stats.html",
        {"form": form, "table": table, "view": view, "query": request.GET.urlencode()},
    )


def _stats_columns(view):
    """(header, value of a row) for the Excel sheet of a view, the counts last."""
    if view == stats.VIEW_ACTIVITY:
        first = [
            (_("Date"), lambda r: timezone.localtime(r.activity.starts_at).date()),
            (_("Activity"), lambda r: r.activity.title),
            (_("Kind"), lambda r: r.activity.get_kind_display()),
            (
                _("Organizing unit"),
                lambda r: r.activity.organizing_unit.name if r.activity.organizing_unit else _("Office"),
            ),
        ]
    elif view == stats.VIEW_MEMBER:
        first = [
            (_("Name"), lambda r: r.name),
            (_("Sector"), lambda r: r.sector),
            (_("Town committee"), lambda r: r.town),
        ]
    else:
        label = _("Sector") if view == stats.VIEW_SECTOR else _("Town committee")
        first = [
            (label, lambda r: r.name or _("None")),
            (_("Number of members"), lambda r: r.members),
        ]
    return first + _count_columns()


def _count_columns():
    return [
        (_("Invited"), lambda r: r.invited),
        (_("Present"), lambda r: r.present),
        (_("Late"), lambda r: r.late),
        (_("Left early"), lambda r: r.left_early),
        (_("On leave"), lambda r: r.leave),
        (_("Absent"), lambda r: r.absent),
        (_("Attendance rate"), lambda r: r.rate_display),
    ]


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
    view_label = dict(form.fields["view"].choices)[data["view"]]
    title = _("Attendance statistics by %(view)s, %(start)s to %(end)s") % {
        "view": view_label,
        "start": _date_text(data["date_from"]),
        "end": _date_text(data["date_to"]),
    }
    columns = _stats_columns(data["view"])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(view_label)[:31]
    header_row = xlsx.start_sheet(sheet, [header for header, _value in columns], title=title)
    for row in table.rows:
        xlsx.append_row(sheet, [value(row) for _header, value in columns])
    total = [""] * (len(columns) - len(_count_columns())) + [
        value(table.total) for _h, value in _count_columns()
    ]
    total[0] = _("Total")
    if data["view"] in (stats.VIEW_SECTOR, stats.VIEW_TOWN):
        total[1] = table.total.members
    xlsx.append_row(sheet, total)
    xlsx.fit_columns(sheet, header_row=header_row)
    filename = f"{_('Attendance statistics')}-{data['date_from']:%Y%m%d}-{data['date_to']:%Y%m%d}.xlsx"
    response = xlsx.workbook_response(workbook, filename)
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        summary=filename,
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

MODE_MEETING = "meeting"
MODE_PERIOD = "period"
CHINESE_NUMERALS = "一二三四五六七八九十"


class StandingReportForm(StyledFormMixin, forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("Report on"),
        choices=[
            (MODE_MEETING, gettext_lazy("One meeting")),
            (MODE_PERIOD, gettext_lazy("All standing committee meetings of a period")),
        ],
        initial=MODE_MEETING,
        required=False,
    )
    meeting = forms.ModelChoiceField(
        label=gettext_lazy("Meeting"),
        queryset=Activity.objects.none(),
        required=False,
        empty_label=gettext_lazy("The latest closed meeting"),
    )
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Scoped: a meeting id from the query string is only accepted among the user's own meetings.
        self.fields["meeting"].queryset = stats.standing_meetings(user)
        # lvzhi.js shows only the fields of the chosen mode (all of them without JavaScript).
        self.fields["mode"].widget.attrs["data-switch"] = ""
        self.fields["meeting"].widget.attrs["data-shown-for"] = MODE_MEETING
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs["data-shown-for"] = MODE_PERIOD
        self.fields["meeting"].label_from_instance = lambda activity: (
            f"{_date_text(timezone.localtime(activity.starts_at).date())} {activity.title}"
        )

    def clean(self):
        data = super().clean()
        if data.get("mode") == MODE_PERIOD:
            date_from, date_to = data.get("date_from"), data.get("date_to")
            # A date that was typed but refused already has its message.
            if not date_from and "date_from" not in self.errors:
                self.add_error("date_from", _("Give the first day of the period."))
            if not date_to and "date_to" not in self.errors:
                self.add_error("date_to", _("Give the last day of the period."))
            if date_from and date_to and date_from > date_to:
                self.add_error("date_to", _("The end date is before the start date."))
        return data


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


def _meeting_name(committee, activity):
    """The meeting as the notice names it: its title, with the committee's name in front unless the title
    already says which committee it is."""
    # Titles are data, written in Chinese whatever the interface language: "政协" names the body.
    if committee.name in activity.title or "政协" in activity.title:
        return activity.title
    return _("%(committee)s %(meeting)s") % {"committee": committee.name, "meeting": activity.title}


def _numbered(number, heading):
    numeral = CHINESE_NUMERALS[number - 1] if (get_language() or "").startswith("zh") else str(number)
    return _("%(number)s. %(heading)s") % {"number": numeral, "heading": heading}


def _section_headings():
    return {
        "leave": _("On leave"),
        "absent": _("Absent"),
        "late": _("Late"),
        "left_early": _("Left early"),
    }


class NoticeText:
    """The notice's words, the same on the preview page, in Word and in Excel."""

    def __init__(self, committee, report):
        self.committee, self.report = committee, report
        total = report.total
        if report.is_period:
            start, end = _date_text(report.date_from), _date_text(report.date_to)
            self.title = _(
                "Notice on attendance at the standing committee meetings of %(committee)s "
                "from %(start)s to %(end)s"
            ) % {"committee": committee.name, "start": start, "end": end}
            self.intro = _(
                "From %(start)s to %(end)s, %(count)s standing committee meetings were held, with "
                "%(expected)s expected attendances: %(present)s attended, %(leave)s were on leave and "
                "%(absent)s were absent; the attendance rate was %(rate)s. The attendance is reported "
                "as follows."
            ) % {
                "start": start,
                "end": end,
                "count": len(report.meetings),
                "expected": total.invited,
                "present": total.attended,
                "leave": total.leave,
                "absent": total.absent,
                "rate": total.rate_display,
            }
        else:
            meeting = _meeting_name(committee, report.meeting)
            self.title = _("Notice on attendance at the %(meeting)s") % {"meeting": meeting}
            self.intro = _(
                "On %(date)s the %(meeting)s was held. Of %(expected)s standing committee members, "
                "%(present)s attended, %(leave)s were on leave and %(absent)s were absent. The "
                "attendance is reported as follows."
            ) % {
                "date": _date_text(timezone.localtime(report.meeting.starts_at).date()),
                "meeting": meeting,
                "expected": total.invited,
                "present": total.attended,
                "leave": total.leave,
                "absent": total.absent,
            }
        self.sections = []
        headings = _section_headings()
        for section in stats.REPORT_SECTIONS:
            names = report.names(section)
            # Leave and absence are always reported, "none" included; late and left early when they happened.
            if names or section in ("leave", "absent"):
                number = len(self.sections) + 1
                heading = _("%(heading)s (%(count)s)") % {"heading": headings[section], "count": len(names)}
                self.sections.append((section, _numbered(number, heading), names))
        self.table_heading = _numbered(len(self.sections) + 1, _("Attendance by member"))
        self.office = _("Office of %(committee)s") % {"committee": committee.name}
        self.date = _date_text(timezone.localdate())

    def filename(self, extension):
        stamp = (
            f"{self.report.date_from:%Y%m%d}-{self.report.date_to:%Y%m%d}"
            if self.report.is_period
            else f"{timezone.localtime(self.report.meeting.starts_at):%Y%m%d}"
        )
        return f"{_('Standing committee attendance notice')}-{stamp}.{extension}"


def member_table_columns():
    """(header, value) of the per-member table of the notice (period notices and Excel)."""
    return [
        (_("Name"), lambda r: r.name),
        (_("Sector"), lambda r: r.sector),
        (_("Meetings"), lambda r: r.invited),
        (_("Attended"), lambda r: r.attended),
        (_("On leave"), lambda r: r.leave),
        (_("Absent"), lambda r: r.absent),
        (_("Late"), lambda r: r.late),
        (_("Left early"), lambda r: r.left_early),
    ]


def _attendance_label(row):
    """What one member did at one meeting (exactly one count is 1)."""
    labels = {
        "present": _("Present"),
        "late": _("Late"),
        "left_early": _("Left early"),
        "leave": _("On leave"),
        "absent": _("Absent"),
    }
    return "、".join(str(label) for name, label in labels.items() if getattr(row, name)) or "—"


@login_required
def standing_report(request):
    _require_committee_wide(request.user)
    form, report = _standing_report(request)
    text = NoticeText(request.user.committee, report) if report is not None else None
    return render(
        request,
        "activities/reports/standing_report.html",
        {
            "form": form,
            "report": report,
            "text": text,
            "columns": [header for header, _value in member_table_columns()],
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
        summary=filename,
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
    text = NoticeText(request.user.committee, report)
    filename = text.filename(extension)
    response = respond(build(text), filename)
    _audit_download(request, report, filename, extension)
    return response


@login_required
def standing_report_docx(request):
    return _notice_download(request, "docx", build_notice_docx, docx_official.document_response)


@login_required
def standing_report_xlsx(request):
    return _notice_download(request, "xlsx", build_notice_xlsx, xlsx.workbook_response)


TABLE_SIZE = Pt(12)  # 小四: eight columns fit the 156 mm type area


def build_notice_docx(text):
    """The notice in GB/T 9704 layout: title, the summary paragraph, one numbered section per list of
    names (stroke order; reasons for leave are private and never printed), for a period the table per
    member, and the office and date at the end."""
    report = text.report
    document = docx_official.new_document(title=text.title, author=text.office)
    docx_official.add_title(document, text.title)
    docx_official.add_blank_line(document)
    docx_official.add_body_paragraph(document, text.intro)
    for _section, heading, names in text.sections:
        docx_official.add_heading_line(document, heading)
        if names:
            docx_official.add_name_lines(document, names)
        else:
            docx_official.add_body_paragraph(document, _("None."))
    if report.is_period:
        docx_official.add_heading_line(document, text.table_heading)
        _add_member_table(document, report.members)
    docx_official.add_blank_line(document)
    docx_official.add_blank_line(document)
    for line in (text.office, text.date):
        paragraph = docx_official.add_body_paragraph(document, line, indent=False)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = docx_official.SIZE_3 * 4
    return document


def _table_style(document, name, font):
    """A paragraph style for table cells: fonts are set once here, not on each of thousands of runs
    (setting them per run took 1.3 s for a 300-member table)."""
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    docx_official.set_fonts(style, font, size=TABLE_SIZE)
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style.paragraph_format.line_spacing = 1.0
    style.paragraph_format.first_line_indent = Pt(0)
    return style


def _add_member_table(document, rows):
    columns = member_table_columns()
    header_style = _table_style(document, "Notice table header", docx_official.HEADING_FONT)
    body_style = _table_style(document, "Notice table", docx_official.BODY_FONT)
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def fill(cell, text, style):
        paragraph = cell.paragraphs[0]
        # The style id straight into w:pStyle: python-docx's `paragraph.style = …` looks the style up
        # among all styles on every call (5 s for 2,400 cells).
        paragraph._p.style = style.style_id
        paragraph.add_run(text)

    for cell, (header, _value) in zip(table.rows[0].cells, columns, strict=True):
        fill(cell, str(header), header_style)
    # One row built through python-docx, then copied per member with its texts replaced: building every
    # cell through the API costs about 1 ms a cell (0.8 s for 300 members), a copy a few microseconds.
    template = table.add_row()
    for cell in template.cells:
        fill(cell, "-", body_style)
    template = template._tr
    for row in rows:
        tr = copy.deepcopy(template)
        for text, (_header, value) in zip(tr.iter(qn("w:t")), columns, strict=True):
            text.text = str(value(row))
        table._tbl.append(tr)
    table._tbl.remove(template)
    return table


def build_notice_xlsx(text):
    """Sheet 1: one row per member (for one meeting: what they did; for a period: the counts).
    Sheet 2: the meetings with their counts and rates."""
    report = text.report
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Attendance by member"))[:31]
    if report.is_period:
        columns = member_table_columns()
    else:
        columns = [
            (_("Name"), lambda r: r.name),
            (_("Sector"), lambda r: r.sector),
            (_("Attendance"), _attendance_label),
        ]
    header_row = xlsx.start_sheet(sheet, [h for h, _v in columns], title=text.title)
    for row in report.members:
        xlsx.append_row(sheet, [value(row) for _h, value in columns])
    xlsx.fit_columns(sheet, header_row=header_row)

    meetings = workbook.create_sheet(str(_("Meetings"))[:31])
    meeting_columns = [
        (_("Date"), lambda r: timezone.localtime(r.activity.starts_at).date()),
        (_("Meeting"), lambda r: r.activity.title),
        *_count_columns(),
    ]
    header_row = xlsx.start_sheet(meetings, [h for h, _v in meeting_columns])
    for row in report.meetings:
        xlsx.append_row(meetings, [value(row) for _h, value in meeting_columns])
    for cell in meetings["A"][header_row:]:
        cell.number_format = "yyyy-mm-dd"
    xlsx.fit_columns(meetings, header_row=header_row)
    return workbook
