"""Staff pages: list, form, manage page, lifecycle and attendance actions, and who may use them."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity, ActivityStatusChange, Participation
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import OrgUnitFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.organization.models import OrgUnit

S = Activity.Status
P = Participation.Status
HOUR = datetime.timedelta(hours=1)


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def member(make_member):
    return make_member(login=True)


@pytest.fixture
def far_office(make_user, other_committee):
    return make_user(Role.OFFICE, committee=other_committee, username="far_office")


def body(response):
    return response.content.decode()


def page_messages(response):
    return [str(m) for m in response.context["messages"]]


def ledger(activity):
    return dict(
        DutyRecord.objects.filter(
            source_type=ContentType.objects.get_for_model(Activity), source_id=activity.pk
        ).values_list("member_id", "kind")
    )


# --- permission matrix -----------------------------------------------------------------------------

GET_PAGES = ["staff_list", "new", "edit", "manage"]
POSTS = ["publish", "start", "close", "cancel", "reopen", "checkin_add", "attachment_add"]
ROW_POSTS = ["checkin_member", "left_early", "correct"]


def urls_for(activity, participation):
    urls = {
        "staff_list": ("get", reverse("activities:staff_list")),
        "new": ("get", reverse("activities:new")),
        "edit": ("get", reverse("activities:edit", args=[activity.pk])),
        "manage": ("get", reverse("activities:manage", args=[activity.pk])),
        "invitee_count": ("post", reverse("activities:invitee_count")),
    }
    for name in POSTS:
        urls[name] = ("post", reverse(f"activities:{name}", args=[activity.pk]))
    for name in ROW_POSTS:
        urls[name] = ("post", reverse(f"activities:{name}", args=[activity.pk, participation.pk]))
    return urls


@pytest.fixture
def unit_activity(make_activity, other_unit, make_member, invite_member):
    """A published activity of the 提案委员会 (not the unit staff's unit), with one invitation."""
    activity = make_activity(status=S.PUBLISHED, organizing_unit=other_unit)
    return activity, invite_member(activity, make_member())


def call(client, method, url):
    return client.get(url) if method == "get" else client.post(url, {"version": 1, "reason": "x"})


def test_anonymous_is_sent_to_sign_in(client, unit_activity):
    for name, (method, url) in urls_for(*unit_activity).items():
        response = call(client, method, url)
        assert response.status_code == 302 and "login" in response["Location"], name


def test_members_are_refused_everything(client, member, unit_activity, invite_member):
    activity, _participation = unit_activity
    invite_member(activity, member)
    client.force_login(member.user)
    for name, (method, url) in urls_for(*unit_activity).items():
        assert call(client, method, url).status_code == 403, name


def test_unit_staff_do_not_see_other_units_activities(client, unit_staff, unit_activity):
    client.force_login(unit_staff)
    for name, (method, url) in urls_for(*unit_activity).items():
        if name in ("staff_list", "new", "invitee_count"):
            continue
        assert call(client, method, url).status_code == 404, name
    assert unit_activity[0].title not in body(client.get(reverse("activities:staff_list")))


def test_another_committee_sees_nothing(client, far_office, unit_activity):
    client.force_login(far_office)
    for name, (method, url) in urls_for(*unit_activity).items():
        if name in ("staff_list", "new", "invitee_count"):
            continue
        assert call(client, method, url).status_code == 404, name
    assert unit_activity[0].title not in body(client.get(reverse("activities:staff_list")))


def test_leader_reads_but_changes_nothing(client, leader, unit_activity):
    activity, _participation = unit_activity
    client.force_login(leader)
    for name, (method, url) in urls_for(*unit_activity).items():
        expected = 200 if name in ("staff_list", "manage") else 403
        assert call(client, method, url).status_code == expected, name
    page = body(client.get(reverse("activities:manage", args=[activity.pk])))
    assert reverse("activities:start", args=[activity.pk]) not in page
    assert "New activity" not in body(client.get(reverse("activities:staff_list")))
    activity.refresh_from_db()
    assert activity.status == S.PUBLISHED and activity.version == 1


def test_get_on_post_urls_is_refused(client, office, unit_activity):
    client.force_login(office)
    for name, (method, url) in urls_for(*unit_activity).items():
        if method == "post":
            assert client.get(url).status_code == 405, name


# --- list ------------------------------------------------------------------------------------------


def test_list_counts_and_filters(client, office, make_activity, make_member, invite_member, my_unit):
    meeting = make_activity(title="常委会第三次会议", status=S.CLOSED)
    for status in (P.PRESENT, P.LATE, P.LEAVE_APPROVED, P.ABSENT):
        invite_member(meeting, make_member(), status=status)
    training = make_activity(
        title="委员培训班",
        kind=Activity.Kind.TRAINING,
        organizing_unit=my_unit,
        starts_at=timezone.now().replace(year=2025),
        ends_at=timezone.now().replace(year=2025) + HOUR,
    )
    invite_member(training, make_member(), status=P.CONFIRMED)
    client.force_login(office)

    response = client.get(reverse("activities:staff_list"))
    rows = {a.pk: a for a in response.context["page"]}
    assert (rows[meeting.pk].n_invited, rows[meeting.pk].n_attended, rows[meeting.pk].n_leave) == (4, 2, 1)
    assert (rows[training.pk].n_invited, rows[training.pk].n_confirmed) == (1, 1)
    assert reverse("activities:manage", args=[meeting.pk]) in body(response)

    def titles(**params):
        return [a.title for a in client.get(reverse("activities:staff_list"), params).context["page"]]

    assert titles(kind="training") == ["委员培训班"]
    assert titles(status="closed") == ["常委会第三次会议"]
    assert titles(q="培训") == ["委员培训班"]
    assert titles(year=2025) == ["委员培训班"]
    assert titles(unit=my_unit.pk) == ["委员培训班"]


def test_unit_staff_list_shows_own_units_and_the_new_button(
    client, unit_staff, make_activity, my_unit, other_unit
):
    make_activity(title="Ours", organizing_unit=my_unit)
    make_activity(title="Theirs", organizing_unit=other_unit)
    make_activity(title="Office's")
    client.force_login(unit_staff)
    response = client.get(reverse("activities:staff_list"))
    assert [a.title for a in response.context["page"]] == ["Ours"]
    assert reverse("activities:new") in body(response)


def test_list_query_count_does_not_grow(client, office, make_activity, make_member, invite_member, my_unit):
    client.force_login(office)
    url = reverse("activities:staff_list")

    def add(n):
        for _ in range(n):
            activity = make_activity(organizing_unit=my_unit, status=S.PUBLISHED)
            invite_member(activity, make_member(), status=P.CONFIRMED)

    add(2)
    client.get(url)  # warm the session and permission caches
    with capture_queries() as few:
        client.get(url)
    add(8)
    with capture_queries() as many:
        response = client.get(url)
    assert len(response.context["page"]) == 10
    assert_same_query_count(few, many)


# --- create and edit -------------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "kind": "standing",
        "organizing_unit": "",
        "title": "常委会第五次会议",
        "starts_at": "2026-06-10T09:00",
        "ends_at": "2026-06-10T11:30",
        "place": "县政协三楼会议室",
        "is_required": "on",
        "registration_deadline": "",
        "checkin_opens_at": "",
        "checkin_closes_at": "",
        "agenda": "一、学习\n二、协商",
        "names": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_create_draft_with_rules(client, office, make_member, sector, town):
    zhang = make_member(name="张三")
    li = make_member(name="李四")
    client.force_login(office)
    response = client.post(
        reverse("activities:new"),
        form_data(standing="on", units=[sector.pk, town.pk], names="张三、李四\n"),
    )
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "activities:manage", args=[activity.pk]
    )
    assert activity.status == S.DRAFT and activity.organizing_unit is None
    assert activity.invitee_rules == {
        "all_members": False,
        "standing": True,
        "units": sorted([sector.pk, town.pk]),
        "members": sorted([zhang.pk, li.pk]),
    }
    assert timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M") == "2026-06-10 09:00"


