"""TOTP second factor for the administrator roles and the holders of rights to full personal data
(DESIGN §8)."""

import pyotp
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from lvzhi.accounts import second_factor
from lvzhi.accounts.models import Lockout, TOTPDevice, User
from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent

PASSWORD = "Test-pass-2026"


@pytest.fixture
def auditor(make_user):
    return make_user(Role.AUDITOR, username="auditor", enrol_second_factor=False)


@pytest.fixture
def enrolled_auditor(make_user):
    return make_user(Role.AUDITOR, username="auditor")


def sign_in(client, username):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


def current_code(user):
    return pyotp.TOTP(TOTPDevice.objects.get(user=user).secret).now()


def test_an_administrator_without_an_authenticator_must_enrol_first(client, auditor):
    sign_in(client, "auditor")
    response = client.get(reverse("core:audit_log"))
    assert response.url == reverse("accounts:second_factor_setup")
    page = client.get(reverse("accounts:second_factor_setup"))
    assert "<svg" in page.content.decode()
    secret = client.session["lvzhi_totp_setup_secret"]
    client.post(
        reverse("accounts:second_factor_setup"),
        {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"},
    )
    assert not TOTPDevice.objects.filter(user=auditor).exists()
    assert not AuditEvent.objects.filter(event="accounts.second_factor_enrolled").exists()
    client.post(reverse("accounts:second_factor_setup"), {"code": pyotp.TOTP(secret).now()})
    device = TOTPDevice.objects.get(user=auditor)
    assert device.secret == secret
    enrolled = AuditEvent.objects.get(event="accounts.second_factor_enrolled")
    assert (enrolled.actor, enrolled.object_id, enrolled.ip_address) == (
        auditor,
        str(auditor.pk),
        "127.0.0.1",
    )
    assert client.get(reverse("core:audit_log")).status_code == 200


def test_the_secret_is_encrypted_at_rest(enrolled_auditor):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice")
        (stored,) = cursor.fetchone()
    assert stored.startswith("v1:")
    assert TOTPDevice.objects.get(user=enrolled_auditor).secret not in stored


def test_an_enrolled_administrator_is_not_signed_in_by_the_password_alone(client, enrolled_auditor):
    response = sign_in(client, "auditor")
    assert response.url == reverse("accounts:second_factor")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("core:audit_log")).status_code == 302


def test_the_right_code_completes_the_sign_in_and_is_audited(client, enrolled_auditor):
    sign_in(client, "auditor")
    response = client.post(reverse("accounts:second_factor"), {"code": current_code(enrolled_auditor)})
    assert response.status_code == 302
    assert client.get(reverse("core:audit_log")).status_code == 200
    assert AuditEvent.objects.filter(
        action="login", actor=enrolled_auditor, detail={"second_factor": True}
    ).exists()


def test_a_code_cannot_be_used_twice(client, enrolled_auditor):
    code = current_code(enrolled_auditor)
    assert second_factor.verify(enrolled_auditor, code)
    assert not second_factor.verify(enrolled_auditor, code)


def test_wrong_codes_count_towards_the_lockout(client, enrolled_auditor):
    sign_in(client, "auditor")
    good = current_code(enrolled_auditor)
    wrong = "000000" if good != "000000" else "111111"
    for _ in range(5):
        response = client.post(reverse("accounts:second_factor"), {"code": wrong})
    assert Lockout.objects.filter(username="auditor").exists()
    response = client.post(reverse("accounts:second_factor"), {"code": good})
    assert response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_the_second_step_without_a_password_step_goes_back_to_sign_in(client, enrolled_auditor):
    response = client.post(reverse("accounts:second_factor"), {"code": current_code(enrolled_auditor)})
    assert response.url == reverse("accounts:login")


def test_a_leader_signs_in_with_the_password_alone(client, make_user):
    make_user(Role.LEADER, username="leader")
    response = sign_in(client, "leader")
    assert response.url == "/"
    assert client.get(reverse("members:list")).status_code == 200


def test_office_staff_who_see_full_personal_data_need_the_second_factor(client, office):
    assert second_factor.required_for(office)
    response = sign_in(client, "office")
    assert response.url == reverse("accounts:second_factor")
    assert "_auth_user_id" not in client.session
    client.post(reverse("accounts:second_factor"), {"code": current_code(office)})
    assert client.get(reverse("members:list")).status_code == 200


def test_any_holder_of_the_unmask_right_needs_the_second_factor(make_user):
    leader = make_user(Role.LEADER, enrol_second_factor=False)
    assert not second_factor.required_for(leader)
    leader.user_permissions.add(Permission.objects.get(codename="unmask_personal_data"))
    leader = User.objects.get(pk=leader.pk)  # a fresh permission cache
    assert second_factor.required_for(leader)


def test_office_staff_without_an_authenticator_must_enrol_first(client, make_user):
    office = make_user(Role.OFFICE, enrol_second_factor=False)
    client.force_login(office)
    assert client.get(reverse("members:list")).url == reverse("accounts:second_factor_setup")


def test_the_factory_enrols_office_staff_like_administrators(office):
    assert TOTPDevice.objects.filter(user=office).exists()


def test_the_security_administrator_resets_a_lost_authenticator(client, make_user, enrolled_auditor):
    client.force_login(make_user(Role.SECADMIN, username="secadmin"))
    client.post(reverse("accounts:user_second_factor_reset", args=[enrolled_auditor.pk]))
    assert not TOTPDevice.objects.filter(user=enrolled_auditor).exists()
    assert AuditEvent.objects.filter(
        object_id=str(enrolled_auditor.pk), action=AuditEvent.Action.SECOND_FACTOR_RESET
    ).exists()


def test_the_session_key_changes_when_the_second_factor_completes(client, enrolled_auditor):
    sign_in(client, "auditor")
    pending_key = client.session.session_key

    client.post(reverse("accounts:second_factor"), {"code": current_code(enrolled_auditor)})

    assert client.session["_auth_user_id"] == str(enrolled_auditor.pk)
    assert client.session.session_key != pending_key
