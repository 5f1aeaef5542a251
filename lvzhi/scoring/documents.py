"""The assessment's documents, as an office sends them (official layout through lvzhi.core.docx_official,
tables through lvzhi.core.xlsx):

- 个人年度履职报告: one member's year — score per category against its cap, total, grade, the records
  behind it counted by kind, unmet requirements and flags;
- 履职情况通报: the committee's year — the overall numbers, the 优秀 members by name, those below the
  pass line or with unmet requirements (optional: the office decides whether to name them), the numbers
  by sector and by town committee, and the closing requirements;
- 履职情况告知书: one page per member to the member's employer (or sector, town committee), as one
  file with a page per member or as a zip of one file per member;
- the tables (.xlsx): by sector, by town committee, every member.

The documents are Chinese documents: their wording is written here in Chinese (not through gettext) and
they are built in Chinese whatever the reader's interface language, so that the ledger's kind labels in
them are Chinese too. Lists of names follow the stroke order of the surname (按姓氏笔画排序), as printed
lists do. Everything is read in a fixed number of queries, whatever the number of members."""

from __future__ import annotations

import copy
import datetime
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.utils import timezone, translation
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from lxml import etree
from openpyxl import Workbook

from lvzhi.core import docx_official, masking, xlsx
from lvzhi.ledger import kinds
from lvzhi.ledger.models import DutyRecord
from lvzhi.members.models import MemberTerm
from lvzhi.organization.models import OrgUnit

from . import rules, selectors
from .models import MemberScore, RuleSet

if TYPE_CHECKING:
    from lvzhi.members.models import Member
    from lvzhi.organization.models import Committee

DOCUMENT_LANGUAGE = "zh-hans"
NO_VALUE = "—"
SEPARATOR = "、"
NO_SECTOR = "（未分界别）"
NO_TOWN = "（未分镇区工委）"
TWO = Decimal("0.01")
ONE = Decimal("0.1")


# --- numbers ----------------------------------------------------------------------------------------


def score_text(value: Decimal | str | None) -> str:
    """A score as the tables print it: two decimals (87.50)."""
    if value is None or value == "":
        return NO_VALUE
    return f"{Decimal(value).quantize(TWO, ROUND_HALF_UP)}"


def cap_text(value: Decimal | None) -> str:
    """A cap as the rule set writes it: 25, or 7.5; none: —."""
    if value is None:
        return NO_VALUE
    return f"{value.normalize():f}"


