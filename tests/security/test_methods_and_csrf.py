"""Mutations are POST-only and need the CSRF token.

Every URL that answers only POST refuses GET with 405 (a link, a prefetch or an <img> cannot change
data); every URL that accepts POST refuses a POST without the CSRF token with 403, also for the user who
may do it, and writes nothing.
"""

import pytest

from .routes import ROUTES, url_for

POST_ONLY = sorted(name for name, route in ROUTES.items() if route.methods == ("POST",))
MUTATING = sorted(name for name, route in ROUTES.items() if "POST" in route.methods)


@pytest.mark.parametrize("name", POST_ONLY)
def test_post_only_urls_refuse_get(walk, name):
    route = ROUTES[name]
    outcome = walk.send(walk.client(route.hostile_actor("POST")), "GET", url_for(name, walk.world.own))
    assert outcome.status == 405, outcome.describe()
    assert not outcome.written_tables, outcome.written_tables


@pytest.mark.parametrize("name", MUTATING)
def test_posts_without_the_csrf_token_are_refused(walk, name):
    route = ROUTES[name]
    client = walk.client(route.hostile_actor("POST"), enforce_csrf_checks=True)
    # The browser has the CSRF cookie; the forged form does not carry the token.
    client.cookies["csrftoken"] = "A" * 32
    outcome = walk.send(
        client, "POST", url_for(name, walk.world.own), data=route.request_data(walk.world.own)
    )
    assert outcome.status == 403, outcome.describe()
    assert not outcome.written_tables, outcome.written_tables
