"""The demo's duty assessment (seed_demo): the default rule set active for the year and the scores
computed; four vice-chairs (posts in the chairs' council); six inspection groups they lead over the
town committees; the indicators computed from the ledger, every town committee inspected with findings,
and the tiers decided — all through the services, acting as the demo office."""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from lvzhi.ledger import import_services
from lvzhi.members.models import Member, MemberTerm
from lvzhi.organization import services as organization_services
from lvzhi.organization.models import Membership, OrgUnit

from . import selectors, services, units
from .models import InspectionGroup, UnitAssessment

DEFAULT_RULES = Path(__file__).resolve().parent / "data" / "default_rules.yaml"
GROUP_NAMES = ["第一考核组", "第二考核组", "第三考核组", "第四考核组", "第五考核组", "第六考核组"]
# Which vice-chair (by position) leads each group: the first two lead two groups each.
GROUP_LEADERS = [0, 0, 1, 1, 2, 3]
# The tiers the demo's inspection ends in, by the order the towns are drawn: 5 一类, 9 二类, 3 三类.
TIER_PLAN = ["first"] * 5 + ["second"] * 9 + ["third"] * 3
# Target totals per tier (the indicator scores are spread to add up to them).
TOTALS = {
    "first": ["96", "94.5", "93", "92", "90.5"],
    "second": ["88.5", "87", "86", "84.5", "83", "81", "79.5", "77", "75.5"],
    "third": ["73", "70.5", "66"],
}
STRENGTHS = [
    "工委班子健全，委员联络站运行规范，全年组织集中学习 {n} 次。",
    "围绕乡村振兴开展专题视察和调研，形成的调研报告被镇党委采纳。",
    "委员履职档案建立完整，社情民意信息报送积极，有 {n} 条被县级以上采用。",
    "打造“有事好商量”协商议事平台，全年开展协商议事活动 {n} 场，解决群众急难愁盼问题。",
    "结合本镇产业特点开展“委员助企”活动，成效明显，群众评价好。",
    "委员之家阵地建设规范，活动记录、图片资料齐全。",
]
WEAKNESSES = [
    "个别委员参加活动不够经常，出勤率有待提高。",
    "提案和社情民意信息数量偏少，质量有待提升。",
    "特色工作品牌不够鲜明，亮点不多。",
    "活动资料归档不够及时，部分记录不完整。",
    "委员小组活动开展不平衡，有的小组全年活动较少。",
]
NOTES = {
    "organization": ["组织机构健全，制度上墙", "工委班子调整后运行顺畅", "联络站制度执行到位"],
    "study": ["学习计划落实，笔记完整", "集中学习次数达到要求", "专题学习形式多样"],
    "duty": ["视察调研 {n} 次", "协商议事活动开展经常", "委员参加活动积极"],
    "opinions_proposals": ["社情民意报送 {n} 条", "提案质量较高", "信息报送数量偏少"],
    "highlights": ["“委员助企”品牌有影响", "协商议事平台有特色", "亮点工作有待培育"],
}


def _spread(total: Decimal, indicators, rng: random.Random) -> dict[str, Decimal]:
    """Scores per indicator adding up to `total`, each the same share of its full marks give or take a
    little, in halves, none above its full marks."""
    full = sum(i.max for i in indicators)
    scores = {}
    for indicator in indicators:
        share = indicator.max * total / full
        jitter = Decimal(rng.choice([-1, -0.5, 0, 0.5, 1]))
        scores[indicator.code] = min(
            indicator.max, max(Decimal(0), (share + jitter) * 2).quantize(Decimal(1)) / 2
        )
    # Put the difference on the indicators that have room, half a point at a time.
    difference = total - sum(scores.values())
    step = Decimal("0.5")
    codes = [i.code for i in indicators]
    maxima = {i.code: i.max for i in indicators}
    while difference:
        moved = False
        for code in codes:
            if difference >= step and scores[code] + step <= maxima[code]:
                scores[code] += step
                difference -= step
                moved = True
            elif difference <= -step and scores[code] - step >= 0:
                scores[code] -= step
                difference += step
                moved = True
            if not difference:
                break
        if not moved:
            break
    return scores


def _findings(tier: str, rng: random.Random) -> str:
    good = rng.sample(STRENGTHS, 3 if tier == "first" else 2 if tier == "second" else 1)
    weak = rng.sample(WEAKNESSES, 1 if tier == "first" else 1 if tier == "second" else 2)
    text = "".join(s.format(n=rng.randint(4, 12)) for s in good)
    return text + "存在的不足：" + "".join(weak)


# What the office kept on paper before lvzhi went live, imported from a spreadsheet (the import's own
# preview and confirmation, as staff would): the session's paper proposals, early 社情民意 and the sign-in
# sheets of the spring inspections and research trips.
EARLIER_PROPOSALS = 150
EARLIER_OPINIONS = 60
EARLIER_VISITS = [
    ("activity.inspection", 3, 18, "全县农村公路建设视察"),
    ("activity.research", 4, 9, "民营企业发展环境调研"),
    ("activity.inspection", 4, 23, "城区背街小巷改造视察"),
    ("activity.research", 5, 14, "乡村养老服务调研"),
]


