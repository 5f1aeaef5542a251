import uuid

import django_ratelimit.core
import pytest

from lvzhi.accounts.roles import Role
from lvzhi.factories import CommitteeFactory, OrgUnitFactory, TermFactory, UserFactory
from lvzhi.organization.models import OrgUnit


@pytest.fixture(autouse=True)
def _tasks_run_in_the_test(settings):
    # The suite has no worker process: tasks run when enqueued (after commit, see
    # django_capture_on_commit_callbacks(execute=True) in the tests that start them).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _audit_anchors_in_a_temporary_file(settings, tmp_path):
    # Anchors of the audit chain are appended to a file (core/audit_anchor.py): each test its own.
    settings.LVZHI_AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchors.jsonl")


@pytest.fixture(autouse=True)
def _rate_limits_start_afresh(settings, monkeypatch):
    # Rate-limit counters live in a cache, which outlives a test. On Redis the parallel workers share
    # one, and a test that clears it would wipe another worker's counts mid-test: the counters go to a
    # local-memory cache of this worker, under a key prefix of this test's own.
    # django-ratelimit counts in fixed windows (a new one every minute for "10/m"): a test whose requests
    # straddled a window's end would see its count start again, and pass or fail by the second it ran
    # at. Within a test every request falls in one window.
    monkeypatch.setattr(django_ratelimit.core, "_get_window", lambda value, period: 0)
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    settings.RATELIMIT_USE_CACHE = "ratelimit"
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The real hasher is deliberately slow; tests check policy, not hashing cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english(settings):
    """Pages and messages in English, the msgids, for tests that assert on wording: the Chinese is the
    translators' file, and the site's default language is Chinese. A module asks for it with
    `pytestmark = pytest.mark.usefixtures("english")`."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def committee(db):
    return CommitteeFactory(name="政协本县委员会", code="home")


@pytest.fixture
def other_committee(db):
    return CommitteeFactory(name="政协邻县委员会", code="other")


@pytest.fixture
def term(committee):
    return TermFactory(committee=committee)


@pytest.fixture
def my_unit(committee):
    return OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SPECIAL_COMMITTEE, name="经济委员会")


@pytest.fixture
def other_unit(committee):
    return OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SPECIAL_COMMITTEE, name="提案委员会")


@pytest.fixture
def make_user(committee):
    """make_user(Role.OFFICE) → a user of the home committee with that role."""

    def make(role=None, *, committee=committee, units=None, **kwargs):
        return UserFactory(committee=committee, role=role, units=units, **kwargs)

    return make


@pytest.fixture
def role_user(make_user, my_unit):
    """role_user(role) → a user of that role for the permission matrices; unit staff get my_unit."""

    def make(role):
        return make_user(role, units=[my_unit] if role == Role.UNIT_STAFF else None)

    return make


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE, username="office")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # Persistent connections (e.g. the live server's thread) would keep the PostgreSQL test database
    # busy and stop pytest-django from dropping it at the end of the run.
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
