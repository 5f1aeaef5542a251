"""The assessment's Word documents and tables, read back as an office would open them (python-docx,
openpyxl), on the shared year: a 87.50 良好, b 22.50 不称职, c 10.00 不称职."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.utils import translation
from docx import Document
from openpyxl import load_workbook

from lvzhi.ledger import kinds
from lvzhi.scoring import documents
from lvzhi.scoring.tests.conftest import YEAR

TODAY = datetime.date(2027, 1, 15)
CATEGORIES = ["出席全体会议", "会议考勤", "提交提案", "参加政协活动", "反映社情民意", "表彰奖励"]


def _saved(document):
    buffer = io.BytesIO()
    document.save(buffer)
    return Document(io.BytesIO(buffer.getvalue()))


def _paragraphs(document):
    return [p.text for p in document.paragraphs if p.text.strip()]


def _tables(document):
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def _row(year, member):
    return next(row for row in year.rows if row.member == member)


def _label(kind):
    with translation.override("zh-hans"):
        return str(kinds.label(kind))


def test_the_year_lists_the_members_in_stroke_order_with_their_places(year_world):
    year = documents.load_year(year_world["committee"], YEAR)
    names = [row.member.name for row in year.rows]
    assert sorted(names) == sorted(["甲委员", "乙委员", "丙委员"])
    assert names == ["乙委员", "丙委员", "甲委员"]  # 乙: one stroke; 丙 and 甲 five, by their strokes
    assert [row.number for row in year.rows] == [1, 2, 3]
    assert {(row.sector.name, row.town.name) for row in year.rows} == {("中国民主同盟", "城关镇政协工委")}
    numbers = documents.overall(year)
    assert numbers.members == 3
    assert numbers.average == Decimal("40.00")
    assert numbers.grades == {"优秀": 0, "良好": 1, "称职": 0, "不称职": 2}
    assert (numbers.passed, numbers.pass_rate, numbers.below, numbers.unmet) == (1, Decimal("33.3"), 2, 2)


def test_the_member_report_reads_as_the_office_sends_it(year_world):
    a = year_world["a"]
    year = documents.load_year(year_world["committee"], YEAR, member_id=a.pk)
    row = year.rows[0]
    counts = documents.record_counts(a, YEAR)
    document = _saved(documents.build_member_report(year, row, counts, today=TODAY))
    text = _paragraphs(document)
    assert text[:2] == ["2026年度个人履职报告", "政协本县委员会委员　甲委员"]
    assert "姓　　名：甲委员" in text
    assert "界　　别：中国民主同盟" in text
    assert "镇区工委：城关镇政协工委" in text
    assert "工作单位及职务：县第一中学教师" in text
    assert (
        "2026年，甲委员委员按照《政协委员年度履职考核细则（默认模板）》参加年度履职考核，"
        "年度得分87.50分，考核等次为良好，达到合格分数线。"
    ) in text
    assert text[-2:] == ["政协本县委员会办公室", "2027年1月15日"]
    assert "四、基本履职要求" in text and "本年度基本履职要求均已完成。" in text
    scores, records = _tables(document)
    assert scores == [
        ["考核项目", "得分", "上限"],
        ["出席全体会议", "50.00", "50"],
        ["会议考勤", "8.00", "10"],
        ["提交提案", "12.50", "25"],
        ["参加政协活动", "2.00", "10"],
        ["反映社情民意", "15.00", "15"],
        ["表彰奖励", "0.00", "10"],
        ["合计", "87.50", "120"],
        ["考核等次", "良好", ""],
        ["是否合格", "合格", "合格线 60 分"],
    ]
    assert records[0] == ["类别", "事项", "次数"]
    assert len(records) == 1 + 7  # seven kinds, one record each
    assert [_label("attendance.plenary.present"), "1"] == records[1][1:]
    summary = next(p for p in text if p.startswith("本年度履职档案共记录7项："))
    assert f"{_label('activity.inspection')}1次" in summary


def test_the_member_report_names_what_is_unmet(year_world):
    c = year_world["c"]
    year = documents.load_year(year_world["committee"], YEAR, member_id=c.pk)
    document = _saved(documents.build_member_report(year, year.rows[0], [], today=TODAY))
    text = _paragraphs(document)
    assert any(p.endswith("年度得分10.00分，考核等次为不称职，未达到合格分数线（60分）。") for p in text)
    assert "本年度履职档案中没有记录。" in text
    assert (
        "以下基本履职要求本年度未完成：出席全体会议；至少提交一件提案或一条社情民意信息；至少参加一次视察或调研。"
        in text
    )


def test_the_bulletin(year_world):
    year = documents.load_year(year_world["committee"], YEAR)
    document = _saved(documents.build_bulletin(year, today=TODAY))
    text = _paragraphs(document)
    assert text[0] == "关于2026年度委员履职情况的通报"
    assert text[1] == "各位委员："
    headings = [p for p in text if p[1:2] == "、" and p[0] in "一二三四五六七"]
    assert headings == [
        "一、总体情况",
        "二、考核等次为优秀的委员",
        "三、未达到合格线或未完成基本履职要求的委员",
        "四、分界别情况",
        "五、分镇区工委情况",
        "六、有关要求",
    ]
    assert (
        "参加考核的委员3名，平均得分40.00分。考核等次：优秀0名（占0%），良好1名（占33.3%），称职0名（占0%），"
        "不称职2名（占66.7%）。达到合格分数线（60分）的1名，合格率33.3%。"
    ) in text
    assert "本年度没有考核等次为优秀的委员。" in text
    assert (
        "乙委员：22.50分，不称职，未达到合格线（60分），未完成：出席全体会议、至少参加一次视察或调研。"
        in text
    )
    assert (
        "丙委员：10.00分，不称职，未达到合格线（60分），未完成：出席全体会议、至少提交一件提案或一条社情民意信息、"
        "至少参加一次视察或调研。"
    ) in text
    assert not any(p.startswith("甲委员") for p in text)
    header = ["人数", "平均分", "优秀", "良好", "称职", "不称职", "合格率"]
    assert _tables(document) == [
        [["界别", *header], ["中国民主同盟", "3", "40.00", "0", "1", "0", "2", "33.3%"]],
        [["镇区工委", *header], ["城关镇政协工委", "3", "40.00", "0", "1", "0", "2", "33.3%"]],
    ]
    assert text[-2:] == ["政协本县委员会办公室", "2027年1月15日"]
    # Nobody of the top grade: no praise for the commended.
    assert not any(p.startswith("希望受到通报的委员") for p in text)


def test_the_bulletin_without_names_gives_the_number(year_world):
    year = documents.load_year(year_world["committee"], YEAR)
    text = _paragraphs(_saved(documents.build_bulletin(year, name_below=False, today=TODAY)))
    assert "2名委员未达到合格线或未完成基本履职要求，具体情况已另行告知本人。" in text
    assert not any("乙委员" in p or "丙委员" in p for p in text)


def test_the_bulletin_names_the_top_grade(year_world):
    year = documents.load_year(year_world["committee"], YEAR)
    year.rows[0].score.grade = "优秀"  # 乙委员, in memory only
    text = _paragraphs(_saved(documents.build_bulletin(year, today=TODAY)))
    assert "以下1名委员考核等次为优秀（按姓氏笔画排序）：" in text
    assert "希望受到通报的委员珍惜荣誉、再接再厉，在履职尽责中继续发挥示范作用。" in text
    assert "乙委员" in text  # a name line


@pytest.mark.parametrize(
    ("employer_post", "employer"),
    [
        ("县人民医院副院长", "县人民医院"),
        ("青溪建材有限公司总经理", "青溪建材有限公司"),
        ("县人民医院党委书记（兼县政协特约研究员）", "县人民医院"),
        ("青溪农商银行行长、县工商联副会长", "青溪农商银行"),
        ("县科技馆", "县科技馆"),
        ("", ""),
    ],
)
def test_the_employer_is_the_unit_without_the_post(employer_post, employer):
    assert documents.employer_of(employer_post) == employer


def test_the_notices_a_page_each_addressed_to_the_employer(year_world):
    year = documents.load_year(year_world["committee"], YEAR)
    document, pages = documents.build_notices(year, today=TODAY)
    assert len(pages) == 3
    document = _saved(document)
    text = _paragraphs(document)
    assert text.count("履职情况告知书") == 3
    assert text.count("县第一中学：") == 3
    breaks = [p for p in document.paragraphs if p.paragraph_format.page_break_before]
    assert [p.text for p in breaks] == ["履职情况告知书"] * 2
    assert (
        "甲委员同志是政协本县委员会委员（中国民主同盟界别）。根据《政协委员年度履职考核细则（默认模板）》，"
        "经考核，甲委员同志2026年度履职得分87.50分，考核等次为良好。现将具体情况告知如下："
    ) in text
    tables = _tables(document)
    assert [t[-3][1] for t in tables] == ["22.50", "10.00", "87.50"]  # 乙, 丙, 甲
    assert "未完成的基本履职要求：出席全体会议；至少参加一次视察或调研。" in text


def test_the_notices_to_the_town_committee(year_world):
    year = documents.load_year(year_world["committee"], YEAR, unit=year_world["sector"])
    document, _pages = documents.build_notices(year, to=documents.ADDRESS_TOWN, today=TODAY)
    assert _paragraphs(_saved(document)).count("中国民主同盟：") == 3  # the chosen unit
    year = documents.load_year(year_world["committee"], YEAR)
    document, _pages = documents.build_notices(year, to=documents.ADDRESS_TOWN, today=TODAY)
    assert _paragraphs(_saved(document)).count("城关镇政协工委：") == 3


def test_the_zip_holds_one_document_per_member(year_world):
    year = documents.load_year(year_world["committee"], YEAR)
    document, pages = documents.build_notices(year, today=TODAY)
    archive = zipfile.ZipFile(io.BytesIO(documents.notices_zip(year, document, pages)))
    assert archive.namelist() == ["001_乙委员.docx", "002_丙委员.docx", "003_甲委员.docx"]
    one = Document(io.BytesIO(archive.read("003_甲委员.docx")))
    text = _paragraphs(one)
    assert text[:3] == ["履职情况告知书", "（2026年度）", "县第一中学："]
    assert "甲委员" in text[3] and "87.50" in text[3]
    assert not any("乙委员" in p for p in text)
    assert not any(p.paragraph_format.page_break_before for p in one.paragraphs)
    assert _tables(one)[0][1] == ["出席全体会议", "50.00", "50"]
    # The official page and its page numbers come with the shared parts.
    assert round(one.sections[0].page_width.mm) == 210
    assert "—" in one.sections[0].footer.paragraphs[0].text


def test_the_tables(year_world):
    year_world["a"].__class__.objects.filter(pk=year_world["c"].pk).update(name="=cmd|' /C calc'!A0")
    year = documents.load_year(year_world["committee"], YEAR)
    buffer = io.BytesIO()
    documents.build_tables(year).save(buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    assert workbook.sheetnames == ["按界别", "按镇区工委", "全部委员"]
    rows = [list(r) for r in workbook["按界别"].iter_rows(min_row=2, values_only=True)]
    assert rows == [
        [
            "界别",
            "人数",
            "平均分",
            "优秀",
            "良好",
            "称职",
            "不称职",
            "合格人数",
            "合格率（%）",
            "未完成基本要求人数",
        ],
        ["中国民主同盟", 3, 40, 0, 1, 0, 2, 1, 33.3, 2],
        ["合计", 3, 40, 0, 1, 0, 2, 1, 33.3, 2],
    ]
    assert [list(r)[:2] for r in workbook["按镇区工委"].iter_rows(min_row=3, values_only=True)] == [
        ["城关镇政协工委", 3],
        ["合计", 3],
    ]
    sheet = workbook["全部委员"]
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows[0] == [
        "序号",
        "身份证号",
        "姓名",
        "界别",
        "镇区工委",
        *CATEGORIES,
        "总分",
        "等次",
        "是否合格",
        "未完成的基本要求",
    ]
    by_name = {r[2]: r for r in rows[1:]}
    a = by_name["甲委员"]
    assert a[1] == year_world["a"].masked_id_number and "*" in a[1]
    assert a[3:] == ["中国民主同盟", "城关镇政协工委", 50, 8, 12.5, 2, 15, 0, 87.5, "良好", "合格", None]
    assert by_name["乙委员"][-4:] == [22.5, "不称职", "不合格", "出席全体会议；至少参加一次视察或调研"]
    # The name typed as a formula is text, not a formula.
    assert "'=cmd|' /C calc'!A0" in by_name
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize(
    ("sector", "phrase"),
    [("中国民主同盟", "中国民主同盟界别"), ("经济界", "经济界"), ("特邀界别", "特邀界别")],
)
def test_a_sector_is_named_once_as_a_sector(sector, phrase):
    assert documents.sector_phrase(sector) == phrase


def test_the_records_follow_the_taxonomy(year_world):
    counts = documents.record_counts(year_world["a"], YEAR)
    with translation.override("zh-hans"):
        groups = [str(kinds.group_label(g)) for g in ("attendance", "activity", "proposal", "opinion")]
    assert [group for group, _kind, _n in counts] == [
        groups[0],
        groups[0],
        groups[1],
        groups[2],
        groups[2],
        groups[3],
        groups[3],
    ]
    assert [kind for _group, kind, _n in counts][3:5] == [
        _label("proposal.submitted"),
        _label("proposal.accepted"),
    ]