def test_unknown_and_ambiguous_names_are_named_in_the_error(client, office, make_member):
    make_member(name="王五")
    make_member(name="王五")
    make_member(name="赵六", status="resigned")
    client.force_login(office)
    response = client.post(reverse("activities:new"), form_data(names="王五，钱七, 赵六"))
    assert response.status_code == 200
    errors = " ".join(response.context["rules_form"].errors["names"])
    assert "No member is called 钱七." in errors
    assert "Several serving members are called 王五 and their sector or town committee does not" in errors
    assert "赵六: not serving in the current term" in errors
    assert not Activity.objects.exists()
    # nothing typed is lost
    assert "王五，钱七, 赵六" in body(response)


def test_a_shared_name_is_told_apart_by_sector_or_town(client, office, make_member, committee):
    economy = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="经济界")
    education = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="教育界")
    town = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE, name="城关镇")
    in_economy = make_member(name="王五", sector=economy)
    in_education = make_member(name="王五", sector=education)
    in_town = make_member(name="李四", town=town)
    make_member(name="李四", sector=economy)
    client.force_login(office)

    response = client.post(reverse("activities:new"), form_data(names="王五"))
    errors = " ".join(response.context["rules_form"].errors["names"])
    assert "Several serving members are called 王五: write 王五（教育界） or 王五（经济界）." in errors

    response = client.post(
        reverse("activities:new"), form_data(names="王五（经济界）、王五(教育界)、李四（城关镇）")
    )
    activity = Activity.objects.get()
    assert activity.invitee_rules["members"] == sorted([in_economy.pk, in_education.pk, in_town.pk])

    # Editing shows the names the same way, so saving again keeps the same people.
    page = body(client.get(reverse("activities:edit", args=[activity.pk])))
    for written in ("王五（经济界）", "王五（教育界）", "李四（城关镇）"):
        assert written in page


