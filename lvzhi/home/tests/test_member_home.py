"""A member's start page (phone first): today's and coming activities with what they still have to
answer, leave decisions, unread notices, study notes due, this year's duty record, then their entries."""

import datetime
import re

import pytest
from django.utils import timezone, translation

from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity, Participation
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.ledger.services import Fact, sync_records
from lvzhi.notifications.models import Notification
from lvzhi.studies.models import StudySubmission, TrainingPlan, TrainingSession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
P = Participation.Status


def section(client, user, section_id):
    """The text of one card of the start page, or None when the page has no such card."""
    client.force_login(user)
    with translation.override("en"):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    match = re.search(rf'id="{section_id}".*?</section>', response.content.decode(), re.S)
    if match is None:
        return None
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0).split(">", 1)[1]).split())


@pytest.fixture
def member(make_member):
    return make_member(login=True, name="陈委员")


def test_today_and_coming_activities_say_what_to_answer(client, member, make_activity, invite):
    # Started half an hour ago and not over: "today" at any hour (one starting in half an hour is
    # tomorrow after 23:30, Beijing time).
    tonight = make_activity(in_hours=-0.5, hours=3, title="今晚的常委会议")
    later = make_activity(in_hours=24 * 3, title="三天后的视察")
    invite(tonight, member)
    invite(later, member, status=P.CONFIRMED)
    client.force_login(member.user)
    html = client.get("/").content.decode()
    text = section(client, member.user, "home-my-activities")

    assert text.index("Today") < text.index("今晚的常委会议") < text.index("Coming activities")
    assert text.index("Coming activities") < text.index("三天后的视察")
    # The invitation not yet answered asks for an answer and links to the page with the buttons.
    assert text.count("Please answer: attend or ask for leave") == 1
    assert f'href="/activities/{tonight.pk}/"' in html
    assert f'href="/activities/{later.pk}/"' in html


def test_a_refused_leave_asks_again_but_a_closed_deadline_does_not(client, member, make_activity, invite):
    refused = make_activity(in_hours=48, title="请假未准的会")
    past_deadline = make_activity(
        in_hours=48, title="报名已截止", registration_deadline=timezone.now() - datetime.timedelta(hours=1)
    )
    invite(refused, member, status=P.LEAVE_DENIED)
    invite(past_deadline, member)
    text = section(client, member.user, "home-my-activities")
    assert text.count("Please answer") == 1
    assert text.index("请假未准的会") < text.index("Please answer") < text.index("报名已截止")


def test_drafts_cancelled_past_and_others_activities_are_left_out(
    client, member, make_member, make_activity, invite
):
    invite(make_activity(title="草稿", status=Activity.Status.DRAFT), member)
    invite(make_activity(title="已取消", status=Activity.Status.CANCELLED), member)
    invite(
        make_activity(title="上周的会", in_hours=-24 * 7, status=Activity.Status.CLOSED), member, P.PRESENT
    )
    invite(make_activity(title="别人的会"), make_member(login=True))
    text = section(client, member.user, "home-my-activities")
    assert text == "Today No activity today. Coming activities No activity ahead. All my activities"


def test_leave_decisions_show_the_approvers_note(client, member, make_activity, invite, make_user):
    leader = make_user(Role.LEADER)
    now = timezone.now()
    invite(
        make_activity(title="准假的会"),
        member,
        P.LEAVE_APPROVED,
        decided_by=leader,
        decided_at=now,
        note="同意",
    )
    invite(
        make_activity(title="不准假的会"),
        member,
        P.LEAVE_DENIED,
        decided_by=leader,
        decided_at=now - datetime.timedelta(days=1),
        note="本次会议审议重要事项，请准时参加",
    )
    invite(
        make_activity(title="很久以前的会"),
        member,
        P.LEAVE_APPROVED,
        decided_by=leader,
        decided_at=now - datetime.timedelta(days=40),
    )
    text = section(client, member.user, "home-leave-decisions")
    assert "准假的会 Leave approved" in text
    assert "Note: 同意" in text
    assert "不准假的会 Leave refused" in text
    assert (
        "Note: 本次会议审议重要事项，请准时参加 Please attend, or ask for leave again with a reason." in text
    )
    assert "很久以前的会" not in text


def test_no_leave_decisions_no_card(client, member, make_activity, invite):
    invite(make_activity(), member, P.LEAVE_REQUESTED)
    assert section(client, member.user, "home-leave-decisions") is None


def test_unread_notifications_are_counted(client, member, committee, make_user):
    for read_at in (None, None, timezone.now()):
        Notification.objects.create(
            recipient=member.user, committee=committee, kind="x", title="t", read_at=read_at
        )
    Notification.objects.create(recipient=make_user(Role.MEMBER), committee=committee, kind="x", title="t")
    assert section(client, member.user, "home-notifications") == "Notifications 2 unread"


