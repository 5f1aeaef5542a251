"""The start page ("/"): every app contributes its cards (lvzhi.home gathers them); each role sees what
it saw when the page was written out in one view."""

import re

import pytest
from django.utils import translation

from lvzhi.accounts.roles import Role
from lvzhi.factories import MemberFactory, MemberTermFactory, OrgUnitFactory
from lvzhi.members.models import ContactUpdateRequest, MemberTerm
from lvzhi.organization.models import OrgUnit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def page_text(client, user):
    client.force_login(user)
    with translation.override("en"):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    main = re.search(r"<main.*?>(.*)</main>", response.content.decode(), re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def page_links(client, user):
    client.force_login(user)
    response = client.get("/")
    main = re.search(r"<main.*?>(.*)</main>", response.content.decode(), re.S).group(1)
    return re.findall(r'href="([^"]+)"', main)


@pytest.fixture
def county(committee, term, my_unit, other_unit):
    """Three serving members (one on the standing committee, one in my_unit's sector) and one who left;
    a town committee; a contact update waiting for approval."""
    sector = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="经济界")
    OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE, name="城关镇政协工委")
    members = [MemberFactory(committee=committee) for _ in range(4)]
    MemberTermFactory(member=members[0], term=term, is_standing=True, sector=sector)
    MemberTermFactory(member=members[1], term=term)
    MemberTermFactory(member=members[2], term=term)
    MemberTermFactory(member=members[3], term=term, status=MemberTerm.Status.RESIGNED)
    ContactUpdateRequest.objects.create(member=members[1], phone="13900001234")
    return members


def test_office_sees_the_committee_in_figures(client, make_user, county):
    assert page_text(client, make_user(Role.OFFICE, username="wang")) == (
        "Welcome, wang "
        "Member files 4 Serving this term 3 Standing committee members 1 Contact updates to approve 1 "
        "Organization Sector：1 Special committee：2 Town committee：1"
    )
    assert page_links(client, make_user(Role.OFFICE)) == [
        "/members/",
        "/members/?standing=1",
        "/members/contact-requests/",
    ]


def test_leader_sees_the_figures_without_the_approvals(client, make_user, county):
    assert page_text(client, make_user(Role.LEADER, username="li")) == (
        "Welcome, li "
        "Member files 4 Serving this term 3 Standing committee members 1 "
        "Organization Sector：1 Special committee：2 Town committee：1"
    )


def test_unit_staff_see_the_members_of_their_units(client, make_user, county, my_unit):
    county[0].terms.get().special_committees.add(my_unit)
    assert page_text(client, make_user(Role.UNIT_STAFF, username="zhou", units=[my_unit])) == (
        "Welcome, zhou "
        "Member files 1 Serving this term 1 Standing committee members 1 "
        "Organization Special committee：1"
    )


def test_auditor_gets_only_the_welcome(client, make_user, county):
    assert page_text(client, make_user(Role.AUDITOR, username="shen")) == "Welcome, shen"


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.OFFICER])
def test_roles_with_nothing_here_are_told_so(client, make_user, county, role):
    assert page_text(client, make_user(role, username="zhao")) == (
        "Welcome, zhao Nothing here is open to your role yet."
    )


def test_a_member_goes_to_their_own_file(client, make_user, committee):
    user = make_user(Role.MEMBER)
    MemberFactory(committee=committee, user=user)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/members/me/"


def test_the_start_page_asks_for_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
