"""The inspection or research report (视察报告 / 调研报告) as a Word document in the official layout
(GB/T 9704, core.docx_official): the title, staff's text, the members' suggestions listed in it, each
credited to its member, the names of the members who contributed, and the sender and date."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH

from lvzhi.core import docx_official


def sender(report) -> str:
    activity = report.activity
    if activity.organizing_unit_id is not None:
        return f"{report.committee.name}{activity.organizing_unit.name}"
    return _("Office of %(committee)s") % {"committee": report.committee.name}


def credited_names(suggestions) -> list[str]:
    """Each contributing member once, in the order of their first listed suggestion."""
    names: dict[int, str] = {}
    for suggestion in suggestions:
        names.setdefault(suggestion.member_id, suggestion.member.name)
    return list(names.values())


def _paragraphs(document, text: str, *, label: str = "") -> None:
    """One body paragraph per non-empty line; `label` ("Findings: %(text)s") frames the first."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for number, line in enumerate(lines):
        docx_official.add_body_paragraph(document, label % {"text": line} if label and not number else line)


def _second_level(document, text: str):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = docx_official.SIZE_3 * 2
    paragraph.paragraph_format.keep_with_next = True
    docx_official.set_fonts(paragraph.add_run(text), docx_official.SUBTITLE_FONT, size=docx_official.SIZE_3)
    return paragraph


def build_report_docx(report, suggestions):
    """The report with its listed `suggestions` (with their members), ready to save."""
    author = sender(report)
    document = docx_official.new_document(title=report.title, author=author)
    docx_official.add_title(document, report.title)
    docx_official.add_blank_line(document)
    _paragraphs(document, report.body)
    heading = 1
    if suggestions:
        docx_official.add_heading_line(
            document, docx_official.heading_number(heading, level=1) + _("Members' findings and suggestions")
        )
        heading += 1
        for number, suggestion in enumerate(suggestions, 1):
            _second_level(
                document,
                docx_official.heading_number(number, level=2)
                + _("Suggestions of member %(name)s") % {"name": suggestion.member.name},
            )
            if suggestion.findings:
                _paragraphs(document, suggestion.findings, label=_("Findings: %(text)s"))
                _paragraphs(document, suggestion.text, label=_("Suggestions: %(text)s"))
            else:
                _paragraphs(document, suggestion.text)
        docx_official.add_heading_line(
            document,
            docx_official.heading_number(heading, level=1) + _("Members who contributed suggestions"),
        )
        docx_official.add_name_lines(document, credited_names(suggestions))
    docx_official.add_blank_line(document)
    docx_official.add_blank_line(document)
    day = report.sent_on or timezone.localdate()
    for line in (author, formats.date_format(day, "DATE_FORMAT")):
        paragraph = docx_official.add_body_paragraph(document, line, indent=False)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = docx_official.SIZE_3 * 4
    return document


def filename(report) -> str:
    stem = "".join(c for c in report.title if c not in '\\/:*?"<>|').strip() or _("Inspection report")
    return f"{stem}.docx"
