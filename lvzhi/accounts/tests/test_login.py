"""Sign-in, lockout policy and sign-out (DESIGN §8: 5 failures in 15 minutes lock for 30 minutes)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from lvzhi.accounts.models import Lockout, LoginFailure
from lvzhi.accounts.roles import Role
from lvzhi.core import retention
from lvzhi.core.models import AuditEvent

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
PASSWORD = "Test-pass-2026"  # UserFactory's password
INVALID_LOGIN = (
    "Wrong username or password, or the account is temporarily locked after repeated failures. "
    "Please try again later or ask the office."
)
IP = "10.20.30.40"


@pytest.fixture
def user(make_user):
    # A staff role that signs in with the password alone (no second factor).
    return make_user(Role.LEADER, username="wang")


def login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=IP, **extra)


def error_text(response):
    assert response.status_code == 200
    return list(response.context["form"].non_field_errors())


def expected_error():
    with override("zh-hans"):
        return gettext(INVALID_LOGIN)


def is_signed_in(client):
    return "_auth_user_id" in client.session


def fail(client, username, times):
    for _ in range(times):
        assert login(client, username, "Wrong-pass-1").status_code == 200


def test_it_renders_the_sign_in_page_in_chinese(client, db):
    response = client.get(LOGIN)

    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="zh-hans">' in content
    with override("zh-hans"):
        heading = gettext("Sign in")
    assert heading != "Sign in"  # translated, not the English msgid
    assert f'<h1 class="h4 mb-3">{heading}</h1>' in content
    assert 'name="password"' in content


def test_it_signs_in_and_redirects_home(client, user):
    response = login(client, "wang", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home:index")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_it_redirects_to_next(client, user):
    response = client.post(LOGIN, {"username": "wang", "password": PASSWORD, "next": "/audit/"})

    assert response.status_code == 302
    assert response.url == "/audit/"


def test_it_refuses_an_outside_next(client, user):
    response = client.post(LOGIN, {"username": "wang", "password": PASSWORD, "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response.url == reverse("home:index")


def test_it_rotates_the_session_key_at_login(client, user):
    client.get(LOGIN)
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key

    login(client, "wang", PASSWORD)

    assert client.session.session_key != before


def test_it_audits_a_login(client, user):
    login(client, "wang", PASSWORD)

    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert event.actor == user
    assert event.username == "wang"
    assert event.ip_address == IP
    assert event.committee_id == user.committee_id
    assert event.result == AuditEvent.Result.SUCCESS


def test_it_gives_one_message_for_a_wrong_password_and_an_unknown_user(client, user):
    wrong_password = error_text(login(client, "wang", "Wrong-pass-1"))
    unknown_user = error_text(login(client, "nobody", "Wrong-pass-1"))

    assert wrong_password == unknown_user == [expected_error()]
    assert not is_signed_in(client)


def test_it_audits_each_failure(client, user):
    login(client, "wang", "Wrong-pass-1")
    login(client, "nobody", "Wrong-pass-1")

    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).order_by("id")
    assert [(e.username, e.ip_address, e.result) for e in failed] == [
        ("wang", IP, AuditEvent.Result.FAILURE),
        ("nobody", IP, AuditEvent.Result.FAILURE),
    ]
    assert LoginFailure.objects.filter(username="wang").count() == 1
    assert LoginFailure.objects.filter(username="nobody").count() == 1


def test_four_failures_do_not_lock(client, user):
    fail(client, "wang", 4)

    assert not Lockout.objects.exists()
    assert login(client, "wang", PASSWORD).status_code == 302


def test_five_failures_lock_the_username(client, user):
    fail(client, "wang", 5)

    lockout = Lockout.objects.get(username="wang")
    assert timedelta(minutes=29) < lockout.until - timezone.now() <= timedelta(minutes=30)
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOCKOUT)
    assert event.username == "wang"
    assert event.ip_address == IP
    assert event.result == AuditEvent.Result.FAILURE


def test_a_locked_username_is_refused_even_with_the_right_password(client, user):
    fail(client, "wang", 5)

    response = login(client, "wang", PASSWORD)

    assert error_text(response) == [expected_error()]
    assert not is_signed_in(client)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 6


def test_it_locks_unknown_usernames_the_same_way(client, db):
    fail(client, "ghost", 5)

    assert Lockout.objects.filter(username="ghost").exists()
    assert error_text(login(client, "ghost", "Wrong-pass-1")) == [expected_error()]


def test_a_name_longer_than_any_account_is_a_failure_not_an_error(client, db):
    """Django's sign-in form does not cut the name; on PostgreSQL the failure row could not hold it."""
    response = login(client, "长" * 40000, "Wrong-pass-1")

    assert response.status_code == 200
    assert error_text(response) == [expected_error()]
    assert LoginFailure.objects.get().username == "长" * 150


def test_the_lock_is_per_username(client, user, make_user):
    make_user(Role.LEADER, username="li")
    fail(client, "wang", 5)

    assert login(client, "li", PASSWORD).status_code == 302


def test_the_lock_ends_after_thirty_minutes(client, user):
    fail(client, "wang", 5)
    Lockout.objects.filter(username="wang").update(until=timezone.now() - timedelta(seconds=1))

    response = login(client, "wang", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_counting_starts_afresh_after_a_lock(client, user):
    fail(client, "wang", 5)
    Lockout.objects.filter(username="wang").update(until=timezone.now() - timedelta(seconds=1))

    fail(client, "wang", 4)

    assert Lockout.objects.filter(username="wang").count() == 1
    assert login(client, "wang", PASSWORD).status_code == 302


def test_failures_older_than_fifteen_minutes_do_not_count(client, user):
    fail(client, "wang", 4)
    LoginFailure.objects.filter(username="wang").update(at=timezone.now() - timedelta(minutes=16))

    fail(client, "wang", 4)

    assert not Lockout.objects.exists()
    assert login(client, "wang", PASSWORD).status_code == 302


def test_failures_within_fifteen_minutes_count(client, user):
    fail(client, "wang", 4)
    LoginFailure.objects.filter(username="wang").update(at=timezone.now() - timedelta(minutes=14))

    fail(client, "wang", 1)

    assert Lockout.objects.filter(username="wang").exists()


def test_logout_rejects_get(client, user):
    client.force_login(user)

    assert client.get(LOGOUT).status_code == 405
    assert is_signed_in(client)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT).exists()


def test_logout_signs_out_and_is_audited(client, user):
    login(client, "wang", PASSWORD)

    response = client.post(LOGOUT, REMOTE_ADDR=IP)

    assert response.status_code == 302
    assert response.url == LOGIN
    assert not is_signed_in(client)
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGOUT)
    assert (event.actor, event.username, event.ip_address) == (user, "wang", IP)


def test_logout_when_signed_out_writes_nothing(client, db):
    assert client.post(LOGOUT).status_code == 302
    assert not AuditEvent.objects.exists()


def test_the_daily_purge_drops_failures_that_no_longer_count_and_ended_lockouts(db):
    now = timezone.now()
    LoginFailure.objects.create(username="wang", at=now - timedelta(minutes=16))
    recent = LoginFailure.objects.create(username="wang", at=now - timedelta(minutes=14))
    Lockout.objects.create(
        username="li", locked_at=now - timedelta(hours=1), until=now - timedelta(minutes=30)
    )
    current = Lockout.objects.create(username="zhao", locked_at=now, until=now + timedelta(minutes=30))

    assert retention.purge_all(now)["sign_in_records"] == 2

    assert list(LoginFailure.objects.all()) == [recent]
    assert list(Lockout.objects.all()) == [current]