@pytest.fixture
def plan(committee, office):
    year = timezone.localdate().year
    return TrainingPlan.objects.create(
        committee=committee,
        year=year,
        title="学习计划",
        status=TrainingPlan.Status.PUBLISHED,
        created_by=office,
    )


def _submission(member, session=None, status=StudySubmission.Status.SUBMITTED, **kwargs):
    return StudySubmission.objects.create(
        committee=member.committee,
        member=member,
        session=session,
        kind=StudySubmission.Kind.NOTES,
        title=kwargs.pop("title", "学习笔记"),
        body="笔记",
        submitted_at=timezone.now(),
        status=status,
        **kwargs,
    )


def test_study_notes_due_for_sessions_attended(client, member, make_activity, invite, plan):
    attended = make_activity(in_hours=-48, kind=Activity.Kind.TRAINING, status=Activity.Status.CLOSED)
    missed = make_activity(in_hours=-24, kind=Activity.Kind.TRAINING, status=Activity.Status.CLOSED)
    invite(attended, member, P.PRESENT)
    invite(missed, member, P.ABSENT)
    # Closing them wrote the ledger, which the card reads.
    day = timezone.localdate()
    sync_records(source=attended, committee=member.committee, facts=[Fact(member, "activity.training", day)])
    sync_records(
        source=missed, committee=member.committee, facts=[Fact(member, "attendance.committee.absent", day)]
    )
    today = timezone.localdate()
    session = TrainingSession.objects.create(
        plan=plan, planned_on=today, topic="理论学习专题", activity=attended
    )
    TrainingSession.objects.create(plan=plan, planned_on=today, topic="缺席的专题", activity=missed)
    _submission(member, status=StudySubmission.Status.RETURNED, title="退回的心得", review_note="请补充体会")

    text = section(client, member.user, "home-study-due")
    assert "理论学习专题" in text
    assert "缺席的专题" not in text
    assert "退回的心得 Returned to you: please revise and hand in again（请补充体会）" in text

    _submission(member, session=session)
    StudySubmission.objects.filter(status=StudySubmission.Status.RETURNED).update(
        status=StudySubmission.Status.SUBMITTED
    )
    assert section(client, member.user, "home-study-due") is None


def test_this_years_duty_record_by_kind(client, member, committee, make_activity):
    today = timezone.localdate()
    sync_records(
        source=make_activity(),
        committee=committee,
        facts=[
            Fact(member, "attendance.standing.present", today),
            Fact(member, "speech.oral", today),
            Fact(member, "attendance.plenary.present", today.replace(year=today.year - 1)),
        ],
    )
    sync_records(
        source=make_activity(), committee=committee, facts=[Fact(member, "attendance.standing.late", today)]
    )
    text = section(client, member.user, "home-duty-record")
    assert text == (
        f"My duty record in {today.year} "
        "Attendance 2 Standing committee meeting: late 1；Standing committee meeting: present 1 "
        "Speeches 1 Speech at a meeting 1 Open my duty record"
    )
    client.force_login(member.user)
    assert 'href="/ledger/me/"' in client.get("/").content.decode()


def test_the_member_cards_are_not_shown_to_staff(client, office, make_member):
    for card in ("home-my-activities", "home-leave-decisions", "home-study-due", "home-duty-record"):
        assert section(client, office, card) is None


def test_the_order_puts_activities_first_and_the_file_last(client, member, make_activity, invite):
    invite(make_activity(), member)
    client.force_login(member.user)
    html = client.get("/").content.decode()
    ids = ["home-my-activities", "home-notifications", "home-duty-record", "home-entries"]
    positions = [html.index(f'id="{i}"') for i in ids]
    assert positions == sorted(positions)
    assert 'href="/members/me/"' in html[positions[-1] :]


def test_the_member_home_does_not_grow_with_activities_or_records(
    client, member, committee, make_activity, invite, plan, make_user
):
    client.force_login(member.user)
    leader = make_user(Role.LEADER)

    def add(n):
        today = timezone.localdate()
        for i in range(n):
            coming = make_activity(in_hours=1 + i)
            invite(coming, member, P.LEAVE_DENIED, decided_by=leader, decided_at=timezone.now(), note="x")
            done = make_activity(in_hours=-48 - i, kind=Activity.Kind.TRAINING, status=Activity.Status.CLOSED)
            invite(done, member, P.PRESENT)
            TrainingSession.objects.create(plan=plan, planned_on=today, topic=f"专题{i}", activity=done)
            sync_records(
                source=done, committee=committee, facts=[Fact(member, "attendance.standing.present", today)]
            )
            Notification.objects.create(recipient=member.user, committee=committee, kind="x", title="t")

    add(1)
    client.get("/")
    with capture_queries() as small:
        assert client.get("/").status_code == 200
    add(12)
    with capture_queries() as large:
        assert client.get("/").status_code == 200
    assert_same_query_count(small, large)
