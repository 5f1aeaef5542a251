"""The menu bar each role gets: every app contributes its entries (lvzhi.home gathers them), and the
bar must read, in order, as it did when base.html listed them by hand."""

from html.parser import HTMLParser

import pytest
from django.utils import translation

from lvzhi.accounts.roles import Role
from lvzhi.factories import DepartmentFactory, MemberFactory, MembershipFactory
from lvzhi.organization.models import Membership

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

STAFF_BAR = [
    ("Members", "/members/"),
    ("Organization", "/org/"),
    ("Departments", "/org/departments/"),
    ("Counterpart liaison", "/org/liaisons/"),
]
MEMBER_BAR = [
    ("My file", "/members/me/"),
    ("My duty record", "/ledger/me/"),
    ("My duty score", "/scoring/mine/"),
    ("My duty claims", "/scoring/claims/mine/"),
    ("My activities", "/activities/mine/"),
    ("My proposals", "/proposals/mine/"),
    ("Public opinion", "/opinions/mine/"),
    ("My suggestions", "/portal/suggestions/mine/"),
    ("Study and training", "/studies/"),
]


class MenuBar(HTMLParser):
    """The links of the menu bar's left list: (label, href), or (label, [links]) for a dropdown."""

    def __init__(self):
        super().__init__()
        self.items, self.depth, self.stack, self.href, self.text = [], 0, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "ul" and "navbar-nav" in classes and "me-auto" in classes:
            self.depth = 1
        elif self.depth and tag == "ul":
            self.depth += 1
            self.stack.append([])
        elif self.depth and tag == "a":
            self.href, self.text = attrs.get("href"), ""

    def handle_endtag(self, tag):
        if self.depth and tag == "a":
            link = (self.text.strip(), self.href)
            (self.stack[-1] if self.stack else self.items).append(link)
            self.href = self.text = None
        elif self.depth and tag == "ul":
            self.depth -= 1
            if self.stack:
                entries = self.stack.pop()
                label, _toggle = self.items.pop()
                self.items.append((label, entries))

    def handle_data(self, data):
        if self.text is not None:
            self.text += data


