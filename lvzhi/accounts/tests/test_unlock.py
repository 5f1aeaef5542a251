"""The security administrator sees the accounts locked after failed sign-ins and unlocks one
(services.unlock): audited, POST only, behind a confirmation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.models import Lockout, LoginFailure
from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent

LOCKOUTS = reverse("accounts:lockout_list")
IP = "10.1.2.3"


@pytest.fixture
def secadmin(make_user):
    return make_user(Role.SECADMIN, username="secadmin")


@pytest.fixture
def wang(make_user):
    return make_user(Role.LEADER, username="wang")


def lock(username, minutes=30):
    now = timezone.now()
    LoginFailure.objects.create(username=username, at=now)
    return Lockout.objects.create(username=username, locked_at=now, until=now + timedelta(minutes=minutes))


def unlock(client, account):
    return client.post(reverse("accounts:user_unlock", args=[account.pk]), REMOTE_ADDR=IP)


def sign_in(client, username):
    return client.post(reverse("accounts:login"), {"username": username, "password": "Test-pass-2026"})


def test_the_security_administrator_sees_current_lockouts(client, secadmin, wang, make_user, other_committee):
    lock("wang")
    lock("ghost")  # no such account: nothing to unlock
    lock(make_user(Role.LEADER, committee=other_committee, username="stranger").username)
    old = lock(make_user(Role.LEADER, username="li").username)
    old.until = timezone.now() - timedelta(minutes=1)
    old.save()
    client.force_login(secadmin)

    response = client.get(LOCKOUTS)

    assert response.status_code == 200
    assert [account.username for _lock, account in response.context["rows"]] == ["wang"]
    content = response.content.decode()
    assert reverse("accounts:user_unlock", args=[wang.pk]) in content
    assert "data-confirm=" in content


def test_it_unlocks_and_the_owner_signs_in_again(client, secadmin, wang):
    lock("wang")
    assert sign_in(client, "wang").status_code == 200  # refused while locked
    client.force_login(secadmin)

    response = unlock(client, wang)

    assert response.status_code == 302
    assert response.url == LOCKOUTS
    assert not Lockout.objects.filter(username="wang", until__gt=timezone.now()).exists()
    assert not LoginFailure.objects.filter(username="wang").exists()
    client.logout()
    assert sign_in(client, "wang").status_code == 302


def test_the_unlock_is_audited(client, secadmin, wang):
    lock("wang")
    client.force_login(secadmin)

    unlock(client, wang)

    event = AuditEvent.objects.get(action=AuditEvent.Action.UNLOCK, object_id=str(wang.pk))
    assert (event.actor, event.ip_address, event.detail["account"]) == (secadmin, IP, "wang")


def test_an_account_that_is_not_locked_gets_a_message(client, secadmin, wang):
    client.force_login(secadmin)

    response = unlock(client, wang)

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UNLOCK).exists()


def test_unlock_rejects_get(client, secadmin, wang):
    lock("wang")
    client.force_login(secadmin)

    assert client.get(reverse("accounts:user_unlock", args=[wang.pk])).status_code == 405
    assert Lockout.objects.get(username="wang").until > timezone.now()


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.AUDITOR, Role.OFFICE])
def test_other_roles_neither_see_nor_unlock(client, make_user, wang, role):
    lock("wang")
    client.force_login(make_user(role))

    assert client.get(LOCKOUTS).status_code == 403
    assert unlock(client, wang).status_code == 403
    assert Lockout.objects.get(username="wang").until > timezone.now()


def test_an_account_of_another_committee_cannot_be_unlocked(client, secadmin, make_user, other_committee):
    stranger = make_user(Role.LEADER, committee=other_committee, username="stranger")
    lock("stranger")
    client.force_login(secadmin)

    assert unlock(client, stranger).status_code == 404
    assert Lockout.objects.get(username="stranger").until > timezone.now()


def test_the_user_page_says_the_account_is_locked(client, secadmin, wang):
    lock("wang")
    client.force_login(secadmin)

    content = client.get(reverse("accounts:user_edit", args=[wang.pk])).content.decode()

    assert 'id="account-locked"' in content
    assert LOCKOUTS in content
