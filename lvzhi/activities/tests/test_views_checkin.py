"""QR check-in: the kiosk shows a rotating code, the member's phone checks in with it."""

import datetime
import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.activities import views
from lvzhi.activities.models import Activity, Participation
from lvzhi.core.rotating_tokens import DEFAULT_PERIOD, make_token

P = Participation.Status
PURPOSE = "activity-checkin"
MIN = datetime.timedelta(minutes=1)


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def member(make_member):
    return make_member(login=True)


@pytest.fixture
def activity(make_activity):
    now = timezone.now()
    return make_activity(starts_at=now - 5 * MIN, ends_at=now + 60 * MIN, status=Activity.Status.IN_PROGRESS)


@pytest.fixture
def invitation(activity, member, invite_member):
    return invite_member(activity, member, status=P.CONFIRMED)


def scan_url(activity, token=None):
    token = token or make_token(purpose=PURPOSE, object_id=activity.pk)
    return reverse("activities:scan", args=[activity.pk, token])


# --- kiosk -----------------------------------------------------------------------------------------


def test_kiosk_403_for_members(client, member, activity, invitation):
    client.force_login(member.user)
    assert client.get(reverse("activities:kiosk", args=[activity.pk])).status_code == 403
    assert client.get(reverse("activities:kiosk_code", args=[activity.pk])).status_code == 403