def bar(client, user, path="/"):
    client.force_login(user)
    with translation.override("en"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.status_code == 200
    parser = MenuBar()
    parser.feed(response.content.decode())
    return parser.items


def test_office(client, make_user):
    assert bar(client, make_user(Role.OFFICE)) == [
        *STAFF_BAR,
        ("Contact updates", "/members/contact-requests/"),
        (
            "Duty work",
            [
                ("Activities", "/activities/"),
                ("Leave requests", "/activities/leave/"),
                ("Attendance statistics", "/activities/stats/"),
                ("Standing committee attendance notice", "/activities/standing-report/"),
                ("Training plans", "/studies/plans/"),
                ("Study notes and essays", "/studies/submissions/"),
                ("Public-opinion work", "/opinions/work/"),
                ("Search reports", "/opinions/search/"),
                ("Public-opinion bulletins", "/opinions/bulletins/"),
                ("Inspection and research reports", "/opinions/inspections/"),
                ("Information officers", "/opinions/officers/"),
                ("Public-opinion statistics", "/opinions/stats/"),
                ("Proposal work", "/proposals/work/"),
                ("Proposal statistics", "/proposals/stats/"),
                ("Duty scores", "/scoring/ranking/"),
                ("Assessment rules", "/scoring/rules/"),
                ("Assessment documents", "/scoring/reports/"),
                ("Unit assessment", "/scoring/units/"),
                ("Import duty records", "/ledger/imports/"),
                ("Duty claims", "/scoring/claims/"),
            ],
        ),
        (
            "Public website",
            [
                ("Public messages", "/portal/messages/"),
                ("Members' suggestions to review", "/portal/suggestions/review/"),
                ("Announcements", "/portal/announcements/"),
                ("Public site settings", "/portal/settings/"),
            ],
        ),
        ("Library", "/library/"),
    ]


def test_unit_staff(client, make_user, my_unit):
    assert bar(client, make_user(Role.UNIT_STAFF, units=[my_unit])) == [
        *STAFF_BAR,
        (
            "Duty work",
            [
                ("Activities", "/activities/"),
                ("Attendance statistics", "/activities/stats/"),
                ("Study notes and essays", "/studies/submissions/"),
                ("Inspection and research reports", "/opinions/inspections/"),
            ],
        ),
        ("My proposals", "/proposals/mine/"),
        ("Public opinion", "/opinions/mine/"),
        ("Library", "/library/"),
    ]


def test_leader(client, make_user):
    assert bar(client, make_user(Role.LEADER)) == [
        *STAFF_BAR,
        (
            "Duty work",
            [
                ("Activities", "/activities/"),
                ("Leave requests", "/activities/leave/"),
                ("Attendance statistics", "/activities/stats/"),
                ("Standing committee attendance notice", "/activities/standing-report/"),
                ("Training plans", "/studies/plans/"),
                ("Study notes and essays", "/studies/submissions/"),
                ("Public-opinion work", "/opinions/work/"),
                ("Search reports", "/opinions/search/"),
                ("Public-opinion bulletins", "/opinions/bulletins/"),
                ("Inspection and research reports", "/opinions/inspections/"),
                ("Information officers", "/opinions/officers/"),
                ("Public-opinion statistics", "/opinions/stats/"),
                ("Proposal work", "/proposals/work/"),
                ("Proposal statistics", "/proposals/stats/"),
                ("Duty scores", "/scoring/ranking/"),
                ("Assessment documents", "/scoring/reports/"),
                ("Unit assessment", "/scoring/units/"),
            ],
        ),
        ("Library", "/library/"),
    ]


def test_editor(client, make_user):
    assert bar(client, make_user(Role.EDITOR)) == [
        *STAFF_BAR,
        (
            "Duty work",
            [
                ("Public-opinion work", "/opinions/work/"),
                ("Search reports", "/opinions/search/"),
                ("Public-opinion bulletins", "/opinions/bulletins/"),
                ("Inspection and research reports", "/opinions/inspections/"),
                ("Information officers", "/opinions/officers/"),
                ("Public-opinion statistics", "/opinions/stats/"),
            ],
        ),
        ("Library", "/library/"),
    ]


def test_member(client, make_user, committee):
    user = make_user(Role.MEMBER)
    MemberFactory(committee=committee, user=user)
    assert bar(client, user) == [*MEMBER_BAR, ("Library", "/library/")]


def test_a_member_who_heads_a_unit_decides_leave_from_the_bar(client, make_user, committee, my_unit):
    user = make_user(Role.MEMBER)
    member = MemberFactory(committee=committee, user=user)
    MembershipFactory(unit=my_unit, member=member, position=Membership.Position.DIRECTOR)
    assert bar(client, user) == [
        *MEMBER_BAR,
        ("Leave requests", "/activities/leave/"),
        ("Library", "/library/"),
    ]


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.SECADMIN])
def test_account_administrators(client, make_user, role):
    assert bar(client, make_user(role)) == [("Library", "/library/"), ("Accounts", "/accounts/users/")]


def test_auditor(client, make_user):
    assert bar(client, make_user(Role.AUDITOR)) == [("Library", "/library/"), ("Audit log", "/audit/")]


def test_information_officer(client, make_user):
    assert bar(client, make_user(Role.OFFICER)) == [
        ("Public opinion", "/opinions/mine/"),
        ("Library", "/library/"),
    ]


def test_handling_unit_of_a_department(client, make_user, committee):
    user = make_user(Role.HANDLING_UNIT)
    user.department = DepartmentFactory(committee=committee)
    user.save(update_fields=["department"])
    assert bar(client, user) == [
        ("Proposals assigned to us", "/proposals/unit/"),
        ("Reports transferred to us", "/opinions/transfers/"),
        ("Library", "/library/"),
    ]


def test_no_menu_before_sign_in(client):
    response = client.get("/accounts/login/")
    parser = MenuBar()
    parser.feed(response.content.decode())
    assert parser.items == []