def test_a_qualifier_that_matches_nobody_is_named(client, office, make_member):
    make_member(name="王五")
    client.force_login(office)
    response = client.post(reverse("activities:new"), form_data(names="王五（农业界）"))
    assert "No member is called 王五（农业界）." in " ".join(response.context["rules_form"].errors["names"])
    assert not Activity.objects.exists()


def test_form_errors_for_times(client, office):
    client.force_login(office)
    response = client.post(reverse("activities:new"), form_data(ends_at="2026-06-10T08:00"))
    assert "The end must not be before the start." in response.context["form"].errors["ends_at"]
    assert not Activity.objects.exists()


def test_unit_staff_must_choose_their_own_unit(client, unit_staff, my_unit, other_unit):
    client.force_login(unit_staff)
    for unit in ("", other_unit.pk):
        response = client.post(reverse("activities:new"), form_data(kind="research", organizing_unit=unit))
        assert response.status_code == 200 and "organizing_unit" in response.context["form"].errors
    response = client.post(reverse("activities:new"), form_data(kind="research", organizing_unit=my_unit.pk))
    assert response.status_code == 302
    assert Activity.objects.get().organizing_unit == my_unit


def test_double_submit_creates_one(client, office):
    client.force_login(office)
    data = form_data(submission_token="tok-1")
    client.post(reverse("activities:new"), data)
    client.post(reverse("activities:new"), data)
    assert Activity.objects.count() == 1


@pytest.fixture
def draft(make_activity, make_member):
    return make_activity(status=S.DRAFT, invitee_rules={"members": [make_member(name="孙八").pk]})


def test_edit_shows_current_rules_and_saves(client, office, draft):
    client.force_login(office)
    response = client.get(reverse("activities:edit", args=[draft.pk]))
    assert response.context["rules_form"].initial["names"] == "孙八"
    assert 'type="datetime-local"' in body(response)
    response = client.post(
        reverse("activities:edit", args=[draft.pk]), form_data(version=1, title="改过的标题", names="孙八")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.version) == ("改过的标题", 2)


