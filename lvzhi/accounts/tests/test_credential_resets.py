"""Resetting a password or a second factor under 三员分立 (services.reset_password, reset_second_factor):
no administrator can take over another, nor an account that sees full personal data."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from lvzhi.accounts import services
from lvzhi.accounts.models import CredentialReset, TOTPDevice, User
from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent

NEW_PASSWORD = "Qingxi#2026-river-bank"  # long enough for an administrator
HOME = reverse("home:index")
IP = "10.1.2.3"


@pytest.fixture
def sysadmin(make_user):
    return make_user(Role.SYSADMIN, username="sysadmin")


@pytest.fixture
def secadmin(make_user):
    return make_user(Role.SECADMIN, username="secadmin")


@pytest.fixture
def auditor(make_user):
    return make_user(Role.AUDITOR, username="auditor")


@pytest.fixture
def member_account(make_user):
    return make_user(Role.MEMBER, username="someone")


def reset_password(client, account, password=NEW_PASSWORD):
    return client.post(
        reverse("accounts:user_password", args=[account.pk]),
        {"password1": password, "password2": password},
        REMOTE_ADDR=IP,
    )


def reset_second_factor(client, account):
    return client.post(reverse("accounts:user_second_factor_reset", args=[account.pk]), REMOTE_ADDR=IP)


def signed_in_as(user):
    other = Client()
    other.force_login(user)
    assert other.get(HOME).status_code == 200
    return other


def last_message(response):
    return [str(m) for m in response.wsgi_request._messages][-1]


def zh(text):
    with override("zh-hans"):
        return gettext(text)


# Who may reset whom.


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SECADMIN, Role.SYSADMIN, Role.OFFICE])
def test_the_system_administrator_cannot_reset_a_privileged_password(client, sysadmin, make_user, role):
    target = make_user(role)
    client.force_login(sysadmin)

    assert reset_password(client, target).status_code == 403

    target.refresh_from_db()
    assert not target.check_password(NEW_PASSWORD)
    assert not AuditEvent.objects.filter(action="password_reset").exists()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SECADMIN, Role.SYSADMIN, Role.OFFICE])
def test_the_system_administrator_cannot_reset_a_privileged_second_factor(client, sysadmin, make_user, role):
    target = make_user(role)
    client.force_login(sysadmin)

    assert reset_second_factor(client, target).status_code == 403

    assert TOTPDevice.objects.filter(user=target).exists()


def test_the_takeover_of_the_auditor_fails(client, sysadmin, auditor):
    """The review's finding: new password, no second factor, sign in as the auditor, read /audit/."""
    client.force_login(sysadmin)
    reset_password(client, auditor)
    reset_second_factor(client, auditor)

    thief = Client()
    thief.post(reverse("accounts:login"), {"username": "auditor", "password": NEW_PASSWORD})

    assert "_auth_user_id" not in thief.session
    assert thief.get(reverse("core:audit_log")).status_code == 302


def test_a_disabled_office_account_is_still_privileged(client, sysadmin, make_user):
    office = make_user(Role.OFFICE)
    User.objects.filter(pk=office.pk).update(is_active=False)
    client.force_login(sysadmin)

    assert reset_password(client, office).status_code == 403


def test_the_security_administrator_resets_a_privileged_password(client, secadmin, auditor):
    client.force_login(secadmin)

    response = reset_password(client, auditor)

    assert response.status_code == 302
    auditor.refresh_from_db()
    assert auditor.check_password(NEW_PASSWORD)
    assert auditor.must_change_password
    event = AuditEvent.objects.get(action="password_reset", object_id=str(auditor.pk))
    assert (event.actor, event.ip_address) == (secadmin, IP)
    assert CredentialReset.objects.get(user=auditor).actor == secadmin


def test_the_security_administrator_resets_a_privileged_second_factor(client, secadmin, office):
    client.force_login(secadmin)

    response = reset_second_factor(client, office)

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=office).exists()
    event = AuditEvent.objects.get(object_id=str(office.pk), action=AuditEvent.Action.SECOND_FACTOR_RESET)
    assert (event.actor, event.ip_address) == (secadmin, IP)


def test_the_security_administrator_leaves_ordinary_accounts_to_the_system_administrator(
    client, secadmin, member_account
):
    client.force_login(secadmin)

    assert reset_password(client, member_account).status_code == 403
    assert reset_second_factor(client, member_account).status_code == 403


def test_the_system_administrator_resets_an_ordinary_account(client, sysadmin, member_account):
    TOTPDevice.objects.create(user=member_account, secret="JBSWY3DPEHPK3PXP")
    client.force_login(sysadmin)

    reset_password(client, member_account, password="Qingxi#2026x")
    reset_second_factor(client, member_account)

    member_account.refresh_from_db()
    assert member_account.check_password("Qingxi#2026x")
    assert not TOTPDevice.objects.filter(user=member_account).exists()
    assert AuditEvent.objects.filter(object_id=str(member_account.pk), actor=sysadmin).count() == 2


@pytest.mark.parametrize("role", [Role.SECADMIN, Role.SYSADMIN])
def test_nobody_resets_their_own_credentials_here(client, make_user, role):
    admin = make_user(role)
    client.force_login(admin)

    assert reset_password(client, admin).status_code == 403
    assert reset_second_factor(client, admin).status_code == 403
    assert TOTPDevice.objects.filter(user=admin).exists()


