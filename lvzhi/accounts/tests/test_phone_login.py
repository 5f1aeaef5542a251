"""Signing in with the mobile number of one's member file (backends.LockoutModelBackend + login_names)."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext, override

from lvzhi.accounts.models import Lockout, LoginFailure
from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberFactory

from .test_login import INVALID_LOGIN

LOGIN = reverse("accounts:login")
PASSWORD = "Test-pass-2026"  # UserFactory's password
PHONE = "13912345678"
IP = "10.20.30.40"


@pytest.fixture
def zhang(make_user, committee):
    user = make_user(Role.MEMBER, username="zhangsan")
    MemberFactory(committee=committee, name="张三", phone=PHONE, user=user)
    return user


def login(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=IP)


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def the_error(response):
    assert response.status_code == 200
    with override("zh-hans"):
        expected = gettext(INVALID_LOGIN)
    assert list(response.context["form"].non_field_errors()) == [expected]
    return True


def audit_text():
    return " ".join(f"{e.username} {e.summary} {e.detail}" for e in AuditEvent.objects.all())


@pytest.mark.parametrize("typed", [PHONE, "139 1234 5678", "+86 139-1234-5678"])
def test_a_member_signs_in_with_the_phone_number_of_their_file(client, zhang, typed):
    response = login(client, typed)

    assert response.status_code == 302
    assert signed_in_as(client) == str(zhang.pk)
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert (event.actor, event.username) == (zhang, "zhangsan")


def test_the_login_name_still_works(client, zhang):
    assert login(client, "zhangsan").status_code == 302


def test_a_number_two_accounts_share_is_refused_with_the_same_message(client, zhang, make_user, committee):
    spouse = make_user(Role.MEMBER, username="lisi")
    MemberFactory(committee=committee, name="李四", phone=PHONE, user=spouse)

    assert the_error(login(client, PHONE))
    assert signed_in_as(client) is None
    # Each of them still signs in with their login name.
    assert login(client, "lisi").status_code == 302


def test_a_disabled_account_does_not_make_the_number_ambiguous(client, zhang, make_user, committee):
    gone = make_user(Role.MEMBER, username="lisi", is_active=False)
    MemberFactory(committee=committee, name="李四", phone=PHONE, user=gone)

    assert login(client, PHONE).status_code == 302


def test_a_wrong_password_and_an_unknown_number_give_the_same_message(client, zhang):
    assert the_error(login(client, PHONE, "Wrong-pass-1"))
    assert the_error(login(client, "13800000000", "Wrong-pass-1"))
    assert the_error(login(client, "zhangsan", "Wrong-pass-1"))


def test_failures_by_phone_lock_the_account(client, zhang):
    for _ in range(5):
        login(client, "139 1234 5678", "Wrong-pass-1")

    assert Lockout.objects.filter(username="zhangsan").exists()
    assert the_error(login(client, "zhangsan"))
    assert the_error(login(client, PHONE))


def test_the_phone_number_cannot_dodge_the_lockout_of_the_account(client, zhang):
    for _ in range(5):
        login(client, "zhangsan", "Wrong-pass-1")

    assert the_error(login(client, PHONE))
    assert signed_in_as(client) is None


def test_failures_by_phone_and_by_name_add_up(client, zhang):
    for typed in ["zhangsan", PHONE, "zhangsan", "139 1234 5678", "zhangsan"]:
        login(client, typed, "Wrong-pass-1")

    assert Lockout.objects.filter(username="zhangsan").exists()
    assert the_error(login(client, PHONE))


def test_an_ambiguous_number_is_still_counted_and_locked(client, zhang, make_user, committee):
    MemberFactory(committee=committee, phone=PHONE, user=make_user(Role.MEMBER, username="lisi"))

    for _ in range(5):
        login(client, PHONE, "Wrong-pass-1")

    assert Lockout.objects.count() == 1
    assert not Lockout.objects.filter(username__in=["zhangsan", "lisi"]).exists()


def test_the_phone_number_is_never_kept_in_clear(client, zhang):
    for _ in range(5):
        login(client, "139 1234 5678", "Wrong-pass-1")
    login(client, "13800001111", "Wrong-pass-1")

    text = audit_text()
    assert "12345678" not in text and "00001111" not in text
    assert "139****5678" in text and "138****1111" in text
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).order_by("id").first()
    assert failed.username == "zhangsan"
    stored = [*LoginFailure.objects.values_list("username", flat=True)]
    stored += [*Lockout.objects.values_list("username", flat=True)]
    assert not any("5678" in key or "1111" in key for key in stored)


def test_unlocking_the_account_also_ends_the_lock_of_its_phone_number(client, zhang, make_user):
    for _ in range(5):
        login(client, PHONE, "Wrong-pass-1")
    secadmin = make_user(Role.SECADMIN, username="secadmin")
    client.force_login(secadmin)
    client.post(reverse("accounts:user_unlock", args=[zhang.pk]))
    client.logout()

    assert login(client, PHONE).status_code == 302