def test_stale_edit_keeps_the_entries_and_explains(client, office, draft):
    client.force_login(office)
    Activity.objects.filter(pk=draft.pk).update(version=2, title="别人改的")
    response = client.post(
        reverse("activities:edit", args=[draft.pk]), form_data(version=1, title="我的标题")
    )
    assert response.status_code == 200
    assert "Someone else changed this activity after you opened it. Nothing was saved." in body(response)
    assert 'value="我的标题"' in body(response)
    draft.refresh_from_db()
    assert draft.title == "别人改的"
    # Saving again after reading the warning goes through.
    response = client.post(
        reverse("activities:edit", args=[draft.pk]), form_data(version=2, title="我的标题")
    )
    assert response.status_code == 302


def test_closed_activity_cannot_be_edited(client, office, make_activity):
    closed = make_activity(status=S.CLOSED)
    client.force_login(office)
    response = client.get(reverse("activities:edit", args=[closed.pk]), follow=True)
    assert "An activity that is Closed cannot be edited." in page_messages(response)


def test_invitee_count(client, office, make_member, sector):
    make_member(standing=True)
    make_member(sector=sector)
    make_member(sector=sector, standing=True)
    make_member()
    client.force_login(office)
    url = reverse("activities:invitee_count")
    assert "These rules invite 2 members." in body(client.post(url, {"standing": "on"}))
    assert "These rules invite 3 members." in body(client.post(url, {"standing": "on", "units": [sector.pk]}))
    assert "These rules invite 4 members." in body(client.post(url, {"all_members": "on"}))
    assert "No member is called 无名氏." in body(client.post(url, {"names": "无名氏"}))


# --- lifecycle through the views -------------------------------------------------------------------


def post(client, action, activity, **data):
    return client.post(reverse(f"activities:{action}", args=[activity.pk]), data, follow=True)


def test_full_lifecycle(client, office, make_activity, make_member):
    zhou = make_member(standing=True)
    activity = make_activity(status=S.DRAFT, invitee_rules={"standing": True})
    client.force_login(office)

    # Dated 2026-06-10, in the past: publishing and closing are confirmed (test_close_publish_confirmation).
    response = post(client, "publish", activity, version=1, confirm_past="1")
    assert "The activity is published and the invitations are out." in page_messages(response)
    assert Participation.objects.get(activity=activity).member == zhou
    post(client, "start", activity, version=2)
    response = post(client, "close", activity, version=3, confirm_absent="1")
    assert "The activity is closed and the attendance is recorded." in page_messages(response)
    assert ledger(activity) == {zhou.pk: "attendance.standing.absent"}

    response = post(client, "reopen", activity, version=4)
    assert "Say why the activity is reopened." in page_messages(response)
    response = post(client, "reopen", activity, version=4, reason="补登签到")
    assert "The activity is reopened; its ledger rows are retracted." in page_messages(response)
    assert ledger(activity) == {}
    activity.refresh_from_db()
    assert activity.status == S.IN_PROGRESS
    assert list(
        ActivityStatusChange.objects.filter(activity=activity).values_list("to_status", flat=True)
    ) == [
        "published",
        "in_progress",
        "closed",
        "in_progress",
    ]
    assert "补登签到" in body(client.get(reverse("activities:manage", args=[activity.pk])))


def test_illegal_moves_are_messages(client, office, make_activity):
    activity = make_activity(status=S.DRAFT)
    client.force_login(office)
    response = post(client, "start", activity, version=1)
    assert response.status_code == 200
    assert "An activity that is Draft cannot become In progress." in page_messages(response)
    response = post(client, "close", activity, version=1)
    assert "An activity that is Draft cannot become Closed." in page_messages(response)
    response = post(client, "cancel", activity, version=1)
    assert "Say why the activity is cancelled." in page_messages(response)
    activity.refresh_from_db()
    assert activity.status == S.DRAFT


