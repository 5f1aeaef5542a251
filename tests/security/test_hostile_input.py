"""Hostile input: every query parameter, form field and URL argument of every route, as a user who may
use the route (on their own objects), gets dates at the ends of the calendar, huge and negative numbers,
unicode, NUL, markup, spreadsheet formulas, traversal names, 100 KB, repeated keys.

Asserted for every response (and for the page a successful POST redirects to): no server error, no
unescaped markup, no full ID or phone number in the body, headers or any log record; and when the
request wrote something, the rows of the other committee (and, for users scoped to a unit or to
themselves, of the other unit and member) are as they were.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lvzhi.accounts.roles import Role

from . import probe
from .cases import case_id, field_cases, path_cases, value_cases
from .hostile import INT_PATH_VALUES, PATH_VALUES, REPEATED, VALUES, deep_values, form_value
from .routes import ANONYMOUS, ROUTES, url_for

COMMITTEE_WIDE = {Role.OFFICE, Role.LEADER, Role.EDITOR}


def _file(route, field, value):
    filename, content = route.files[field]
    if value is REPEATED:
        return [SimpleUploadedFile(filename, content), SimpleUploadedFile(f"2{filename}", content)]
    return SimpleUploadedFile(value, content)


def hostile_request(walk, name, method, assign, *, url=None, role=None):
    """Send the route's request as its actor (or `role`) on the own side, with `assign` = {field: value}
    put in."""
    route = ROUTES[name]
    side = walk.world.own
    role = role or route.hostile_actor(method)
    client = walk.client(role)
    if route.prepare:
        route.prepare(client, walk.world)
    url = url or url_for(name, side)
    if method == "GET":
        query = {field: form_value(value, None) for field, value in assign.items()}
        outcome = walk.send(client, "GET", url, query=query)
    else:
        data = route.request_data(side)
        for field, value in assign.items():
            data[field] = (
                _file(route, field, value) if field in route.files else form_value(value, data.get(field))
            )
        outcome = walk.send(client, "POST", url, data=data)
    errors = checked(walk, route, role, outcome)
    location = outcome.response.get("Location", "")
    markup = any(value in (VALUES["script"], VALUES["img"]) for value in assign.values())
    if (
        method == "POST"
        and outcome.status == 302
        and location.startswith("/")
        and (markup or outcome.written_tables)
    ):
        # What was saved, or a message quoting the input, is shown on the next page: escaped there too.
        errors += [
            f"then GET {location}: {e}"
            for e in checked(walk, route, role, walk.send(client, "GET", location))
        ]
    assert not errors, f"{outcome.describe()} as {role}: {errors}"


def checked(walk, route, role, outcome):
    world = walk.world
    errors = probe.problems(outcome, secrets=world.secrets, personal_data_allowed=route.shows_personal_data)
    written = probe.models_of(outcome.written_tables)
    if written:
        foreign = probe.committee_rows(world.foreign.committee, written)
        if any(foreign[label] != world.baseline.foreign.get(label) for label in foreign):
            errors.append("a write reached the other committee's rows")
        if role == ANONYMOUS or role not in COMMITTEE_WIDE:
            other = probe.object_rows(probe.side_objects(world.other), written)
            if any(other[label] != world.baseline.other.get(label) for label in other):
                errors.append("a write reached another unit's or member's rows")
    return errors


@pytest.mark.parametrize(
    ("name", "method", "role", "value_id"), [pytest.param(*c, id=case_id(*c)) for c in value_cases()]
)
def test_every_field_at_once(walk, name, method, role, value_id):
    route = ROUTES[name]
    fields = route.fields(method, walk.world.own)
    value = VALUES[value_id]
    variants = value if isinstance(value, tuple) else (value,)
    assign = {field: variants[i % len(variants)] for i, field in enumerate(fields)}
    hostile_request(walk, name, method, assign, role=role)


@pytest.mark.parametrize(
    ("name", "method", "field", "value_id"), [pytest.param(*c, id=case_id(*c)) for c in field_cases()]
)
def test_one_field_the_others_valid(walk, name, method, field, value_id):
    route = ROUTES[name]
    valid = route.data(walk.world.own).get(field) if method == "POST" and route.data else None
    hostile_request(walk, name, method, {field: deep_values(field, valid)[value_id]})


@pytest.mark.parametrize(
    ("name", "kwarg", "value_id"), [pytest.param(*c, id=case_id(*c)) for c in path_cases()]
)
def test_url_arguments(walk, name, kwarg, value_id):
    route = ROUTES[name]
    value = {**PATH_VALUES, **INT_PATH_VALUES}[value_id]
    url = url_for(name, walk.world.own, **{kwarg: value})
    hostile_request(walk, name, route.methods[0], {}, url=url)


HOSTILE_HEADERS = {
    "User-Agent": f"{VALUES['script']}{VALUES['unicode']}" + "x" * 2000,
    "X-Forwarded-For": f"{VALUES['script']}, 999.1.1.1, ::ffff:zz, 10.0.0.1",
    "Referer": f"javascript:{VALUES['script']}",
    "Accept-Language": VALUES["unicode"] + ";q=NaN," * 50,
    "X-Requested-With": VALUES["unicode"],
    "HX-Request": "true",
    "HX-Current-URL": VALUES["img"],
}
REFUSED_ROLE = Role.HANDLING_UNIT  # refused almost everywhere: the denial is what gets recorded


# A denial is recorded by one handler for every URL: a few URLs stand for all.
REFUSED_CASES = [
    ("members:list", REFUSED_ROLE),
    ("activities:new", REFUSED_ROLE),
    ("core:audit_log", Role.OFFICE),
]


@pytest.mark.parametrize(
    ("name", "role"),
    [pytest.param(n, None, id=f"{n}-actor") for n in sorted(ROUTES)]
    + [pytest.param(n, r, id=f"{n}-refused") for n, r in REFUSED_CASES],
)
def test_request_headers(walk, name, role):
    """Headers end up in audit rows (address, user agent) and in htmx and language handling."""
    route = ROUTES[name]
    method = route.methods[-1]
    role = role or route.hostile_actor(method)
    client = walk.client(role)
    client.cookies["django_language"] = VALUES["script"]
    data = route.request_data(walk.world.own) if method == "POST" else None
    outcome = walk.send(client, method, url_for(name, walk.world.own), data=data, headers=HOSTILE_HEADERS)
    errors = checked(walk, route, role, outcome)
    assert not errors, f"{outcome.describe()} as {role}: {errors}"