def test_kiosk_for_office(client, office, activity):
    client.force_login(office)
    response = client.get(reverse("activities:kiosk", args=[activity.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body
    assert activity.title in body
    assert f'hx-get="{reverse("activities:kiosk_code", args=[activity.pk])}"' in body
    assert "every 5s" in body

    fragment = client.get(reverse("activities:kiosk_code", args=[activity.pk]))
    assert fragment.status_code == 200
    assert "<svg" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_kiosk_of_another_units_activity_403(make_user, my_unit, other_unit, make_activity):
    from django.test import Client

    staff = make_user(Role.UNIT_STAFF, units=[my_unit])
    theirs = make_activity(organizing_unit=other_unit, status=Activity.Status.PUBLISHED)
    client = Client()
    client.force_login(staff)
    assert client.get(reverse("activities:kiosk", args=[theirs.pk])).status_code == 403


def test_kiosk_anonymous_redirected(client, activity):
    response = client.get(reverse("activities:kiosk", args=[activity.pk]))
    assert response.status_code == 302


# --- scan ------------------------------------------------------------------------------------------


def test_get_shows_confirm_but_does_not_check_in(client, member, activity, invitation):
    client.force_login(member.user)
    response = client.get(scan_url(activity))
    assert response.status_code == 200
    assert re.search(r'<form method="post"', response.content.decode())
    invitation.refresh_from_db()
    assert invitation.status == P.CONFIRMED
    assert invitation.checked_in_at is None


def test_valid_token_checks_in(client, member, activity, invitation):
    client.force_login(member.user)
    response = client.post(scan_url(activity), follow=True)
    invitation.refresh_from_db()
    assert invitation.status == P.PRESENT
    assert invitation.checked_in_by is None
    assert "You are checked in." in response.content.decode()


def test_already_checked_in(client, member, activity, invitation):
    client.force_login(member.user)
    client.post(scan_url(activity))
    response = client.post(scan_url(activity), follow=True)
    assert "is already checked in" in response.content.decode()


def test_expired_token_refused(client, member, activity, invitation):
    client.force_login(member.user)
    old = make_token(purpose=PURPOSE, object_id=activity.pk, now=timezone.now() - 5 * MIN)
    response = client.post(scan_url(activity, old), follow=True)
    invitation.refresh_from_db()
    assert invitation.checked_in_at is None
    assert "scan the QR code on the big screen again" in response.content.decode()
    assert "scan the QR code on the big screen again" in client.get(scan_url(activity, old)).content.decode()


def test_token_of_another_activity_refused(client, member, activity, invitation, make_activity):
    other = make_activity()
    client.force_login(member.user)
    token = make_token(purpose=PURPOSE, object_id=other.pk)
    client.post(scan_url(activity, token))
    invitation.refresh_from_db()
    assert invitation.checked_in_at is None


def test_forged_token_refused(client, member, activity, invitation):
    client.force_login(member.user)
    real = make_token(purpose=PURPOSE, object_id=activity.pk)
    forged = real.split(".")[0] + "." + "A" * 22
    client.post(scan_url(activity, forged))
    client.post(scan_url(activity, "garbage"))
    invitation.refresh_from_db()
    assert invitation.checked_in_at is None


def test_member_not_invited_refused(client, make_member, activity, invitation):
    stranger = make_member(login=True)
    client.force_login(stranger.user)
    response = client.post(scan_url(activity), follow=True)
    assert "You are not invited to this activity." in response.content.decode()
    assert not Participation.objects.filter(activity=activity, member=stranger).exists()
    invitation.refresh_from_db()
    assert invitation.checked_in_at is None


def test_outside_the_window_refused(client, member, make_activity, invite_member):
    now = timezone.now()
    later = make_activity(
        starts_at=now + 300 * MIN, ends_at=now + 400 * MIN, status=Activity.Status.PUBLISHED
    )
    participation = invite_member(later, member)
    client.force_login(member.user)
    response = client.post(scan_url(later), follow=True)
    participation.refresh_from_db()
    assert participation.checked_in_at is None
    assert "Check-in is not open now." in response.content.decode()


def test_office_scanning_does_not_check_in_anyone(client, office, activity, invitation):
    client.force_login(office)
    response = client.post(scan_url(activity), follow=True)
    assert "Only members can check in." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.checked_in_at is None


def test_anonymous_redirected_to_login_and_back(client, activity):
    url = scan_url(activity)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "next=" in response.url and str(activity.pk) in response.url
    response = client.post(url)
    assert response.status_code == 302
    assert Participation.objects.filter(activity=activity).count() == 0


# --- scan across sign-in ---------------------------------------------------------------------------


def sign_in(client, user):
    """Sign in through the login form, as the member does on the phone, keeping the session. The
    password is an old one (set before the scan): this is not a first sign-in."""
    user.set_password("Lvzhi-2026-pass")
    user.password_changed_at = timezone.now() - datetime.timedelta(days=30)
    user.save()
    return client.post(
        reverse("accounts:login") + "?next=/", {"username": user.username, "password": "Lvzhi-2026-pass"}
    )


def test_anonymous_scan_is_remembered_across_sign_in(client, member, activity, invitation, clock):
    url = scan_url(activity)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "activities.scan_grant" in client.session

    clock.advance(120)  # the member types the password; the code is long gone
    assert sign_in(client, member.user).status_code == 302
    page = client.get(url)
    assert page.status_code == 200
    assert '<form method="post"' in page.content.decode()
    response = client.post(url, follow=True)
    invitation.refresh_from_db()
    assert invitation.status == P.PRESENT
    assert "You are checked in." in response.content.decode()
    assert "activities.scan_grant" not in client.session


def test_grant_is_used_once(client, member, activity, invitation, clock):
    url = scan_url(activity)
    client.get(url)
    sign_in(client, member.user)
    clock.advance(120)
    client.post(url)
    # A second, fresh GET with the expired code gets no more help from the grant.
    body = client.get(url).content.decode()
    assert "scan the QR code on the big screen again" in body


def grant_ends(token):
    """When a grant for `token` runs out: the code's own life (its window and the one grace window the
    kiosk allows) plus the grace for typing a password."""
    window = int(token.split(".")[0], 36)
    return (window + 2) * DEFAULT_PERIOD + views.SCAN_GRANT_GRACE


def test_grant_lasts_as_long_as_the_code_plus_the_grace(client, member, activity, invitation, clock):
    url = scan_url(activity)
    client.get(url)
    sign_in(client, member.user)
    clock.advance(grant_ends(url.split("/")[-2]) - time.time() - 1)
    response = client.post(url, follow=True)
    assert "You are checked in." in response.content.decode()


def test_grant_expires_with_the_code_plus_the_grace(client, member, activity, invitation, clock):
    """Not ten minutes: a forwarded link must die soon after the code it carries."""
    url = scan_url(activity)
    client.get(url)
    sign_in(client, member.user)
    clock.advance(grant_ends(url.split("/")[-2]) - time.time() + 1)
    response = client.post(url, follow=True)
    invitation.refresh_from_db()
    assert invitation.checked_in_at is None
    assert "scan the QR code on the big screen again" in response.content.decode()
    assert views.SCAN_GRANT_GRACE <= 2 * 60


def test_grant_is_honoured_only_on_the_url_of_the_scanned_code(client, member, activity, invitation, clock):
    """The grant stands in for the code that was scanned, not for any code of the activity: an old
    link (forwarded from an earlier scan) gets no help from it."""
    old = make_token(purpose=PURPOSE, object_id=activity.pk, now=timezone.now() - 5 * MIN)
    client.get(scan_url(activity))
    sign_in(client, member.user)
    clock.advance(60)
    for method in (client.get, client.post):
        response = method(scan_url(activity, old), follow=True)
        assert "scan the QR code on the big screen again" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.checked_in_at is None


def test_a_link_forwarded_to_another_session_does_not_carry_the_grant(
    client, member, activity, invitation, make_member, invite_member, clock
):
    from django.test import Client

    url = scan_url(activity)
    client.get(url)  # the member in the hall scans, and forwards the link
    friend = make_member(login=True)
    friend_invitation = invite_member(activity, friend, status=P.CONFIRMED)
    clock.advance(90)  # the code itself is gone
    elsewhere = Client()
    assert elsewhere.get(url).url.startswith(reverse("accounts:login"))
    sign_in(elsewhere, friend.user)
    response = elsewhere.post(url, follow=True)
    assert "scan the QR code on the big screen again" in response.content.decode()
    friend_invitation.refresh_from_db()
    assert friend_invitation.checked_in_at is None


def test_grant_for_another_activity_does_not_help(
    client, member, activity, invitation, make_activity, invite_member, clock
):
    now = timezone.now()
    other = make_activity(starts_at=now - 5 * MIN, ends_at=now + 60 * MIN, status=Activity.Status.IN_PROGRESS)
    other_invitation = invite_member(other, member, status=P.CONFIRMED)
    granted = scan_url(activity)
    client.get(granted)  # grant for `activity`
    old_other_url = scan_url(other)  # a code for `other`, soon expired
    clock.advance(120)
    sign_in(client, member.user)
    client.post(old_other_url)
    other_invitation.refresh_from_db()
    assert other_invitation.checked_in_at is None
    # ... while the grant still works for its own activity
    client.post(granted)
    invitation.refresh_from_db()
    assert invitation.status == P.PRESENT


def test_invalid_token_anonymous_goes_to_login_without_grant(client, activity):
    old = make_token(purpose=PURPOSE, object_id=activity.pk, now=timezone.now() - 5 * MIN)
    for token in (old, "garbage"):
        response = client.get(scan_url(activity, token))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
        assert "activities.scan_grant" not in client.session


def test_token_for_another_activity_gives_no_grant(client, activity, make_activity):
    other = make_activity()
    token = make_token(purpose=PURPOSE, object_id=other.pk)
    client.get(scan_url(activity, token))
    assert "activities.scan_grant" not in client.session


def test_anonymous_post_gives_no_grant(client, activity):
    response = client.post(scan_url(activity))
    assert response.status_code == 302
    assert "activities.scan_grant" not in client.session


def test_a_made_up_code_shows_nothing_of_an_activity_one_cannot_see(client, make_member, activity):
    """Someone not invited learns the title, time and place only from a real code (they are in the hall)."""
    stranger = make_member(login=True)
    client.force_login(stranger.user)

    assert client.get(scan_url(activity, "garbage")).status_code == 404
    assert client.get(scan_url(activity)).status_code == 200


def test_an_invited_member_with_an_old_code_is_told_to_scan_again(client, member, activity, invitation):
    client.force_login(member.user)

    response = client.get(scan_url(activity, "garbage"))

    assert response.status_code == 200
    assert response.context["token_ok"] is False
