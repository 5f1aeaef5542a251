"""The template for importing duty records: the columns the import reads, sample rows (skipped when
left in: their 备注 says 示例), a drop-down of the kinds, and a 说明 sheet with the rules and every
kind code with its label. The sheet's text is Chinese, as in every document the office receives."""

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from lvzhi.core.xlsx import safe_cell, workbook_response
from lvzhi.members.roster_import.read import SAMPLE_ID_NUMBER

from . import kinds
from .importing import DATA_LANGUAGE, SAMPLE_MARKER

# (header, width, text column)
COLUMNS = [
    ("身份证号", 22, True),
    ("姓名", 10, False),
    ("界别", 14, False),
    ("日期", 13, True),
    ("类型", 26, False),
    ("事项", 34, False),
    ("角色", 10, False),
    ("备注", 30, False),
]
SAMPLE_ROWS = [
    [
        SAMPLE_ID_NUMBER,
        "张三",
        "教育界",
        "2026-01-08",
        "全体会议：出席",
        "政协第九届第二次会议",
        "",
        "示例：出席全体会议",
    ],
    [
        SAMPLE_ID_NUMBER,
        "张三",
        "教育界",
        "2026-01-10",
        "提交提案",
        "关于加强乡村教师队伍建设的提案",
        "领衔",
        "示例：联名提案的领衔人",
    ],
    [
        "",
        "李四",
        "医卫界",
        "2026-01-10",
        "proposal.submitted",
        "关于加强乡村教师队伍建设的提案",
        "联名",
        "示例：同一事项的联名人",
    ],
    ["", "王五", "经济界", "2026.3.5", "报送社情民意信息", "", "", "示例：无事项，本行单独成项"],
]
ROLE_NOTES = [
    ("lead", "领衔、第一提案人、第一"),
    ("co", "联名、附议"),
    ("collective", "集体、集体提案、主要执笔人"),
    ("merged", "被合并、并案"),
]
INSTRUCTIONS = [
    "填写说明",
    "1. 第一行是列名。列的顺序可以调整；“日期”“类型”两列必须有，“身份证号”和“姓名”至少有一列。",
    "2. 委员按身份证号匹配；没有身份证号时按姓名（可加“界别”）匹配本委员会的委员，须恰好匹配到一人，"
    "否则该行报错并说明匹配到几人。",
    "3. 身份证号、日期两列已设为“文本”格式；从其他表格粘贴时请选择“只粘贴数值”，以免 Excel 把身份证号变成科学计数法。",
    "4. 日期可写作 2026-03-05、2026.3.5、2026年3月5日，也可以是 Excel 的日期格式；不能晚于今天。",
    "5. 类型填写下表中的代码或中文名称（可从下拉列表选择）。",
    "6. 事项：同一件提案、同一条社情民意信息的各行填写相同的标题或编号，联名的各位委员归为同一事项，"
    "由考核细则按角色分配分值；事项为空时该行单独成为一项。同一事项中同一委员、同一类型只能出现一次。",
    "7. 角色：领衔（第一提案人）、联名（附议）、集体（集体提案主要执笔人）；出勤等记录可不填。",
    "8. 上传后系统先检查并预览：有效行数、错误行（第几行、哪一列、什么问题）、按类型和年份的统计。"
    "确认之前不写入任何数据；可以只导入有效行。导入后如发现有误，可在导入页面“撤销导入”，撤销后可重新导入。",
    "9. 以“示例”开头的备注所在行是示例，导入时自动跳过，可以删除。",
]


def build():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "履职记录"
    header_fill = PatternFill("solid", fgColor="F2DCDB")
    sample_fill = PatternFill("solid", fgColor="D9D9D9")
    for col, (header, width, is_text) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[cell.column_letter].width = width
        if is_text:
            # Text format keeps Excel from turning ID numbers into floats and dates into day numbers.
            for row in range(2, 2002):
                sheet.cell(row=row, column=col).number_format = "@"
    for r, values in enumerate(SAMPLE_ROWS, start=2):
        assert values[-1].startswith(SAMPLE_MARKER)
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=col, value=safe_cell(value) or None)
            cell.font = Font(color="808080", italic=True)
            cell.fill = sample_fill
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("说明")
    notes.column_dimensions["A"].width = 34
    notes.column_dimensions["B"].width = 44
    notes.column_dimensions["C"].width = 20
    row = 1
    for number, line in enumerate(INSTRUCTIONS):
        cell = notes.cell(row=row, column=1, value=line)
        notes.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if number == 0:
            cell.font = Font(bold=True, size=14)
        else:
            notes.row_dimensions[row].height = 32
        row += 1
    row += 1
    for col, header in enumerate(("类型代码", "中文名称", "类别"), start=1):
        notes.cell(row=row, column=col, value=header).font = Font(bold=True)
    first_kind_row = row + 1
    with translation.override(DATA_LANGUAGE):
        for code in kinds.all_kinds():
            row += 1
            notes.cell(row=row, column=1, value=code)
            notes.cell(row=row, column=2, value=safe_cell(str(kinds.label(code))))
            notes.cell(row=row, column=3, value=safe_cell(str(kinds.group_label(kinds.group_of(code)))))
        last_kind_row = row
        row += 2
        for col, header in enumerate(("角色代码", "可填写", "含义"), start=1):
            notes.cell(row=row, column=col, value=header).font = Font(bold=True)
        for role, aliases in ROLE_NOTES:
            row += 1
            notes.cell(row=row, column=1, value=role)
            notes.cell(row=row, column=2, value=aliases)
            notes.cell(row=row, column=3, value=safe_cell(str(kinds.role_label(role))))

    validation = DataValidation(
        type="list", formula1=f"'说明'!$B${first_kind_row}:$B${last_kind_row}", allow_blank=True
    )
    # A code typed instead of a label is valid too: warn, do not stop.
    validation.errorStyle = "warning"
    validation.showErrorMessage = False
    sheet.add_data_validation(validation)
    validation.add("E2:E2001")
    return workbook


def response():
    return workbook_response(build(), "履职记录导入模板.xlsx")