def test_an_account_of_another_committee_cannot_be_reset(client, secadmin, other_committee, make_user):
    stranger = make_user(Role.AUDITOR, committee=other_committee)
    client.force_login(secadmin)

    assert reset_password(client, stranger).status_code == 404
    with pytest.raises(PermissionDenied):
        services.reset_second_factor(user=stranger, actor=secadmin)


def test_a_reset_needs_an_actor_unless_it_comes_from_the_command_line(member_account):
    with pytest.raises(PermissionDenied):
        services.reset_second_factor(user=member_account, actor=None)


# One person may not reset both.


def test_one_person_cannot_reset_both_password_and_second_factor(client, secadmin, auditor, make_user):
    make_user(Role.SECADMIN, username="secadmin2")
    client.force_login(secadmin)
    reset_password(client, auditor)

    response = reset_second_factor(client, auditor)

    assert TOTPDevice.objects.filter(user=auditor).exists()
    message = last_message(response)
    assert "secadmin2" in message
    assert "auditor" in message
    assert message == zh(
        "You reset the %(done)s of %(account)s and its owner has not signed in since. One person may "
        "not reset both the password and the second factor of an account, or they could take it "
        "over: another security administrator (%(names)s) must reset its %(kind)s."
    ) % {"done": "密码", "account": "auditor", "names": "secadmin2", "kind": "双因素认证"}


def test_nor_the_other_way_round(client, secadmin, office):
    client.force_login(secadmin)
    reset_second_factor(client, office)

    reset_password(client, office)

    office.refresh_from_db()
    assert not office.check_password(NEW_PASSWORD)
    assert not AuditEvent.objects.filter(action="password_reset").exists()


def test_without_another_security_administrator_the_message_names_the_command(client, secadmin, auditor):
    client.force_login(secadmin)
    reset_password(client, auditor)

    message = last_message(reset_second_factor(client, auditor))

    assert "manage.py reset_credentials auditor --second-factor" in message
    assert "双因素认证" in message


def test_another_security_administrator_does_the_other_reset(client, secadmin, auditor, make_user):
    colleague = make_user(Role.SECADMIN, username="secadmin2")
    client.force_login(secadmin)
    reset_password(client, auditor)

    client.force_login(colleague)
    reset_second_factor(client, auditor)

    assert not TOTPDevice.objects.filter(user=auditor).exists()


def test_once_the_owner_signed_in_the_same_person_may_do_the_other_reset(client, secadmin, auditor):
    client.force_login(secadmin)
    reset_password(client, auditor)
    User.objects.filter(pk=auditor.pk).update(last_login=timezone.now())

    reset_second_factor(client, auditor)

    assert not TOTPDevice.objects.filter(user=auditor).exists()


def test_the_two_person_rule_is_for_privileged_accounts(client, sysadmin, member_account):
    TOTPDevice.objects.create(user=member_account, secret="JBSWY3DPEHPK3PXP")
    client.force_login(sysadmin)
    reset_password(client, member_account, password="Qingxi#2026x")

    reset_second_factor(client, member_account)

    assert not TOTPDevice.objects.filter(user=member_account).exists()


# The page shows only what the viewer may do.


def forms_on_page(client, account):
    content = client.get(reverse("accounts:user_edit", args=[account.pk])).content.decode()
    return {
        "password": reverse("accounts:user_password", args=[account.pk]) in content,
        "second_factor": reverse("accounts:user_second_factor_reset", args=[account.pk]) in content,
        "content": content,
    }


def test_the_system_administrator_sees_no_reset_on_the_auditors_page(client, sysadmin, auditor):
    client.force_login(sysadmin)

    shown = forms_on_page(client, auditor)

    assert not shown["password"]
    assert not shown["second_factor"]


def test_the_security_administrator_sees_both_resets_with_a_confirmation(client, secadmin, office):
    client.force_login(secadmin)

    shown = forms_on_page(client, office)

    assert shown["password"] and shown["second_factor"]
    assert shown["content"].count("data-confirm=") == 2
    with override("zh-hans"):
        assert gettext("Reset (lost phone)") in shown["content"]


def test_after_one_reset_the_page_explains_who_does_the_other(client, secadmin, auditor):
    client.force_login(secadmin)
    reset_password(client, auditor)

    shown = forms_on_page(client, auditor)

    assert not shown["second_factor"]
    assert "manage.py reset_credentials auditor --second-factor" in shown["content"]


def test_the_security_administrator_sees_no_reset_on_an_ordinary_page(client, secadmin, member_account):
    client.force_login(secadmin)

    shown = forms_on_page(client, member_account)

    assert not shown["password"] and not shown["second_factor"]


def test_nobody_sees_a_reset_on_their_own_page(client, secadmin):
    client.force_login(secadmin)

    shown = forms_on_page(client, secadmin)

    assert not shown["password"] and not shown["second_factor"]


# Resets end the account's sessions.


def test_a_password_reset_ends_the_accounts_sessions(client, sysadmin, member_account):
    old = signed_in_as(member_account)
    client.force_login(sysadmin)

    reset_password(client, member_account, password="Qingxi#2026x")

    assert old.get(HOME).status_code == 302
    assert "_auth_user_id" not in old.session


def test_a_second_factor_reset_ends_the_accounts_sessions(client, secadmin, office):
    old = signed_in_as(office)
    client.force_login(secadmin)

    reset_second_factor(client, office)

    assert old.get(HOME).status_code == 302
    assert "_auth_user_id" not in old.session
