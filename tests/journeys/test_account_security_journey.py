"""Issue 8, findings 1 and 6: someone locks the office account with wrong passwords; the security
administrator unlocks it from the list of locked accounts, then resets its second factor (a lost phone)
after a confirmation, and the office signs in and is asked to set up a new authenticator."""

import pytest
from django.urls import reverse

from lvzhi.accounts.models import Lockout, TOTPDevice
from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.factories import CommitteeFactory, UserFactory

from .conftest import password_step, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Test-pass-2026"  # UserFactory's
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def accounts(transactional_db):
    committee = CommitteeFactory(name="政协青溪县委员会")
    return {
        "secadmin": UserFactory(committee=committee, role=Role.SECADMIN, username="secadmin"),
        "office": UserFactory(
            committee=committee, role=Role.OFFICE, username="office", display_name="办公室 王主任"
        ),
    }


def accept_next_dialog(page):
    """Accept the confirmation the next click brings up; returns the list its message goes into."""
    seen = []

    def accept(dialog):
        seen.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    return seen


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("networkidle")


def test_the_security_administrator_unlocks_and_resets_a_second_factor(
    accounts, live_server, browser, screenshot
):
    base = live_server.url
    office = accounts["office"]

    # Five wrong passwords lock the office account; the sixth try, even the right one, is refused.
    stranger = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    stranger.goto(base + reverse("accounts:login"))
    for _ in range(5):
        password_step(stranger, "office", "Wrong-pass-2026")
    password_step(stranger, "office", PASSWORD)
    assert reverse("accounts:login") in stranger.url
    assert Lockout.objects.filter(username="office").exists()
    screenshot(stranger, "81-locked-out")

    # The security administrator finds it among the locked accounts and unlocks it.
    page = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    sign_in(page, base, "secadmin", PASSWORD)
    page.goto(base + reverse("accounts:user_list"))
    page.click(f"a[href='{reverse('accounts:lockout_list')}']")
    page.wait_for_load_state("networkidle")
    assert page.locator("#lockouts tr[data-username=office]").count() == 1
    screenshot(page, "82-lockout-list")
    unlock = reverse("accounts:user_unlock", args=[office.pk])
    confirmation = accept_next_dialog(page)
    submit(page, f"form[action='{unlock}'] button[type=submit]")
    assert "office" in confirmation[0]
    assert page.locator("#lockouts tr[data-username=office]").count() == 0
    assert AuditEvent.objects.filter(actor=accounts["secadmin"], action=AuditEvent.Action.UNLOCK).exists()
    screenshot(page, "83-unlocked")

    # Then resets its lost authenticator, from the office account's page, after a confirmation.
    page.click(f"a[href='{reverse('accounts:user_list')}']")
    page.click(f"a[href='{reverse('accounts:user_edit', args=[office.pk])}']")
    page.wait_for_load_state("networkidle")
    reset = reverse("accounts:user_second_factor_reset", args=[office.pk])
    assert page.locator(f"form[action='{reverse('accounts:user_password', args=[office.pk])}']").count() == 1
    screenshot(page, "84-office-account-secadmin")
    dismissed = []
    page.once("dialog", lambda dialog: (dismissed.append(dialog.message), dialog.dismiss()))
    page.click(f"form[action='{reset}'] button[type=submit]")
    assert dismissed and TOTPDevice.objects.filter(user=office).exists()  # cancelled: nothing happened
    confirmation = accept_next_dialog(page)
    submit(page, f"form[action='{reset}'] button[type=submit]")
    assert "office" in confirmation[0]
    assert not TOTPDevice.objects.filter(user=office).exists()
    assert page.locator(f"form[action='{reset}']").count() == 0
    screenshot(page, "85-second-factor-reset")

    # The office signs in again (no longer locked) and must set up a new authenticator.
    sign_in(stranger, base, "office", PASSWORD)
    assert stranger.url.endswith(reverse("accounts:second_factor_setup"))
    assert stranger.locator("svg").count() >= 1
    screenshot(stranger, "86-office-enrols-again")
