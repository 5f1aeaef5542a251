"""The demo committee's 社情民意 year (part of `seed_demo`, see lvzhi.demo.builder).

Twenty-seven information officers appointed in January (most of them members; the demo "officer"
account is one of those who are not), about fifty reports in every state of the pipeline — drafts,
submitted, registered, being verified, being edited, awaiting the demo leader's sign-off, signed and
waiting for the next bulletin, reported, archived, returned with what to change, merged into another
report, not adopted — two bulletins sent, adoptions at county, city and province level, leaders'
instructions, transfers to departments (one answered by the demo "unit" account of 县农业农村局, one
waiting for its answer), and the outcome of the year's closed inspection: members' suggestions, the
inspection report sent to the department, its answer, an adopted suggestion and one turned into a draft.

Everything is written through the opinions services, so the status history, numbering, audit rows,
notifications and duty ledger are what the real pages would have produced. The services take the time
from the clock, so each step runs with `timezone.now` set to its moment of the demo year (`_clock`):
the reports are numbered in the order they were registered and no date lies after the demo's `now`.

Members other than the demo member have no accounts: their reports are typed in by the office in their
name (create_draft's `lead_member`, as a paper report is), and their inspection suggestions are written
as if they had handed them in (as the activities demo writes their answers), with their ledger synced
by the inspections service. The demo "officer" account is linked to its appointment the way the demo
links the "member" account to its member file.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from django.db.models import F
from django.utils import timezone

from lvzhi.activities.models import Activity, Participation
from lvzhi.members.models import Member, MemberTerm
from lvzhi.notifications.models import Notification
from lvzhi.organization.models import Department, OrgUnit

from . import demo_texts as texts
from .models import Category, InformationOfficer, InspectionReport, OpinionReport, Suggestion, Transfer
from .services import bulletins, feedback, inspections, officers
from .services import reports as pipeline

Status = OpinionReport.Status
# Where the two bulletins fall in the demo year (fractions of the time from January to `now`).
BULLETIN_AT = {1: 0.42, 2: 0.78}
OFFICER_COUNT = 27
MEMBER_OFFICERS = 22
# Officers who are not members (beside the demo account), made up like the demo's members.
OTHER_OFFICER_NAMES = ["练晓岚", "阙文博", "容丽君", "区志远"]


@dataclass
class Plan:
    """One report's year: who writes it, the pipeline steps (days after the previous one), the bulletin
    that carries it, and what follows once it is reported (days after that)."""

    key: str
    category: str
    title: str
    body: str
    author: str  # "member", "officer", "unit:<unit name>", "typed" (a member), "typed_officer"
    steps: list[tuple[float, str]]
    window: tuple[float, float]  # the first step falls at or after window[0], the last before window[1]
    bulletin: int | None = None
    after: list[tuple[float, str]] = field(default_factory=list)
    co_authors: int = 0
    with_demo_member: bool = False  # the demo member co-writes it
    merge_into: str = ""


@dataclass(order=True)
class Event:
    when: datetime.datetime
    seq: int
    run: Callable[[], Any] = field(compare=False)


def _body(situation: str, analysis: str, suggestions: tuple[str, ...]) -> str:
    first, second, third = suggestions
    return (
        f"一、基本情况\n{situation}\n二、原因分析\n{analysis}\n"
        f"三、意见建议\n一是{first}；二是{second}；三是{third}。"
    )


def _edited(report: OpinionReport) -> tuple[str, str]:
    """The editor's version: a firmer title and section headings of the bulletin's style."""
    title = report.title if "进一步" in report.title else report.title.replace("关于", "关于进一步", 1)
    body = report.body.replace("一、基本情况", "一、反映的问题").replace("二、原因分析", "二、问题成因")
    return title, body


@contextlib.contextmanager
def _clock(moment: datetime.datetime) -> Iterator[None]:
    """Run the services as if it were `moment` (they read the time from timezone.now)."""
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


def seed_opinions(*, committee, users, now=None, seed=None):
    """Build the year of `now` (default: the real now) for `committee`, acting as the demo accounts in
    `users` (office, editor, leader, member, officer, unit, unitstaff). Does nothing and returns None
    when the committee has reports or officers of that year already; else returns the reports."""
    now = now or timezone.now()
    year = timezone.localdate(now).year
    if (
        OpinionReport.objects.filter(committee=committee, year=year).exists()
        or InformationOfficer.objects.filter(committee=committee, year=year).exists()
    ):
        return None
    return _Year(committee, users, now, random.Random(seed if seed is not None else year)).build()


class _Year:
    def __init__(self, committee, users, now, rng):
        self.committee = committee
        self.users = users
        self.office, self.editor, self.leader = users["office"], users["editor"], users["leader"]
        self.now = now
        self.rng = rng
        self.tz = timezone.get_current_timezone()
        self.year = timezone.localdate(now).year
        year_start = timezone.make_aware(datetime.datetime(self.year, 1, 2, 9), self.tz)
        self.end = now - datetime.timedelta(minutes=30)
        if self.end <= year_start:  # the first day of the year: squeeze the year into it
            year_start = timezone.make_aware(datetime.datetime(self.year, 1, 1), self.tz)
            self.end = max(now - datetime.timedelta(seconds=30), year_start)
        self.start = year_start
        self.span = self.end - self.start
        # A "day" of the plans: a real day, unless the demo stands so early in the year that the plans
        # must be squeezed into the weeks since New Year.
        self.day = min(datetime.timedelta(days=1), self.span / 300)
        self.office_hours = self.span >= datetime.timedelta(days=30)
        self.events: list[Event] = []
        self.seq = 0
        self.reports: dict[str, OpinionReport] = {}
        self.times: dict[tuple[str, str], datetime.datetime] = {}
        self.categories = {c.name: c for c in Category.objects.filter(committee=committee)}
        self.departments = {d.name: d for d in Department.objects.filter(committee=committee)}
        serving = (
            MemberTerm.objects.filter(
                term__committee=committee, term__is_current=True, status=MemberTerm.Status.SERVING
            )
            .select_related("member")
            .order_by("member_id")
        )
        self.demo_member = getattr(users["member"], "member", None)
        self.members = [mt.member for mt in serving if mt.member.pk != getattr(self.demo_member, "pk", None)]

    # --- time --------------------------------------------------------------------------------------

    def _at(self, x: float) -> datetime.datetime:
        return self.start + self.span * max(0.0, min(1.0, x))

    def _fix(self, when: datetime.datetime) -> datetime.datetime:
        """Working hours of the same day (order within a day kept), never after the demo's end."""
        if self.office_hours:
            local = timezone.localtime(when, self.tz)
            midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
            when = midnight + datetime.timedelta(hours=8, minutes=30) + (local - midnight) * (9.5 / 24)
        return min(when, self.end)

    def _add(self, when: datetime.datetime, run: Callable[[], Any]) -> datetime.datetime:
        when = self._fix(when)
        self.seq += 1
        self.events.append(Event(when, self.seq, run))
        return when

    def _date(self, when: datetime.datetime) -> datetime.date:
        return timezone.localdate(when, self.tz)

    # --- building ----------------------------------------------------------------------------------

    def build(self):
        self._officers()
        plans = self._plans()
        for plan in plans:
            if not plan.merge_into:
                self._schedule(plan)
        for plan in plans:
            if plan.merge_into:
                self._schedule_duplicate(plan)
        for number in BULLETIN_AT:
            self._schedule_bulletin(number, [p for p in plans if p.bulletin == number])
        self._schedule_inspection()
        for event in sorted(self.events):
            with _clock(event.when):
                event.run()
        self._read_old_notices()
        return list(self.reports.values())

    def _officers(self):
        """Appointed in the first days of the year: members first, then those who are not members,
        the demo "officer" account among them (quota 12)."""
        with _clock(self.start):
            pool = list(self.members)
            self.rng.shuffle(pool)
            self.member_officers = pool[: min(MEMBER_OFFICERS, len(pool), OFFICER_COUNT - 1)]
            for member in self.member_officers:
                officers.appoint_member(
                    member=member,
                    year=self.year,
                    quota=self.rng.choice([12, 12, 12, 10, 8, 6]),
                    actor=self.office,
                )
            account = self.users["officer"]
            names = [account.display_name or str(account), *OTHER_OFFICER_NAMES]
            while len(names) < OFFICER_COUNT - len(self.member_officers):
                names.append(f"{OTHER_OFFICER_NAMES[len(names) % 4][:1]}信息员{len(names)}")
            names = names[: OFFICER_COUNT - len(self.member_officers)]
            for n, name in enumerate(names):
                appointed = officers.appoint_person(
                    name=name,
                    workplace=texts.OFFICER_WORKPLACES[n % len(texts.OFFICER_WORKPLACES)],
                    year=self.year,
                    quota=12 if n == 0 else self.rng.choice([12, 6]),
                    open_account=False,
                    actor=self.office,
                )
                if n == 0:
                    # The demo account signs in as this officer (as the demo member's account is linked
                    # to its member file): officers who are not members get theirs by activation code.
                    InformationOfficer.objects.filter(pk=appointed.officer.pk).update(user=account)

    def _plans(self) -> list[Plan]:
        rng = self.rng

        def gap(low, high):
            return round(rng.uniform(low, high), 2)

        def pipeline_to(final, *, verify=False, findings=True, text=False, returned=False, send_back=False):
            steps = [(0, "create"), (gap(0.1, 2), "submit")]
            if returned:
                steps += [(gap(1, 3), "return"), (gap(2, 5), "resubmit")]
            if final == "submitted":
                return steps
            steps.append((gap(0.5, 3), "register"))
            if final == "registered":
                return steps
            if verify or final == "verifying":
                steps.append((gap(0.5, 2), "verify"))
                if findings or final != "verifying":
                    steps.append((gap(3, 8), "findings"))
            if final == "verifying":
                return steps
            steps.append((gap(0.5, 2), "edit_text" if text else "edit"))
            if final == "editing" and not send_back:
                return steps
            steps.append((gap(1, 3), "signoff"))
            if send_back:
                steps.append((gap(0.5, 2), "send_back"))
                if final == "editing":
                    return steps
                steps += [(gap(1, 2), "reedit"), (gap(0.5, 2), "signoff")]
            if final == "awaiting":
                return steps
            if final == "leader_declines":
                return [*steps, (gap(0.5, 2), "leader_not_adopt")]
            return [*steps, (gap(0.5, 3), "sign")]

        assignments = {
            # bulletin 1
            0: ("typed", pipeline_to("signed", verify=True, text=True), 1, ["adopt:city", "archive"], 2),
            2: ("member", pipeline_to("signed", text=True), 1, ["adopt:city", "instruct:1"], 0),
            10: ("officer", pipeline_to("signed"), 1, [], 0),
            11: ("typed", pipeline_to("signed", text=True), 1, ["adopt:city", "archive"], 0),
            14: ("typed", pipeline_to("signed"), 1, ["archive"], 1),
            19: (
                "typed",
                pipeline_to("signed", verify=True, text=True),
                1,
                ["transfer_replied", "adopt:county", "archive"],
                0,
            ),
            25: (
                "typed",
                pipeline_to("signed", verify=True, text=True),
                1,
                ["adopt:county", "instruct:0", "archive"],
                1,
            ),
            # bulletin 2
            4: ("unit:经济委员会", pipeline_to("signed"), 2, [], 0),
            5: ("typed", pipeline_to("signed", text=True), 2, ["adopt:county"], 0),
            8: (
                "typed",
                pipeline_to("signed", verify=True, text=True, send_back=True),
                2,
                ["adopt:city", "adopt:province", "instruct:2"],
                1,
            ),
            16: ("typed", pipeline_to("signed"), 2, [], 1),
            18: ("typed", pipeline_to("signed", returned=True), 2, [], 0),
            23: ("typed", pipeline_to("signed", verify=True), 2, ["transfer_waiting"], 0),
            29: ("member", pipeline_to("signed", text=True), 2, ["adopt:county"], 0),
            # reported directly, without a bulletin
            7: (
                "typed",
                [*pipeline_to("signed", verify=True, text=True), (gap(1, 3), "report_direct")],
                None,
                ["transfer_paper"],
                0,
            ),
            30: (
                "officer",
                [*pipeline_to("signed"), (gap(1, 3), "report_direct")],
                None,
                ["archive"],
                0,
            ),
            # signed, waiting for the next bulletin
            9: ("officer", pipeline_to("signed"), None, [], 0),
            20: ("typed_officer", pipeline_to("signed"), None, [], 0),
            36: ("unit:经济委员会", pipeline_to("signed"), None, [], 0),
            # with the leaders
            21: ("member", pipeline_to("awaiting", verify=True, text=True), None, [], 0),
            26: ("typed", pipeline_to("awaiting", returned=True), None, [], 0),
            41: ("typed", pipeline_to("awaiting"), None, [], 0),
            # with the editors
            15: ("typed", pipeline_to("editing", verify=True, text=True, send_back=True), None, [], 0),
            27: ("typed_officer", pipeline_to("editing", text=True), None, [], 0),
            38: ("typed", pipeline_to("editing", text=True), None, [], 1),
            3: ("unit:经济委员会", pipeline_to("verifying"), None, [], 0),
            31: ("officer", pipeline_to("verifying", findings=False), None, [], 0),
            40: ("typed_officer", pipeline_to("verifying", findings=False), None, [], 0),
            32: ("typed", pipeline_to("registered"), None, [], 0),
            44: ("typed_officer", pipeline_to("registered"), None, [], 0),
            13: ("officer", pipeline_to("submitted"), None, [], 0),
            35: ("officer", pipeline_to("submitted"), None, [], 0),
            39: ("officer", pipeline_to("submitted"), None, [], 0),
            45: ("typed_officer", pipeline_to("submitted"), None, [], 0),
            # drafts
            37: ("officer", [(0, "create")], None, [], 0),
            42: ("unit:城关镇政协工委", [(0, "create")], None, [], 0),
            46: ("member", [(0, "create")], None, [], 0),
            # side exits
            22: ("member", [(0, "create"), (gap(0.5, 2), "submit"), (gap(1, 3), "return")], None, [], 0),
            33: (
                "typed_officer",
                [(0, "create"), (gap(0.5, 2), "submit"), (gap(1, 3), "return")],
                None,
                [],
                0,
            ),
            43: ("typed", [*pipeline_to("registered"), (gap(1, 3), "return")], None, [], 0),
            17: ("typed", [*pipeline_to("registered"), (gap(1, 4), "not_adopt")], None, [], 0),
            24: (
                "typed_officer",
                [*pipeline_to("verifying", findings=False), (gap(1, 4), "not_adopt")],
                None,
                [],
                0,
            ),
            28: ("typed", pipeline_to("leader_declines"), None, [], 0),
        }
        windows = {
            1: (0.01, BULLETIN_AT[1] - 0.02),
            2: (BULLETIN_AT[1] + 0.02, BULLETIN_AT[2] - 0.02),
        }
        late = {
            "signed": (BULLETIN_AT[2] + 0.02, 0.97),
            "awaiting": (0.86, 0.99),
            "editing": (0.86, 0.99),
            "verifying": (0.88, 0.99),
            "registered": (0.93, 0.995),
            "submitted": (0.96, 0.998),
            "draft": (0.6, 0.999),
        }
        plans = []
        for index, (category, title, situation, analysis, suggestions) in enumerate(texts.TOPICS):
            if index not in assignments:
                continue
            author, steps, bulletin, after, co = assignments[index]
            last = steps[-1][1]
            if bulletin:
                window = windows[bulletin]
            elif last == "report_direct":
                window = (0.15, 0.6) if after != ["archive"] else (0.45, 0.7)
            elif last in ("return", "not_adopt", "leader_not_adopt"):
                window = (0.1, 0.97)
            elif last == "create":
                window = late["draft"]
            elif last == "sign":
                window = late["signed"]
            elif last in ("signoff",):
                window = late["awaiting"]
            elif last in ("edit", "edit_text", "send_back"):
                window = late["editing"]
            elif last in ("verify", "findings"):
                window = late["verifying"]
            elif last == "register":
                window = late["registered"]
            else:
                window = late["submitted"]
            plans.append(
                Plan(
                    key=f"t{index}",
                    category=category,
                    title=title,
                    body=_body(situation, analysis, suggestions),
                    author=author,
                    steps=steps,
                    window=window,
                    bulletin=bulletin,
                    after=[(0, name) for name in after],
                    co_authors=co,
                    with_demo_member=index == 16,
                )
            )
        for index, (title, situation, analysis, suggestions) in texts.DUPLICATES.items():
            plans.append(
                Plan(
                    key=f"d{index}",
                    category=texts.TOPICS[index][0],
                    title=title,
                    body=_body(situation, analysis, suggestions),
                    author="typed",
                    steps=[(0, "create"), (0.2, "submit"), (gap(1, 2), "merge")],
                    window=(0, 1),
                    merge_into=f"t{index}",
                )
            )
        return plans

    # --- scheduling --------------------------------------------------------------------------------

    def _schedule(self, plan: Plan) -> None:
        total = sum(days for days, _step in plan.steps)
        low, high = plan.window
        room = high - low - total * (self.day / self.span)
        x = low + self.rng.uniform(0, max(0.0, room))
        when = self._at(x)
        for days, step in plan.steps:
            when += self.day * days
            self.times[(plan.key, step)] = self._add(when, self._runner(plan, step))
        reported = self.times.get((plan.key, "report_direct"))
        if plan.bulletin:
            reported = self._at(BULLETIN_AT[plan.bulletin])
        if reported is not None:
            self._schedule_feedback(plan, reported)

    def _schedule_duplicate(self, plan: Plan) -> None:
        when = self.times[(plan.merge_into, "register")] + self.day * self.rng.uniform(1, 2)
        for days, step in plan.steps:
            when += self.day * days
            self._add(when, self._runner(plan, step))

    def _schedule_feedback(self, plan: Plan, reported: datetime.datetime) -> None:
        when = reported
        for _days, step in plan.after:
            if step == "archive":
                when = max(when, reported) + self.day * self.rng.uniform(40, 60)
            elif step == "transfer_waiting":
                when = self.end - self.day * self.rng.uniform(16, 22)
            else:
                when += self.day * self.rng.uniform(6, 18)
            self._add(when, self._runner(plan, step))
            if step.startswith("transfer_"):
                # The department signs for it the next day; answers (or not yet) two weeks later.
                when += self.day * self.rng.uniform(0.5, 1.5)
                self._add(when, self._runner(plan, "transfer_sign" if step != "transfer_paper" else "noop"))
                if step != "transfer_waiting":
                    when += self.day * self.rng.uniform(10, 16)
                    self._add(when, self._runner(plan, step.replace("transfer_", "reply_")))

    def _schedule_bulletin(self, number: int, plans: list[Plan]) -> None:
        sent = self._at(BULLETIN_AT[number])
        keys = [p.key for p in plans]

        def compile_and_send():
            reports = [self.reports[k] for k in keys if k in self.reports]
            signed = [
                r for r in OpinionReport.objects.filter(pk__in=[r.pk for r in reports], status=Status.SIGNED)
            ]
            bulletin = bulletins.create_bulletin(
                actor=self.editor,
                year=self.year,
                title=f"{self.committee.name}社情民意专报",
                recipients=texts.BULLETIN_RECIPIENTS,
            )
            if not signed:
                return
            bulletins.add_reports(bulletin=bulletin, actor=self.editor, expected_version=None, reports=signed)
            bulletins.send_bulletin(
                bulletin=bulletin,
                actor=self.editor,
                expected_version=None,
                sent_on=self._date(timezone.now()),
            )

        self._add(sent, compile_and_send)

    # --- the steps ---------------------------------------------------------------------------------

    def _runner(self, plan: Plan, step: str) -> Callable[[], Any]:
        return lambda: self._step(plan, step)

    def _author(self, plan: Plan):
        """The account that writes the report, and the member it is written for (typed by the office)."""
        if plan.author == "member":
            return self.users["member"], None, OpinionReport.Source.MEMBER, None
        if plan.author == "officer":
            return self.users["officer"], None, OpinionReport.Source.OFFICER, None
        if plan.author.startswith("unit:"):
            unit = OrgUnit.objects.get(committee=self.committee, name=plan.author[5:])
            return self.users["unitstaff"], None, OpinionReport.Source.UNIT, unit
        pool = self.member_officers if plan.author == "typed_officer" else self.members
        pool = pool or self.members
        source = (
            OpinionReport.Source.OFFICER if plan.author == "typed_officer" else OpinionReport.Source.MEMBER
        )
        return self.office, self.rng.choice(pool) if pool else None, source, None

    def _step(self, plan: Plan, step: str) -> None:
        rng = self.rng
        if step == "create":
            actor, lead, source, unit = self._author(plan)
            if actor is self.office and lead is None:
                return  # a committee without members has nobody to type a report for
            others = [m for m in self.members if lead is None or m.pk != lead.pk]
            co = rng.sample(others, min(plan.co_authors, len(others)))
            if plan.with_demo_member and self.demo_member is not None:
                co = [self.demo_member, *co]
            self.reports[plan.key] = pipeline.create_draft(
                actor=actor,
                title=plan.title,
                body=plan.body,
                category=self.categories.get(plan.category),
                source=source,
                unit=unit,
                co_authors=co,
                agrees_to_publish=rng.random() < 0.6,
                lead_member=lead,
            )
            return
        report = self.reports.get(plan.key)
        if report is None or step == "noop":
            return
        report.refresh_from_db()
        lead_actor = report.created_by
        editor, leader = self.editor, self.leader
        if step == "submit":
            report = pipeline.submit(report, actor=lead_actor)
        elif step == "return":
            report = pipeline.return_to_author(report, actor=editor, reason=rng.choice(texts.RETURN_REASONS))
        elif step == "resubmit":
            body = report.body + "\n（已根据编辑意见补充完善。）"
            report = pipeline.update_draft(
                report,
                actor=lead_actor,
                expected_version=report.version,
                title=report.title,
                body=body,
                category=report.category,
                unit=report.unit,
                agrees_to_publish=report.agrees_to_publish,
            )
            report = pipeline.resubmit(report, actor=lead_actor)
        elif step == "register":
            report = pipeline.register(
                report, actor=editor, category=report.category or self.categories.get(plan.category)
            )
        elif step == "verify":
            verifier = self.users["unitstaff"] if lead_actor != self.users["unitstaff"] else self.office
            report = pipeline.assign_verifier(report, actor=editor, verifier=verifier)
        elif step == "findings":
            report = pipeline.record_findings(
                report, actor=report.verifier or editor, findings=rng.choice(texts.FINDINGS)
            )
        elif step == "edit":
            report = pipeline.start_editing(report, actor=editor)
        elif step in ("edit_text", "reedit"):
            if report.status != Status.EDITING:
                report = pipeline.start_editing(report, actor=editor)
            title, body = _edited(report)
            if step == "reedit":
                body += "\n（据相关部门通报，部分工作已启动，建议加快推进。）"
            report = pipeline.save_edit(
                report, actor=editor, expected_version=report.version, edited_title=title, edited_body=body
            )
        elif step == "signoff":
            report = pipeline.send_for_signoff(report, actor=editor)
        elif step == "send_back":
            report = pipeline.send_back(report, actor=leader, comments=rng.choice(texts.SEND_BACK_COMMENTS))
        elif step == "sign":
            report = pipeline.sign(report, actor=leader)
        elif step == "leader_not_adopt":
            report = pipeline.not_adopt(report, actor=leader, reason=texts.NOT_ADOPTED_REASONS[0])
        elif step == "not_adopt":
            report = pipeline.not_adopt(
                report, actor=editor, reason=rng.choice(texts.NOT_ADOPTED_REASONS[1:])
            )
        elif step == "merge":
            into = self.reports[plan.merge_into]
            into.refresh_from_db()
            report = pipeline.merge(
                report,
                actor=editor,
                into=into,
                reason=f"与{into.serial_label}反映同一问题，合并处理。",
            )
        elif step == "report_direct":
            report = pipeline.report_directly(
                report,
                actor=editor,
                reported_on=self._date(timezone.now()),
                reported_to=rng.choice(texts.DIRECT_RECIPIENTS),
            )
        else:
            self._feedback(report, step)
            return
        self.reports[plan.key] = report

    def _feedback(self, report: OpinionReport, step: str) -> None:
        today = self._date(timezone.now())
        editor = self.editor
        if report.status not in feedback.FEEDBACK_STATUSES:
            return
        if step.startswith("adopt:"):
            level = step[6:]
            feedback.add_adoption(
                report=report,
                actor=editor,
                level=level,
                form="combined" if level == "province" else "single",
                adopted_by=self.rng.choice(texts.ADOPTIONS[level]),
                adopted_on=today,
                note="与其他市县同类信息综合采用" if level == "province" else "",
            )
        elif step.startswith("instruct:"):
            level, post, text = texts.INSTRUCTIONS[int(step[9:])]
            feedback.add_instruction(
                report=report, actor=editor, level=level, leader_post=post, text=text, instructed_on=today
            )
        elif step == "archive":
            pipeline.archive(report, actor=editor)
        elif step in ("transfer_replied", "transfer_waiting", "transfer_paper"):
            name = "县住房和城乡建设局" if step == "transfer_paper" else "县农业农村局"
            department = self.departments.get(name)
            if department is not None:
                feedback.transfer_report(
                    report=report,
                    actor=editor,
                    department=department,
                    transferred_on=today,
                    note=texts.TRANSFER_NOTES,
                )
        else:
            transfer = Transfer.objects.filter(report=report).order_by("-pk").first()
            if transfer is None:
                return
            unit = self.users["unit"]
            if step == "transfer_sign" and transfer.department_id == unit.department_id:
                feedback.sign_transfer(transfer=transfer, actor=unit)
            elif step == "reply_replied" and transfer.department_id == unit.department_id:
                feedback.reply_transfer(transfer=transfer, actor=unit, reply=texts.REPLIES[0])
            elif step == "reply_paper":
                feedback.record_paper_reply(
                    transfer=transfer, actor=editor, reply=texts.REPLIES[1], replied_on=today
                )

    # --- the inspection ----------------------------------------------------------------------------

    def _schedule_inspection(self) -> None:
        closed = Activity.objects.filter(
            committee=self.committee,
            kind=Activity.Kind.INSPECTION,
            status=Activity.Status.CLOSED,
            starts_at__year=self.year,
        ).order_by("starts_at", "pk")
        activity = closed.filter(organizing_unit__name="农业农村委员会").first() or closed.first()
        if activity is None or InspectionReport.objects.filter(activity=activity).exists():
            return
        attended = list(
            Participation.objects.filter(activity=activity, status__in=Participation.ATTENDED)
            .select_related("member")
            .order_by("member_id")
        )
        demo = next(
            (p.member for p in attended if self.demo_member and p.member_id == self.demo_member.pk), None
        )
        others = [p.member for p in attended if p.member.user_id is None]
        members = ([demo] if demo else []) + self.rng.sample(
            others, min(len(texts.SUGGESTIONS) - 1, len(others))
        )
        day = datetime.timedelta(days=1)
        when = activity.ends_at
        state: dict[str, Any] = {"suggestions": []}
        for n, member in enumerate(members):
            findings, text = texts.SUGGESTIONS[n % len(texts.SUGGESTIONS)]
            when += day * self.rng.uniform(0.5, 1.5)
            self._add(
                when,
                lambda m=member, f=findings, t=text: state["suggestions"].append(
                    self._hand_in(activity, m, f, t)
                ),
            )
        if demo:
            self._add(
                when + day * 2,
                lambda: inspections.to_report_draft(suggestion=state["suggestions"][0], actor=demo.user),
            )

        def compile_report():
            shown = [s.pk for s in state["suggestions"]]
            state["report"] = inspections.save_report(
                activity=activity,
                actor=self.office,
                title=inspections.default_title(activity),
                body=texts.INSPECTION_BODY,
                shown_ids=shown,
                listed_ids=shown,
                expected_version=0,
            )

        def send():
            departments = [
                d for name in ("县农业农村局", "县自然资源局") if (d := self.departments.get(name))
            ]
            if departments:
                state["report"] = inspections.send_report(
                    report=state["report"],
                    actor=self.office,
                    departments=departments,
                    note=texts.TRANSFER_NOTES,
                    sent_on=self._date(timezone.now()),
                    expected_version=state["report"].version,
                )

        def answer(sign_only):
            unit = self.users["unit"]
            transfer = Transfer.objects.filter(
                inspection_report=state.get("report"), department_id=unit.department_id
            ).first()
            if transfer is None:
                return
            if sign_only:
                feedback.sign_transfer(transfer=transfer, actor=unit)
            else:
                feedback.reply_transfer(transfer=transfer, actor=unit, reply=texts.INSPECTION_REPLY)

        def adopt():
            for suggestion in state["suggestions"][:2]:
                inspections.set_adopted(suggestion=suggestion, actor=self.office, adopted=True)

        if not members:
            return
        when += day * 8
        self._add(when, compile_report)
        when += day * 3
        self._add(when, send)
        self._add(when + day, lambda: answer(True))
        self._add(when + day * 14, lambda: answer(False))
        self._add(when + day * 16, adopt)

    def _hand_in(self, activity, member: Member, findings: str, text: str) -> Suggestion:
        if member.user_id is not None:
            return inspections.hand_in(activity=activity, actor=member.user, findings=findings, text=text)
        suggestion = Suggestion.objects.create(
            committee_id=activity.committee_id, activity=activity, member=member, findings=findings, text=text
        )
        inspections.sync_suggestion_ledger(suggestion, actor=self.office)
        return suggestion

    def _read_old_notices(self) -> None:
        """Notices of the year's reports were read back then, except those of the last few days."""
        Notification.objects.filter(
            committee=self.committee,
            url__startswith="/opinions/",
            read_at__isnull=True,
            created_at__lt=self.now - datetime.timedelta(days=5),
        ).update(read_at=F("created_at") + datetime.timedelta(hours=3))
