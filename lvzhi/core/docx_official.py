"""Word documents in the layout of Party and government documents (党政机关公文格式, GB/T 9704-2012).

The numbers below are the standard's: A4 paper, a type area (版心) of 156 × 225 mm placed by the margins,
22 lines of 28 characters of 3号 仿宋 per page, the title in 2号 小标宋, first-level headings in 3号 黑体,
page numbers in 4号 半角宋体 between two em dashes. Word has no "characters per line" setting that
survives every viewer, so the 22 lines are kept by a fixed line spacing (225 mm / 22 ≈ 28.95 pt) and a
matching document grid; 28 characters follow from the 16 pt size and the 156 mm width.

Chinese fonts need their East-Asian name set explicitly (`w:eastAsia` in `w:rFonts`): python-docx's
`font.name` sets only the Latin slots, and Word then draws Chinese text in the theme's font.
"""

import copy
import io

from django.utils.translation import get_language
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .xlsx import attachment_response

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBTITLE_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"

SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
TABLE_SIZE = Pt(12)  # 小四: up to eight columns fit the 156 mm type area
TABLE_HEADER_STYLE = "Official table header"
TABLE_BODY_STYLE = "Official table"

FULL_WIDTH_SPACE = "\u3000"
EM_DASH = "\u2014"

_THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_fonts(element, font_name, *, size=None, bold=None):
    """Give a run, or a style's run properties, one font for Chinese and Latin text alike.

    `element` is a python-docx Run or Style (anything with `.font` and an `rPr`). Theme font references
    are removed, because Word prefers a theme font over a named one.
    """
    font = element.font
    font.name = font_name
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    rfonts = element.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in _THEME_ATTRIBUTES:
        rfonts.attrib.pop(qn(attribute), None)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(slot), font_name)


def new_document(*, title="", author=""):
    """An empty A4 document with the GB/T 9704 page, the 仿宋 3号 body style on a 22-line grid, and
    page numbers in the footers (odd pages right, even pages left, as the standard places them)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    # The number's line sits 7 mm below the type area; the footer distance is measured from the page's
    # bottom edge to the bottom of that line.
    section.footer_distance = MARGIN_BOTTOM - Mm(7) - SIZE_4
    section.header_distance = Mm(15)
    _set_line_grid(section)

    _set_chinese_defaults(document)
    normal = document.styles["Normal"]
    set_fonts(normal, BODY_FONT, size=SIZE_3)
    paragraph_format = normal.paragraph_format
    paragraph_format.line_spacing = LINE_PITCH
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)

    document.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number_footer(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)

    properties = document.core_properties
    properties.title = title
    properties.author = author
    properties.last_modified_by = author
    properties.comments = ""
    properties.keywords = ""
    return document


def add_title(document, text):
    """The document title: 2号 小标宋, centred; a title with line breaks becomes several lines."""
    for line in str(text).splitlines() or [""]:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_fonts(paragraph.add_run(line), TITLE_FONT, size=SIZE_2)
    return paragraph


def add_subtitle(document, text):
    """A centred line under the title (an explanation such as the order of names), 3号 楷体."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_fonts(paragraph.add_run(text), SUBTITLE_FONT, size=SIZE_3)
    return paragraph


def add_blank_line(document):
    return document.add_paragraph()


def add_heading_line(document, text):
    """A first-level heading: 3号 黑体, indented two characters like the body's paragraphs."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = SIZE_3 * 2
    paragraph.paragraph_format.keep_with_next = True
    set_fonts(paragraph.add_run(text), HEADING_FONT, size=SIZE_3)
    return paragraph


def add_body_paragraph(document, text, *, indent=True):
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = SIZE_3 * 2
    set_fonts(paragraph.add_run(text), BODY_FONT, size=SIZE_3)
    return paragraph


def pad_name(name):
    """A two-character Chinese name with a full-width space in the middle (张三 → 张　三), as printed
    lists do so that two- and three-character names line up. Other names are returned unchanged."""
    name = name.strip()
    if len(name) == 2 and all("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in name):
        return name[0] + FULL_WIDTH_SPACE + name[1]
    return name


NAME_SEPARATOR = FULL_WIDTH_SPACE * 2


def name_lines(names, *, per_line=5, width=CHARS_PER_LINE - 2):
    """Split padded names into printed lines: at most `per_line` names, and no more than `width`
    characters with the separators (a long name, e.g. a transliterated one, pushes the rest down)."""
    lines, current, used = [], [], 0
    for name in (pad_name(n) for n in names):
        needed = len(name) + (len(NAME_SEPARATOR) if current else 0)
        if current and (len(current) == per_line or used + needed > width):
            lines.append(NAME_SEPARATOR.join(current))
            current, used = [], 0
            needed = len(name)
        current.append(name)
        used += needed
    if current:
        lines.append(NAME_SEPARATOR.join(current))
    return lines


def add_name_lines(document, names, *, per_line=5):
    """Names in rows, 3号 仿宋, indented two characters under their heading."""
    paragraphs = []
    for line in name_lines(names, per_line=per_line):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = SIZE_3 * 2
        set_fonts(paragraph.add_run(line), BODY_FONT, size=SIZE_3)
        paragraphs.append(paragraph)
    return paragraphs


def document_response(document, filename):
    """The document as a download named `filename` (which may be Chinese)."""
    buffer = io.BytesIO()
    document.save(buffer)
    return attachment_response(buffer.getvalue(), filename, DOCX_CONTENT_TYPE)


# --- internals -------------------------------------------------------------------------------------


def _set_line_grid(section):
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))  # twentieths of a point


def _set_chinese_defaults(document):
    """python-docx's template gives every run theme fonts (Calibri, 等线…) and US English; drop the theme
    fonts so the named fonts of the styles apply, and mark text as Chinese so that Word applies Chinese
    line-breaking rules (no line starting with a closing bracket or a full stop)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    for rfonts in defaults.iter(qn("w:rFonts")):
        for attribute in _THEME_ATTRIBUTES:
            rfonts.attrib.pop(qn(attribute), None)
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            rfonts.set(qn(slot), BODY_FONT)
    for lang in defaults.iter(qn("w:lang")):
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")


