"""The demo committee's duty activities of the current year (part of `seed_demo`, see lvzhi.demo.builder).

A county CPPCC year as offices run it: the plenary session in January, a standing committee meeting
about every two months, meetings of each special committee, town-committee and sector activities,
training, inspections, research, a study tour and a consultation. Activities that are over are run
through the activities services from publishing to closing, so the attendance, the leave decisions and
the duty ledger are what the real pages would have produced; later ones are published and wait for
answers.

Members other than the demo member have no accounts, so their own answers (confirmations, leave
requests) are written to their invitations directly, as if they had answered; everything staff and
leaders do (leave decisions, check-in, closing, speeches) goes through the services.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from lvzhi.activities import services as activity_services
from lvzhi.activities.models import Activity, Participation
from lvzhi.members.models import MemberTerm
from lvzhi.notifications.models import ChannelPreference, Notification
from lvzhi.organization.models import Session

Kind = Activity.Kind
P = Participation.Status

LEAVE_REASONS = [
    "因公出差外地，无法按时返回",
    "参加市里同期召开的专题会议",
    "身体不适，正在住院治疗",
    "单位有紧急工作任务需本人处理",
    "参加省里组织的业务培训",
    "家中老人病重需陪护",
    "赴外地招商洽谈，行程已提前确定",
]
REFUSED_LEAVE_NOTE = "本次会议审议重要事项，请尽量调整行程参加"
PLENARY_ORAL = [
    "关于加快县域特色产业集群发展的建议",
    "关于健全农村养老服务体系的思考",
    "推动城乡义务教育优质均衡发展的几点建议",
    "关于提升基层医疗卫生服务能力的建议",
    "持续优化营商环境，激发民营经济活力",
    "关于加强传统村落保护利用的建议",
    "吸引青年人才返乡创业的对策建议",
    "关于加强未成年人心理健康教育的建议",
]
PLENARY_WRITTEN = [
    "关于完善城区停车设施的建议",
    "关于推进农村生活污水治理的建议",
    "关于发展茶产业品牌的建议",
    "关于加强食品安全监管的建议",
    "关于加快智慧社区建设的建议",
    "关于扶持中药材种植的建议",
    "关于改善县城公共交通的建议",
    "关于加强非物质文化遗产传承的建议",
    "关于规范农村集体资产管理的建议",
    "关于做好困难群体就业帮扶的建议",
    "关于加强河道生态保护的建议",
    "关于推进全民健身设施建设的建议",
]
STANDING_TOPICS = [
    ("协商讨论县政府工作报告（征求意见稿）", "审议通过政协青溪县委员会常务委员会工作报告和提案工作情况报告"),
    ("围绕“推进乡村全面振兴”开展专题协商", "听取县农业农村局关于乡村振兴工作情况的通报"),
    ("围绕“优化县域营商环境”开展专题协商", "审议上半年委员履职情况通报"),
    ("听取县政府关于重点提案办理情况的通报", "协商讨论县域医疗卫生服务体系建设"),
    ("围绕“文旅融合发展”开展专题协商", "审议第三季度委员履职情况通报"),
    ("审议年度协商工作计划（草案）", "审议委员年度履职考核办法（修订稿）"),
]
STANDING_SPEECHES = [
    "围绕专题协商议题的发言",
    "结合界别调研情况的发言",
    "关于议题落实的意见建议",
    "立足本职岗位的履职发言",
]
COMMITTEE_MEETINGS = {
    "提案委员会": ["年度提案工作会议", "重点提案督办推进会", "提案办理质量评议会"],
    "经济委员会": ["年度工作会议", "营商环境专题调研部署会"],
    "农业农村委员会": ["年度工作会议", "乡村振兴专题议政会", "秋季工作例会"],
    "教科卫体委员会": ["年度工作会议", "教育医疗专题调研汇报会"],
    "文化文史和学习委员会": ["年度工作会议", "文史资料征编工作会", "委员读书活动推进会"],
    "委员工作委员会": ["年度工作会议", "委员履职管理工作会"],
}
# Planned activity: (month, day, start hour, hours). Meetings of a committee follow its list above.
COMMITTEE_DATES = [(2, 26, 15, 2), (6, 18, 15, 2), (10, 22, 15, 2)]
# Meetings with more arrivals than this are checked in with one statement (see _bulk_check_in).
BULK_CHECKIN_FROM = 100
STANDING_DATES = [(1, 9, 9, 3), (3, 26, 9, 3), (5, 28, 9, 3), (7, 30, 9, 3), (9, 24, 9, 3), (12, 16, 9, 3)]


@dataclass
class Planned:
    kind: str
    title: str
    month: int
    day: int
    hour: int
    hours: float
    place: str
    unit: str = ""  # organizing unit by name; empty: the office
    rules: dict = field(default_factory=dict)
    agenda: str = ""
    required: bool = True
    named: int = 0  # how many members to name beside the rules (study tours, inspections, ...)
    named_from: str = ""  # "standing" to name standing members only
    oral: int = 0
    written: int = 0
    speech_titles: list = field(default_factory=list)


class YearBuilder:
    """Builds the year's activities for a DemoBuilder (which owns the committee, units, users, rng)."""

    def __init__(self, demo, *, now=None):
        self.demo = demo
        self.rng = demo.rng
        self.now = now or timezone.now()
        self.year = timezone.localdate(self.now).year
        self.office = demo.users["office"]
        self.leader = demo.users["leader"]
        self.demo_member = demo.users["member"].member
        self.tz = timezone.get_current_timezone()
        self.reasons_given = 0
        self.reason_offset = self.rng.randrange(len(LEAVE_REASONS))

    # --- the calendar ------------------------------------------------------------------------------

    def plan(self):
        units = self.demo.units
        session = (
            Session.objects.filter(term=self.demo.term, start_date__year=self.year).order_by("number").first()
        )
        prefix = f"政协青溪县{self.demo.term.name}委员会{session.name if session else f'{self.year}年度会议'}"
        first_day = (
            session.start_date + datetime.timedelta(days=1) if session else datetime.date(self.year, 1, 14)
        )
        last_day = (
            session.end_date if session and session.end_date else first_day + datetime.timedelta(days=2)
        )
        everyone = {"all_members": True}
        standing = {"standing": True}
        plan = [
            Planned(
                Kind.PLENARY,
                f"{prefix}开幕大会（第一次全体会议）",
                first_day.month,
                first_day.day,
                9,
                2.5,
                "青溪县会议中心大礼堂",
                rules=everyone,
                agenda="一、听取和审议常务委员会工作报告\n二、听取和审议常务委员会关于提案工作情况的报告\n三、列席县人民代表大会会议，听取县人民政府工作报告",
                written=len(PLENARY_WRITTEN),
            ),
            Planned(
                Kind.PLENARY,
                f"{prefix}闭幕大会（第二次全体会议）",
                last_day.month,
                last_day.day,
                9,
                2,
                "青溪县会议中心大礼堂",
                rules=everyone,
                agenda="一、大会发言\n二、表决通过政治决议和提案审查委员会的报告\n三、闭幕讲话",
                oral=len(PLENARY_ORAL),
                speech_titles=PLENARY_ORAL,
            ),
        ]
        for n, ((month, day, hour, hours), (topic, other)) in enumerate(
            zip(STANDING_DATES, STANDING_TOPICS, strict=True)
        ):
            plan.append(
                Planned(
                    Kind.STANDING,
                    f"政协青溪县{self.demo.term.name}委员会常务委员会第{_cn(6 + n)}次会议",
                    month,
                    day,
                    hour,
                    hours,
                    "县政协三楼常委会议室",
                    rules=standing,
                    agenda=f"一、{topic}\n二、{other}\n三、通报近期工作，讨论其他事项",
                    oral=3,
                    written=2,
                    speech_titles=STANDING_SPEECHES,
                )
            )
        for c, (committee, meetings) in enumerate(COMMITTEE_MEETINGS.items()):
            for (month, day, hour, hours), meeting in zip(COMMITTEE_DATES, meetings, strict=False):
                plan.append(
                    Planned(
                        Kind.COMMITTEE_MEETING,
                        f"{committee}{meeting}",
                        month,
                        day - c,
                        hour,
                        hours,
                        "县政协二楼会议室",
                        unit=committee,
                        rules={"units": [units[committee].pk]},
                        agenda=f"一、{meeting}相关事项\n二、委员交流发言\n三、研究下一步工作安排",
                    )
                )
        for month, day, unit, title in [
            (4, 17, "城关镇", "城关镇政协工委“委员活动日”：走访困难群众"),
            (8, 21, "东关镇", "东关镇政协工委委员小组活动：老旧小区改造协商议事"),
            (5, 15, "教育界", "教育界委员界别协商座谈会"),
            (11, 6, "医药卫生界", "医药卫生界委员义诊进社区活动"),
            (11, 20, "城关镇", "城关镇政协工委委员述职会"),
        ]:
            plan.append(
                Planned(
                    Kind.GROUP,
                    title,
                    month,
                    day,
                    14,
                    3,
                    f"{unit}委员之家" if "镇" in unit else "县政协委员活动室",
                    unit=unit,
                    rules={"units": [units[unit].pk]},
                    required=False,
                )
            )
        plan += [
            Planned(
                Kind.TRAINING,
                f"{self.year}年度政协委员履职能力提升培训班",
                4,
                9,
                9,
                6,
                "县委党校报告厅",
                rules=everyone,
                agenda="一、新时代人民政协理论专题辅导\n二、提案和社情民意信息撰写实务\n三、委员履职管理办法解读",
            ),
            Planned(
                Kind.TRAINING,
                "常委会组成人员专题学习会",
                6,
                11,
                9,
                3,
                "县政协三楼常委会议室",
                unit="文化文史和学习委员会",
                rules=standing,
            ),
            Planned(
                Kind.TRAINING,
                "委员读书活动专题辅导讲座",
                12,
                10,
                15,
                2,
                "县图书馆报告厅",
                unit="文化文史和学习委员会",
                rules=everyone,
                required=False,
            ),
            Planned(
                Kind.INSPECTION,
                "视察全县农村人居环境整治工作",
                5,
                20,
                8,
                8,
                "青石镇、柳林镇、桃源镇",
                unit="农业农村委员会",
                rules={"units": [units["农业农村委员会"].pk]},
                named=8,
                named_from="standing",
            ),
            Planned(
                Kind.INSPECTION,
                "视察县域营商环境建设情况",
                9,
                10,
                8,
                6,
                "县政务服务中心、县经济开发区",
                unit="经济委员会",
                rules={"units": [units["经济委员会"].pk]},
                named=6,
            ),
            Planned(
                Kind.RESEARCH,
                "县域医疗卫生服务体系建设专题调研",
                7,
                8,
                8,
                8,
                "县人民医院、各乡镇卫生院",
                unit="教科卫体委员会",
                rules={"units": [units["教科卫体委员会"].pk]},
            ),
            Planned(
                Kind.STUDY_TOUR,
                "赴外县考察学习乡村振兴经验",
                10,
                14,
                8,
                9,
                "邻市安溪县、望山县",
                named=22,
                named_from="standing",
            ),
            Planned(
                Kind.CONSULTATION,
                "推进城乡供水一体化专题协商会",
                12,
                8,
                9,
                3,
                "县政协三楼常委会议室",
                rules=standing,
                named=12,
                agenda="一、县水利局通报城乡供水一体化工作情况\n二、委员协商发言\n三、县领导讲话",
            ),
        ]
        return plan

    # --- building ----------------------------------------------------------------------------------

    def build(self):
        serving = list(
            MemberTerm.objects.filter(term=self.demo.term, status=MemberTerm.Status.SERVING).select_related(
                "member"
            )
        )
        self.serving = [mt.member for mt in serving]
        self.standing = [mt.member for mt in serving if mt.is_standing]
        self._place_demo_member()
        plan = sorted(self.plan(), key=lambda p: (p.month, p.day, p.hour))
        bar = self.demo.progress(len(plan), f"activities of {self.year}")
        activities = []
        for planned in plan:
            activities.append(self._activity(planned))
            if bar:
                bar.step()
        activities.append(self._tonight())
        self._age_notices(activities)
        return activities

    def _tonight(self):
        """A meeting of the demo member's special committee tonight (19:30 of the day the demo stands on,
        or the next full hour when the evening has begun), not answered yet: the member's start page
        opens on it. Its answers draw from their own generator, so the rest of the demo stays the same."""
        local = timezone.localtime(self.now)
        starts = local.replace(hour=19, minute=30, second=0, microsecond=0)
        if starts < local + datetime.timedelta(minutes=30):
            starts = (local + datetime.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        unit = self.demo_member.terms.get(term=self.demo.term).special_committees.order_by("pk").first()
        activity = activity_services.create_activity(
            actor=self.office,
            kind=Kind.GROUP,
            title=f"{unit.name}委员学习座谈会",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            organizing_unit=unit,
            place="县政协二楼会议室",
            agenda="一、学习近期重要讲话精神\n二、委员交流履职体会\n三、商议下一季度调研安排",
            is_required=True,
            registration_deadline=None,
            invitee_rules={"units": [unit.pk], "members": [self.demo_member.pk]},
        )
        activity = activity_services.publish_activity(activity=activity, actor=self.office)
        rng, self.rng = self.rng, random.Random(activity.pk)
        try:
            self._answers_so_far(activity, list(activity.participations.select_related("member")))
        finally:
            self.rng = rng
        return activity

    def _age_notices(self, activities):
        """The demo member's notices about activities that are over were sent and read back then."""
        for activity in activities:
            if activity.status != Activity.Status.CLOSED:
                continue
            sent = activity.starts_at - datetime.timedelta(days=7)
            Notification.objects.filter(
                recipient=self.demo_member.user, url=reverse("activities:detail", args=[activity.pk])
            ).update(created_at=sent, read_at=sent + datetime.timedelta(hours=3))

    def _place_demo_member(self):
        """The demo member sits on a special committee, so that its meetings show on their pages, and
        reads their notices in a daily email rather than one email per invitation seeded here."""
        ChannelPreference.objects.update_or_create(
            user=self.demo_member.user,
            defaults={"digest": ChannelPreference.Digest.DAILY, "last_digest_at": self.now},
        )
        member_term = self.demo_member.terms.get(term=self.demo.term)
        if not member_term.special_committees.exists():
            member_term.special_committees.add(self.demo.units["经济委员会"])

    def _at(self, month, day, hour, minutes=0):
        return timezone.make_aware(datetime.datetime(self.year, month, day, hour, minutes), self.tz)

    def _activity(self, planned):
        starts = self._at(planned.month, planned.day, planned.hour)
        while planned.kind != Kind.PLENARY and starts.weekday() >= 5:  # meetings fall on working days
            starts += datetime.timedelta(days=1)
        ends = starts + datetime.timedelta(hours=planned.hours)
        rules = dict(planned.rules)
        if planned.named:
            pool = self.standing if planned.named_from == "standing" else self.serving
            named = self.rng.sample(pool, min(planned.named, len(pool)))
            if planned.kind in (Kind.STUDY_TOUR, Kind.INSPECTION, Kind.CONSULTATION):
                named.append(self.demo_member)
            rules["members"] = sorted({m.pk for m in named})
        activity = activity_services.create_activity(
            actor=self.office,
            kind=planned.kind,
            title=planned.title,
            starts_at=starts,
            ends_at=ends,
            organizing_unit=self.demo.units[planned.unit] if planned.unit else None,
            place=planned.place,
            agenda=planned.agenda,
            is_required=planned.required,
            registration_deadline=starts - datetime.timedelta(days=1),
            invitee_rules=rules,
        )
        activity = activity_services.publish_activity(activity=activity, actor=self.office)
        participations = list(activity.participations.select_related("member"))
        if ends < self.now:
            activity = self._run(activity, planned, participations)
        else:
            self._answers_so_far(activity, participations)
        return activity

    def _leave_reason(self):
        # In turn through the list from a random start, so that a page of requests reads like real ones.
        self.reasons_given += 1
        return LEAVE_REASONS[(self.reasons_given + self.reason_offset) % len(LEAVE_REASONS)]

    def _answer(self, participation, status, when, reason=""):
        """What a member without an account answered (see the module docstring)."""
        participation.status = status
        participation.responded_at = when
        participation.leave_reason = reason
        participation.save(update_fields=["status", "responded_at", "leave_reason"])

    def _answers_so_far(self, activity, participations):
        """A published activity ahead: about half have confirmed, one or two ask for leave (or decline an
        optional one); the demo member has confirmed the standing meeting, asked for leave from the
        consultation and not yet answered the rest."""
        asked = activity.starts_at - datetime.timedelta(days=self.rng.randint(2, 6))
        # Each answer at its own time: around `asked`, or over the last few days when that is still to
        # come (never the build time itself). Its own generator keeps the year's other draws unchanged.
        times = random.Random(activity.pk)

        def answered_at():
            if asked <= self.now:
                return asked - datetime.timedelta(minutes=times.randint(0, 36 * 60))
            return self.now - datetime.timedelta(minutes=times.randint(6 * 60, 5 * 24 * 60))

        for p in participations:
            if p.member_id == self.demo_member.pk:
                continue
            roll = self.rng.random()
            if roll < 0.05 and not activity.is_required:
                self._answer(p, P.DECLINED, answered_at())
            elif roll < 0.05:
                self._answer(p, P.LEAVE_REQUESTED, answered_at(), self._leave_reason())
            elif roll < 0.5:
                self._answer(p, P.CONFIRMED, answered_at())
        when = answered_at()
        mine = next((p for p in participations if p.member_id == self.demo_member.pk), None)
        if mine is None:
            return
        if activity.kind == Kind.STANDING:
            activity_services.respond(
                participation=mine, action="confirm", actor=self.demo_member.user, now=when
            )
        elif activity.kind == Kind.CONSULTATION:
            activity_services.respond(
                participation=mine,
                action="leave",
                actor=self.demo_member.user,
                reason="当天在市里参加行业年会，已提前安排，特此请假",
                now=when,
            )

    def _run(self, activity, planned, participations):
        """An activity that is over: answers before it, leave decided by the leader, check-in at the
        door, a few leaving early, speeches, then closing (which writes the ledger)."""
        rng = self.rng
        starts = activity.starts_at
        answered = starts - datetime.timedelta(days=rng.randint(2, 5))
        leave, refused, absent, late = [], [], [], []
        for p in participations:
            roll = rng.random()
            if p.member_id == self.demo_member.pk:
                # The demo member's year: mostly there, once late, once on approved leave.
                roll = 0.5
                if activity.kind == Kind.STANDING and planned.month == 5:
                    roll = 0.0
                elif activity.kind == Kind.STANDING and planned.month == 7:
                    roll = 0.09
            if roll < 0.045:
                leave.append(p)
            elif roll < 0.055:
                refused.append(p)
            elif roll < 0.085 and activity.is_required:
                absent.append(p)
            elif roll < 0.085:
                self._answer(p, P.DECLINED, answered)
            elif roll < 0.15:
                late.append(p)
            elif roll < 0.6:
                self._answer(p, P.CONFIRMED, answered)
        for p in leave + refused:
            reason = self._leave_reason()
            if p.member_id == self.demo_member.pk:
                activity_services.respond(
                    participation=p, action="leave", actor=self.demo_member.user, reason=reason, now=answered
                )
            else:
                self._answer(p, P.LEAVE_REQUESTED, answered, reason)
            activity_services.decide_leave(
                participation=p,
                approve=p in leave,
                actor=self.leader,
                note="" if p in leave else REFUSED_LEAVE_NOTE,
            )
        decided = answered + datetime.timedelta(hours=rng.randint(2, 30))
        Participation.objects.filter(activity=activity, decided_by__isnull=False).update(decided_at=decided)
        activity = activity_services.start_activity(activity=activity, actor=self.office)
        away = {p.pk for p in leave + absent}
        late_ids = {p.pk for p in late}
        arrivals = []
        for p in participations:
            if p.pk in away or p.status == P.DECLINED:
                continue
            if p in refused and rng.random() < 0.5:
                continue  # refused leave and stayed away anyway: absent when the activity closes
            if p.pk in late_ids:
                when = starts + datetime.timedelta(minutes=rng.randint(16, 50))
            else:
                when = starts - datetime.timedelta(minutes=rng.randint(3, 40))
            arrivals.append((p, when))
        if len(arrivals) > BULK_CHECKIN_FROM:
            self._bulk_check_in(activity, arrivals)
        else:
            for p, when in arrivals:
                activity_services.check_in(activity=activity, member=p.member, actor=self.office, when=when)
        attended = [p for p, _when in arrivals]
        for p in attended:
            if p.member_id != self.demo_member.pk and rng.random() < 0.012:
                activity_services.mark_left_early(
                    participation=p, actor=self.office, reason="会议中途因急事请示后离会"
                )
        self._speeches(activity, planned, attended)
        return activity_services.close_activity(activity=activity, actor=self.office)

    def _bulk_check_in(self, activity, arrivals):
        """Check-in at the door of an all-member meeting, written in one statement: through the service
        (a few queries and an audit row each) the plenaries alone would double the seeding time. The
        service's rule is kept: arriving after the start plus the grace period is late, except the demo
        member, who is checked in through the service like a small meeting's members."""
        rows = []
        for p, when in arrivals:
            if p.member_id == self.demo_member.pk:
                activity_services.check_in(activity=activity, member=p.member, actor=self.office, when=when)
                continue
            p.checked_in_at = when
            p.checked_in_by = self.office
            p.status = P.LATE if activity.is_late(when) else P.PRESENT
            rows.append(p)
        Participation.objects.bulk_update(rows, ["checked_in_at", "checked_in_by", "status"], batch_size=500)

    def _speeches(self, activity, planned, attended):
        """Speeches by members who were there: the demo member speaks at the closing plenary (大会发言)
        and hands in a written speech at the September standing meeting."""
        if not (planned.oral or planned.written) or not attended:
            return
        members = [p.member for p in attended]
        demo_there = any(m.pk == self.demo_member.pk for m in members)
        others = [m for m in members if m.pk != self.demo_member.pk]
        oral = self.rng.sample(others, min(planned.oral, len(others)))
        rest = [m for m in others if m not in oral]
        written = self.rng.sample(rest, min(planned.written, len(rest)))
        if demo_there and oral and activity.kind == Kind.PLENARY:
            oral[0] = self.demo_member
        if demo_there and written and activity.kind == Kind.STANDING and planned.month == 9:
            written[0] = self.demo_member
        oral_titles = planned.speech_titles or STANDING_SPEECHES
        written_titles = PLENARY_WRITTEN if activity.kind == Kind.PLENARY else STANDING_SPEECHES
        for kind, speakers, titles in (("oral", oral, oral_titles), ("written", written, written_titles)):
            for n, member in enumerate(speakers):
                activity_services.record_speech(
                    activity=activity,
                    member=member,
                    kind=kind,
                    title=titles[n % len(titles)],
                    actor=self.office,
                )


def _cn(n):
    """Chinese numerals up to 99: 6 → 六, 11 → 十一, 20 → 二十."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return f"{digits[tens] if tens > 1 else ''}十{digits[ones] if ones else ''}"