# workflow.StaleEdit's message.
STALE = (
    "Someone else saved this after you opened it. Nothing was saved. "
    "Reload the page to see their changes, then make yours again."
)


def test_stale_action_is_refused(client, office, make_activity):
    activity = make_activity(status=S.DRAFT)
    client.force_login(office)
    response = post(client, "publish", activity, version=7)
    assert STALE in page_messages(response)
    response = post(client, "publish", activity)  # no version at all
    assert STALE in page_messages(response)
    activity.refresh_from_db()
    assert activity.status == S.DRAFT


def test_cancel_with_reason(client, office, make_activity):
    activity = make_activity(status=S.PUBLISHED)
    client.force_login(office)
    response = post(client, "cancel", activity, version=1, reason="台风")
    assert "The activity is cancelled." in page_messages(response)
    assert ActivityStatusChange.objects.get(activity=activity).reason == "台风"


def test_unit_staff_run_their_own_units_activity(client, unit_staff, make_activity, my_unit):
    activity = make_activity(kind=Activity.Kind.RESEARCH, status=S.DRAFT, organizing_unit=my_unit)
    client.force_login(unit_staff)
    post(client, "publish", activity, version=1, confirm_past="1")
    activity.refresh_from_db()
    assert activity.status == S.PUBLISHED


# --- attendance by hand ----------------------------------------------------------------------------


@pytest.fixture
def running(make_activity, make_member, invite_member):
    now = timezone.now()
    activity = make_activity(
        starts_at=now - 5 * datetime.timedelta(minutes=1), ends_at=now + HOUR, status=S.IN_PROGRESS
    )
    return activity, invite_member(activity, make_member(name="吴九"), status=P.CONFIRMED)


def row_post(client, action, participation, **data):
    return client.post(
        reverse(f"activities:{action}", args=[participation.activity_id, participation.pk]), data, follow=True
    )


def test_hand_checkin_inside_the_window(client, office, running):
    _activity, participation = running
    client.force_login(office)
    response = row_post(client, "checkin_member", participation)
    assert "吴九 is checked in." in page_messages(response)
    participation.refresh_from_db()
    assert participation.status == P.PRESENT and participation.checked_in_by == office


def test_hand_checkin_outside_the_window_needs_a_reason(
    client, office, make_activity, make_member, invite_member
):
    activity = make_activity(status=S.PUBLISHED)  # 2026-06-10: not open now
    participation = invite_member(activity, make_member(), status=P.CONFIRMED)
    client.force_login(office)
    response = row_post(client, "checkin_member", participation)
    assert "Give a reason for checking in outside the check-in window." in page_messages(response)
    participation.refresh_from_db()
    assert participation.checked_in_at is None
    row_post(client, "checkin_member", participation, reason="补签：会前在现场报到")
    participation.refresh_from_db()
    assert participation.checked_in_at is not None
    assert participation.status_changes.get().reason == "补签：会前在现场报到"


def test_checkin_twice_is_a_message(client, office, running):
    _activity, participation = running
    client.force_login(office)
    row_post(client, "checkin_member", participation)
    response = row_post(client, "checkin_member", participation)
    assert "吴九 is already checked in." in page_messages(response)


def test_add_an_uninvited_member(client, office, running, make_member):
    activity, _participation = running
    zheng = make_member(name="郑十")
    client.force_login(office)
    response = post(client, "checkin_add", activity, name="郑十")
    assert "郑十 is checked in." in page_messages(response)
    assert Participation.objects.get(activity=activity, member=zheng).status == P.PRESENT
    response = post(client, "checkin_add", activity, name="查无此人")
    assert "No member is called 查无此人." in page_messages(response)


