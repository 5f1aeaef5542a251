"""Hostile values in every date and number input of the activity pages (issue 8, finding 8): dates at the
ends of the calendar, impossible dates, huge numbers and garbage get a form error naming the field in
Chinese, or are ignored where they only filter a list; never a 500, and nothing is saved."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.activities.models import Activity, Participation

from .test_staff_views import form_data, page_messages

S = Activity.Status
P = Participation.Status
HUGE = "99999999999999999999"
HOSTILE_DATETIMES = [
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "1999-12-31T23:59",
    "2101-01-01T00:00",
    "2026-02-30T09:00",
    "2026-02-30",
    HUGE,
    "-1",
    "garbage",
    "2026-06-10T25:61",
    "\x00",
]
HOSTILE_DATES = [
    "0001-01-01",
    "9999-12-31",
    "1999-12-31",
    "2101-01-01",
    "2026-02-30",
    HUGE,
    "-1",
    "garbage",
    "\x00",
]
HOSTILE_NUMBERS = [HUGE, "-" + HUGE, "-1", "0", "1e309", "garbage", "１２", "\x00"]
# The Chinese labels the pages show for each date input.
ACTIVITY_DATES = {
    "starts_at": "开始时间",
    "ends_at": "结束时间",
    "registration_deadline": "报名截止时间",
    "checkin_opens_at": "签到开始时间",
    "checkin_closes_at": "签到截止时间",
}
REPORT_DATES = {"date_from": "起始日期", "date_to": "截止日期"}


@pytest.fixture
def signed_in(client, office):
    client.force_login(office)
    return client


@pytest.fixture
def activity(make_activity, make_member, invite_member):
    now = timezone.now()
    activity = make_activity(
        status=S.IN_PROGRESS,
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=2),
    )
    invite_member(activity, make_member(name="吴九"), status=P.CONFIRMED)
    return activity


def assert_field_refused(response, form_name, field, label):
    assert response.status_code in (200, 400), response.status_code
    errors = response.context[form_name].errors
    assert field in errors, errors
    # The page names the field, in Chinese, next to the message.
    assert f"{label}：" in response.text


# --- the activity form -----------------------------------------------------------------------------


@pytest.mark.parametrize("field", list(ACTIVITY_DATES))
@pytest.mark.parametrize("value", HOSTILE_DATETIMES)
def test_new_activity_refuses_hostile_dates(signed_in, field, value):
    response = signed_in.post(reverse("activities:new"), form_data(**{field: value}))
    assert_field_refused(response, "form", field, ACTIVITY_DATES[field])
    assert not Activity.objects.exists()


@pytest.mark.parametrize("field", list(ACTIVITY_DATES))
@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T09:00", HUGE, "garbage"]
)
def test_editing_refuses_hostile_dates(signed_in, make_activity, field, value):
    draft = make_activity(status=S.DRAFT)
    response = signed_in.post(
        reverse("activities:edit", args=[draft.pk]), form_data(version=1, **{field: value})
    )
    assert_field_refused(response, "form", field, ACTIVITY_DATES[field])
    draft.refresh_from_db()
    assert draft.version == 1


def test_the_bounds_themselves_are_accepted(signed_in):
    data = form_data(
        starts_at="2000-01-01T00:00", ends_at="2100-12-31T23:59", checkin_closes_at="2100-12-31T23:59"
    )
    assert signed_in.post(reverse("activities:new"), data).status_code == 302
    assert Activity.objects.get().ends_at.year == 2100


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
@pytest.mark.parametrize("field", ["version", "organizing_unit", "units", "kind"])
def test_numbers_and_choices_of_the_activity_form(signed_in, make_activity, field, value):
    draft = make_activity(status=S.DRAFT, title="原标题")
    for url in (reverse("activities:new"), reverse("activities:edit", args=[draft.pk])):
        response = signed_in.post(url, form_data(**{"version": 1, field: value}))
        assert response.status_code in (200, 302), (url, response.status_code)
    draft.refresh_from_db()
    assert draft.title == "原标题"


def test_a_huge_version_is_a_stale_edit(signed_in, make_activity):
    draft = make_activity(status=S.DRAFT)
    response = signed_in.post(
        reverse("activities:edit", args=[draft.pk]), form_data(version=HUGE, title="改")
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    draft.refresh_from_db()
    assert draft.version == 1


@pytest.mark.parametrize("value", [HUGE, "-1", "garbage", "\x00"])
def test_invitee_count_with_hostile_units_and_activity(signed_in, value):
    url = reverse("activities:invitee_count")
    assert signed_in.post(url, {"units": [value], "names": value}).status_code == 200
    assert signed_in.post(f"{url}?activity={value}", {}).status_code == 404


# --- statistics and the standing committee notice --------------------------------------------------

REPORT_URLS = [
    "activities:stats",
    "activities:stats_export",
    "activities:standing_report",
    "activities:standing_report_docx",
    "activities:standing_report_xlsx",
]


@pytest.mark.parametrize("name", REPORT_URLS)
@pytest.mark.parametrize("field", list(REPORT_DATES))
@pytest.mark.parametrize("value", HOSTILE_DATES)
def test_report_dates(signed_in, name, field, value):
    query = {"mode": "period", "view": "activity", "date_from": "2026-01-01", "date_to": "2026-06-30"}
    query[field] = value
    response = signed_in.get(reverse(name), query)
    assert_field_refused(response, "form", field, REPORT_DATES[field])


@pytest.mark.parametrize("name", REPORT_URLS)
@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_report_choices_and_ids(signed_in, name, value):
    for param in ("view", "kinds", "mode", "meeting"):
        response = signed_in.get(reverse(name), {param: value})
        assert response.status_code in (200, 400, 404), (param, response.status_code)


# --- lists, the manage page and the acts on it -----------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE_NUMBERS + ["0001", "9999"])
def test_list_filters_and_pages(signed_in, activity, value):
    for param in ("year", "unit", "page", "kind", "status", "q"):
        response = signed_in.get(reverse("activities:staff_list"), {param: value})
        assert response.status_code == 200, param
    assert signed_in.get(reverse("activities:leave_requests"), {"page": value}).status_code == 200


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_manage_filters(signed_in, activity, value):
    response = signed_in.get(reverse("activities:manage", args=[activity.pk]), {"p": value, "name": value})
    assert response.status_code == 200
    # A filter that cannot match lists everyone rather than failing.
    assert response.context["participants"].count() in (0, 1)


@pytest.mark.parametrize("name", ["detail", "manage", "edit", "kiosk", "kiosk_code", "speeches"])
def test_huge_ids_in_the_path_are_404(signed_in, name):
    url = reverse(f"activities:{name}", args=[1]).replace("/1/", f"/{HUGE}/")
    assert signed_in.get(url).status_code == 404


@pytest.mark.parametrize("name", ["checkin_member", "left_early", "correct"])
def test_huge_participant_ids_are_404(signed_in, activity, name):
    url = reverse(f"activities:{name}", args=[activity.pk, 1]).replace("/1/", f"/{HUGE}/")
    assert signed_in.post(url, {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_acts_with_hostile_values(signed_in, activity, value):
    participation = activity.participations.get()
    pk = activity.pk
    posts = [
        (reverse("activities:close", args=[pk]), {"version": value}),
        (reverse("activities:cancel", args=[pk]), {"version": value, "reason": value}),
        (reverse("activities:checkin_add", args=[pk]), {"name": value, "reason": value}),
        (reverse("activities:checkin_member", args=[pk, participation.pk]), {"reason": value}),
        (reverse("activities:left_early", args=[pk, participation.pk]), {"reason": value}),
        (reverse("activities:correct", args=[pk, participation.pk]), {"status": value, "reason": value}),
        (reverse("activities:speeches", args=[pk]), {"member": value, "kind": value, "title": value}),
        (reverse("activities:leave_decide", args=[participation.pk, "approve"]), {"note": value}),
    ]
    for url, data in posts:
        response = signed_in.post(url, data)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
    activity.refresh_from_db()
    assert activity.status == S.IN_PROGRESS


def test_a_stale_or_garbled_version_is_a_message(signed_in, activity):
    response = signed_in.post(
        reverse("activities:close", args=[activity.pk]), {"version": "garbage"}, follow=True
    )
    assert any("重新" in m or "刷新" in m for m in page_messages(response)), page_messages(response)
    activity.refresh_from_db()
    assert activity.status == S.IN_PROGRESS
