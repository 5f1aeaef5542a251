import datetime
import io
import zipfile

import pytest
import xlwt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation
from openpyxl import Workbook

from lvzhi.accounts.roles import Role
from lvzhi.core import idcard, masking
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.core.uploads import UploadRefused
from lvzhi.factories import MemberFactory, MemberTermFactory, OrgUnitFactory, TermFactory
from lvzhi.members import roster_import, services
from lvzhi.members.forms import ID_ERRORS
from lvzhi.members.models import Member, MemberChange, MemberTerm
from lvzhi.members.roster_import import ImportHasErrors, ImportOutdated
from lvzhi.organization.models import OrgUnit

HEADER = [
    "序号",
    "姓名",
    "性别",
    "出生年月",
    "身份证号码",
    "党派",
    "学历",
    "界别",
    "工作单位及职务",
    "手机",
    "专委会",
    "所属工委",
    "是否常委",
]


def tr(msgid):
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(msgid)


def id_for(birth=datetime.date(1975, 3, 1), seq=11):
    """A valid fictional ID number (area 99…); odd sequence: male."""
    return idcard.make("990101", birth, seq)


def xlsx(rows, *, title=None, sheet_title="名单", extra_sheets=(), text_columns=()):
    """An .xlsx roster as offices make them: an optional merged title row and blank row, then rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for name in extra_sheets:
        workbook.create_sheet(name).append(["说明"])
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
        sheet.append([])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def person(name="张三", *, id_number=None, **columns):
    """One row of HEADER; keyword arguments by header text."""
    values = {
        "姓名": name,
        "性别": "男",
        "出生年月": "1975.03",
        "身份证号码": id_for() if id_number is None else id_number,
        "党派": "民盟",
        "学历": "大学本科",
        "界别": "教育界",
        "工作单位及职务": "县第一中学校长",
        "手机": "13900000001",
        "专委会": "",
        "所属工委": "城关镇",
        "是否常委": "否",
    }
    values.update(columns)
    return [values.get(h, "") for h in HEADER]


def make_units(committee):
    """Sectors, town committees and special committees as a county has them."""
    kind = OrgUnit.Kind
    made = {}
    for name in ("教育界", "医药卫生界", "经济界", "中国民主同盟"):
        made[name] = OrgUnitFactory(committee=committee, kind=kind.SECTOR, name=name)
    for town in ("城关镇", "东关镇", "西河镇"):
        made[town] = OrgUnitFactory(
            committee=committee, kind=kind.TOWN_COMMITTEE, name=f"{town}政协工委", short_name=town
        )
    for name in ("提案委员会", "经济委员会", "教科卫体委员会"):
        made[name] = OrgUnitFactory(committee=committee, kind=kind.SPECIAL_COMMITTEE, name=name)
    return made


@pytest.fixture
def units(committee):
    return make_units(committee)


@pytest.fixture
def setup(term, units, office):
    return term


def plan_rows(committee, rows, **kwargs):
    table = roster_import.read_roster(xlsx([HEADER, *rows], **kwargs), "名单.xlsx")
    return roster_import.plan_import(committee=committee, table=table)


def only_row(plan):
    assert len(plan.rows) == 1, plan.rows
    return plan.rows[0]


def messages(row):
    return [(issue.column, issue.message) for issue in row.issues]


# --- reading the file ----------------------------------------------------------------------------


def test_it_finds_the_header_below_a_merged_title(committee, setup):
    buffer = xlsx([HEADER, person()], title="政协本县第九届委员会委员名单")
    table = roster_import.read_roster(buffer, "名单.xlsx")
    assert table.header_row == 3
    assert table.rows[0][0] == 4
    plan = roster_import.plan_import(committee=committee, table=table)
    assert only_row(plan).row == 4
    assert only_row(plan).action == "create"


def test_it_picks_the_roster_sheet_among_others(committee, setup):
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["填写说明：性别填男或女"])
    sheet = workbook.create_sheet("委员名单")
    sheet.append(HEADER)
    sheet.append(person())
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    table = roster_import.read_roster(buffer, "名单.xlsx")
    assert table.sheet == "委员名单"
    assert len(table.rows) == 1


def test_it_accepts_the_aliases_and_untidy_headers(committee, setup):
    header = [
        "姓　名",
        "公民身份\n号码",
        "政治面貌",
        "出生日期",
        "联系电话（手机）",
        "镇区",
        "常委",
        "届次",
        "备注",
        "籍贯",
        "民族",
        "*学历",
    ]
    row = [
        "李四",
        id_for(seq=13),
        "中共党员",
        "1975-03-01",
        "13900000002",
        "东关镇",
        "√",
        "第九届",
        "新任",
        "本县",
        "汉",
        "硕士研究生",
    ]
    plan = roster_import.plan_import(
        committee=committee, table=roster_import.read_roster(xlsx([header, row]), "a.xlsx")
    )
    planned = only_row(plan)
    assert planned.action == "create", planned.issues
    assert set(plan.columns) == {
        "name", "id_number", "party", "birth_date", "phone", "town_committee", "is_standing", "term", "notes",
        "native_place", "ethnicity", "education",
    }  # fmt: skip
    assert plan.columns["id_number"] == "公民身份号码"
    data = planned.data
    assert data["party"] == Member.Party.CPC
    assert data["is_standing"] is True
    assert data["ethnicity"] == "汉族"
    assert data["education"] == Member.Education.MASTER
    assert data["notes"] == "新任"


def test_it_joins_employer_and_post_columns(committee, setup):
    header = ["姓名", "身份证号", "工作单位", "职务"]
    plan = roster_import.plan_import(
        committee=committee,
        table=roster_import.read_roster(
            xlsx([header, ["王五", id_for(seq=15), "县人民医院", "副院长"]]), "a.xlsx"
        ),
    )
    assert only_row(plan).data["employer_post"] == "县人民医院副院长"
    assert plan.columns["employer_post"] == "工作单位、职务"


def test_it_ignores_empty_rows_and_columns(committee, setup):
    header = ["序号", "姓名", None, "性别", "", "身份证号码"]
    rows = [
        header,
        [1, "张三", None, "男", None, id_for(seq=11)],
        [None, None, None, None, None, None],
        [2, None, None, None, None, None],  # a numbered line nobody filled in
        [3, "李四", None, "男", None, id_for(seq=13)],
    ]
    plan = roster_import.plan_import(
        committee=committee, table=roster_import.read_roster(xlsx(rows), "a.xlsx")
    )
    assert [(r.row, r.name, r.action) for r in plan.rows] == [(2, "张三", "create"), (5, "李四", "create")]


def test_it_reads_a_csv_in_gb18030(committee, setup):
    text = "\n".join(
        [
            "姓名,性别,身份证号码,界别,所属工委",
            f"张三,男,{id_for()},教育,城关镇政协工委",
            f"李四,男,{id_for(seq=13)},医药卫生界,东关",
        ]
    )
    table = roster_import.read_roster(io.BytesIO(text.encode("gb18030")), "名单.csv")
    assert table.kind == "csv"
    plan = roster_import.plan_import(committee=committee, table=table)
    assert [r.action for r in plan.rows] == ["create", "create"]
    assert plan.rows[0].data["sector"] == OrgUnit.objects.get(name="教育界").pk
    assert plan.rows[1].data["town_committee"] == OrgUnit.objects.get(name="东关镇政协工委").pk


def test_it_reads_a_csv_in_utf8_with_bom(committee, setup):
    text = f"标题：委员名单\n姓名,身份证号码\n张三,{id_for()}\n"
    table = roster_import.read_roster(io.BytesIO(text.encode("utf-8-sig")), "名单.csv")
    assert table.header_row == 2
    assert roster_import.plan_import(committee=committee, table=table).rows[0].name == "张三"


def test_it_reads_an_old_xls_file(committee, setup):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for col, header in enumerate(["姓名", "身份证号码", "出生日期", "手机"]):
        sheet.write(1, col, header)
    sheet.write(0, 0, "政协本县委员会委员名单")
    sheet.write(2, 0, "张三")
    sheet.write(2, 1, id_for())
    sheet.write(2, 2, datetime.date(1975, 3, 1), date_style)
    sheet.write(2, 3, 13900000001)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    table = roster_import.read_roster(buffer, "名单.xls")
    assert table.kind == "xls"
    planned = only_row(roster_import.plan_import(committee=committee, table=table))
    assert planned.row == 3
    assert planned.action == "create", planned.issues
    assert planned.data["phone"] == "13900000001"
    assert planned.data["birth_date"] == datetime.date(1975, 3, 1)


def test_an_xml_bomb_deep_inside_a_part_is_refused_by_the_parser(committee, setup):
    # The cheap pre-check reads only the first KBs of each part; defusedxml refuses the rest.
    buffer = xlsx([HEADER, person()])
    padding = "<!--" + "x" * 20_000 + "-->"
    bomb = (
        '<?xml version="1.0"?>' + padding + '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', b"", 1)
                data = (
                    bomb.encode() + data.split(b"?>", 1)[-1]
                    if data.startswith(b"<?xml")
                    else bomb.encode() + data
                )
            dst.writestr(info, data)
    out.seek(0)
    with pytest.raises(UploadRefused) as refused:
        roster_import.read_roster(out, "名单.xlsx")
    assert str(refused.value) == tr("The file contains unsafe XML (entity declarations). It was refused.")


def test_a_damaged_workbook_is_refused_with_a_message(committee, setup):
    buffer = xlsx([HEADER, person()])
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = b"<worksheet><sheetData><row"
            dst.writestr(info, data)
    out.seek(0)
    with pytest.raises(UploadRefused):
        roster_import.read_roster(out, "名单.xlsx")


# --- cleaning ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1975.03", ("1975-03-01", "month")),
        ("1975.3", ("1975-03-01", "month")),
        ("1975年3月", ("1975-03-01", "month")),
        ("1975年3月1日", ("1975-03-01", "day")),
        ("1975-3-1", ("1975-03-01", "day")),
        ("1975/3/1", ("1975-03-01", "day")),
        ("１９７５．０３", ("1975-03-01", "month")),
        ("19750301", ("1975-03-01", "day")),
        ("197503", ("1975-03-01", "month")),
        ("1975-03-01 00:00:00", ("1975-03-01", "day")),
        (27454, ("1975-03-01", "day")),  # an Excel date serial
        (27454.0, ("1975-03-01", "day")),
        (1975.03, ("1975-03-01", "month")),  # 1975.03 typed into a number cell
        (1975.1, ("1975-10-01", "month")),  # Excel dropped the 0 of 1975.10
        (datetime.datetime(1975, 3, 1), ("1975-03-01", "day")),
        (datetime.date(1975, 3, 1), ("1975-03-01", "day")),
    ],
)
def test_it_reads_birth_dates_as_people_write_them(value, expected):
    parsed = roster_import.clean_birth_date(value)
    assert (parsed.date.isoformat(), parsed.precision) == expected


@pytest.mark.parametrize("value", ["三月", "1975.13", "1975-02-30", "2999.01", "abc"])
def test_it_refuses_what_is_no_birth_date(value):
    with pytest.raises(roster_import.clean._Invalid):
        roster_import.clean_birth_date(value)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("是", True), ("√", True), ("✓", True), ("常委", True), ("Y", True), ("y", True), (True, True), (1, True),
        ("否", False), ("N", False), ("", False), (None, False), ("×", False), (False, False),
    ],
)  # fmt: skip
def test_it_reads_yes_and_no(value, expected):
    assert roster_import.clean_yes_no(value) is expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("中共", "cpc"), ("中国共产党", "cpc"), ("共产党员", "cpc"), ("中共党员", "cpc"),
        ("民革", "rcck"), ("民盟", "cdl"), ("中国民主同盟", "cdl"), ("民盟盟员", "cdl"), ("民建", "cndca"),
        ("民进", "capd"), ("农工党", "pwdp"), ("致公党", "czgp"), ("九三学社", "jiusan"), ("九三学社社员", "jiusan"),
        ("台盟", "tdsgl"), ("无党派", "non_party"), ("无党派人士", "non_party"), ("群众", "non_party"),
    ],
)  # fmt: skip
def test_it_reads_party_names_short_and_long(value, expected):
    assert roster_import.clean_party(value) == expected


def test_it_refuses_an_unknown_party():
    with pytest.raises(roster_import.clean._Invalid):
        roster_import.clean_party("青年党")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("博士研究生", "doctorate"), ("博士", "doctorate"), ("硕士", "master"), ("研究生", "master"),
        ("本科", "bachelor"), ("大学本科", "bachelor"), ("大学", "bachelor"), ("大专", "associate"),
        ("大学专科", "associate"), ("专科", "associate"), ("中专", "secondary"), ("高中", "secondary"),
        ("高中（中专）", "secondary"), ("初中", "basic"), ("初中及以下", "basic"),
    ],
)  # fmt: skip
def test_it_reads_education_labels(value, expected):
    assert roster_import.clean_education(value) == expected


def test_it_cleans_full_width_characters_and_spaces_in_names(committee, setup):
    full_width = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    row = person(
        "张　三",
        id_number=id_for().translate(full_width),
        手机="１３９ ００００ ０００１",
        出生年月="１９７５年３月",
    )
    planned = only_row(plan_rows(committee, [row]))
    assert planned.action == "create", planned.issues
    assert planned.name == "张三"
    assert planned.data["id_number"] == id_for()
    assert planned.data["phone"] == "13900000001"


def test_it_reads_sectors_towns_and_committees_as_people_write_them(committee, setup, units):
    rows = [
        person(
            "甲",
            id_number=id_for(seq=11),
            界别="教育",
            所属工委="城关镇政协工委",
            专委会="提案委员会、经济委",
        ),
        person(
            "乙", id_number=id_for(seq=13), 界别="教育界", 所属工委="东关镇", 专委会="提案委，教科卫体委员会"
        ),
        person("丙", id_number=id_for(seq=15), 界别="民盟", 所属工委="西河", 专委会="经济委员会; 提案委员会"),
    ]
    plan = plan_rows(committee, rows)
    assert [r.action for r in plan.rows] == ["create"] * 3, [r.issues for r in plan.rows]
    data = [r.data for r in plan.rows]
    assert [d["sector"] for d in data] == [units["教育界"].pk, units["教育界"].pk, units["中国民主同盟"].pk]
    assert [d["town_committee"] for d in data] == [units["城关镇"].pk, units["东关镇"].pk, units["西河镇"].pk]
    assert data[0]["special_committees"] == sorted([units["提案委员会"].pk, units["经济委员会"].pk])
    assert data[1]["special_committees"] == sorted([units["提案委员会"].pk, units["教科卫体委员会"].pk])
    assert data[2]["special_committees"] == sorted([units["经济委员会"].pk, units["提案委员会"].pk])


def test_it_reads_the_term_column(committee, setup):
    older = TermFactory(committee=committee, number=8, name="第八届", is_current=False)
    header = ["姓名", "身份证号码", "届次"]
    rows = [header, ["甲", id_for(seq=11), "第八届"], ["乙", id_for(seq=13), 9], ["丙", id_for(seq=15), "八"]]
    plan = roster_import.plan_import(
        committee=committee, table=roster_import.read_roster(xlsx(rows), "a.xlsx")
    )
    assert [r.data["term"] for r in plan.rows] == [older.pk, setup.pk, older.pk]


# --- validation ----------------------------------------------------------------------------------


def test_it_reports_a_wrong_check_digit(committee, setup):
    good = id_for()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    planned = only_row(plan_rows(committee, [person(id_number=bad)]))
    assert planned.action == "error"
    assert messages(planned) == [("身份证号码", str(ID_ERRORS["check_digit"]))]


@pytest.mark.parametrize("mangled", [1.10105197503011e17, 110105197503011008, "1.10105E+17", "9.90101E+17"])
def test_it_says_plainly_that_excel_turned_the_id_into_a_number(committee, setup, mangled):
    planned = only_row(plan_rows(committee, [person(id_number=mangled)]))
    assert planned.action == "error"
    [(column, message)] = messages(planned)
    assert column == "身份证号码"
    expected = tr(
        "Excel turned this ID number into a number (%(value)s) and lost its last digits. "
        "Format the column as text, type the ID numbers again and upload the file again."
    )
    shown = mangled if isinstance(mangled, str) else "1.10105E+17"
    assert message == expected % {"value": shown}


def test_it_reports_a_birth_date_and_gender_that_contradict_the_id(committee, setup):
    planned = only_row(plan_rows(committee, [person(出生年月="1976.03", 性别="女")]))
    assert planned.action == "error"
    assert messages(planned) == [
        (
            "出生年月",
            tr("The birth date %(birth)s does not match the ID number, which says %(id_birth)s.")
            % {"birth": "1976-03", "id_birth": "1975-03-01"},
        ),
        (
            "性别",
            tr("The gender does not match the ID number, which says %(gender)s.")
            % {"gender": Member.Gender.MALE.label},
        ),
    ]


def test_a_birth_month_that_agrees_with_the_id_takes_the_id_day(committee, setup):
    planned = only_row(
        plan_rows(committee, [person(出生年月="1975.03", id_number=id_for(datetime.date(1975, 3, 17)))])
    )
    assert planned.action == "create"
    assert planned.data["birth_date"] == datetime.date(1975, 3, 17)


@pytest.mark.parametrize("phone", ["1390000000", "139000000012", "0799-6212345", "23900000000"])
def test_it_reports_a_phone_that_is_not_a_mobile_number(committee, setup, phone):
    planned = only_row(plan_rows(committee, [person(手机=phone)]))
    assert messages(planned) == [("手机", tr("A mobile number has 11 digits and starts with 1."))]


def test_it_reads_phone_numbers_excel_stored_as_numbers(committee, setup):
    planned = only_row(plan_rows(committee, [person(手机=13900000009)]))
    assert planned.data["phone"] == "13900000009"


def test_it_suggests_the_closest_sector_and_town(committee, setup):
    planned = only_row(plan_rows(committee, [person(界别="医疗卫生界", 所属工委="城官镇")]))
    assert planned.action == "error"
    assert messages(planned) == [
        (
            "界别",
            tr("There is no %(kind)s “%(value)s”. Did you mean %(suggestions)s?")
            % {"kind": tr("sector"), "value": "医疗卫生界", "suggestions": "医药卫生界"},
        ),
        (
            "所属工委",
            tr("There is no %(kind)s “%(value)s”. Did you mean %(suggestions)s?")
            % {"kind": tr("town committee"), "value": "城官镇", "suggestions": "城关镇政协工委"},
        ),
    ]


def test_it_reports_an_unknown_special_committee(committee, setup):
    planned = only_row(plan_rows(committee, [person(专委会="提案委员会、外事委员会")]))
    assert planned.action == "error"
    assert [column for column, _m in messages(planned)] == ["专委会"]
    assert "外事委员会" in messages(planned)[0][1]


def test_it_reports_the_same_person_twice_in_the_file(committee, setup):
    same = id_for()
    rows = [
        person("张三", id_number=same),
        person("李四", id_number=id_for(seq=13)),
        person("张三", id_number=same),
        person("王五", id_number="", 出生年月="1980.05"),
        person("王五", id_number="", 出生年月="1980年5月"),
    ]
    plan = plan_rows(committee, rows)
    assert [r.action for r in plan.rows] == ["error", "create", "error", "error", "error"]
    assert messages(plan.rows[0]) == [
        ("身份证号码", tr("The same ID number is also on row %(rows)s.") % {"rows": "4"})
    ]
    assert messages(plan.rows[3]) == [
        (
            "姓名",
            tr(
                "The same name and birth date are also on row %(rows)s, and this row has no ID "
                "number to tell the people apart."
            )
            % {"rows": "6"},
        )
    ]


@pytest.mark.parametrize("missing, label", [("姓名", "姓名"), ("身份证号码", "身份证号码")])
def test_it_names_a_missing_required_column(committee, setup, missing, label):
    header = [h for h in HEADER if h != missing]
    row = [v for h, v in zip(HEADER, person(), strict=True) if h != missing]
    table = roster_import.read_roster(xlsx([header, row], title="委员名单"), "a.xlsx")
    plan = roster_import.plan_import(committee=committee, table=table)
    assert plan.rows == []
    assert plan.file_issues == [
        tr("The required column “%(column)s” is missing from the header row (row %(row)d).")
        % {"column": label, "row": 3}
    ]
    with pytest.raises(ImportHasErrors):
        roster_import.apply_import(committee=committee, plan=plan, actor=None)


def test_it_says_when_no_header_row_is_found(committee, setup):
    table = roster_import.read_roster(xlsx([["a", "b"], ["c", "d"]]), "a.xlsx")
    plan = roster_import.plan_import(committee=committee, table=table)
    assert len(plan.file_issues) == 1
    assert plan.file_issues[0].startswith(
        tr(
            "No header row was found: none of the first %(n)d rows names the columns (for example %(examples)s)."
        )[:10]
    )


def test_it_needs_a_current_term_or_a_term_column(committee, units):
    TermFactory(committee=committee, number=8, name="第八届", is_current=False)
    plan = plan_rows(committee, [person()])
    assert plan.rows == []
    assert plan.file_issues == [
        tr(
            "The committee has no current term. Set the current term under Organization, or give "
            "each row's term in a “%(column)s” column."
        )
        % {"column": "届次"}
    ]
    header = ["姓名", "身份证号码", "届次"]
    rows = [header, ["甲", id_for(seq=11), "第八届"], ["乙", id_for(seq=13), None]]
    plan = roster_import.plan_import(
        committee=committee, table=roster_import.read_roster(xlsx(rows), "a.xlsx")
    )
    assert [r.action for r in plan.rows] == ["create", "error"]
    assert [c for c, _m in messages(plan.rows[1])] == ["届次"]


def test_a_new_row_without_id_or_gender_is_an_error(committee, setup):
    planned = only_row(plan_rows(committee, [person(id_number="", 性别="")]))
    assert messages(planned) == [
        ("性别", tr("Give the gender (%(choices)s) or the ID number.") % {"choices": "男、女"})
    ]


# --- matching, applying, re-importing ------------------------------------------------------------


def test_it_creates_members_with_their_term_row_history_and_audit(committee, setup, units, office):
    rows = [
        person("张三", id_number=id_for(seq=11), 专委会="提案委员会、经济委员会", 是否常委="√"),
        person("李四", id_number=id_for(seq=12), 性别="女", 手机="13900000002"),
    ]
    plan = plan_rows(committee, rows)
    counts = roster_import.apply_import(committee=committee, plan=plan, actor=office)
    assert counts == {"created": 2, "updated": 0, "unchanged": 0, "errors": 0}
    zhang = Member.objects.find_by_id_number(id_for(seq=11)).get()
    assert (zhang.name, zhang.gender, zhang.birth_date, zhang.party) == (
        "张三", Member.Gender.MALE, datetime.date(1975, 3, 1), Member.Party.CDL,
    )  # fmt: skip
    assert zhang.phone == "13900000001"
    member_term = MemberTerm.objects.get(member=zhang, term=setup)
    assert member_term.sector == units["教育界"]
    assert member_term.town_committee == units["城关镇"]
    assert member_term.is_standing is True
    assert set(member_term.special_committees.all()) == {units["提案委员会"], units["经济委员会"]}
    li = Member.objects.find_by_id_number(id_for(seq=12)).get()
    assert li.gender == Member.Gender.FEMALE
    assert list(MemberTerm.objects.get(member=li).special_committees.all()) == []
    assert MemberChange.objects.filter(member=zhang, source=MemberChange.Source.IMPORT).count() == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.detail == counts
    assert event.actor == office
    assert event.committee_id == committee.pk


def test_it_updates_a_member_matched_by_id_number_and_shows_masked_changes(committee, setup, units, office):
    member = MemberFactory(
        committee=committee,
        name="张三",
        id_number=id_for(),
        phone="13900000001",
        party="cdl",
        education="bachelor",
        employer_post="县第一中学校长",
    )
    MemberTermFactory(member=member, term=setup, sector=units["教育界"], town_committee=units["城关镇"])
    version = member.version
    planned = only_row(plan_rows(committee, [person(手机="13800000008", 界别="经济界", 是否常委="是")]))
    assert planned.action == "update"
    assert planned.member_id == member.pk
    changes = {c["field"]: (c["old"], c["new"]) for c in planned.changes}
    assert changes["phone"] == (masking.mask_phone("13900000001"), masking.mask_phone("13800000008"))
    assert changes["term.sector"] == ("教育界", "经济界")
    assert changes["term.is_standing"] == (tr("No"), tr("Yes"))
    assert "13800000008" not in str(planned.changes)

    plan = plan_rows(committee, [person(手机="13800000008", 界别="经济界", 是否常委="是")])
    counts = roster_import.apply_import(committee=committee, plan=plan, actor=office)
    assert counts == {"created": 0, "updated": 1, "unchanged": 0, "errors": 0}
    member.refresh_from_db()
    assert member.phone == "13800000008"
    assert member.version == version + 1
    member_term = MemberTerm.objects.get(member=member, term=setup)
    assert (member_term.sector, member_term.is_standing) == (units["经济界"], True)
    change = MemberChange.objects.get(member=member)
    assert change.source == MemberChange.Source.IMPORT
    assert {c["field"] for c in change.changes} == {"phone", "term.sector", "term.is_standing"}


def test_empty_cells_keep_what_is_stored(committee, setup, units, office):
    member = MemberFactory(
        committee=committee,
        name="张三",
        id_number=id_for(),
        phone="13900000001",
        party="cdl",
        education="bachelor",
        employer_post="县第一中学校长",
    )
    MemberTermFactory(member=member, term=setup, sector=units["教育界"], town_committee=units["城关镇"])
    member.terms.get().special_committees.add(units["提案委员会"])
    row = person(
        手机="", 党派="", 学历="", 界别="", 专委会="", 所属工委="", 工作单位及职务="县第一中学党委书记"
    )
    planned = only_row(plan_rows(committee, [row]))
    assert planned.action == "update"
    assert [c["field"] for c in planned.changes] == ["employer_post"]
    roster_import.apply_import(committee=committee, plan=plan_rows(committee, [row]), actor=office)
    member.refresh_from_db()
    assert (member.phone, member.party, member.education) == ("13900000001", "cdl", "bachelor")
    member_term = member.terms.get()
    assert (member_term.sector, member_term.town_committee) == (units["教育界"], units["城关镇"])
    assert list(member_term.special_committees.all()) == [units["提案委员会"]]


def test_reimporting_the_same_file_changes_nothing(committee, setup, office):
    rows = [
        person("张三", id_number=id_for(seq=11), 专委会="提案委员会", 是否常委="√"),
        person("李四", id_number=id_for(seq=13), 界别="医药卫生界", 所属工委="东关镇政协工委"),
        person("王五", id_number="", 出生年月="1980.05"),
    ]
    first = roster_import.apply_import(committee=committee, plan=plan_rows(committee, rows), actor=office)
    assert first["created"] == 3
    versions = dict(Member.objects.values_list("pk", "version"))
    changes = MemberChange.objects.count()
    plan = plan_rows(committee, rows)
    assert plan.counts() == {"create": 0, "update": 0, "unchanged": 3, "error": 0}
    second = roster_import.apply_import(committee=committee, plan=plan, actor=office)
    assert second == {"created": 0, "updated": 0, "unchanged": 3, "errors": 0}
    assert dict(Member.objects.values_list("pk", "version")) == versions
    assert MemberChange.objects.count() == changes
    assert Member.objects.count() == 3


def test_valid_only_imports_the_valid_rows(committee, setup, office):
    rows = [person("张三", id_number=id_for(seq=11)), person("李四", id_number="123")]
    counts = roster_import.apply_import(
        committee=committee, plan=plan_rows(committee, rows), actor=office, valid_only=True
    )
    assert counts == {"created": 1, "updated": 0, "unchanged": 0, "errors": 1}
    assert list(Member.objects.values_list("name", flat=True)) == ["张三"]


def test_all_or_nothing_writes_nothing_when_a_row_has_an_error(committee, setup, office):
    rows = [person("张三", id_number=id_for(seq=11)), person("李四", id_number="123")]
    with pytest.raises(ImportHasErrors):
        roster_import.apply_import(
            committee=committee, plan=plan_rows(committee, rows), actor=office, valid_only=False
        )
    assert Member.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


def test_the_import_is_atomic(committee, setup, office):
    rows = [person("张三", id_number=id_for(seq=11)), person("李四", id_number=id_for(seq=13))]
    plan = plan_rows(committee, rows)
    # Someone creates 李四's file between the preview and the import: the second row would duplicate it.
    MemberFactory(committee=committee, name="李四", id_number=id_for(seq=13))
    with pytest.raises(ImportOutdated):
        roster_import.apply_import(committee=committee, plan=plan, actor=office)
    assert list(Member.objects.values_list("name", flat=True)) == ["李四"]
    assert not MemberTerm.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


def test_a_unit_deactivated_after_the_check_stops_the_import(committee, setup, units, office):
    plan = plan_rows(committee, [person(界别="教育界")])
    # The office closes the sector between the preview and the confirmation.
    OrgUnit.objects.filter(pk=units["教育界"].pk).update(is_active=False)
    with pytest.raises(ImportOutdated):
        roster_import.apply_import(committee=committee, plan=plan, actor=office)
    assert Member.objects.count() == 0


def test_rows_without_id_match_a_file_without_id_by_name_and_birth_date(committee, setup, office):
    MemberFactory(committee=committee, name="王五", id_number="", birth_date=datetime.date(1980, 5, 1))
    planned = only_row(
        plan_rows(committee, [person("王五", id_number="", 出生年月="1980.05", 党派="九三学社")])
    )
    assert planned.action == "update"
    assert {c["field"] for c in planned.changes} >= {"party"}


def test_it_reports_progress(committee, setup):
    rows = [person(f"委员{i}", id_number=id_for(seq=i)) for i in range(1, 251)]
    calls = []
    table = roster_import.read_roster(xlsx([HEADER, *rows]), "a.xlsx")
    roster_import.plan_import(
        committee=committee, table=table, progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(100, 250), (200, 250), (250, 250)]


def test_planning_costs_the_same_queries_for_10_and_100_rows(committee, setup):
    def queries_for(n, offset):
        # Half the rows match an existing file, so the prefetches run in both cases.
        for i in range(n // 2):
            member = MemberFactory(committee=committee, id_number=id_for(seq=offset + 2 * i + 1))
            MemberTermFactory(member=member, term=setup)
        rows = [
            person(f"委员{i}", id_number=id_for(seq=offset + 2 * i + 1), 专委会="提案委员会")
            for i in range(n)
        ]
        table = roster_import.read_roster(xlsx([HEADER, *rows]), "a.xlsx")
        with capture_queries() as captured:
            plan = roster_import.plan_import(committee=committee, table=table)
        assert plan.counts()["update"] == n // 2
        assert plan.counts()["create"] == n - n // 2
        return captured

    assert_same_query_count(queries_for(10, 100), queries_for(100, 200))


# --- new files in bulk (services.create_members) ---------------------------------------------------


def test_imported_files_get_the_history_create_member_writes(
    committee, other_committee, setup, office, make_user
):
    row = person(
        "张三", id_number=id_for(seq=11), 手机="13900000009", 党派="九三学社", 工作单位及职务="县医院院长"
    )
    roster_import.apply_import(committee=committee, plan=plan_rows(committee, [row]), actor=office)
    imported = Member.objects.get(committee=committee)
    # The same file typed in by hand, in another committee: its history is the reference (the place
    # in the term too: test_term_placement.py).
    data = {name: getattr(imported, name) for name in roster_import.MEMBER_FIELDS}
    other_office = make_user(Role.OFFICE, committee=other_committee, username="other-office")
    typed = services.create_member(committee=other_committee, data=data, actor=other_office)
    change = MemberChange.objects.get(member=imported)
    reference = MemberChange.objects.get(member=typed)
    assert change.source == MemberChange.Source.IMPORT
    assert (change.actor, change.version) == (office, 1)
    assert [c for c in change.changes if not c["field"].startswith("term.")] == reference.changes
    fields = {c["field"]: c["new"] for c in change.changes}
    assert fields["id_number"] == masking.mask_id_number(id_for(seq=11))
    assert fields["phone"] == masking.mask_phone("13900000009")
    assert "13900000009" not in str(change.changes)


def test_imported_files_have_blind_indexes_and_are_found_by_id_and_phone(committee, setup, office):
    rows = [
        person("张三", id_number=id_for(seq=11), 手机="13900000001"),
        person("李四", id_number=id_for(seq=13), 手机="13900000002"),
    ]
    roster_import.apply_import(committee=committee, plan=plan_rows(committee, rows), actor=office)
    stored = dict(Member.objects.values_list("name", "id_number_index"))
    digest = Member._meta.get_field("id_number_index").digest
    assert stored == {"张三": digest(id_for(seq=11)), "李四": digest(id_for(seq=13))}
    assert all(stored.values())
    assert Member.objects.find_by_id_number(id_for(seq=13)).get().name == "李四"
    assert Member.objects.find_by_phone("139 0000 0001").get().name == "张三"
    # The columns hold ciphertext, not the numbers.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM members_member")
        for id_number, phone in cursor.fetchall():
            assert id_number not in (id_for(seq=11), id_for(seq=13))
            assert not phone.startswith("139")


def test_imported_files_have_the_name_keys_save_computes(committee, setup, office):
    names = ["单雄信", "曾国强", "尉迟恭", "阿不都·热合曼", "张三"]
    rows = [person(name, id_number=id_for(seq=2 * i + 11)) for i, name in enumerate(names)]
    roster_import.apply_import(committee=committee, plan=plan_rows(committee, rows), actor=office)
    keys = ["name", "name_pinyin", "name_pinyin_key", "name_initials", "name_stroke_key"]
    imported = sorted(Member.objects.values_list(*keys))
    assert all(all(row) for row in imported)
    for member in Member.objects.all():
        member.name_pinyin = member.name_pinyin_key = member.name_initials = member.name_stroke_key = ""
        member.save()
    assert sorted(Member.objects.values_list(*keys)) == imported
    assert Member.objects.get(name="单雄信").name_initials == "sxx"


def test_applying_new_rows_costs_the_same_queries_for_10_and_100_rows(committee, setup, office):
    def queries_for(n, offset):
        rows = [
            person(f"委员{i}", id_number=id_for(seq=offset + 2 * i + 1), 专委会="提案委员会、经济委员会")
            for i in range(n)
        ]
        plan = plan_rows(committee, rows)
        assert plan.counts()["create"] == n
        with capture_queries() as captured:
            counts = roster_import.apply_import(committee=committee, plan=plan, actor=office)
        assert counts["created"] == n
        inserts = [q for q in captured if q["sql"].lstrip().upper().startswith("INSERT")]
        return [q for q in captured if q not in inserts], len(inserts)

    others_10, inserts_10 = queries_for(10, 100)
    others_100, inserts_100 = queries_for(100, 400)
    assert_same_query_count(others_10, others_100)
    # Four tables written in bulk (members, history, term rows, their special committees) and two audit
    # rows; SQLite splits the member INSERT in statements of 999 parameters (37 rows), PostgreSQL does not.
    assert inserts_10 == 6
    assert inserts_100 <= 8
    assert MemberChange.objects.filter(source=MemberChange.Source.IMPORT).count() == 110
    assert MemberTerm.special_committees.through.objects.count() == 220


def test_the_new_files_are_audited_in_one_row(committee, setup, office):
    rows = [person(f"委员{i}", id_number=id_for(seq=2 * i + 1)) for i in range(3)]
    roster_import.apply_import(committee=committee, plan=plan_rows(committee, rows), actor=office)
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE)
    assert sorted(event.detail["member_ids"]) == sorted(Member.objects.values_list("pk", flat=True))
    assert (event.detail["count"], event.detail["source"]) == (3, MemberChange.Source.IMPORT)
    assert (event.actor, event.committee_id) == (office, committee.pk)
    assert AuditEvent.objects.count() == 2  # and the import's own row
    assert AuditEvent.verify_chain() is None


def test_applying_reports_progress_over_updates_and_new_files(committee, setup, office, monkeypatch):
    monkeypatch.setattr(roster_import.apply, "PROGRESS_EVERY", 10)
    monkeypatch.setattr(services, "CREATE_BATCH", 40)
    for i in range(25):
        MemberFactory(committee=committee, name=f"委员{i}", id_number=id_for(seq=2 * i + 1), phone="")
    rows = [person(f"委员{i}", id_number=id_for(seq=2 * i + 1)) for i in range(125)]
    plan = plan_rows(committee, rows)
    assert (plan.counts()["update"], plan.counts()["create"]) == (25, 100)
    calls = []
    roster_import.apply_import(
        committee=committee, plan=plan, actor=office, progress=lambda done, total: calls.append((done, total))
    )
    # Changed files one by one, then new files by batch, then the end.
    assert calls == [(10, 125), (20, 125), (65, 125), (105, 125), (125, 125), (125, 125)]
    assert Member.objects.count() == 125
    assert MemberChange.objects.filter(source=MemberChange.Source.IMPORT).count() == 125


def test_create_members_validates_every_row_and_writes_nothing_on_an_error(committee, office):
    good = {"name": "张三", "gender": Member.Gender.MALE, "id_number": id_for(seq=11)}
    bad = {"name": "李四", "gender": "unknown"}
    with pytest.raises(ValidationError) as caught:
        services.create_members(
            committee=committee, rows=[good, good | {"email": "not-an-email"}, bad], actor=office
        )
    assert caught.value.row_index == 1
    assert set(caught.value.message_dict) == {"email"}
    assert not Member.objects.exists()
    assert not MemberChange.objects.exists()
    assert not AuditEvent.objects.exists()


def test_create_members_checks_user_accounts_in_one_batch(committee, office, make_user):
    taken = make_user(username="taken")
    MemberFactory(committee=committee, user=taken)
    free = make_user(username="free")
    base = {"name": "张三", "gender": Member.Gender.MALE}
    for rows, index in (
        ([base, base | {"user": taken}], 1),
        ([base | {"user": free}, base | {"user": free}], 1),
        ([base | {"user_id": 999_999}], 0),
    ):
        with capture_queries() as captured, pytest.raises(ValidationError) as caught:
            services.create_members(committee=committee, rows=rows, actor=office)
        assert caught.value.row_index == index
        assert set(caught.value.message_dict) == {"user"}
        assert len([q for q in captured if "SELECT" in q["sql"]]) == 2
    members = services.create_members(committee=committee, rows=[base | {"user": free}], actor=office)
    assert Member.objects.get(user=free) == members[0]
