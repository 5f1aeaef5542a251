"""The IDOR matrix for the organization pages: every role against every URL of lvzhi/organization/urls.py,
with objects of another committee, of another unit, and without signing in.

The routes are read from the urlconf, so a new URL fails `test_every_route_is_in_the_matrix` until it
gets a line in ROUTES below.
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.testing import assert_sent_to_login, body, snapshot
from lvzhi.factories import (
    CommitteeFactory,
    DepartmentFactory,
    LiaisonContactFactory,
    LiaisonFactory,
    MemberFactory,
    MembershipFactory,
    OrgUnitFactory,
    TermFactory,
    UserFactory,
)
from lvzhi.members.models import ContactUpdateRequest, Member, MemberChange, MemberTerm
from lvzhi.organization import urls
from lvzhi.organization.models import (
    Department,
    Liaison,
    LiaisonContact,
    Membership,
    OrgUnit,
    Session,
    Term,
)

SECRET = "邻县秘密"  # every object of the other committee carries this in its name
NO_WRITE_ROLES = [
    Role.LEADER,
    Role.EDITOR,
    Role.MEMBER,
    Role.OFFICER,
    Role.HANDLING_UNIT,
    Role.SYSADMIN,
    Role.SECADMIN,
    Role.AUDITOR,
]


@dataclass(frozen=True)
class Route:
    methods: tuple = ("GET",)
    target: str | None = None  # attribute of a side whose pk goes into the URL
    data: object = None  # side -> POST data that would succeed for a user allowed to do it


ROUTES = {
    "index": Route(),
    "departments": Route(),
    "liaisons": Route(),
    "unit_create": Route(
        ("GET", "POST"),
        data=lambda s: {"kind": "sector", "name": "新设界别", "sort_order": "0", "is_active": "on"},
    ),
    "unit_detail": Route(target="unit"),
    "unit_edit": Route(
        ("GET", "POST"),
        target="unit",
        data=lambda s: {"kind": "special_committee", "name": "被改名", "sort_order": "0", "is_active": "on"},
    ),
    "liaison_create": Route(
        ("GET", "POST"), target="unit", data=lambda s: {"department": s.spare_department.pk}
    ),
    "membership_create": Route(
        ("GET", "POST"), target="unit", data=lambda s: {"member": s.member.pk, "position": "convener"}
    ),
    "membership_delete": Route(("POST",), target="membership", data=lambda s: {}),
    "term_create": Route(
        ("GET", "POST"), data=lambda s: {"number": "11", "name": "第十一届", "start_date": "2035-01-08"}
    ),
    "term_edit": Route(
        ("GET", "POST"),
        target="term",
        data=lambda s: {
            "number": s.term.number,
            "name": "被改名",
            "start_date": "2025-01-08",
            "is_current": "on",
        },
    ),
    "session_create": Route(
        ("GET", "POST"),
        data=lambda s: {"term": s.term.pk, "number": "7", "name": "第七次会议", "start_date": "2027-01-08"},
    ),
    "session_edit": Route(
        ("GET", "POST"),
        target="session",
        data=lambda s: {
            "term": s.term.pk,
            "number": s.session.number,
            "name": "被改名",
            "start_date": "2025-01-08",
        },
    ),
    "department_create": Route(
        ("GET", "POST"), data=lambda s: {"name": "新设局", "kind": "government", "is_active": "on"}
    ),
    "department_edit": Route(
        ("GET", "POST"),
        target="department",
        data=lambda s: {"name": "被改名", "kind": "government", "is_active": "on"},
    ),
    "liaison_detail": Route(
        ("GET", "POST"),
        target="liaison",
        data=lambda s: {"date": "2026-04-01", "participants": "主任", "topic": "越权记录"},
    ),
    "liaison_contact_edit": Route(
        ("GET", "POST"),
        target="contact",
        data=lambda s: {"date": "2026-04-01", "participants": "主任", "topic": "越权更正"},
    ),
    "liaison_contact_delete": Route(("GET", "POST"), target="contact", data=lambda s: {}),
}

# The tables a refused request must leave as they were.
WATCHED = [
    Term,
    Session,
    OrgUnit,
    Membership,
    Department,
    Liaison,
    LiaisonContact,
    Member,
    MemberTerm,
    MemberChange,
    ContactUpdateRequest,
]
URLCONF_NAMES = sorted(p.name for p in urls.urlpatterns)
OBJECT_CASES = [
    (n, m) for n in URLCONF_NAMES for m in ROUTES.get(n, Route()).methods if ROUTES.get(n, Route()).target
]
PLAIN_PAGES = [n for n in URLCONF_NAMES if not ROUTES.get(n, Route()).target]
POST_ROUTES = [n for n in URLCONF_NAMES if "POST" in ROUTES.get(n, Route()).methods]
ALL_CASES = [(n, m) for n in URLCONF_NAMES for m in ("GET", "POST")]
# Unit staff against the objects of a unit that is not theirs.
UNIT_SCOPED = [
    (n, m) for n, m in OBJECT_CASES if ROUTES[n].target in {"unit", "liaison", "membership", "contact"}
]
# What unit staff get on their own unit's objects.
OWN_UNIT_EXPECTED = {
    ("unit_detail", "GET"): 200,
    ("unit_edit", "GET"): 200,
    ("unit_edit", "POST"): 302,
    ("membership_create", "GET"): 200,
    ("membership_create", "POST"): 302,
    ("membership_delete", "POST"): 302,
    ("liaison_detail", "GET"): 200,
    ("liaison_detail", "POST"): 302,
    ("liaison_create", "GET"): 403,  # creating links is the office's job
    ("liaison_create", "POST"): 403,
    ("liaison_contact_edit", "GET"): 200,
    ("liaison_contact_edit", "POST"): 302,
    ("liaison_contact_delete", "GET"): 200,  # the confirmation
    ("liaison_contact_delete", "POST"): 302,
}


def url_for(name, side):
    route = ROUTES[name]
    pattern = next(p for p in urls.urlpatterns if p.name == name)
    kwargs = {key: getattr(side, route.target).pk for key in pattern.pattern.converters}
    return reverse(f"organization:{name}", kwargs=kwargs)


def request(client, name, method, side):
    url = url_for(name, side)
    if method == "GET":
        return client.get(url)
    return client.post(url, ROUTES[name].data(side))


def build_side(committee, term, unit, *, prefix="", member_name="张三"):
    session = term.sessions.create(number=1, name=f"{prefix}第一次会议", start_date=datetime.date(2025, 1, 8))
    department = DepartmentFactory(committee=committee, name=f"{prefix}县教育局")
    liaison = LiaisonFactory(committee=committee, unit=unit, department=department)
    contact = LiaisonContactFactory(liaison=liaison, topic=f"{prefix}座谈")
    member = MemberFactory(committee=committee, name=member_name)
    return SimpleNamespace(
        committee=committee,
        term=term,
        session=session,
        unit=unit,
        department=department,
        spare_department=DepartmentFactory(committee=committee, name=f"{prefix}县卫健局"),
        liaison=liaison,
        contact=contact,
        member=member,
        membership=MembershipFactory(unit=unit, member=member, position=Membership.Position.DIRECTOR),
    )


@pytest.fixture
def home(committee, term, my_unit):
    return build_side(committee, term, my_unit)


@pytest.fixture
def other_unit_side(home, other_unit):
    """Objects of the other special committee of the same committee: unit staff of my_unit must not
    reach them."""
    department = DepartmentFactory(committee=home.committee, name="县财政局")
    member = MemberFactory(committee=home.committee, name="李四")
    liaison = LiaisonFactory(committee=home.committee, unit=other_unit, department=department)
    return SimpleNamespace(
        unit=other_unit,
        liaison=liaison,
        contact=LiaisonContactFactory(liaison=liaison, topic="县财政局座谈"),
        membership=MembershipFactory(unit=other_unit, member=member),
        member=member,
        spare_department=home.spare_department,
        secrets=["提案委员会", "县财政局", "李四"],
    )


@pytest.fixture
def foreign(db):
    committee = CommitteeFactory(name="政协邻县委员会", code="neighbour")
    term = TermFactory(committee=committee, name=f"{SECRET}第九届")
    unit = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SPECIAL_COMMITTEE, name=f"{SECRET}专委会")
    return build_side(committee, term, unit, prefix=SECRET, member_name=f"{SECRET}委员")


def test_every_route_is_in_the_matrix():
    assert set(ROUTES) == set(URLCONF_NAMES)
    assert all(name for name in URLCONF_NAMES), "every organization URL needs a name"


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("name", "method"), OBJECT_CASES)
def test_objects_of_another_committee_are_never_reached(client, role_user, home, foreign, role, name, method):
    client.force_login(role_user(role))
    before = snapshot(WATCHED)
    response = request(client, name, method, foreign)
    assert response.status_code in (403, 404)
    assert SECRET not in body(response)
    assert snapshot(WATCHED) == before


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", PLAIN_PAGES)
def test_pages_never_show_another_committee(client, role_user, home, foreign, role, name):
    client.force_login(role_user(role))
    response = client.get(url_for(name, home))
    assert response.status_code in (200, 403)
    assert SECRET not in body(response)


@pytest.mark.parametrize(("name", "method"), UNIT_SCOPED)
def test_unit_staff_cannot_reach_another_unit(
    client, make_user, my_unit, home, other_unit_side, name, method
):
    client.force_login(make_user(Role.UNIT_STAFF, units=[my_unit]))
    before = snapshot(WATCHED)
    response = request(client, name, method, other_unit_side)
    assert response.status_code in (403, 404)
    for secret in other_unit_side.secrets:
        assert secret not in body(response)
    assert snapshot(WATCHED) == before


@pytest.mark.parametrize(("name", "method"), UNIT_SCOPED)
def test_unit_staff_reach_their_own_unit(client, make_user, my_unit, home, other_unit_side, name, method):
    client.force_login(make_user(Role.UNIT_STAFF, units=[my_unit]))
    response = request(client, name, method, home)
    assert response.status_code == OWN_UNIT_EXPECTED[(name, method)]


@pytest.mark.parametrize("name", ["index", "liaisons"])
def test_unit_staff_lists_show_only_their_units(client, make_user, my_unit, home, other_unit_side, name):
    client.force_login(make_user(Role.UNIT_STAFF, units=[my_unit]))
    html = body(client.get(url_for(name, home)))
    assert "经济委员会" in html
    assert "提案委员会" not in html
    assert "县财政局" not in html


@pytest.mark.parametrize(("name", "method"), ALL_CASES)
def test_anonymous_users_are_sent_to_login(client, home, name, method):
    before = snapshot(WATCHED)
    url = url_for(name, home)
    assert_sent_to_login(client.get(url) if method == "GET" else client.post(url, {}))
    assert snapshot(WATCHED) == before


@pytest.mark.parametrize("role", NO_WRITE_ROLES)
@pytest.mark.parametrize("name", POST_ROUTES)
def test_roles_that_must_not_write_are_refused(client, make_user, my_unit, home, role, name):
    client.force_login(make_user(role))
    before = snapshot(WATCHED)
    response = request(client, name, "POST", home)
    assert response.status_code in (403, 404)
    assert snapshot(WATCHED) == before


@pytest.mark.parametrize("name", POST_ROUTES)
def test_the_office_can_do_every_action(client, office, home, name):
    # The control for the refusals above: the same requests do change the database for the office.
    client.force_login(office)
    before = snapshot(WATCHED)
    response = request(client, name, "POST", home)
    assert response.status_code == 302
    assert snapshot(WATCHED) != before


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "unit_create",
            lambda f: {"kind": "sector", "name": "新界别", "sort_order": "0", "parent": f.unit.pk},
        ),
        (
            "unit_edit",
            lambda f: {
                "kind": "special_committee",
                "name": "经济委员会",
                "sort_order": "0",
                "parent": f.unit.pk,
            },
        ),
        (
            "session_create",
            lambda f: {"term": f.term.pk, "number": "3", "name": "会议", "start_date": "2027-01-08"},
        ),
        (
            "session_edit",
            lambda f: {"term": f.term.pk, "number": "1", "name": "会议", "start_date": "2027-01-08"},
        ),
        ("liaison_create", lambda f: {"department": f.spare_department.pk}),
        ("liaison_create", lambda f: {"target_unit": f.unit.pk}),
        ("membership_create", lambda f: {"member": f.member.pk, "position": "member"}),
    ],
)
def test_forms_refuse_objects_of_another_committee(client, office, home, foreign, name, data):
    client.force_login(office)
    before = snapshot(WATCHED)
    response = client.post(url_for(name, home), data(foreign))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert SECRET not in body(response)
    assert snapshot(WATCHED) == before


def test_another_committees_staff_see_nothing_of_ours(client, home):
    # The same check seen from the other side, for the office role of a third committee.
    stranger = UserFactory(committee=CommitteeFactory(), role=Role.OFFICE)
    client.force_login(stranger)
    for name, method in OBJECT_CASES:
        if method == "GET":
            assert client.get(url_for(name, home)).status_code == 404, name
