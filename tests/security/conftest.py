"""The world of the walk, built once per test worker for the whole package, and one signed-in session
per role.

The world is built inside an open transaction that is rolled back when the package is done, so
nothing of it is seen by the other test packages; each test runs in a savepoint of it (pytest-django's
`db`), so nothing a test writes is seen by the next one.
"""

import tempfile
from types import SimpleNamespace
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings

from lvzhi.accounts.roles import Role

from . import probe
from .routes import ANONYMOUS
from .world import build_world


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker):
    media = tempfile.TemporaryDirectory(prefix="lvzhi-security-")
    overrides = override_settings(
        MEDIA_ROOT=media.name,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        # A cache of this worker's own: `walk` clears it before every case, which on a shared Redis
        # would also wipe what another worker's test just put there (a captcha it is about to answer),
        # and another worker's clearing would wipe the walk's.
        CACHES={
            **settings.CACHES,
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "lvzhi-security-walk",
            },
        },
    )
    overrides.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
            sessions = {}
            for role, user in built.users.items():
                client = Client()
                client.force_login(user)
                sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
            built.sessions = sessions
            built.baseline = SimpleNamespace(
                foreign=probe.committee_rows(built.foreign.committee),
                other=probe.object_rows(probe.side_objects(built.other)),
            )
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            overrides.disable()
            media.cleanup()


@pytest.fixture(scope="package")
def capture():
    handler, stop = probe.start_capture()
    # The walk reads responses, never response.context: skip the test client's copy of every template
    # context (a third of the time of a page).
    with mock.patch("django.test.client.store_rendered_templates", lambda *args, **kwargs: None):
        yield handler
    stop()


@pytest.fixture
def walk(world, capture, db):
    """client(role) → a fresh test client signed in as the role (or anonymous); send(...) → Outcome."""
    cache.clear()  # rate-limit counters and cached counts must not carry from one case to the next

    def client(role, **kwargs):
        c = Client(raise_request_exception=False, **kwargs)
        if role != ANONYMOUS:
            c.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[Role(role)]
        return c

    def send(client_, method, url, **kwargs):
        return probe.send(client_, method, url, capture=capture, **kwargs)

    return SimpleNamespace(world=world, client=client, send=send)


# The package's settings hold for the whole walk (see `world`): the per-test copies of the root
# conftest would only repeat them, twice per test, thousands of times.
@pytest.fixture(autouse=True)
def _tasks_run_in_the_test():
    pass


@pytest.fixture(autouse=True)
def _fast_password_hashing():
    pass
