"""SessionTimeoutMiddleware: 30 minutes idle, 12 hours in any case (DESIGN §8)."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils.translation import gettext, override

from lvzhi.accounts.middleware import LAST_SEEN, LOGIN_AT
from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent

HOME = reverse("home:index")
AUDIT = reverse("core:audit_log")


@pytest.fixture
def signed_in(client, make_user):
    """A client signed in as office staff that has made one request, so the timestamps exist."""
    user = make_user(Role.OFFICE)
    client.force_login(user)
    assert client.get(HOME).status_code == 200
    return user


def set_times(client, *, login_ago, seen_ago):
    now = time.time()
    session = client.session
    session[LOGIN_AT] = now - login_ago
    session[LAST_SEEN] = now - seen_ago
    session.save()


def assert_sent_to_login(response, next_url):
    assert response.status_code == 302
    url = urlsplit(response.url)
    assert url.path == reverse("accounts:login")
    assert parse_qs(url.query)["next"] == [next_url]


def test_sign_in_starts_both_clocks(client, make_user):
    user = make_user(Role.LEADER, username="li")
    before = time.time()

    client.post(reverse("accounts:login"), {"username": "li", "password": "Test-pass-2026"})

    assert before <= client.session[LOGIN_AT] == client.session[LAST_SEEN] <= time.time()
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_last_seen_time_is_written_at_most_once_a_minute(client, signed_in):
    """Each request writing the session made two requests of one page race to save it."""
    set_times(client, login_ago=10 * 60, seen_ago=30)
    stamped = client.session[LAST_SEEN]

    client.get(HOME)
    assert client.session[LAST_SEEN] == stamped

    set_times(client, login_ago=10 * 60, seen_ago=61)
    client.get(HOME)
    assert time.time() - client.session[LAST_SEEN] < 5


def test_it_ends_an_idle_session(client, signed_in):
    set_times(client, login_ago=40 * 60, seen_ago=31 * 60)

    response = client.get(AUDIT + "?action=login")

    assert_sent_to_login(response, AUDIT + "?action=login")
    assert "_auth_user_id" not in client.session
    # The next request is anonymous too: the session is really gone, not just redirected once.
    assert client.get(HOME).status_code == 302


def test_it_tells_the_user_why(client, signed_in):
    set_times(client, login_ago=40 * 60, seen_ago=31 * 60)

    response = client.get(HOME, follow=True)

    with override("zh-hans"):
        expected = gettext("Your session has expired. Please sign in again.")
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert expected in response.content.decode()


def test_it_audits_the_expiry(client, signed_in):
    set_times(client, login_ago=40 * 60, seen_ago=31 * 60)

    client.get(HOME)

    event = AuditEvent.objects.get(action=AuditEvent.Action.SESSION_EXPIRED)
    assert event.actor == signed_in
    assert event.username == signed_in.username
    assert event.ip_address == "127.0.0.1"


def test_it_keeps_an_active_session(client, signed_in):
    set_times(client, login_ago=2 * 60 * 60, seen_ago=29 * 60)

    assert client.get(HOME).status_code == 200
    # Each request moves the idle clock forward.
    assert time.time() - client.session[LAST_SEEN] < 60
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SESSION_EXPIRED).exists()


def test_it_ends_a_session_after_twelve_hours_however_active(client, signed_in):
    set_times(client, login_ago=12 * 60 * 60 + 60, seen_ago=10)

    response = client.get(HOME)

    assert_sent_to_login(response, HOME)
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SESSION_EXPIRED, actor=signed_in).exists()


def test_it_keeps_a_session_just_under_twelve_hours(client, signed_in):
    set_times(client, login_ago=12 * 60 * 60 - 60, seen_ago=10)

    assert client.get(HOME).status_code == 200


def test_it_leaves_anonymous_requests_alone(client, db):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    assert LAST_SEEN not in client.session
    assert not AuditEvent.objects.exists()


def test_a_fresh_login_starts_new_clocks(client, make_user):
    user = make_user(Role.LEADER, username="fresh")
    client.post(reverse("accounts:login"), {"username": "fresh", "password": "Test-pass-2026"})
    set_times(client, login_ago=40 * 60, seen_ago=31 * 60)
    client.get(HOME)  # expires
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("accounts:login"), {"username": "fresh", "password": "Test-pass-2026"})
    assert response.status_code == 302

    # The old timestamps died with the old session; the new one starts counting now.
    assert client.get(HOME).status_code == 200
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR])
def test_an_administrator_session_ends_after_fifteen_idle_minutes(client, make_user, role):
    admin = make_user(role)
    client.force_login(admin)
    client.get(HOME)
    set_times(client, login_ago=60 * 60, seen_ago=16 * 60)

    response = client.get(HOME)

    assert_sent_to_login(response, HOME)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SESSION_EXPIRED, actor=admin).exists()


def test_an_administrator_session_is_kept_within_fifteen_minutes(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    client.get(HOME)
    set_times(client, login_ago=60 * 60, seen_ago=14 * 60)

    assert client.get(HOME).status_code == 200


def test_other_staff_keep_thirty_minutes(client, signed_in):
    set_times(client, login_ago=60 * 60, seen_ago=16 * 60)

    assert client.get(HOME).status_code == 200
