"""The parametrized cases of the walk, computed from the route table at collection time."""

import re

from lvzhi.accounts.roles import Role

from .hostile import INT_PATH_VALUES, PATH_VALUES, VALUES, deep_values
from .routes import ANONYMOUS, ROUTES, converters


class Anything:
    """Stands in for a side of the world when only the names of a route's fields are wanted."""

    pk = 0
    version = 1
    year = 2026
    name = ""

    def __getattr__(self, name):
        return self


ROLES = [*Role, ANONYMOUS]


def role_id(role):
    return role if role == ANONYMOUS else role.name.lower()


def matrix_cases():
    """(route, method, role, side): every role against someone else's object of the same committee
    (another unit's, another member's), and the roles that may open that one against an object of another
    committee. (A role refused on the first is refused on the second by the same check; where the check
    is missing, the first already fails.)"""
    for name, route in ROUTES.items():
        for method in route.methods:
            for role in ROLES:
                if not route.has_object:
                    yield name, method, role, "own"
                    continue
                yield name, method, role, "other"
                if role != ANONYMOUS and (route.allowed(role, method) or route.token_is_credential):
                    yield name, method, role, "foreign"


def value_cases():
    """(route, method, role, value id): each hostile value in every query parameter and form field of
    the route at once. Dates only where the route has a date field: in a text field a date is plain
    text."""
    for name, route in ROUTES.items():
        for method in route.methods:
            fields = route.fields(method, Anything())
            if not fields or fields == ("page",):
                # One pagination helper serves every list: its `page` gets the values on the lists that
                # have filters too.
                continue
            valid = route.data(Anything()) if method == "POST" and route.data else {}
            has_dates = any(
                "day-min" in deep_values(f, valid.get(f)) or "date-min" in deep_values(f, valid.get(f))
                for f in fields
            )
            for role in route.hostile_actors(method):
                for value_id in VALUES:
                    if value_id.startswith("date-") and not has_dates:
                        continue
                    yield name, method, role, value_id


def field_cases():
    """(route, method, field, value id): one field hostile, the others as a permitted user fills them.
    For query parameters only dates: the others are filters read one by one, which value_cases fill."""
    for name, route in ROUTES.items():
        for method in route.methods:
            valid = route.data(Anything()) if method == "POST" and route.data else {}
            for field in route.fields(method, Anything()):
                values = deep_values(field, valid.get(field))
                if method == "GET" and "day-min" not in values:
                    continue
                for value_id in values:
                    yield name, method, field, value_id


def path_cases():
    """(route, kwarg, value id) for every argument of every URL."""
    for name, route in ROUTES.items():
        if route.kwargs is None:
            continue
        for kwarg, converter in sorted(converters(name).items()):
            values = INT_PATH_VALUES if type(converter).__name__ == "IntConverter" else PATH_VALUES
            for value_id, value in values.items():
                # Only what the converter matches reaches a view (a <slug:...> takes no markup, no NUL):
                # anything else is a 404 of the URL resolver, and no URL can even be built with it.
                if re.fullmatch(converter.regex, value):
                    yield name, kwarg, value_id


def case_id(*parts):
    return "-".join(role_id(p) if p == ANONYMOUS or isinstance(p, Role) else str(p) for p in parts)