def average(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(TWO, ROUND_HALF_UP)


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(ONE, ROUND_HALF_UP)


def percent_text(value: Decimal | None) -> str:
    return NO_VALUE if value is None else f"{value.normalize():f}%"


def date_text(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- the year's data --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One member's score with their place in the current term (sector, town committee)."""

    number: int  # 序号 in the stroke order of the names
    score: MemberScore
    member: Member
    sector: OrgUnit | None
    town: OrgUnit | None

    @property
    def unmet(self) -> list[str]:
        return [entry.get("text", "") for entry in self.score.unmet]

    @property
    def flags(self) -> list[str]:
        return [entry.get("text", "") for entry in self.score.flags]

    @property
    def below(self) -> bool:
        """Below the pass line, or a minimum requirement not met: the bulletin's third part."""
        return self.score.passed is False or bool(self.score.unmet)


@dataclass(frozen=True)
class Year:
    """A committee's assessed year with its active rule set: everything the documents print."""

    committee: Committee
    year: int
    rule_set: RuleSet
    rules: rules.RuleSet
    rows: list[Row]
    unit: OrgUnit | None = None

    @property
    def categories(self) -> tuple[rules.Category, ...]:
        return self.rules.categories

    @property
    def grade_names(self) -> list[str]:
        return [grade.name for grade in self.rules.grades]

    @property
    def pass_mark(self) -> Decimal | None:
        return self.rules.pass_mark

    @property
    def office(self) -> str:
        return issuing_body(self.committee)

    @property
    def rule_title(self) -> str:
        return f"《{self.rule_set.name}》"


class Unavailable(Exception):
    """No document can be made: no active rule set for the year, its text no longer loads, or no
    member has been scored with it. `reason` is one of the codes below, for the page to explain."""

    NO_RULE_SET = "no_rule_set"
    BROKEN_RULE_SET = "broken_rule_set"
    NO_SCORES = "no_scores"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def sector_phrase(name: str) -> str:
    """中国民主同盟 → 中国民主同盟界别; 经济界 and 经济界别 stay as they are."""
    return name if name.endswith(("界", "界别")) else f"{name}界别"


def issuing_body(committee: Committee) -> str:
    return f"{committee.name}办公室"


def load_year(
    committee: Committee, year: int, *, unit: OrgUnit | None = None, member_id: int | None = None
) -> Year:
    """The year's scores under the active rule set, with each member's sector and town committee of the
    current term, in stroke order; `unit` keeps the members of one sector or town committee, `member_id`
    one member. Three queries. Raises Unavailable."""
    rule_set = selectors.active_rule_set(committee, year)
    if rule_set is None:
        raise Unavailable(Unavailable.NO_RULE_SET)
    try:
        parsed = rule_set.parsed()
    except rules.RuleSetError as exc:
        raise Unavailable(Unavailable.BROKEN_RULE_SET) from exc
    scores = (
        MemberScore.objects.filter(rule_set=rule_set)
        .select_related("member")
        .order_by("member__name_stroke_key", "member__name_pinyin_key", "member_id")
    )
    terms = MemberTerm.objects.filter(term__committee=committee, term__is_current=True).select_related(
        "sector", "town_committee"
    )
    if member_id is not None:
        scores = scores.filter(member_id=member_id)
        terms = terms.filter(member_id=member_id)
    if unit is not None:
        places = (
            terms.filter(sector=unit)
            if unit.kind == OrgUnit.Kind.SECTOR
            else terms.filter(town_committee=unit)
        )
        terms = places
        scores = scores.filter(member_id__in=places.values("member_id"))
    place = {t.member_id: t for t in terms}
    rows = []
    for number, score in enumerate(scores, 1):
        term = place.get(score.member_id)
        rows.append(
            Row(
                number=number,
                score=score,
                member=score.member,
                sector=term.sector if term else None,
                town=term.town_committee if term else None,
            )
        )
    if not rows and member_id is None and unit is None:
        raise Unavailable(Unavailable.NO_SCORES)
    return Year(committee=committee, year=year, rule_set=rule_set, rules=parsed, rows=rows, unit=unit)


@dataclass
class GroupNumbers:
    """The numbers of a group of members (the committee, a sector, a town committee)."""

    name: str
    members: int = 0
    average: Decimal | None = None
    grades: dict[str, int] = field(default_factory=dict)
    passed: int = 0
    pass_rate: Decimal | None = None
    below: int = 0  # below the pass line or a requirement unmet
    unmet: int = 0  # a requirement unmet

    def grade_share(self, grade: str) -> Decimal | None:
        return percent(self.grades.get(grade, 0), self.members)


def group_numbers(
    name: str, rows: Sequence[Row], grade_names: Sequence[str], *, pass_mark: Any
) -> GroupNumbers:
    grades = dict.fromkeys(grade_names, 0)
    for row in rows:
        grades[row.score.grade] = grades.get(row.score.grade, 0) + 1
    passed = sum(1 for row in rows if row.score.passed)
    return GroupNumbers(
        name=name,
        members=len(rows),
        average=average([row.score.total for row in rows]),
        grades=grades,
        passed=passed,
        pass_rate=percent(passed, len(rows)) if pass_mark is not None else None,
        below=sum(1 for row in rows if row.below),
        unmet=sum(1 for row in rows if row.score.unmet),
    )


def numbers_by(year: Year, attribute: str) -> list[GroupNumbers]:
    """The numbers per sector (`attribute` "sector") or per town committee ("town"), in the units'
    order; members without one last."""
    groups: dict[int | None, list[Row]] = {}
    units: dict[int | None, OrgUnit | None] = {}
    for row in year.rows:
        unit = getattr(row, attribute)
        key = unit.pk if unit else None
        groups.setdefault(key, []).append(row)
        units[key] = unit

    def order(key: int | None) -> tuple[Any, ...]:
        unit = units[key]
        return (1, 0, "") if unit is None else (0, unit.sort_order, unit.name)

    missing = NO_SECTOR if attribute == "sector" else NO_TOWN
    return [
        group_numbers(
            units[key].name if units[key] else missing,  # type: ignore[union-attr]
            groups[key],
            year.grade_names,
            pass_mark=year.pass_mark,
        )
        for key in sorted(groups, key=order)
    ]


def overall(year: Year) -> GroupNumbers:
    return group_numbers(year.committee.name, year.rows, year.grade_names, pass_mark=year.pass_mark)


def record_counts(member: Member, year: int) -> list[tuple[str, str, int]]:
    """(group label, kind label, number of records) of the member's ledger in `year`, in the
    taxonomy's group order: one query (a GROUP BY)."""
    counts = (
        DutyRecord.objects.filter(
            member=member, date__gte=datetime.date(year, 1, 1), date__lt=datetime.date(year + 1, 1, 1)
        )
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    group_order = {key: n for n, key in enumerate(kinds.GROUPS)}
    kind_order = {kind: n for n, kind in enumerate(kinds.all_kinds())}
    rows = [
        (kinds.group_of(kind), str(kinds.group_label(kinds.group_of(kind))), str(kinds.label(kind)), kind, n)
        for kind, n in counts
    ]
    rows.sort(
        key=lambda r: (
            group_order.get(r[0], len(group_order)),
            r[0],
            kind_order.get(r[3], len(kind_order)),
            r[3],
        )
    )
    return [(group, label, n) for _key, group, label, _kind, n in rows]


# --- Word helpers -----------------------------------------------------------------------------------


def _sign_off(document: Any, committee: Committee, day: datetime.date) -> None:
    docx_official.add_blank_line(document)
    for line in (issuing_body(committee), date_text(day)):
        paragraph = docx_official.add_body_paragraph(document, line, indent=False)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = docx_official.SIZE_3 * 4


def _heading(document: Any, number: int, text: str) -> Any:
    # The documents are Chinese: 一、 whatever the interface language (docx_official.heading_number
    # follows the active language, which is Chinese here anyway).
    return docx_official.add_heading_line(document, f"{docx_official.chinese_number(number)}、{text}")


def _category_rows(year: Year, score: MemberScore) -> list[list[str]]:
    rows = []
    for category in year.categories:
        entry = score.categories.get(category.code) or {}
        rows.append([category.name, score_text(entry.get("score")), cap_text(category.cap)])
    return rows


def _result_rows(year: Year, score: MemberScore) -> list[list[str]]:
    rows = [
        ["合计", score_text(score.total), cap_text(_sum_of_caps(year))],
        ["考核等次", score.grade or NO_VALUE, ""],
    ]
    if year.pass_mark is not None:
        rows.append(["是否合格", passed_text(score.passed), f"合格线 {cap_text(year.pass_mark)} 分"])
    return rows


def _sum_of_caps(year: Year) -> Decimal | None:
    caps = [c.cap for c in year.categories]
    if any(cap is None for cap in caps):
        return None
    return sum(caps, Decimal(0))  # type: ignore[arg-type]


def passed_text(passed: bool | None) -> str:
    return {True: "合格", False: "不合格"}.get(passed, NO_VALUE)  # type: ignore[arg-type]


def _place_text(row: Row) -> tuple[str, str]:
    return (row.sector.name if row.sector else NO_VALUE, row.town.name if row.town else NO_VALUE)


# --- 个人年度履职报告 ----------------------------------------------------------------------------------


def member_report_filename(year: Year, row: Row) -> str:
    return safe_filename(f"{row.member.name}{year.year}年度个人履职报告.docx")


def build_member_report(
    year: Year, row: Row, counts: list[tuple[str, str, int]], *, today: datetime.date | None = None
) -> Any:
    """One member's annual duty report (个人年度履职报告)."""
    with translation.override(DOCUMENT_LANGUAGE):
        return _member_report(year, row, counts, today or timezone.localdate())


def _member_report(year: Year, row: Row, counts: list[tuple[str, str, int]], today: datetime.date) -> Any:
    member, score = row.member, row.score
    title = f"{year.year}年度个人履职报告"
    document = docx_official.new_document(title=f"{member.name}{title}", author=year.office)
    docx_official.add_title(document, title)
    docx_official.add_subtitle(document, f"{year.committee.name}委员　{member.name}")
    docx_official.add_blank_line(document)
    sector, town = _place_text(row)
    for label, value in (("姓　　名", member.name), ("界　　别", sector), ("镇区工委", town)):
        docx_official.add_body_paragraph(document, f"{label}：{value}")
    if member.employer_post:
        docx_official.add_body_paragraph(document, f"工作单位及职务：{member.employer_post}")

    _heading(document, 1, "年度履职情况")
    total_records = sum(n for _g, _k, n in counts)
    passed = ""
    if year.pass_mark is not None:
        passed = "，达到合格分数线" if score.passed else f"，未达到合格分数线（{cap_text(year.pass_mark)}分）"
    docx_official.add_body_paragraph(
        document,
        f"{year.year}年，{member.name}委员按照{year.rule_title}参加年度履职考核，"
        f"年度得分{score_text(score.total)}分，考核等次为{score.grade or '未定'}{passed}。",
    )
    if counts:
        parts = SEPARATOR.join(f"{kind}{n}次" for _group, kind, n in counts)
        docx_official.add_body_paragraph(document, f"本年度履职档案共记录{total_records}项：{parts}。")
    else:
        docx_official.add_body_paragraph(document, "本年度履职档案中没有记录。")

    _heading(document, 2, "各项得分")
    docx_official.add_table(
        document, ["考核项目", "得分", "上限"], _category_rows(year, score) + _result_rows(year, score)
    )

    _heading(document, 3, "履职记录分类统计")
    if counts:
        docx_official.add_table(
            document, ["类别", "事项", "次数"], [[group, kind, n] for group, kind, n in counts]
        )
    else:
        docx_official.add_body_paragraph(document, "无。")

    _heading(document, 4, "基本履职要求")
    if row.unmet:
        docx_official.add_body_paragraph(
            document, "以下基本履职要求本年度未完成：" + "；".join(row.unmet) + "。"
        )
    else:
        docx_official.add_body_paragraph(document, "本年度基本履职要求均已完成。")

    _heading(document, 5, "提示事项")
    if row.flags:
        docx_official.add_body_paragraph(document, "；".join(row.flags) + "。")
    else:
        docx_official.add_body_paragraph(document, "无。")
    docx_official.add_body_paragraph(
        document,
        f"得分依据{year.rule_title}和履职档案中的记录计算。对得分如有疑问，可登录履职平台查看每一分的来源，"
        f"或与{year.office}联系。",
    )
    _sign_off(document, year.committee, today)
    return document


# --- 履职情况通报 -------------------------------------------------------------------------------------


def bulletin_filename(year: Year) -> str:
    return safe_filename(f"{year.year}年度委员履职情况通报.docx")


def build_bulletin(year: Year, *, name_below: bool = True, today: datetime.date | None = None) -> Any:
    """The committee's 履职情况通报. `name_below`: name the members below the pass line or with unmet
    requirements, with what is unmet (the office decides whether to send that part); without it the
    document gives their number only."""
    with translation.override(DOCUMENT_LANGUAGE):
        return _bulletin(year, name_below, today or timezone.localdate())


def _grade_sentence(numbers: GroupNumbers) -> str:
    parts = [
        f"{grade}{n}名（占{percent_text(numbers.grade_share(grade))}）"
        for grade, n in numbers.grades.items()
        if grade
    ]
    ungraded = numbers.grades.get("", 0)
    if ungraded:
        parts.append(f"未定等次{ungraded}名")
    return "，".join(parts)


def _bulletin(year: Year, name_below: bool, today: datetime.date) -> Any:
    title = f"关于{year.year}年度委员履职情况的通报"
    document = docx_official.new_document(title=title, author=year.office)
    docx_official.add_title(document, title)
    docx_official.add_blank_line(document)
    docx_official.add_body_paragraph(document, "各位委员：", indent=False)
    numbers = overall(year)
    docx_official.add_body_paragraph(
        document,
        f"根据{year.rule_title}，依据委员履职档案，对{numbers.members}名委员{year.year}年度的履职情况进行了考核。"
        "现将有关情况通报如下：",
    )
    number = 0

    number += 1
    _heading(document, number, "总体情况")
    sentence = f"参加考核的委员{numbers.members}名，平均得分{score_text(numbers.average)}分。"
    grades = _grade_sentence(numbers)
    if grades:
        sentence += f"考核等次：{grades}。"
    if year.pass_mark is not None:
        sentence += f"达到合格分数线（{cap_text(year.pass_mark)}分）的{numbers.passed}名，合格率{percent_text(numbers.pass_rate)}。"
    docx_official.add_body_paragraph(document, sentence)

    top = year.grade_names[0] if year.grade_names else ""
    best = [row for row in year.rows if top and row.score.grade == top]
    if top:
        number += 1
        _heading(document, number, f"考核等次为{top}的委员")
        if best:
            docx_official.add_body_paragraph(
                document, f"以下{len(best)}名委员考核等次为{top}（按姓氏笔画排序）："
            )
            docx_official.add_name_lines(document, [row.member.name for row in best])
        else:
            docx_official.add_body_paragraph(document, f"本年度没有考核等次为{top}的委员。")

    below = [row for row in year.rows if row.below]
    number += 1
    _heading(document, number, "未达到合格线或未完成基本履职要求的委员")
    if not below:
        docx_official.add_body_paragraph(document, "本年度所有委员均达到合格线并完成了基本履职要求。")
    elif name_below:
        docx_official.add_body_paragraph(
            document, f"以下{len(below)}名委员未达到合格线或未完成基本履职要求（按姓氏笔画排序）："
        )
        for row in below:
            docx_official.add_body_paragraph(document, _below_line(year, row))
    else:
        docx_official.add_body_paragraph(
            document,
            f"{len(below)}名委员未达到合格线或未完成基本履职要求，具体情况已另行告知本人。",
        )

    for attribute, heading, column in (
        ("sector", "分界别情况", "界别"),
        ("town", "分镇区工委情况", "镇区工委"),
    ):
        number += 1
        _heading(document, number, heading)
        groups = numbers_by(year, attribute)
        columns = [column, "人数", "平均分", *[g for g in year.grade_names], "合格率"]
        docx_official.add_table(
            document,
            columns,
            [
                [
                    g.name,
                    g.members,
                    score_text(g.average),
                    *[g.grades.get(name, 0) for name in year.grade_names],
                    percent_text(g.pass_rate),
                ]
                for g in groups
            ],
        )

    number += 1
    _heading(document, number, "有关要求")
    closing = (
        *(("希望受到通报的委员珍惜荣誉、再接再厉，在履职尽责中继续发挥示范作用。",) if best else ()),
        "未达到合格线或未完成基本履职要求的委员，要对照考核细则查找差距，积极参加政协会议和活动，"
        "认真撰写提案、反映社情民意，切实提高履职实效。",
        "各界别、各镇区政协工委要加强与委员的日常联系，督促委员按要求履职，共同做好委员履职管理工作。",
    )
    for paragraph in closing:
        docx_official.add_body_paragraph(document, paragraph)
    _sign_off(document, year.committee, today)
    return document


def _below_line(year: Year, row: Row) -> str:
    parts = [f"{score_text(row.score.total)}分"]
    if row.score.grade:
        parts.append(row.score.grade)
    if row.score.passed is False and year.pass_mark is not None:
        parts.append(f"未达到合格线（{cap_text(year.pass_mark)}分）")
    if row.unmet:
        parts.append("未完成：" + SEPARATOR.join(row.unmet))
    return f"{row.member.name}：" + "，".join(parts) + "。"


# --- 履职情况告知书 -----------------------------------------------------------------------------------

ADDRESS_EMPLOYER = "employer"
ADDRESS_SECTOR = "sector"
ADDRESS_TOWN = "town"
ADDRESSEES = (ADDRESS_EMPLOYER, ADDRESS_SECTOR, ADDRESS_TOWN)

# Posts at the end of 工作单位及职务 ("县人民医院副院长"), longest first, and the words that may stand
# before them ("党委书记", "常务副总经理"): the employer is what is left.
_POSTS = sorted(
    [
        "董事长",
        "总经理",
        "经理",
        "院长",
        "校长",
        "馆长",
        "局长",
        "主任医师",
        "医师",
        "主任",
        "主席",
        "理事长",
        "会长",
        "秘书长",
        "书记",
        "教师",
        "老师",
        "律师",
        "工程师",
        "所长",
        "站长",
        "行长",
        "厂长",
        "社长",
        "镇长",
        "乡长",
        "村长",
        "区长",
        "部长",
        "处长",
        "科长",
        "股长",
        "总监",
        "干部",
        "职工",
        "员工",
        "护士长",
        "护士",
        "医生",
        "教授",
        "研究员",
        "编辑",
        "记者",
        "会计",
        "会计师",
        "委员",
        "负责人",
        "创始人",
        "法定代表人",
        "合伙人",
        "科员",
        "主任科员",
        "总编辑",
        "总工程师",
        "经理助理",
        "园长",
        "团长",
        "队长",
        "组长",
        "检察长",
        "庭长",
        "审判员",
        "检察官",
        "警官",
        "民警",
        "代表",
        "个体户",
    ],
    key=len,
    reverse=True,
)
_POST_PREFIXES = sorted(
    (
        "副",
        "常务",
        "党委",
        "党组",
        "党总支",
        "党支部",
        "高级",
        "执行",
        "首席",
        "一级",
        "二级",
        "三级",
        "正高级",
        "助理",
    ),
    key=len,
    reverse=True,
)


def employer_of(employer_post: str) -> str:
    """The unit from a member's 工作单位及职务 ("县人民医院副院长" → "县人民医院"; the first of several,
    without remarks in brackets). Empty when the file has none. A text that ends in no known post is
    taken as it is."""
    text = re.sub(r"[（(][^）)]*[）)]", "", employer_post or "").strip()
    text = re.split(r"[、，,；;\s]+", text)[0] if text else ""
    stripped = text
    while True:
        post = next((p for p in _POSTS if stripped.endswith(p) and len(stripped) > len(p) + 1), None)
        if post is None:
            break
        stripped = stripped[: -len(post)]
        while True:
            prefix = next(
                (p for p in _POST_PREFIXES if stripped.endswith(p) and len(stripped) > len(p) + 1), None
            )
            if prefix is None:
                break
            stripped = stripped[: -len(prefix)]
    return stripped or text


def addressee(row: Row, to: str, unit: OrgUnit | None = None) -> str:
    """Whom a member's notice is addressed to: the chosen unit, else by `to` the member's employer,
    sector or town committee; each falls back to the next known one (an employer left blank in the
    file: the town committee, then the sector)."""
    if unit is not None and to != ADDRESS_EMPLOYER:
        return unit.name
    employer = employer_of(row.member.employer_post)
    sector = row.sector.name if row.sector else ""
    town = row.town.name if row.town else ""
    order = {
        ADDRESS_EMPLOYER: (employer, town, sector),
        ADDRESS_SECTOR: (sector, town, employer),
        ADDRESS_TOWN: (town, sector, employer),
    }[to]
    return next((name for name in order if name), "")


def notices_filename(year: Year, extension: str) -> str:
    scope = year.unit.name if year.unit else ""
    return safe_filename(f"{year.year}年度委员履职情况告知书{scope}.{extension}")


def notice_filename(row: Row, width: int) -> str:
    return safe_filename(f"{row.number:0{width}d}_{row.member.name}.docx")


def build_notices(
    year: Year, *, to: str = ADDRESS_EMPLOYER, today: datetime.date | None = None
) -> tuple[Any, list[list[Any]]]:
    """Every member's 履职情况告知书 in one document, a page each. Returns the document and, per row of
    `year.rows`, the body elements of that member's page (for the zip)."""
    with translation.override(DOCUMENT_LANGUAGE):
        return _notices(year, to, today or timezone.localdate())


NOTICE_TITLE = "履职情况告知书"
NOTICE_COLUMNS = ("考核项目", "得分", "上限")
NOTICE_CLOSING = "感谢贵单位对政协工作和委员履职的支持。请将本告知书内容转告本人，并作为对委员进行教育管理、评先评优的参考。"


@dataclass(frozen=True)
class NoticeTexts:
    """The texts of one member's notice page, in the order they stand on it."""

    head: list[str]  # subtitle, addressee, the opening paragraph
    table: list[list[str]]
    tail: list[str]  # requirements, closing, issuing office, date

    def flat(self) -> list[str]:
        return [NOTICE_TITLE, *self.head, *NOTICE_COLUMNS, *(c for r in self.table for c in r), *self.tail]


def notice_texts(year: Year, row: Row, to: str, today: datetime.date) -> NoticeTexts:
    member, score = row.member, row.score
    where = f"（{sector_phrase(row.sector.name)}）" if row.sector else ""
    if row.unmet:
        requirements = "未完成的基本履职要求：" + "；".join(row.unmet) + "。"
    else:
        requirements = "该同志本年度基本履职要求均已完成。"
    texts = NoticeTexts(
        head=[
            f"（{year.year}年度）",
            f"{addressee(row, to, year.unit) or '　　　　'}：",
            f"{member.name}同志是{year.committee.name}委员{where}。根据{year.rule_title}，"
            f"经考核，{member.name}同志{year.year}年度履职得分{score_text(score.total)}分，"
            f"考核等次为{score.grade or '未定'}。现将具体情况告知如下：",
        ],
        table=_category_rows(year, score) + _result_rows(year, score),
        tail=[requirements, NOTICE_CLOSING, issuing_body(year.committee), date_text(today)],
    )
    # One run a text: a line break would split a text into two (a rule's text may hold one).
    return NoticeTexts(
        head=[_one_line(t) for t in texts.head],
        table=[[_one_line(c) for c in r] for r in texts.table],
        tail=[_one_line(t) for t in texts.tail],
    )


def _one_line(text: str) -> str:
    return " ".join(str(text).split("\n"))


def _notices(year: Year, to: str, today: datetime.date) -> tuple[Any, list[list[Any]]]:
    """The first page is written through python-docx; every other page is a copy of it with the
    member's texts put in (all pages have the same paragraphs and table rows, since the categories and
    the pass mark are the year's): writing each page through python-docx costs some 35 ms, a
    committee's 300 members 10 s; a copy costs about one."""
    document = docx_official.new_document(title=f"{year.year}年度委员{NOTICE_TITLE}", author=year.office)
    body = document.element.body
    section = body[-1]
    pages: list[list[Any]] = []
    template: list[Any] = []
    for row in year.rows:
        texts = notice_texts(year, row, to, today)
        if not template:
            before = len(body) - 1  # the last child is the section's properties
            _notice_page(document, texts)
            template = list(body)[before:-1]
            pages.append(template)
            continue
        page = [copy.deepcopy(element) for element in template]
        slots = [t for element in page for t in element.iter(qn("w:t"))]
        values = texts.flat()
        if len(slots) != len(values):  # pragma: no cover - the pages are built alike; never copy wrong
            before = len(body) - 1
            _notice_page(document, texts)
            pages.append(list(body)[before:-1])
            continue
        for slot, value in zip(slots, values, strict=True):
            slot.text = value
            slot.set(qn("xml:space"), "preserve")
        for element in page:
            section.addprevious(element)
        pages.append(page)
    for page in pages[1:]:
        page[0].get_or_add_pPr().pageBreakBefore_val = True
    if not year.rows:
        docx_official.add_title(document, NOTICE_TITLE)
        docx_official.add_body_paragraph(document, "没有需要告知的委员。")
    return document, pages


def _notice_page(document: Any, texts: NoticeTexts) -> None:
    docx_official.add_title(document, NOTICE_TITLE)
    subtitle, address, opening = texts.head
    docx_official.add_subtitle(document, subtitle)
    docx_official.add_blank_line(document)
    docx_official.add_body_paragraph(document, address, indent=False)
    docx_official.add_body_paragraph(document, opening)
    docx_official.add_table(document, NOTICE_COLUMNS, texts.table)
    requirements, closing, office, day = texts.tail
    docx_official.add_body_paragraph(document, requirements)
    docx_official.add_body_paragraph(document, closing)
    docx_official.add_blank_line(document)
    for line in (office, day):
        paragraph = docx_official.add_body_paragraph(document, line, indent=False)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = docx_official.SIZE_3 * 4


def notices_zip(year: Year, document: Any, pages: list[list[Any]]) -> bytes:
    """One .docx per member (序号_姓名.docx) in a zip, made in memory. Every file shares the parts of
    the batch document (styles, page set-up, footers), compressed once into a base package to which
    each member's word/document.xml is appended; the .docx files are stored in the zip as they are
    (they are compressed already)."""
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    base = io.BytesIO()
    with zipfile.ZipFile(base, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            if name != "word/document.xml":
                package.writestr(name, content)
    base_bytes = base.getvalue()

    skeleton = copy.deepcopy(document.element)
    skeleton_body = skeleton.find(qn("w:body"))
    section = skeleton_body[-1]
    for child in list(skeleton_body)[:-1]:
        skeleton_body.remove(child)
    width = max(3, len(str(len(year.rows))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for row, elements in zip(year.rows, pages, strict=True):
            page = [copy.deepcopy(element) for element in elements]
            properties = page[0].pPr
            if properties is not None:
                properties.pageBreakBefore_val = None
            for element in page:
                section.addprevious(element)
            xml = etree.tostring(skeleton, xml_declaration=True, encoding="UTF-8", standalone=True)
            for element in page:
                skeleton_body.remove(element)
            member_package = io.BytesIO(base_bytes)
            with zipfile.ZipFile(member_package, "a", zipfile.ZIP_DEFLATED) as package:
                package.writestr("word/document.xml", xml)
            archive.writestr(notice_filename(row, width), member_package.getvalue())
    return out.getvalue()


# --- the tables ---------------------------------------------------------------------------------------


def tables_filename(year: Year) -> str:
    return safe_filename(f"{year.year}年度委员履职考核统计表.xlsx")


def build_tables(year: Year) -> Workbook:
    """The workbook: 按界别, 按镇区工委 (per unit: members, average, per-grade counts, pass rate, unmet)
    and 全部委员 (ID number masked). Cells through lvzhi.core.xlsx (formulas escaped)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for attribute, sheet_name, column in (("sector", "按界别", "界别"), ("town", "按镇区工委", "镇区工委")):
        sheet = workbook.create_sheet(title=sheet_name)
        headers = [
            column,
            "人数",
            "平均分",
            *year.grade_names,
            "合格人数",
            "合格率（%）",
            "未完成基本要求人数",
        ]
        header_row = xlsx.start_sheet(sheet, headers, title=f"{year.year}年度委员履职考核{sheet_name}统计")
        for g in [*numbers_by(year, attribute), overall(year)]:
            xlsx.append_row(
                sheet,
                [
                    g.name if g.name != year.committee.name else "合计",
                    g.members,
                    g.average,
                    *[g.grades.get(name, 0) for name in year.grade_names],
                    g.passed,
                    g.pass_rate,
                    g.unmet,
                ],
            )
        xlsx.fit_columns(sheet, header_row=header_row)

    sheet = workbook.create_sheet(title="全部委员")
    headers = [
        "序号",
        "身份证号",
        "姓名",
        "界别",
        "镇区工委",
        *[c.name for c in year.categories],
        "总分",
        "等次",
        "是否合格",
        "未完成的基本要求",
    ]
    header_row = xlsx.start_sheet(sheet, headers, title=f"{year.year}年度委员履职考核得分（按姓氏笔画排序）")
    for row in year.rows:
        score = row.score
        sector, town = _place_text(row)
        xlsx.append_row(
            sheet,
            [
                row.number,
                masking.mask_id_number(row.member.id_number),
                row.member.name,
                sector,
                town,
                *[_decimal((score.categories.get(c.code) or {}).get("score")) for c in year.categories],
                score.total,
                score.grade,
                passed_text(score.passed),
                "；".join(row.unmet),
            ],
        )
    xlsx.fit_columns(sheet, header_row=header_row)
    return workbook


def _decimal(value: str | None) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


def safe_filename(name: str) -> str:
    """A download name without the characters file systems refuse (a member's name may hold any)."""
    return "".join(c for c in name if c not in '\\/:*?"<>|\r\n\t').strip()