def test_left_early_then_close_and_correct(client, office, running):
    activity, participation = running
    client.force_login(office)
    row_post(client, "checkin_member", participation)
    response = row_post(client, "left_early", participation, reason="身体不适")
    assert "吴九 is marked as having left early." in page_messages(response)
    post(client, "close", activity, version=1, confirm_absent="1", confirm_early="1")
    assert ledger(activity) == {participation.member_id: "attendance.standing.left_early"}

    response = row_post(client, "correct", participation, status=P.PRESENT)
    assert "Say why the attendance is corrected." in page_messages(response)
    response = row_post(client, "correct", participation, status=P.PRESENT, reason="提前离会已请示")
    assert "The attendance of 吴九 is corrected and the duty record rewritten." in page_messages(response)
    assert ledger(activity) == {participation.member_id: "attendance.standing.present"}
    response = row_post(client, "correct", participation, status=P.CONFIRMED, reason="x")
    assert "Choose an attendance status." in page_messages(response)


def test_correct_before_closing_is_a_message(client, office, running):
    _activity, participation = running
    client.force_login(office)
    response = row_post(client, "correct", participation, status=P.ABSENT, reason="x")
    assert "Attendance is corrected after the activity is closed." in page_messages(response)


def test_row_actions_of_another_activity_are_404(client, office, running, make_activity):
    _activity, participation = running
    other = make_activity(status=S.IN_PROGRESS)
    client.force_login(office)
    url = reverse("activities:checkin_member", args=[other.pk, participation.pk])
    assert client.post(url).status_code == 404


# --- manage page -----------------------------------------------------------------------------------


def test_manage_page_shows_actions_by_status(client, office, make_activity):
    client.force_login(office)
    expectations = {
        S.DRAFT: ["publish", "cancel", "edit"],
        S.PUBLISHED: ["start", "cancel", "edit", "kiosk"],
        S.IN_PROGRESS: ["close", "kiosk"],
        S.CLOSED: ["reopen"],
        S.CANCELLED: [],
    }
    every = {"publish", "start", "close", "cancel", "reopen", "edit", "kiosk"}
    for status, present in expectations.items():
        activity = make_activity(status=status)
        page = body(client.get(reverse("activities:manage", args=[activity.pk])))
        for name in every:
            assert (reverse(f"activities:{name}", args=[activity.pk]) in page) == (name in present), (
                status,
                name,
            )


def test_manage_query_count_does_not_grow(
    client, office, make_activity, make_member, invite_member, sector, town
):
    activity = make_activity(status=S.IN_PROGRESS)
    client.force_login(office)
    url = reverse("activities:manage", args=[activity.pk])

    def add(n):
        for i in range(n):
            participation = invite_member(activity, make_member(sector=sector, town=town), status=P.CONFIRMED)
            if i % 2:
                Participation.objects.filter(pk=participation.pk).update(
                    status=P.PRESENT, checked_in_at=timezone.now(), checked_in_by=office
                )

    add(2)
    client.get(url)
    with capture_queries() as few:
        client.get(url)
    add(8)
    with capture_queries() as many:
        response = client.get(url)
    assert len(response.context["participants"]) == 10
    assert "教育界" in body(response) and "城关镇工委" in body(response)
    assert_same_query_count(few, many)


def test_manage_participant_filter(client, office, make_activity, make_member, invite_member):
    activity = make_activity(status=S.PUBLISHED)
    invite_member(activity, make_member(name="甲一"), status=P.CONFIRMED)
    invite_member(activity, make_member(name="乙二"), status=P.LEAVE_REQUESTED)
    client.force_login(office)
    url = reverse("activities:manage", args=[activity.pk])

    def names(**params):
        return [p.member.name for p in client.get(url, params).context["participants"]]

    assert names(p="leave_requested") == ["乙二"]
    assert names(name="甲") == ["甲一"]
    assert sorted(names(p="nonsense")) == sorted(["甲一", "乙二"])


def test_unit_staff_with_one_unit_get_it_preselected(client, unit_staff, my_unit):
    client.force_login(unit_staff)
    field = client.get(reverse("activities:new")).context["form"].fields["organizing_unit"]
    assert [unit.pk for unit in field.queryset] == [my_unit.pk]
    assert field.empty_label is None
