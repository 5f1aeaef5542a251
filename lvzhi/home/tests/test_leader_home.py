"""A leader's start page: the leave waiting for their decision, the coming meetings' expected attendance,
this year's attendance by kind and the members absent most often, as charts and tables."""

import json
import re

import pytest
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity, Participation
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import MembershipFactory, UserFactory
from lvzhi.organization.models import Membership

from .test_member_home import section

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
P = Participation.Status


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADER, username="leader")


def test_leave_waiting_for_the_leader(client, leader, make_member, make_activity, invite):
    standing = make_activity(title="常委会议")
    invite(standing, make_member(name="甲"), P.LEAVE_REQUESTED, leave_reason="出差")
    invite(standing, make_member(name="乙"), P.LEAVE_APPROVED)
    invite(
        make_activity(title="已结束", in_hours=-48, status=Activity.Status.CLOSED), make_member(), P.ABSENT
    )
    text = section(client, leader, "home-leave-to-decide")
    assert text == (
        "Leave requests waiting for your decision 1 Member Activity Date Reason for leave "
        f"甲 常委会议 {standing.starts_at.astimezone(timezone.get_current_timezone()):%Y-%m-%d} 出差 "
        "Decide leave requests"
    )
    client.force_login(leader)
    assert 'href="/activities/leave/"' in client.get("/").content.decode()


def test_leave_is_shown_to_whom_may_decide_it(
    client,
    leader,
    office,
    make_user,
    make_member,
    make_activity,
    invite,
    my_unit,
    other_unit,
    other_committee,
):
    # The office decides leave from its own activities, not from the committee's meetings.
    invite(make_activity(title="常委会议"), make_member(), P.LEAVE_REQUESTED)
    invite(make_activity(title="办公室调研", kind=Activity.Kind.RESEARCH), make_member(), P.LEAVE_REQUESTED)
    # A unit's head decides their unit's; unit staff and plain members nothing.
    head = make_member(login=True)
    MembershipFactory(unit=my_unit, member=head, position=Membership.Position.DIRECTOR)
    unit_meeting = make_activity(
        title="专委会会议", kind=Activity.Kind.COMMITTEE_MEETING, organizing_unit=my_unit
    )
    invite(unit_meeting, make_member(), P.LEAVE_REQUESTED)
    # Another committee's leave is nobody's here.
    other = make_activity(title="邻县会议", committee=other_committee)
    invite(other, make_member(committee=other_committee), P.LEAVE_REQUESTED)

    assert section(client, leader, "home-leave-to-decide").startswith(
        "Leave requests waiting for your decision 3"
    )
    office_text = section(client, office, "home-leave-to-decide")
    assert (
        office_text.startswith("Leave requests waiting for your decision 1") and "办公室调研" in office_text
    )
    head_text = section(client, head.user, "home-leave-to-decide")
    assert head_text.startswith("Leave requests waiting for your decision 1") and "专委会会议" in head_text
    assert section(client, make_user(Role.UNIT_STAFF, units=[my_unit]), "home-leave-to-decide") is None
    # A head with nothing waiting is not told about leave: their page is about their own activities.
    idle_head = make_member(login=True)
    MembershipFactory(unit=other_unit, member=idle_head, position=Membership.Position.DIRECTOR)
    assert section(client, idle_head.user, "home-leave-to-decide") is None
    assert section(client, make_member(login=True).user, "home-leave-to-decide") is None


def test_coming_meetings_with_expected_attendance(client, leader, office, make_member, make_activity, invite):
    meeting = make_activity(title="第八次常委会议", in_hours=48)
    for status in (P.INVITED, P.INVITED, P.CONFIRMED, P.LEAVE_APPROVED, P.LEAVE_REQUESTED, P.LEAVE_DENIED):
        invite(meeting, make_member(), status)
    make_activity(title="三个月后的会", in_hours=24 * 90)
    make_activity(title="草稿", status=Activity.Status.DRAFT)
    text = section(client, leader, "home-coming-meetings")
    # Invited 6, accepted 1, on leave 1, leave asked 1, not answered 3 (refused leave counts as unanswered).
    assert "第八次常委会议 Standing committee meeting 6 1 1 1 3" in text
    assert "三个月后的会" not in text and "草稿" not in text
    assert section(client, office, "home-coming-meetings") is None


