"""The 通报 on the year's assessment of town committees and sectors (.docx, official layout): how the
inspection was organised (the groups, their leaders and units), the tiers decided per kind of unit, and
a summary of the findings. The document is Chinese whatever the interface language, as it is sent."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH

from lvzhi.core import docx_official
from lvzhi.organization.models import Committee

from .models import UnitAssessment
from .units import Overview, UnitRow

TIER_NAMES = {"first": "一类", "second": "二类", "third": "三类"}
SEPARATOR = "、"
# A unit's findings are summarised to their first sentences in the 通报 (the full text is on its page).
SUMMARY_CHARS = 200


def bulletin_title(committee: Committee, year: int) -> str:
    return f"关于{year}年度镇区政协工委和界别工作考核情况的通报"


def bulletin_filename(committee: Committee, year: int) -> str:
    return f"{year}年度镇区政协工委和界别工作考核情况通报.docx"


def _summary(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SUMMARY_CHARS:
        return text
    cut = text[:SUMMARY_CHARS]
    end = max(cut.rfind("。"), cut.rfind("；"))
    return cut[: end + 1] if end > 0 else cut + "……"


def _leader(group: Any) -> str:
    return f"{group.leader_title}{group.leader.name}" if group.leader_title else group.leader.name


def _tier_lines(document: Any, rows: list[UnitRow]) -> None:
    for tier in UnitAssessment.Tier.values:
        names = [r.assessment.unit.name for r in rows if r.assessment.tier == tier]
        if names:
            docx_official.add_body_paragraph(
                document, f"{TIER_NAMES[tier]}（{len(names)}个）：{SEPARATOR.join(names)}。"
            )
    undecided = [r.assessment.unit.name for r in rows if not r.assessment.tier]
    if undecided:
        docx_official.add_body_paragraph(
            document, f"尚未确定等次（{len(undecided)}个）：{SEPARATOR.join(undecided)}。"
        )


def build_bulletin(committee: Committee, overview: Overview) -> Any:
    year = overview.year
    title = bulletin_title(committee, year)
    issuer = f"{committee.name}办公室"
    document = docx_official.new_document(title=title, author=issuer)
    docx_official.add_title(document, title)
    docx_official.add_blank_line(document)
    docx_official.add_body_paragraph(document, "各镇区政协工委，各界别：", indent=False)

    groups = overview.groups
    leaders = []
    for group in groups:
        name = _leader(group)
        if name not in leaders:
            leaders.append(name)
    intro = f"根据年度工作考核安排，{year}年度，{committee.name}"
    if groups:
        intro += f"组成{len(groups)}个考核组，分别由{SEPARATOR.join(leaders)}带队，"
    intro += (
        f"对{len(overview.town_rows)}个镇区政协工委和{len(overview.sector_rows)}个界别的工作进行了考核。"
        "考核采取听取汇报、查阅资料、实地察看、座谈了解与履职台账数据相结合的方式进行。现将考核情况通报如下。"
    )
    docx_official.add_body_paragraph(document, intro)

    number = 0
    if groups:
        number += 1
        docx_official.add_heading_line(document, f"{docx_official.chinese_number(number)}、考核组织")
        for group in groups:
            members = SEPARATOR.join(m.name for m in group.members.all())
            assessed = SEPARATOR.join(a.unit.name for a in getattr(group, "assessed", []))
            text = f"{group.name}：组长{_leader(group)}"
            if members:
                text += f"，成员{members}"
            text += f"；考核{assessed}。" if assessed else "。"
            docx_official.add_body_paragraph(document, text)

    number += 1
    docx_official.add_heading_line(document, f"{docx_official.chinese_number(number)}、考核结果")
    for kind_name, rows in (("镇区政协工委", overview.town_rows), ("界别", overview.sector_rows)):
        if not rows:
            continue
        docx_official.add_body_paragraph(document, f"{kind_name}（共{len(rows)}个）")
        _tier_lines(document, rows)

    found = [r for r in overview.rows if r.assessment.findings.strip()]
    if found:
        number += 1
        docx_official.add_heading_line(
            document, f"{docx_official.chinese_number(number)}、考核发现的主要情况"
        )
        for row in found:
            docx_official.add_body_paragraph(
                document, f"{row.assessment.unit.name}：{_summary(row.assessment.findings)}"
            )

    docx_official.add_body_paragraph(
        document,
        "希望被评为一类的单位珍惜荣誉、再接再厉；其他单位对照考核中发现的问题认真整改，"
        "进一步加强组织建设，丰富履职活动，推动政协工作提质增效。",
    )
    docx_official.add_blank_line(document)
    docx_official.add_blank_line(document)
    for line in (issuer, f"{timezone.localdate():%Y年%m月%d日}".replace("年0", "年").replace("月0", "月")):
        paragraph = docx_official.add_body_paragraph(document, line, indent=False)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return document
