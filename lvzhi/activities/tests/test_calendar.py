"""The calendar feed: RFC 5545 output (folding, escaping, UTC times), the private link and its reset."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.activities import calendar
from lvzhi.activities.models import Activity, CalendarFeed
from lvzhi.core.testing import assert_same_query_count, capture_queries

DAY = datetime.timedelta(days=1)


def unfold(text):
    assert text.endswith("\r\n")
    # Every line break is CRLF; a bare LF would break strict parsers.
    assert "\n" not in text.replace("\r\n", "")
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def events(text):
    """The VEVENTs as dicts of property name → raw value."""
    found, current = [], None
    for line in unfold(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return found


def unescape(value):
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def member(make_member):
    return make_member(login=True)


# --- the format ------------------------------------------------------------------------------------


def test_escape_text():
    assert calendar.escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


@pytest.mark.parametrize("text", ["A" * 300, "政协" * 100, "a政" * 90, "x" * 74 + "政" * 30, ""])
def test_fold_keeps_lines_within_75_octets_and_characters_whole(text):
    folded = calendar.fold("DESCRIPTION:" + text)
    lines = folded.split("\r\n")
    for number, line in enumerate(lines):
        assert len(line.encode("utf-8")) <= 75
        if number:
            assert line.startswith(" ")
    # Lines decode on their own: no character was cut between two lines.
    for line in lines:
        line.encode("utf-8").decode("utf-8")
    assert folded.replace("\r\n ", "") == "DESCRIPTION:" + text


def test_fold_uses_the_whole_line():
    folded = calendar.fold("X" * 200)
    first, second, *_ = folded.split("\r\n")
    assert len(first) == 75
    assert len(second) == 75  # a space and 74 octets


def test_feed_content(client, member, make_activity, invite_member):
    start = datetime.datetime(2030, 5, 6, 9, 30, tzinfo=datetime.UTC)
    activity = make_activity(
        kind=Activity.Kind.TRAINING,
        title="学习培训; 第一期, 专题\\讲座",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="县政协 三楼, 会议室",
        agenda="一、开班\n二、" + "专题辅导" * 40,
        status=Activity.Status.PUBLISHED,
    )
    invite_member(activity, member)
    client.force_login(member.user)
    response = client.get(reverse("activities:my_calendar"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode("utf-8")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    [event] = events(text)
    assert event["UID"] == f"activity-{activity.pk}@testserver"
    assert event["DTSTART"] == "20300506T093000Z"
    assert event["DTEND"] == "20300506T113000Z"
    assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"])
    assert event["SUMMARY"] == "学习培训\\; 第一期\\, 专题\\\\讲座"
    assert unescape(event["SUMMARY"]) == activity.title
    assert unescape(event["LOCATION"]) == activity.place
    description = unescape(event["DESCRIPTION"])
    assert description.startswith("一、开班\n二、专题辅导")
    assert description.endswith("http://testserver" + reverse("activities:detail", args=[activity.pk]))
    assert event["STATUS"] == "CONFIRMED"


def test_times_are_utc_from_local(client, member, make_activity, invite_member):
    # 09:00 in Beijing is 01:00 UTC.
    local = timezone.make_aware(datetime.datetime(2030, 1, 2, 9, 0))
    invite_member(make_activity(starts_at=local, ends_at=local + DAY / 24, status="published"), member)
    client.force_login(member.user)
    [event] = events(client.get(reverse("activities:my_calendar")).content.decode())
    assert event["DTSTART"] == "20300102T010000Z"
    assert event["DTEND"] == "20300102T020000Z"


def test_which_events(client, member, make_member, make_activity, invite_member):
    now = timezone.now()

    def at(offset, **kwargs):
        return make_activity(starts_at=now + offset, ends_at=now + offset + DAY / 12, **kwargs)

    future = at(30 * DAY, status="published", title="future")
    recent = at(-100 * DAY, status="closed", title="recent")
    cancelled = at(5 * DAY, status="cancelled", title="cancelled")
    old = at(-400 * DAY, status="closed", title="old")
    draft = at(10 * DAY, status="draft", title="draft")
    not_mine = at(3 * DAY, status="published", title="not mine")
    for activity in (future, recent, cancelled, old, draft):
        invite_member(activity, member)
    invite_member(not_mine, make_member())
    client.force_login(member.user)
    found = {e["SUMMARY"]: e for e in events(client.get(reverse("activities:my_calendar")).content.decode())}
    assert set(found) == {"future", "recent", "cancelled"}
    assert found["cancelled"]["STATUS"] == "CANCELLED"


def test_no_n_plus_one(client, member, make_activity, invite_member):
    def count(n):
        for _ in range(n):
            invite_member(
                make_activity(
                    status="published", starts_at=timezone.now() + DAY, ends_at=timezone.now() + 2 * DAY
                ),
                member,
            )
        with capture_queries() as queries:
            response = client.get(reverse("activities:my_calendar"))
        assert response.status_code == 200
        return queries

    client.force_login(member.user)
    assert_same_query_count(count(2), count(8))


# --- the private link ------------------------------------------------------------------------------


def feed_url(user):
    return reverse("activities:calendar_feed", args=[CalendarFeed.objects.get(user=user).token])


def test_mine_page_shows_the_link(client, member):
    client.force_login(member.user)
    body = client.get(reverse("activities:mine")).content.decode()
    assert not CalendarFeed.objects.exists()  # viewing the page writes nothing
    assert "Create my calendar link" in body
    client.post(reverse("activities:calendar_reset"))
    body = client.get(reverse("activities:mine")).content.decode()
    assert "http://testserver" + feed_url(member.user) in body
    assert len(CalendarFeed.objects.get(user=member.user).token) >= 40


def test_feed_needs_no_login_and_shows_only_the_owners_activities(
    client, member, make_member, make_activity, invite_member
):
    other = make_member(login=True)
    future = timezone.now() + DAY
    invite_member(
        make_activity(title="mine", status="published", starts_at=future, ends_at=future + DAY), member
    )
    invite_member(
        make_activity(title="theirs", status="published", starts_at=future, ends_at=future + DAY), other
    )
    client.force_login(member.user)
    client.post(reverse("activities:calendar_reset"))
    client.force_login(other.user)
    client.post(reverse("activities:calendar_reset"))
    client.logout()

    mine = client.get(feed_url(member.user))
    assert mine.status_code == 200
    assert [e["SUMMARY"] for e in events(mine.content.decode())] == ["mine"]
    theirs = client.get(feed_url(other.user))
    assert [e["SUMMARY"] for e in events(theirs.content.decode())] == ["theirs"]


def test_unknown_token_404(client, member):
    assert client.get(reverse("activities:calendar_feed", args=["nope"])).status_code == 404


@pytest.mark.parametrize("token", ["a\x00" * 12, "<script>", "x" * 100])
def test_what_is_not_a_token_is_404_without_asking_the_database(client, member, token):
    """A NUL in the token was an error on PostgreSQL."""
    assert client.get(reverse("activities:calendar_feed", args=[token])).status_code == 404


def test_reset_replaces_the_link(client, member):
    client.force_login(member.user)
    client.post(reverse("activities:calendar_reset"))
    old = feed_url(member.user)
    response = client.post(reverse("activities:calendar_reset"))
    assert response.status_code == 302
    new = feed_url(member.user)
    assert new != old
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_reset_is_post_only_and_needs_login(client, member):
    assert client.post(reverse("activities:calendar_reset")).status_code == 302  # to login
    client.force_login(member.user)
    assert client.get(reverse("activities:calendar_reset")).status_code == 405


def test_my_calendar_needs_login(client):
    response = client.get(reverse("activities:my_calendar"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_inactive_users_feed_404(client, member):
    client.force_login(member.user)
    client.post(reverse("activities:calendar_reset"))
    url = feed_url(member.user)
    member.user.is_active = False
    member.user.save()
    assert client.get(url).status_code == 404


def test_first_post_creates_then_resets(client, member):
    from lvzhi.core.models import AuditEvent

    client.force_login(member.user)
    first = client.post(reverse("activities:calendar_reset"), follow=True)
    assert "Your calendar link is ready" in first.content.decode()
    second = client.post(reverse("activities:calendar_reset"), follow=True)
    assert "has been replaced" in second.content.decode()
    assert CalendarFeed.objects.count() == 1
    assert list(
        AuditEvent.objects.filter(event__startswith="activities.calendar_link")
        .order_by("pk")
        .values_list("event", flat=True)
    ) == ["activities.calendar_link_created", "activities.calendar_link_reset"]


def test_staff_without_member_file_has_no_feed(client, office):
    client.force_login(office)
    assert client.post(reverse("activities:calendar_reset")).status_code == 404
    assert client.get(reverse("activities:my_calendar")).status_code == 404
