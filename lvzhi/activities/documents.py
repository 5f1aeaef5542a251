"""The attendance documents: the statistics table as an Excel workbook, and the standing committee
attendance notice (常委会出勤情况通报): its words, the same on the preview page, in Word (official layout,
GB/T 9704) and in Excel. The views (report_views.py) check who may download, build the report
(stats.py), and audit the download."""

import itertools
import re

from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook

from lvzhi.core import docx_official, xlsx

from . import stats

CHINESE_NUMERALS = "一二三四五六七八九十"


def date_text(value):
    """A date as the language writes it (zh-hans: 2026年6月10日)."""
    return formats.date_format(value, "DATE_FORMAT")


# --- statistics ------------------------------------------------------------------------------------


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


def build_stats_xlsx(table, *, view, view_label, date_from, date_to):
    """The statistics page's table (stats.table_for) as one sheet: a title, the rows, and a total row."""
    title = _("Attendance statistics by %(view)s, %(start)s to %(end)s") % {
        "view": view_label,
        "start": date_text(date_from),
        "end": date_text(date_to),
    }
    columns = _stats_columns(view)
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
    if view in (stats.VIEW_SECTOR, stats.VIEW_TOWN):
        total[1] = table.total.members
    xlsx.append_row(sheet, total)
    xlsx.fit_columns(sheet, header_row=header_row)
    return workbook


def stats_filename(date_from, date_to):
    return f"{_('Attendance statistics')}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"


# --- the title's lines -----------------------------------------------------------------------------

# Characters of the 2号 title in a line of the 156 mm type area (22 pt each): 20.
TITLE_CHARS_PER_LINE = int(
    (docx_official.PAGE_WIDTH - docx_official.MARGIN_LEFT - docx_official.MARGIN_RIGHT) / docx_official.SIZE_2
)
# GB/T 9704 (7.3.3) wants a title of several lines broken where the meaning allows (词意完整): left to
# the word processor, a line breaks after its 20th character, inside 第十二次 as often as not. A title
# may break before these words, and no line ends inside a word of _TITLE_WORDS.
_TITLE_BREAK_BEFORE = re.compile(
    r"第[一二三四五六七八九十百零〇\d]+[届次]|政协|常务委员会|常委会议|出勤情况的通报|至|\d{4}年"
)
_TITLE_WORDS = re.compile(
    r"第[一二三四五六七八九十百零〇\d]+[届次](?:常委会议|会议)?|\d+年\d+月\d+日|出勤情况的通报|常务委员会|常委会议"
    r"|委员会|政协|[A-Za-z0-9]+"
)


def text_width(text):
    """The width of title text in characters: a Chinese character is one, a Latin letter or digit half."""
    return sum(0.5 if ord(char) < 0x2E80 else 1 for char in text)


def _cut_long(segment, offset, protected, width):
    """A segment wider than a line cut into pieces at characters outside a word (a last resort: a
    county's name of 20 characters)."""
    pieces, start = [], 0
    while text_width(segment[start:]) > width:
        end = start + 1
        for position in range(start + 1, len(segment)):
            if text_width(segment[start:position]) > width:
                break
            if offset + position not in protected:
                end = position
        pieces.append(segment[start:end])
        start = end
    return [*pieces, segment[start:]]


def title_lines(title, width=TITLE_CHARS_PER_LINE):
    """The title as the lines it is printed on: broken before 第…次会议, 出勤情况的通报 and the like, each
    line at most `width` characters wide, in as few lines as possible, balanced (the widest line as short
    as it can be, longer lines first: a 梯形 as the standard shows). A title with Latin words (another
    interface language) is one line: the word processor breaks it between words."""
    if re.search(r"[A-Za-z]", title) or text_width(title) <= width:
        return [title]
    protected = {
        position
        for match in _TITLE_WORDS.finditer(title)
        for position in range(match.start() + 1, match.end())
    }
    points = sorted(
        {m.start() for m in _TITLE_BREAK_BEFORE.finditer(title)}
        | {m.end() for m in re.finditer("委员会", title)}
        | {len(title)}
    )
    points = [p for p in points if p and p not in protected]
    segments, start = [], 0
    for point in points:
        segments += _cut_long(title[start:point], start, protected, width)
        start = point
    segments = [s for s in segments if s]
    for count in range(1, len(segments) + 1):
        candidates = []
        for cuts in itertools.combinations(range(1, len(segments)), count - 1):
            bounds = (0, *cuts, len(segments))
            lines = ["".join(segments[a:b]) for a, b in itertools.pairwise(bounds)]
            widths = [text_width(line) for line in lines]
            if max(widths) <= width:
                candidates.append((max(widths), [-w for w in widths], lines))
        if candidates:
            return min(candidates)[2]
    return segments


# --- standing committee attendance notice ----------------------------------------------------------


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
            start, end = date_text(report.date_from), date_text(report.date_to)
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
                "date": date_text(timezone.localtime(report.meeting.starts_at).date()),
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
        self.date = date_text(timezone.localdate())

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


def build_notice_docx(text):
    """The notice in GB/T 9704 layout: title, the summary paragraph, one numbered section per list of
    names (stroke order; reasons for leave are private and never printed), for a period the table per
    member, and the office and date at the end."""
    report = text.report
    document = docx_official.new_document(title=text.title, author=text.office)
    docx_official.add_title(document, "\n".join(title_lines(text.title)))
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
        columns = member_table_columns()
        docx_official.add_table(
            document,
            [header for header, _value in columns],
            ([value(row) for _header, value in columns] for row in report.members),
        )
    docx_official.add_blank_line(document)
    docx_official.add_blank_line(document)
    for line in (text.office, text.date):
        paragraph = docx_official.add_body_paragraph(document, line, indent=False)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = docx_official.SIZE_3 * 4
    return document


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