def _import_earlier_records(*, committee, office, members, year, rng):
    """Import the year's records kept before lvzhi (see EARLIER_*) through the duty-record import."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["身份证号", "姓名", "日期", "类型", "事项", "角色", "备注"])

    def row(member, date, kind, item, role="", note=""):
        sheet.append([member.id_number, member.name, date.isoformat(), kind, item, role, note])

    session_day = datetime.date(year, 1, 14)
    for n in range(1, EARLIER_PROPOSALS + 1):
        authors = rng.sample(members, rng.choice([1, 1, 1, 2, 3]))
        item = f"一次会议提案（纸质）第{n}件"
        for k, member in enumerate(authors):
            row(
                member,
                session_day,
                "proposal.submitted",
                item,
                "lead" if k == 0 else "co" if len(authors) > 1 else "",
            )
    for n in range(1, EARLIER_OPINIONS + 1):
        day = datetime.date(year, rng.randint(2, 5), rng.randint(1, 28))
        row(rng.choice(members), day, "opinion.submitted", f"社情民意报送登记第{n}条")
    for kind, month, day, title in EARLIER_VISITS:
        for member in rng.sample(members, min(len(members), 36)):
            row(member, datetime.date(year, month, day), kind, title, note="据签到表")
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile(
        f"{year}年上半年履职记录（系统启用前）.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    job = import_services.start(committee=committee, uploaded_file=upload, actor=office)
    import_services.confirm(job=job, valid_only=True, actor=office)


def seed_scoring(*, committee, users, now=None, seed=None):
    """Build the year's assessment for the demo `committee` (see the module docstring), acting as
    users["office"]. Does nothing and returns None when the year already has inspection groups; else
    returns the year's UnitAssessments of the town committees."""
    now = now or timezone.now()
    year = timezone.localdate(now).year
    office = users["office"]
    if InspectionGroup.objects.filter(committee=committee, year=year).exists():
        return None
    rng = random.Random(seed if seed is not None else committee.pk)

    if selectors.active_rule_set(committee, year) is None:
        services.save_rule_set(
            actor=office,
            committee=committee,
            year=year,
            text=DEFAULT_RULES.read_text(encoding="utf-8"),
            activate=True,
        )
    term = committee.current_term()
    serving = list(
        Member.objects.filter(
            committee=committee, terms__term__is_current=True, terms__status=MemberTerm.Status.SERVING
        )
        .distinct()
        .order_by("pk")
    )
    _import_earlier_records(committee=committee, office=office, members=serving, year=year, rng=rng)
    services.compute_year(committee=committee, year=year, actor=office)
    council = OrgUnit.objects.filter(committee=committee, kind=OrgUnit.Kind.CHAIRS_COUNCIL).first()
    vice_chairs = rng.sample(serving, 4)
    if council is not None:
        start = term.start_date if term is not None else None
        for member in vice_chairs:
            organization_services.add_membership(
                actor=office,
                unit=council,
                data={"member": member, "position": Membership.Position.DEPUTY_DIRECTOR, "start_date": start},
            )

    towns = list(
        OrgUnit.objects.filter(
            committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE, is_active=True
        ).order_by("sort_order", "name", "pk")
    )
    others = [m for m in serving if m not in vice_chairs]
    rng.shuffle(others)
    groups = []
    for index, name in enumerate(GROUP_NAMES):
        chunk = towns[index :: len(GROUP_NAMES)]
        size = rng.choice([3, 4])
        members, others = others[:size], others[size:]
        groups.append(
            units.save_group(
                committee=committee,
                year=year,
                name=name,
                leader=vice_chairs[GROUP_LEADERS[index]],
                leader_title="副主席",
                members=members,
                units=chunk,
                order=index + 1,
                actor=office,
            )
        )

    units.refresh_units(committee=committee, year=year, actor=office)
    unit_rules = units.unit_rules(committee, year)
    assessments = list(
        UnitAssessment.objects.filter(committee=committee, year=year, unit__in=towns).select_related("unit")
    )
    order = assessments[:]
    rng.shuffle(order)
    plan = (TIER_PLAN * ((len(order) // len(TIER_PLAN)) + 1))[: len(order)]
    pools = {tier: list(values) for tier, values in TOTALS.items()}
    for assessment, tier in zip(order, plan, strict=True):
        total = Decimal(pools[tier].pop(0) if pools[tier] else TOTALS[tier][-1])
        scores = _spread(total, unit_rules.indicators, rng)
        notes = {code: rng.choice(texts).format(n=rng.randint(3, 9)) for code, texts in NOTES.items()}
        inspected = units.record_inspection(
            assessment=assessment,
            scores=scores,
            notes={code: notes.get(code, "") for code in scores},
            findings=_findings(tier, rng),
            version=assessment.version,
            actor=office,
        )
        units.decide_tier(assessment=inspected, tier=tier, version=inspected.version, actor=office)
    return list(
        UnitAssessment.objects.filter(committee=committee, year=year, unit__in=towns).select_related(
            "unit", "group"
        )
    )
