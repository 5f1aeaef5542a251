"""The member's activation: login name or mobile number + code, then their own password; signed in."""

import pytest
from django.conf import settings
from django.urls import reverse

from lvzhi.accounts import onboarding
from lvzhi.accounts.models import ActivationCode, Lockout, MemberAccountPolicy
from lvzhi.accounts.onboarding_views import PENDING_ACTIVATION
from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberFactory, MemberTermFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Neu-Pass-2026!"


@pytest.fixture
def account(committee, term, make_user):
    MemberAccountPolicy.objects.create(committee=committee, grant_member_role=True)
    member = MemberFactory(committee=committee, name="张三", phone="13812345678")
    MemberTermFactory(member=member, term=term)
    return onboarding.create_member_accounts(committee, make_user(Role.SYSADMIN)).created[0]


@pytest.fixture
def code(account):
    return ActivationCode.objects.get(user=account)


def step_one(client, login, typed, next_url=None):
    url = reverse("accounts:activate") + (f"?next={next_url}" if next_url else "")
    data = {"login": login, "code": typed}
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


def step_two(client, first=PASSWORD, second=PASSWORD):
    return client.post(
        reverse("accounts:activate_password"), {"new_password1": first, "new_password2": second}
    )


def test_the_login_page_links_to_activation(client):
    response = client.get(reverse("accounts:login") + "?next=/activities/")
    assert b'id="activate-link"' in response.content
    assert (reverse("accounts:activate") + "?next=/activities/").encode() in response.content


def test_activation_signs_in_and_sets_the_password(client, account, code):
    response = step_one(client, "zhangsan", code.display_code)
    assert response["Location"] == reverse("accounts:activate_password")
    page = client.get(response["Location"])
    assert b"data-password-checklist" in page.content and b"zhangsan" in page.content
    response = step_two(client)
    assert response["Location"] == reverse("home:index")
    account.refresh_from_db()
    assert account.check_password(PASSWORD)
    assert not account.must_change_password
    assert int(client.session["_auth_user_id"]) == account.pk
    code.refresh_from_db()
    assert code.used_at is not None
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.LOGIN, actor=account, detail__activation=True
    ).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_CHANGE, actor=account).exists()
    # Signed in, the member reaches their pages: no forced password change is pending.
    assert client.get(reverse("home:index")).status_code == 200


def test_the_mobile_number_works_as_login_name(client, account, code):
    response = step_one(client, "138 1234 5678", code.code)
    assert response["Location"] == reverse("accounts:activate_password")


def test_next_is_kept_through_both_steps(client, account, code):
    target = "/activities/checkin/abc/"
    step_one(client, "zhangsan", code.code, next_url=target)
    assert client.session[PENDING_ACTIVATION]["next"] == target
    assert step_two(client)["Location"] == target


@pytest.mark.parametrize(
    "target", ["https://evil.example.com/", "//evil.example.com/x", "javascript:alert(1)"]
)
def test_an_unsafe_next_is_refused(client, account, code, target):
    step_one(client, "zhangsan", code.code, next_url=target)
    assert step_two(client)["Location"] == reverse("home:index")


def test_the_passwords_must_meet_the_rules_and_match(client, account, code):
    step_one(client, "zhangsan", code.code)
    assert step_two(client, "short", "short").status_code == 200
    assert step_two(client, PASSWORD, PASSWORD + "x").status_code == 200
    assert step_two(client, "alllowercaseletters", "alllowercaseletters").status_code == 200
    account.refresh_from_db()
    assert not account.has_usable_password()
    code.refresh_from_db()
    assert code.used_at is None


def test_the_second_step_needs_the_first(client, account):
    response = client.get(reverse("accounts:activate_password"))
    assert response["Location"] == reverse("accounts:activate")


def test_wrong_codes_count_towards_the_lockout(client, account, code):
    wrong = f"{(int(code.code) + 1) % 10**8:08d}"
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        response = step_one(client, "zhangsan", wrong)
        assert response.status_code == 200
    assert Lockout.objects.filter(username="zhangsan").exists()
    # Locked: even the right code is refused now, with the same message.
    response = step_one(client, "zhangsan", code.code)
    assert response.status_code == 200
    assert PENDING_ACTIVATION not in client.session


def test_wrong_codes_under_the_mobile_number_lock_the_account_too(client, account, code):
    wrong = f"{(int(code.code) + 1) % 10**8:08d}"
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        step_one(client, "13812345678", wrong)
    assert Lockout.objects.filter(username="zhangsan").exists()


def test_a_used_code_is_refused_with_its_own_message(client, account, code, english):
    step_one(client, "zhangsan", code.code)
    step_two(client)
    client.logout()
    response = step_one(client, "zhangsan", code.code)
    assert b"already been used" in response.content


def test_an_expired_code_is_refused_with_its_own_message(client, account, code, english):
    from datetime import timedelta

    from django.utils import timezone

    ActivationCode.objects.filter(pk=code.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = step_one(client, "zhangsan", code.code)
    assert b"expired" in response.content
    assert PENDING_ACTIVATION not in client.session


def test_the_activation_page_is_throttled_like_sign_in(client, settings, account):
    settings.LOGIN_RATE_LIMIT = "2/m"
    statuses = [step_one(client, "someone", "12345678").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_code_appears_in_no_log(client, account, code, caplog):
    wrong = f"{(int(code.code) + 1) % 10**8:08d}"
    with caplog.at_level("DEBUG"):
        step_one(client, "zhangsan", wrong)
        step_one(client, "zhangsan", code.code)
        step_two(client)
    assert code.code not in caplog.text and wrong not in caplog.text
    for row in AuditEvent.objects.all():
        assert code.code not in str(row.detail) + row.summary


def _queries_of(client, login, typed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = step_one(client, login, typed)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("unknown", ["nosuchname", "13999999999"])
def test_an_unknown_name_costs_the_same_queries_as_a_wrong_code(client, account, code, unknown):
    # No timing difference tells whether an account exists: its code is checked against a stand-in.
    wrong = f"{(int(code.code) + 1) % 10**8:08d}"
    known = "13812345678" if unknown.isdigit() else "zhangsan"
    counts = [_queries_of(client, name, wrong) for name in (unknown, known, unknown, known)]
    assert len(set(counts)) == 1, counts