@pytest.fixture
def year_of_meetings(make_member, make_activity, invite):
    """This year's closed meetings: two standing (甲 absent from both, 乙 from one), one plenary."""
    jia, yi, bing = make_member(name="甲"), make_member(name="乙"), make_member(name="丙")
    when = -1  # an hour ago: this year (but in the first hour of a year)
    for n, statuses in enumerate([(P.ABSENT, P.ABSENT, P.PRESENT), (P.ABSENT, P.PRESENT, P.LATE)]):
        activity = make_activity(
            title=f"常委会{n}", in_hours=when - n * 0.01, hours=0.001, status=Activity.Status.CLOSED
        )
        for member, status in zip((jia, yi, bing), statuses, strict=True):
            invite(activity, member, status)
    plenary = make_activity(
        title="全体会议",
        kind=Activity.Kind.PLENARY,
        in_hours=when,
        hours=0.001,
        status=Activity.Status.CLOSED,
    )
    for member in (jia, yi, bing):
        invite(plenary, member, P.LEAVE_APPROVED if member is bing else P.PRESENT)
    return jia, yi, bing


def test_this_years_attendance_by_kind_and_the_most_absent(client, leader, year_of_meetings):
    jia, yi, _bing = year_of_meetings
    year = timezone.localdate().year
    client.force_login(leader)
    html = client.get("/").content.decode()
    text = section(client, leader, "home-attendance")

    assert "Kind Times held Invited" in text
    assert "Plenary session 1 3 2 0 0 1 0 66.7%" in text
    assert "Standing committee meeting 2 6 2 1 0 0 3 50.0%" in text
    assert (
        text.index("Members absent most often") < text.index("甲 2 0 3 33.3%") < text.index("乙 1 0 3 66.7%")
    )
    assert f'href="/ledger/members/{jia.pk}/{year}/"' in html
    # The charts' numbers: a JSON block (not executable), drawn by charts.js after the vendored ECharts.
    data = json.loads(
        re.search(
            r'<script id="home-attendance-data" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert data["kinds"] == ["Plenary session", "Standing committee meeting"]
    assert data["series"]["absent"] == [0, 3]
    assert data["absentees"] == ["甲", "乙"] and data["absences"] == [2, 1]
    assert 'data-chart="attendance-by-kind"' in html and 'data-chart="absentees"' in html
    assert '<script src="/static/vendor/echarts/echarts.min.js">' in html
    assert '<script src="/static/lvzhi/charts.js">' in html
    assert "data-sortable" in html
    # No inline executable script (CSP): every <script> has a src or is a JSON block.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_no_chart_script_without_charts(client, office, leader):
    client.force_login(office)
    assert "echarts" not in client.get("/").content.decode()
    client.force_login(leader)
    assert "echarts" not in client.get("/").content.decode()  # nothing closed this year yet


def test_other_committees_attendance_is_not_counted(client, leader, other_committee, year_of_meetings):
    other_leader = UserFactory(committee=other_committee, role=Role.LEADER)
    text = section(client, other_leader, "home-attendance")
    assert text.endswith("No closed activity this year yet.")


def test_the_leader_home_does_not_grow_with_activities_or_members(
    client, leader, make_member, make_activity, invite
):
    client.force_login(leader)

    def add(n):
        for i in range(n):
            members = [make_member() for _ in range(3)]
            coming = make_activity(in_hours=24 + i)
            closed = make_activity(in_hours=-1 - i * 0.01, hours=0.001, status=Activity.Status.CLOSED)
            for member, status in zip(members, (P.LEAVE_REQUESTED, P.CONFIRMED, P.INVITED), strict=True):
                invite(coming, member, status)
            for member, status in zip(members, (P.ABSENT, P.PRESENT, P.LATE), strict=True):
                invite(closed, member, status)

    add(1)
    client.get("/")
    with capture_queries() as small:
        assert client.get("/").status_code == 200
    add(10)
    with capture_queries() as large:
        assert client.get("/").status_code == 200
    assert_same_query_count(small, large)
