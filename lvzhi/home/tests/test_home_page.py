"""The start page ("/"): every app contributes its cards (lvzhi.home gathers them); each role sees what
it saw when the page was written out in one view."""

import re

import pytest
from django.utils import timezone, translation

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


ENTRIES = "Notifications 0 unread My entries Library Change password"


def test_office_sees_the_committee_in_figures(client, make_user, county):
    assert page_text(client, make_user(Role.OFFICE, username="wang")) == (
        "Welcome, wang "
        "Member files 4 Serving this term 3 Standing committee members 1 "
        "Proposal work To review 0 To assign 0 Return requests 0 Overdue 0 "
        "Public-opinion work To register 0 Being verified 0 Being edited 0 Awaiting sign-off 0 "
        "Signed, to report 0 Duty claims 0 claims awaiting approval "
        "Public website 0 public messages awaiting moderation 0 members' suggestions awaiting review "
        "Contact updates to approve 1 "
        "Activities to close 0 Study notes to acknowledge 0 Roster imports waiting 0 "
        "Leave requests waiting for your decision 0 Nothing waits for your decision. "
        "Organization Sector：1 Special committee：2 Town committee：1 " + ENTRIES
    )
    assert page_links(client, make_user(Role.OFFICE)) == [
        "/members/",
        "/members/?standing=1",
        "/proposals/work/?tab=review",
        "/proposals/work/?tab=assign",
        "/proposals/work/?tab=returns",
        "/proposals/work/?tab=overdue",
        "/opinions/work/?queue=submitted",
        "/opinions/work/?queue=verifying",
        "/opinions/work/?queue=editing",
        "/opinions/work/?queue=signoff",
        "/opinions/work/?queue=signed",
        "/scoring/claims/?status=submitted",
        "/portal/messages/?tab=received",
        "/portal/suggestions/review/",
        "/members/contact-requests/",
        "/activities/?status=to_close",
        "/studies/submissions/?status=submitted",
        "/members/import/",
        "/notifications/",
        "/library/",
        "/accounts/password/",
    ]


def test_leader_sees_the_figures_without_the_approvals(client, make_user, county):
    assert page_text(client, make_user(Role.LEADER, username="li")) == (
        "Welcome, li "
        "Member files 4 Serving this term 3 Standing committee members 1 "
        "Public-opinion work 0 awaiting your sign-off "
        "Leave requests waiting for your decision 0 Nothing waits for your decision. "
        "Coming meetings and activities No meeting in the coming weeks. "
        f"Attendance in {timezone.localdate().year} No closed activity this year yet. "
        "Organization Sector：1 Special committee：2 Town committee：1 " + ENTRIES
    )


def test_unit_staff_see_the_members_of_their_units(client, make_user, county, my_unit):
    county[0].terms.get().special_committees.add(my_unit)
    assert page_text(client, make_user(Role.UNIT_STAFF, username="zhou", units=[my_unit])) == (
        "Welcome, zhou "
        "Member files 1 Serving this term 1 Standing committee members 1 "
        "Activities to close 0 Study notes to acknowledge 0 "
        "Organization Special committee：1 " + ENTRIES
    )


def test_auditor_gets_the_audit_log(client, make_user, county):
    assert page_text(client, make_user(Role.AUDITOR, username="shen")) == (
        "Welcome, shen Audit log The chain has not been verified yet. Open the audit log " + ENTRIES
    )


@pytest.mark.parametrize("role", [Role.OFFICER, Role.HANDLING_UNIT, Role.EDITOR])
def test_roles_without_cards_of_their_own_get_their_entries(client, make_user, county, role):
    text = page_text(client, make_user(role, username="zhao"))
    assert "Nothing here is open to your role yet" not in text
    assert text.endswith(ENTRIES)


def test_no_role_is_told_that_nothing_is_open_to_it(client, make_user, county):
    for role in Role:
        assert "Nothing here is open to your role yet" not in page_text(client, make_user(role))


def test_a_member_starts_on_the_start_page(client, make_user, committee):
    user = make_user(Role.MEMBER, username="chen")
    MemberFactory(committee=committee, user=user)
    assert page_text(client, user) == (
        "Welcome, chen Today No activity today. Coming activities No activity ahead. All my activities "
        f"Notifications 0 unread My duty record in {timezone.localdate().year} "
        "No duty records in this year yet. Open my duty record "
        f"My duty score in {timezone.localdate().year} No score for this year yet. See my score and why "
        "My entries My file My duty record Library Change password"
    )


def test_the_start_page_asks_for_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
