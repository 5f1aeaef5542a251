"""The bulletin (社情民意专报) as a Word document in the layout of official documents (GB/T 9704, through
lvzhi.core.docx_official): the red masthead, the issue 〔year〕第N期, the issuing body and the date above
a red rule, the table of contents (the reports' numbered titles with their serial numbers), then each
report (the editors' title and text, the author's where the editors changed nothing) with the line
naming its authors, and the recipients (报送) at the end, between two rules as the standard's 版记.

Authors are named and nothing else about them is printed: members with their title (县政协委员), other
authors by name, a unit's report by the unit. The view checks who may download and audits it; the
document is made in memory."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from lvzhi.core import docx_official

from .models import Bulletin, OpinionAuthor, OpinionReport

RED = RGBColor(0xE6, 0x00, 0x12)
MASTHEAD_SIZE = Pt(36)
RULE_WIDTH_EIGHTHS = 12  # 1.5 pt: the red separating line under the masthead


def date_text(value):
    """A date as the language writes it (zh-hans: 2026年6月10日)."""
    return formats.date_format(value, "DATE_FORMAT")


def member_title(committee):
    """What a member of `committee` is called after their name: 县政协委员 for a county committee."""
    titles = {
        "county": _("County CPPCC member"),
        "city": _("City CPPCC member"),
        "province": _("Provincial CPPCC member"),
        "national": _("National CPPCC member"),
    }
    return titles.get(committee.level, _("CPPCC member"))


def issue_label(bulletin):
    """〔2026〕第3期."""
    return _("(%(year)s) No. %(number)s") % {"year": bulletin.year, "number": bulletin.number}


def authors_line(report, title):
    """反映人：张三（县政协委员）、李四; a unit's report names the unit. Empty when nobody is named."""
    names = []
    for author in report.authors.all():
        if author.member_id is not None:
            names.append(_("%(name)s (%(title)s)") % {"name": author.member.name, "title": title})
        elif author.name:
            names.append(author.name)
    parts = []
    if report.unit_id is not None:
        parts.append(_("Reporting unit: %(unit)s") % {"unit": report.unit.name})
    if names:
        parts.append(_("Reported by: %(names)s") % {"names": "、".join(names)})
    return "；".join(parts)


def bulletin_reports(bulletin):
    """The bulletin's reports in their order, with what the document prints of their authors."""
    authors = OpinionAuthor.objects.select_related("member").order_by("order", "pk")
    return list(
        bulletin.reports.select_related("unit")
        .prefetch_related(Prefetch("authors", queryset=authors))
        .order_by("bulletin_order", "pk")
    )


def toc_entry(number, report):
    if report.serial:
        return _("%(number)s. %(title)s (%(serial)s)") % {
            "number": number,
            "title": report.current_title,
            "serial": report.serial_label,
        }
    return _("%(number)s. %(title)s") % {"number": number, "title": report.current_title}


def issuing_body(bulletin):
    return _("Office of %(committee)s") % {"committee": bulletin.committee.name}


def filename(bulletin):
    return f"{_('Public-opinion bulletin')}-{bulletin.year}-{bulletin.number}.docx"


def build_bulletin_docx(bulletin: Bulletin, reports: list[OpinionReport] | None = None):
    """The bulletin in official layout; `reports` as `bulletin_reports(bulletin)` gives them."""
    if reports is None:
        reports = bulletin_reports(bulletin)
    masthead = _("Public-opinion bulletin")
    office = issuing_body(bulletin)
    document = docx_official.new_document(title=f"{masthead} {issue_label(bulletin)}", author=office)

    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing = 1.0
    run = paragraph.add_run(masthead)
    docx_official.set_fonts(run, docx_official.TITLE_FONT, size=MASTHEAD_SIZE)
    run.font.color.rgb = RED

    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    docx_official.set_fonts(paragraph.add_run(issue_label(bulletin)), docx_official.BODY_FONT)

    # The issuing body on the left and the date on the right of one line, above the red rule.
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.tab_stops.add_tab_stop(
        docx_official.PAGE_WIDTH - docx_official.MARGIN_LEFT - docx_official.MARGIN_RIGHT - Pt(16),
        alignment=WD_TAB_ALIGNMENT.RIGHT,
    )
    day = bulletin.sent_on or timezone.localdate()
    docx_official.set_fonts(
        paragraph.add_run(f"{docx_official.FULL_WIDTH_SPACE}{office}\t{date_text(day)}"),
        docx_official.BODY_FONT,
    )
    _rule(paragraph, "bottom", color="E60012", size=RULE_WIDTH_EIGHTHS)

    if bulletin.title:
        docx_official.add_blank_line(document)
        docx_official.add_title(document, bulletin.title)

    docx_official.add_blank_line(document)
    docx_official.add_heading_line(document, _("Contents of this issue"))
    for number, report in enumerate(reports, 1):
        docx_official.add_body_paragraph(document, toc_entry(number, report))

    title = member_title(bulletin.committee)
    for report in reports:
        paragraph = document.add_paragraph()
        paragraph.add_run().add_break(WD_BREAK.PAGE)
        docx_official.add_title(document, report.current_title)
        docx_official.add_blank_line(document)
        for line in report.current_body.splitlines():
            if line.strip():
                docx_official.add_body_paragraph(document, line.strip())
        authors = authors_line(report, title)
        if authors:
            docx_official.add_blank_line(document)
            paragraph = docx_official.add_body_paragraph(document, authors)
            for run in paragraph.runs:
                docx_official.set_fonts(run, docx_official.SUBTITLE_FONT, size=docx_official.SIZE_3)

    # 版记: the recipients between two rules at the end.
    docx_official.add_blank_line(document)
    paragraph = docx_official.add_body_paragraph(
        document, _("Sent to: %(recipients)s") % {"recipients": bulletin.recipients or "—"}, indent=False
    )
    paragraph.paragraph_format.left_indent = docx_official.SIZE_3
    _rule(paragraph, "top", color="000000", size=4)
    _rule(paragraph, "bottom", color="000000", size=4)
    return document


_AFTER_BORDERS = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _rule(paragraph, side, *, color, size):
    """A line above or below the paragraph (w:pBdr), as the masthead's red rule and the 版记's rules."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        # Word reads the paragraph properties in the schema's order: the borders before these.
        p_pr.insert_element_before(borders, *_AFTER_BORDERS)
    border = OxmlElement(f"w:{side}")
    border.set(qn("w:val"), "single")
    border.set(qn("w:sz"), str(size))
    border.set(qn("w:space"), "1")
    border.set(qn("w:color"), color)
    borders.append(border)
