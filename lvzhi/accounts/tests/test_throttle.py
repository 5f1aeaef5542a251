"""Per-address throttling of the sign-in steps and a site-wide per-address limit (lvzhi.accounts.throttle).

Before it, anyone could guess passwords as fast as the server answered, and lock any account for good
with five wrong passwords every 30 minutes from wherever they liked."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pyotp
import pytest
from django.urls import reverse
from django.utils.translation import gettext, override

from lvzhi.accounts.models import TOTPDevice
from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent

LOGIN = reverse("accounts:login")
SECOND_FACTOR = reverse("accounts:second_factor")
HOME = reverse("home:index")
ATTACKER = "203.0.113.9"
COLLEAGUE = "10.20.30.41"


def wrong_login(client, username="nobody", ip=ATTACKER):
    return client.post(LOGIN, {"username": username, "password": "Wrong-pass-1"}, REMOTE_ADDR=ip)


def zh(text):
    with override("zh-hans"):
        return gettext(text)


def test_the_eleventh_sign_in_within_a_minute_from_one_address_gets_429(client, db):
    for _ in range(10):
        assert wrong_login(client).status_code == 200

    response = wrong_login(client)

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert zh("Too many requests") in page
    assert "请求过于频繁" in page
    # Refused before the password was checked: the eleventh is no failed sign-in.
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 10


def test_another_address_still_signs_in(client, make_user):
    make_user(Role.LEADER, username="wang")
    for _ in range(11):
        wrong_login(client)

    response = client.post(LOGIN, {"username": "wang", "password": "Test-pass-2026"}, REMOTE_ADDR=COLLEAGUE)

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_the_sign_in_page_itself_is_not_throttled(client, db):
    for _ in range(11):
        wrong_login(client)

    assert client.get(LOGIN, REMOTE_ADDR=ATTACKER).status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(client, db):
    for _ in range(10):
        wrong_login(client, ip=ATTACKER)

    response = client.post(
        LOGIN,
        {"username": "nobody", "password": "Wrong-pass-1"},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="198.51.100.77",
    )

    assert response.status_code == 429


def test_second_factor_codes_are_throttled_too(client, make_user):
    auditor = make_user(Role.AUDITOR, username="auditor")
    client.post(LOGIN, {"username": "auditor", "password": "Test-pass-2026"}, REMOTE_ADDR=ATTACKER)
    good = pyotp.TOTP(TOTPDevice.objects.get(user=auditor).secret).now()
    wrong = "000000" if good != "000000" else "111111"
    statuses = [
        client.post(SECOND_FACTOR, {"code": wrong}, REMOTE_ADDR=ATTACKER).status_code for _ in range(11)
    ]

    # The fifth wrong code locks the account (back to the sign-in page), the eleventh is throttled.
    assert statuses[-1] == 429
    assert 429 not in statuses[:10]


def test_the_site_wide_limit_answers_429(client, settings, make_user):
    settings.LVZHI_SITE_RATE_LIMIT = "5/m"
    client.force_login(make_user(Role.LEADER))
    for _ in range(5):
        assert client.get(HOME, REMOTE_ADDR=ATTACKER).status_code == 200

    response = client.get(HOME, REMOTE_ADDR=ATTACKER)

    assert response.status_code == 429
    assert "请求过于频繁" in response.content.decode()
    assert client.get(HOME, REMOTE_ADDR=COLLEAGUE).status_code == 200


def test_static_files_do_not_count(client, settings, db):
    settings.LVZHI_SITE_RATE_LIMIT = "2/m"
    for _ in range(5):
        client.get(settings.STATIC_URL + "lvzhi/lvzhi.css", REMOTE_ADDR=ATTACKER)

    assert client.get(LOGIN, REMOTE_ADDR=ATTACKER).status_code == 200


def test_the_default_site_limit_is_generous(settings):
    assert settings.LVZHI_SITE_RATE_LIMIT == "600/m"
    assert settings.LOGIN_RATE_LIMIT == "10/m"


@pytest.mark.parametrize("n", [1, 2])
def test_limits_do_not_leak_from_one_test_to_the_next(client, db, n):
    # Run twice (in the same worker or not): each run starts with fresh counters.
    for _ in range(10):
        assert wrong_login(client).status_code == 200


# The counters need a cache shared by all server processes: django-ratelimit's system check.

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "LVZHI_ENV": "production",
    "SECRET_KEY": "prod-" + "k" * 30 + "0123456789abcdefghijklmnopqrstuvwxyz",
    "LVZHI_FIELD_KEY": base64.b64encode(bytes(range(32))).decode(),
    "ALLOWED_HOSTS": "lvzhi.example",
}


def check(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {*PRODUCTION, "REDIS_URL", "DEBUG"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_a_shared_cache_fails_the_check():
    result = check(**PRODUCTION)

    assert result.returncode != 0
    assert "django_ratelimit.E003" in result.stderr


def test_production_with_redis_passes_the_ratelimit_check():
    result = check(**PRODUCTION, REDIS_URL="redis://127.0.0.1:6379/15")

    assert "django_ratelimit" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stderr


def test_development_on_the_local_memory_cache_passes():
    result = check()

    assert result.returncode == 0, result.stderr
