"""`manage.py reset_credentials`: the operator's way out on the server when no second administrator can
do a reset (e.g. the only security administrator lost both password and phone)."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from lvzhi.accounts.models import CredentialReset, TOTPDevice, User
from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent


@pytest.fixture
def secadmin(make_user):
    return make_user(Role.SECADMIN, username="secadmin")


def run(*args):
    out = StringIO()
    call_command("reset_credentials", *args, stdout=out)
    return out.getvalue()


def test_it_resets_both_and_prints_a_password_to_change(secadmin):
    old = Client()
    old.force_login(secadmin)

    output = run("secadmin", "--password", "--second-factor")

    password = re.search(r"new password \(must be changed at the next sign-in\): (\S+)", output).group(1)
    secadmin = User.objects.get(pk=secadmin.pk)
    assert secadmin.check_password(password)
    assert len(password) >= 15  # an administrator's length
    assert secadmin.must_change_password
    assert not TOTPDevice.objects.filter(user=secadmin).exists()
    assert old.get(reverse("home:index")).status_code == 302


def test_it_is_audited_as_the_command_line(secadmin):
    run("secadmin", "--second-factor")

    event = AuditEvent.objects.get(object_id=str(secadmin.pk))
    assert event.actor is None
    assert event.event.endswith("_on_command_line")
    assert event.committee_id == secadmin.committee_id
    reset = CredentialReset.objects.get(user=secadmin)
    assert (reset.kind, reset.actor) == (CredentialReset.Kind.SECOND_FACTOR, None)


def test_it_needs_to_be_told_what_to_reset(secadmin):
    with pytest.raises(CommandError, match="--password"):
        run("secadmin")
    assert TOTPDevice.objects.filter(user=secadmin).exists()


def test_it_names_an_unknown_account(db):
    with pytest.raises(CommandError, match="nobody"):
        run("nobody", "--password")
