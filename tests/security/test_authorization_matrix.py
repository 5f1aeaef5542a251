"""Authorization matrix (IDOR): every URL, as every role and anonymously, with someone else's object.

`other` objects belong to the same committee but to another special committee and another member than
the role users' own; `foreign` objects to another committee. A role gets in only where routes.ROUTES
says so (`ok`): everyone else gets 403 or 404 (anonymous users the sign-in page), writes nothing but
bookkeeping (session, audit log) and leaves the rows of the route's app as they were. Every response is
also checked for server errors, unescaped stored HTML and full ID or phone numbers.
"""

import functools

import pytest
from django.apps import apps

from lvzhi.core.testing import assert_sent_to_login, snapshot

from . import probe
from .cases import case_id, matrix_cases
from .routes import ANONYMOUS, ROUTES, url_for

COMMON = ["members.Member", "ledger.DutyRecord", "notifications.Notification", "accounts.User"]


@functools.cache
def watched_models(name):
    """The models a refused request to this route must leave alone: its app's and the shared ones."""
    namespace = name.split(":")[0] if ":" in name else "core"
    labels = {"i18n": "core"}.get(namespace, namespace)
    found = list(apps.get_app_config(labels).get_models(include_auto_created=True))
    found += [apps.get_model(label) for label in COMMON]
    return [m for m in dict.fromkeys(found) if not m._meta.db_table.startswith(probe.BOOKKEEPING)]


def request(walk, name, method, role, side_name):
    route = ROUTES[name]
    side = getattr(walk.world, side_name)
    url = url_for(name, side)
    data = route.request_data(side) if method == "POST" else None
    return walk.send(walk.client(role), method, url, data=data)


@pytest.mark.parametrize(
    ("name", "method", "role", "side"), [pytest.param(*c, id=case_id(*c)) for c in matrix_cases()]
)
def test_only_the_roles_in_the_table_get_in(walk, name, method, role, side):
    route = ROUTES[name]
    if route.token_is_credential:
        expected = "in"
    elif role == ANONYMOUS:
        expected = "in" if route.public else "login"
    elif route.public and route.allowed(role, method):
        expected = "in"
    elif side == "foreign":
        expected = "refused"
    else:
        expected = "in" if route.allowed(role, method) else "refused"
    watched = watched_models(name) if method == "POST" and expected != "in" else []
    before = snapshot(watched)
    outcome = request(walk, name, method, role, side)
    errors = probe.problems(
        outcome, secrets=walk.world.secrets, personal_data_allowed=route.shows_personal_data
    )

    if expected == "login":
        try:
            assert_sent_to_login(outcome.response)
        except AssertionError:
            errors.append(
                f"expected the sign-in page, got {outcome.status} {outcome.response.get('Location', '')}"
            )
    elif expected == "refused":
        if outcome.status not in (403, 404):
            errors.append(f"expected 403/404, got {outcome.status} {outcome.response.get('Location', '')}")
    elif outcome.status >= 400:
        errors.append(f"a permitted request was refused: {outcome.status}")
    if expected != "in":
        errors += probe.refusal_problems(outcome)
        if watched and snapshot(watched) != before:
            errors.append("a refused request changed rows of " + ", ".join(m._meta.label for m in watched))
    elif method == "GET" and outcome.written_tables:
        errors.append(f"a GET wrote to {', '.join(outcome.written_tables)}")
    assert not errors, f"{outcome.describe()}: {errors}"
