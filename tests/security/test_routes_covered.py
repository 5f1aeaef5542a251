"""The walk covers the whole URL conf: a new URL fails here until it is described in routes.ROUTES."""

from .routes import ROUTES, urlconf_names


def test_every_route_is_covered():
    names = urlconf_names()
    assert all("<unnamed" not in n for n in names), [n for n in names if "<unnamed" in n]
    missing = sorted(set(names) - set(ROUTES))
    stale = sorted(set(ROUTES) - set(names))
    assert not missing, (
        f"URLs the security walk does not know (add them to tests/security/routes.py): {missing}"
    )
    assert not stale, f"routes.py describes URLs that no longer exist: {stale}"
