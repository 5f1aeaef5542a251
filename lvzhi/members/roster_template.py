"""The roster template staff download, fill in and upload: the columns the import knows, an example
row, drop-down lists for coded columns, and a sheet of instructions."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from lvzhi.core.xlsx import workbook_response
from lvzhi.organization.models import OrgUnit

from .roster_import.read import SAMPLE_ID_NUMBER, SAMPLE_MARKER

# (header, example, width, text column): the headers are the import's canonical column names. The example
# row is marked as a sample (grey, 示例 in 备注, the fictional ID number): the import skips it if left in.
COLUMNS = [
    ("姓名", "张三", 10, False),
    ("性别", "男", 6, False),
    ("民族", "汉族", 8, False),
    ("出生日期", "1970-01-01", 12, True),
    ("籍贯", "青溪县", 10, False),
    ("身份证号码", SAMPLE_ID_NUMBER, 22, True),
    ("党派", "无党派人士", 14, False),
    ("学历", "大学本科", 10, False),
    ("界别", "教育界", 16, False),
    ("工作单位及职务", "青溪县第一中学校长", 28, False),
    ("手机号码", "13900000000", 14, True),
    ("专委会", "教科卫体委员会", 22, False),
    ("所属工委", "城关镇政协工委", 18, False),
    ("是否常委", "否", 8, False),
    ("备注", f"{SAMPLE_MARKER}（导入时自动跳过）", 24, False),
]
PARTIES = ["中共", "民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟", "无党派人士"]
EDUCATION = ["博士研究生", "硕士研究生", "大学本科", "大学专科", "高中（中专）", "初中及以下"]
INSTRUCTIONS = [
    "填写说明",
    "1. 第一行是列名，请勿修改列名；列的顺序可以调整，不需要的列可以删除（“姓名”“身份证号码”两列必须保留）。",
    "2. 身份证号码、手机号码、出生日期三列已设为“文本”格式，请直接输入；从其他表格粘贴时请选择“只粘贴数值”，"
    "以免 Excel 把身份证号变成科学计数法（如 1.10105E+17）。",
    "3. 出生日期可写作 1975-03-01、1975.03、1975年3月；若填写了身份证号码，出生日期和性别须与之一致，也可不填。",
    "4. 党派、学历、界别、所属工委、是否常委可从下拉列表中选择；界别可写作“教育”或“教育界”。",
    "5. 专委会可填写多个，用顿号“、”分隔。",
    "6. 上传后系统先检查并预览：将新建、更新、无变化的委员以及有错误的行（标明第几行、哪一列、什么问题）。"
    "确认之前不会写入任何数据；同一文件重复导入不会产生重复记录。",
    "7. 第 2 行（灰色，备注为“示例”）是示例（虚构的人员和号码），可以删除；如果留在表中，导入时会自动跳过。",
]


def build(*, committee):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")
    header_fill = PatternFill("solid", fgColor="F2DCDB")
    sample_fill = PatternFill("solid", fgColor="D9D9D9")
    for col, (header, example, width, is_text) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = width
        example_cell = sheet.cell(row=2, column=col, value=example)
        example_cell.font = Font(color="808080", italic=True)
        example_cell.fill = sample_fill
        if is_text:
            # Text format from row 2 down keeps Excel from turning ID numbers into floats.
            for row in range(2, 1002):
                sheet.cell(row=row, column=col).number_format = "@"
    sheet.cell(row=2, column=1).comment = Comment(
        "示例行：虚构的人员和号码，导入时自动跳过。请从第 3 行起填写（本行可以删除）。", "lvzhi"
    )
    sheet.freeze_panes = "A2"

    lists = workbook.create_sheet(_("Lists"))
    units = OrgUnit.objects.filter(committee=committee, is_active=True).order_by("sort_order", "name")
    columns = {
        "性别": ["男", "女"],
        "党派": PARTIES,
        "学历": EDUCATION,
        "界别": [u.name for u in units if u.kind == OrgUnit.Kind.SECTOR],
        "所属工委": [u.name for u in units if u.kind == OrgUnit.Kind.TOWN_COMMITTEE],
        "是否常委": ["是", "否"],
    }
    headers = [c[0] for c in COLUMNS]
    for list_col, (header, values) in enumerate(columns.items(), start=1):
        lists.cell(row=1, column=list_col, value=header).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=list_col, value=value)
        if not values:
            continue
        letter = lists.cell(row=1, column=list_col).column_letter
        validation = DataValidation(
            type="list", formula1=f"'{lists.title}'!${letter}$2:${letter}${len(values) + 1}", allow_blank=True
        )
        validation.error = _("Choose a value from the list.")
        sheet.add_data_validation(validation)
        target = sheet.cell(row=2, column=headers.index(header) + 1).column_letter
        validation.add(f"{target}2:{target}1001")

    notes = workbook.create_sheet(_("Instructions"))
    notes.column_dimensions["A"].width = 110
    for row, line in enumerate(INSTRUCTIONS, start=1):
        cell = notes.cell(row=row, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row == 1:
            cell.font = Font(bold=True, size=14)
    return workbook


def response(*, committee):
    return workbook_response(build(committee=committee), f"{committee.name}委员名单导入模板.xlsx")