def _page_number_footer(footer, alignment):
    """ "— 1 —" in 4号 半角宋体: a PAGE field between two em dashes, one character in from the edge."""
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = alignment
    paragraph.paragraph_format.line_spacing = 1.0
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = SIZE_4
    else:
        paragraph.paragraph_format.left_indent = SIZE_4
    set_fonts(paragraph.add_run(EM_DASH + " "), PAGE_NUMBER_FONT, size=SIZE_4)
    _add_field(paragraph, "PAGE", placeholder="1")
    set_fonts(paragraph.add_run(" " + EM_DASH), PAGE_NUMBER_FONT, size=SIZE_4)


def _add_field(paragraph, instruction, *, placeholder=""):
    """A complex field (begin / instruction / separate / cached result / end), which Word, WPS and
    LibreOffice all update; `fldSimple` is not recalculated by some of them."""

    def field_run():
        run = paragraph.add_run()
        set_fonts(run, PAGE_NUMBER_FONT, size=SIZE_4)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    field_run()._r.append(begin)

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    field_run()._r.append(instr)

    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    field_run()._r.append(separate)

    result = field_run()
    result.text = placeholder

    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    field_run()._r.append(end)


DIGITS = "零一二三四五六七八九"


def chinese_number(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (up to 99, as numbered headings need)."""
    if number < 10:
        return DIGITS[number]
    if number >= 100:
        return str(number)
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def heading_number(number: int, *, level: int = 1) -> str:
    """Heading numbers as official documents write them: 一、 for the first level, （一） for the second;
    Arabic numbers in other interface languages."""
    if not (get_language() or "").startswith("zh"):
        return f"{number}. " if level == 1 else f"({number}) "
    return f"{chinese_number(number)}、" if level == 1 else f"（{chinese_number(number)}）"


def _table_style(document, name, font):
    """A paragraph style for table cells: the fonts are set once here, not on each of thousands of runs
    (setting them per run took 1.3 s for a 300-member table)."""
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    set_fonts(style, font, size=TABLE_SIZE)
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style.paragraph_format.line_spacing = 1.0
    style.paragraph_format.first_line_indent = Pt(0)
    return style


def _table_styles(document):
    names = {style.name for style in document.styles}
    if TABLE_HEADER_STYLE in names:
        return document.styles[TABLE_HEADER_STYLE], document.styles[TABLE_BODY_STYLE]
    return _table_style(document, TABLE_HEADER_STYLE, HEADING_FONT), _table_style(
        document, TABLE_BODY_STYLE, BODY_FONT
    )


def add_table(document, columns, rows):
    """A grid table of `columns` (header texts, in 黑体) and `rows` (sequences of values, in 仿宋), 小四,
    centred. One row is built through python-docx and copied per row with its texts replaced: the API
    costs about a millisecond per cell, and a 300-member table or a notice batch has thousands."""
    header_style, body_style = _table_styles(document)
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def fill(cell, text, style):
        paragraph = cell.paragraphs[0]
        # The style id straight into w:pStyle: python-docx's `paragraph.style = …` looks the style up
        # among all styles on every call (5 s for 2,400 cells).
        paragraph._p.style = style.style_id
        paragraph.add_run(text)

    for cell, header in zip(table.rows[0].cells, columns, strict=True):
        fill(cell, str(header), header_style)
    template = table.add_row()
    for cell in template.cells:
        fill(cell, "-", body_style)
    template_tr = template._tr
    for row in rows:
        tr = copy.deepcopy(template_tr)
        for text, value in zip(tr.iter(qn("w:t")), row, strict=True):
            text.text = str(value)
        table._tbl.append(tr)
    table._tbl.remove(template_tr)
    return table
