"""Demo data for study and training: a published plan for the year and members' notes and essays,
all written through the services (so the ledger, history and audit rows are the real ones)."""

import datetime
import random

from django.utils import timezone

from lvzhi.activities.models import Activity

from . import services
from .models import StudySubmission, TrainingPlan

SESSIONS = [
    (3, 12, "学习贯彻全国两会精神专题辅导", "县委党校教授", "全体委员"),
    (4, 16, "人民政协理论与协商民主实践", "市政协研究室主任", "全体委员"),
    (5, 21, "提案撰写与社情民意信息报送实务", "县政协提案委员会", "新任委员、信息员"),
    (6, 18, "县域经济高质量发展形势报告", "县发展改革局局长", "常委、经济界别委员"),
    (7, 9, "乡村振兴与农业农村现代化专题", "县农业农村局", "农业界、镇区工委委员"),
    (9, 10, "法治政府建设与依法履职", "县司法局", "全体委员"),
    (10, 22, "生态环境保护专题讲座", "市生态环境局", "全体委员"),
    (11, 19, "年度履职总结与经验交流", "县政协办公室", "全体委员"),
]

NOTE_TITLES = [
    "学习全国两会精神笔记",
    "协商民主专题学习笔记",
    "提案撰写实务学习笔记",
    "县域经济形势报告学习笔记",
    "乡村振兴专题学习笔记",
    "法治建设专题学习笔记",
]
ESSAY_TITLES = [
    "坚持协商于民、协商为民的几点体会",
    "做好委员履职工作的心得体会",
    "参加学习培训班的心得体会",
    "立足界别特色 服务县域发展",
    "把学习成果转化为履职实效",
]
BODY = (
    "通过本次学习，我进一步加深了对人民政协性质定位的认识。\n"
    "一是要坚持学习在先，把理论学习作为履职的基础；\n"
    "二是要深入调查研究，围绕群众关心的问题提出务实管用的意见建议；\n"
    "三是要发挥界别优势，在本职工作中体现委员担当。\n"
    "今后我将结合本职工作，把学习成果转化为推动工作的实际行动。"
)


def seed_studies(*, committee, year, office_user, members, submissions=40, seed=None, now=None):
    """A published training plan for `year` with eight sessions (linked in date order to the year's
    training activities, when there are any) and about `submissions` notes and essays from `members`:
    most acknowledged, a few returned, the rest waiting. Members with an account hand theirs in
    themselves; for the others the office types in what they handed in on paper. Returns the plan.
    Does nothing and returns the existing plan when the year already has one. `now`: the moment the
    demo stands at (default: the real now); nothing is handed in after it."""
    existing = TrainingPlan.objects.filter(committee=committee, year=year).first()
    if existing is not None:
        return existing
    rng = random.Random(seed if seed is not None else year)
    now = now or timezone.now()
    today = timezone.localdate(now)

    plan = services.create_plan(
        actor=office_user,
        year=year,
        title=f"{committee.name}{year}年度委员学习培训方案",
        summary=(
            "坚持把学习作为委员履职的基础，全年安排集中学习培训八次，"
            "委员每年至少参加四次，并提交学习笔记或心得体会。"
        ),
    )
    trainings = list(
        Activity.objects.filter(committee=committee, kind=Activity.Kind.TRAINING, starts_at__year=year)
        .exclude(status=Activity.Status.CANCELLED)
        .order_by("starts_at", "pk")
    )
    sessions = []
    for index, (month, day, topic, lecturer, audience) in enumerate(SESSIONS):
        activity = trainings[index] if index < len(trainings) else None
        planned_on = timezone.localdate(activity.starts_at) if activity else datetime.date(year, month, day)
        sessions.append(
            services.save_session(
                plan=plan,
                actor=office_user,
                planned_on=planned_on,
                topic=topic,
                lecturer=lecturer,
                audience=audience,
                activity=activity,
            )
        )
    plan = services.set_plan_status(plan=plan, to_status=TrainingPlan.Status.PUBLISHED, actor=office_user)

    past_sessions = [s for s in sessions if s.planned_on < today] or sessions[:1]
    members = list(members)
    if not members:
        return plan
    # Members with an account first, so that the demo member logins have notes to show.
    with_account = [m for m in members if m.user_id]
    others = [m for m in members if not m.user_id]
    rng.shuffle(others)
    authors = (with_account + others)[: max(1, submissions)]
    start = timezone.make_aware(datetime.datetime(year, 1, 1, 9))
    end = min(now, timezone.make_aware(datetime.datetime(year, 12, 31, 18)))
    for number in range(submissions):
        member = authors[number % len(authors)]
        session = rng.choice(past_sessions)
        essay = rng.random() < 0.4
        kind = StudySubmission.Kind.ESSAY if essay else StudySubmission.Kind.NOTES
        title = rng.choice(ESSAY_TITLES if essay else NOTE_TITLES)
        earliest = max(
            start, timezone.make_aware(datetime.datetime.combine(session.planned_on, datetime.time(18)))
        )
        if earliest >= end:
            earliest = start
        # Within a few weeks of the session, in the daytime.
        day = timezone.localdate(earliest + (end - earliest) * rng.random() * 0.3)
        submitted_at = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(rng.randint(8, 21), rng.randint(0, 59)))
        )
        submitted_at = min(max(submitted_at, earliest), end)
        create = services.submit if member.user_id else services.record_on_paper
        actor = member.user if member.user_id else office_user
        item = create(
            member=member, actor=actor, kind=kind, title=title, body=BODY, session=session, now=submitted_at
        )
        roll = rng.random()
        if roll < 0.75:
            services.acknowledge(submission=item, actor=office_user)
        elif roll < 0.85:
            services.return_submission(
                submission=item, actor=office_user, reason="请结合本职工作补充具体体会后重新提交。"
            )
    return plan
