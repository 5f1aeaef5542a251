"""Closing and publishing ask first (issue 10, defect 4): closing says how many will be marked absent
(the rule closing uses, selectors.to_mark_absent) and, before the scheduled end, asks a second time;
publishing an activity whose start has passed names the date and how many will be notified, and nobody
is notified before the office confirms. The server holds to it: a POST without the flags only shows the
confirmation page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.activities import selectors
from lvzhi.activities.models import Activity, Participation
from lvzhi.notifications.models import Notification

S = Activity.Status
P = Participation.Status
HOUR = datetime.timedelta(hours=1)

pytestmark = pytest.mark.usefixtures("english")


def close(client, activity, **flags):
    return client.post(
        reverse("activities:close", args=[activity.pk]), {"version": activity.version, **flags}
    )


@pytest.fixture
def running(make_activity, make_member, invite_member):
    """In progress, scheduled to end in an hour: one of each kind of participation."""
    now = timezone.now()
    activity = make_activity(starts_at=now - HOUR, ends_at=now + HOUR, status=S.IN_PROGRESS)
    statuses = {
        "invited": P.INVITED,
        "confirmed": P.CONFIRMED,
        "asked": P.LEAVE_REQUESTED,
        "refused": P.LEAVE_DENIED,
        "declined": P.DECLINED,
        "approved": P.LEAVE_APPROVED,
        "present": P.PRESENT,
        "late": P.LATE,
    }
    people = {
        key: invite_member(activity, make_member(name=f"委员{key}"), status=status)
        for key, status in statuses.items()
    }
    return activity, people


def test_the_count_is_the_rule_closing_uses(running, office):
    activity, people = running
    expected = {people[k].pk for k in ("invited", "confirmed", "asked", "refused", "declined")}
    assert set(selectors.to_mark_absent(activity).values_list("pk", flat=True)) == expected
    from lvzhi.activities import services

    services.close_activity(activity=activity, actor=office)
    assert set(activity.participations.filter(status=P.ABSENT).values_list("pk", flat=True)) == expected


def test_closing_without_confirmation_shows_the_count_and_closes_nothing(client, office, running):
    activity, _people = running
    client.force_login(office)
    response = close(client, activity)
    assert response.status_code == 200
    assert response.templates[0].name == "activities/staff/confirm_close.html"
    assert response.context["absent_count"] == 5
    assert "5 members with no check-in and no approved leave will be marked absent." in response.text
    assert "委员invited" in response.text and "委员present" not in response.text
    activity.refresh_from_db()
    assert activity.status == S.IN_PROGRESS
    assert not activity.participations.filter(status=P.ABSENT).exists()


def test_closing_early_asks_a_second_time(client, office, running):
    activity, _people = running
    client.force_login(office)
    response = close(client, activity, confirm_absent="1")
    assert response.context["step"] == "early"
    # The time alone when the end is today, with the date when it is not (an hour from now, late at
    # night, is tomorrow).
    ends = timezone.localtime(activity.ends_at)
    end = ends.strftime("%H:%M" if ends.date() == timezone.localdate() else "%Y-%m-%d %H:%M")
    assert f"The activity is scheduled to end at {end}. End it now?" in response.text
    activity.refresh_from_db()
    assert activity.status == S.IN_PROGRESS
    # The early flag alone does not do either.
    response = close(client, activity, confirm_early="1")
    assert response.context["step"] == "absent"
    activity.refresh_from_db()
    assert activity.status == S.IN_PROGRESS
    response = close(client, activity, confirm_absent="1", confirm_early="1")
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == S.CLOSED
    assert activity.participations.filter(status=P.ABSENT).count() == 5


def test_closing_early_names_the_date_of_an_end_on_another_day(client, office, make_activity):
    now = timezone.now()
    activity = make_activity(starts_at=now - HOUR, ends_at=now + 2 * 24 * HOUR, status=S.IN_PROGRESS)
    client.force_login(office)
    response = close(client, activity, confirm_absent="1")
    end = timezone.localtime(activity.ends_at).strftime("%Y-%m-%d %H:%M")
    assert f"The activity is scheduled to end at {end}. End it now?" in response.text


def test_closing_after_the_end_asks_once(client, office, make_activity, make_member, invite_member):
    now = timezone.now()
    activity = make_activity(starts_at=now - 3 * HOUR, ends_at=now - HOUR, status=S.IN_PROGRESS)
    invite_member(activity, make_member(), status=P.CONFIRMED)
    client.force_login(office)
    response = close(client, activity)
    assert response.context["step"] == "absent"
    assert "1 member with no check-in and no approved leave will be marked absent." in response.text
    assert close(client, activity, confirm_absent="1").status_code == 302
    activity.refresh_from_db()
    assert activity.status == S.CLOSED


def test_the_confirmation_page_buttons_post_the_flags(client, office, running):
    activity, _people = running
    client.force_login(office)
    first = close(client, activity).text
    assert 'name="confirm_absent" value="1"' in first and 'name="confirm_early"' not in first
    second = close(client, activity, confirm_absent="1").text
    assert 'name="confirm_absent" value="1"' in second and 'name="confirm_early" value="1"' in second


def test_a_stale_page_is_not_confirmed(client, office, running):
    activity, _people = running
    client.force_login(office)
    response = client.post(reverse("activities:close", args=[activity.pk]), {"version": 99}, follow=True)
    assert "Someone else saved this" in response.text
    activity.refresh_from_db()
    assert activity.status == S.IN_PROGRESS


def test_others_cannot_reach_the_confirmation(client, leader, unit_staff, running):
    activity, _people = running
    for user in (leader, unit_staff):
        client.force_login(user)
        assert close(client, activity).status_code in (403, 404)


# --- publishing an activity dated in the past ---------------------------------------------------


@pytest.fixture
def past_draft(make_activity, make_member):
    now = timezone.now()
    activity = make_activity(
        starts_at=now - 2 * 24 * HOUR,
        ends_at=now - 47 * HOUR,
        status=S.DRAFT,
        invitee_rules={"standing": True},
    )
    make_member(standing=True, login=True)
    make_member(standing=True, login=True)
    make_member(standing=True)  # no account: invited, not notified
    return activity


def publish(client, activity, **flags):
    return client.post(
        reverse("activities:publish", args=[activity.pk]), {"version": activity.version, **flags}
    )


def test_publishing_a_past_activity_warns_and_notifies_nobody(client, office, past_draft):
    client.force_login(office)
    response = publish(client, past_draft)
    assert response.status_code == 200
    assert response.templates[0].name == "activities/staff/confirm_publish.html"
    date = timezone.localtime(past_draft.starts_at).strftime("%Y-%m-%d %H:%M")
    assert f"This activity starts on {date}, which has passed." in response.text
    assert "Publishing invites 3 members; 2 of them will be notified." in response.text
    assert 'name="confirm_past" value="1"' in response.text
    past_draft.refresh_from_db()
    assert past_draft.status == S.DRAFT
    assert not past_draft.participations.exists()
    assert not Notification.objects.exists()


def test_publishing_a_past_activity_once_confirmed(client, office, past_draft):
    client.force_login(office)
    assert publish(client, past_draft, confirm_past="1").status_code == 302
    past_draft.refresh_from_db()
    assert past_draft.status == S.PUBLISHED
    assert past_draft.participations.count() == 3
    assert Notification.objects.filter(kind="activity.invited").count() == 2


def test_publishing_a_future_activity_asks_nothing(client, office, make_activity, make_member):
    now = timezone.now()
    activity = make_activity(starts_at=now + HOUR, ends_at=now + 2 * HOUR, status=S.DRAFT)
    client.force_login(office)
    assert publish(client, activity).status_code == 302
    activity.refresh_from_db()
    assert activity.status == S.PUBLISHED
