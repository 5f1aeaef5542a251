import datetime

import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import (
    LiaisonContactFactory,
    LiaisonFactory,
    MemberFactory,
    MemberTermFactory,
    UserFactory,
)
from lvzhi.ledger.kinds import role_label
from lvzhi.ledger.services import Fact, sync_records

DAY = datetime.date(2026, 3, 5)


@pytest.fixture
def member_user(committee):
    return UserFactory(committee=committee, role=Role.MEMBER, username="member")


@pytest.fixture
def member(committee, term, my_unit, member_user):
    row = MemberTermFactory(
        member=MemberFactory(committee=committee, name="甲委员", user=member_user), term=term
    )
    row.special_committees.set([my_unit])
    return row.member


@pytest.fixture
def records(committee, member, source):
    sync_records(
        source=source,
        committee=committee,
        facts=[Fact(member, "activity.liaison", DAY, role="lead"), Fact(member, "speech.written", DAY)],
    )
    # A member file as source: it has a page, so the row links to it.
    sync_records(source=member, committee=committee, facts=[Fact(member, "attendance.plenary.late", DAY)])
    sync_records(
        source=LiaisonContactFactory(liaison=LiaisonFactory(committee=committee)),
        committee=committee,
        facts=[Fact(member, "activity.liaison", DAY.replace(year=2025), note="去年")],
    )


def _url(member, year=2026):
    return reverse("ledger:member_record", args=[member.pk, year])


def test_it_shows_the_year_grouped(client, office, member, records):
    client.force_login(office)
    response = client.get(_url(member))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [g.key for g in groups] == ["attendance", "activity", "speech"]
    assert [g.count for g in groups] == [1, 1, 1]
    html = response.content.decode()
    assert (
        html.index('id="group-attendance"')
        < html.index('id="group-activity"')
        < html.index('id="group-speech"')
    )
    assert f'href="{member.get_absolute_url()}"' in html
    assert "去年" not in html
    assert response.context["years"] == [2026, 2025]


def test_another_year(client, office, member, records):
    client.force_login(office)
    response = client.get(_url(member, 2025))
    assert [g.count for g in response.context["groups"]] == [1]
    assert "去年" in response.content.decode()


def test_an_empty_year(client, office, member, records):
    client.force_login(office)
    response = client.get(_url(member, 2020))
    assert response.status_code == 200
    assert response.context["groups"] == []


def test_a_year_out_of_range_is_404(client, office, member):
    client.force_login(office)
    assert client.get(_url(member, 10)).status_code == 404


def test_it_needs_a_login(client, member):
    response = client.get(_url(member))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    "role, units, status",
    [
        (Role.OFFICE, "none", 200),
        (Role.LEADER, "none", 200),
        (Role.EDITOR, "none", 200),
        (Role.UNIT_STAFF, "mine", 200),
        (Role.UNIT_STAFF, "other", 404),
        (Role.MEMBER, "none", 404),
        (Role.HANDLING_UNIT, "none", 404),
    ],
)
def test_the_permission_matrix(client, make_user, member, records, my_unit, other_unit, role, units, status):
    unit = {"mine": [my_unit], "other": [other_unit], "none": None}[units]
    client.force_login(make_user(role, units=unit))
    assert client.get(_url(member)).status_code == status


def test_another_committee_is_404(client, other_committee, member, records):
    client.force_login(UserFactory(committee=other_committee, role=Role.OFFICE))
    assert client.get(_url(member)).status_code == 404


def test_a_member_sees_their_own(client, member_user, member, records):
    client.force_login(member_user)
    assert client.get(_url(member)).status_code == 200
    response = client.get(reverse("ledger:me", args=[2026]))
    assert response.status_code == 200
    assert response.context["member"] == member
    assert reverse("ledger:me", args=[2025]) in response.content.decode()


def test_a_member_cannot_see_another(client, committee, member_user, member, records):
    client.force_login(member_user)
    assert client.get(_url(MemberFactory(committee=committee))).status_code == 404


def test_me_without_a_member_file_is_404(client, office):
    client.force_login(office)
    assert client.get(reverse("ledger:me", args=[2026])).status_code == 404


def _fill(committee, member, n):
    for _ in range(n):
        source = LiaisonContactFactory(liaison=LiaisonFactory(committee=committee))
        sync_records(source=source, committee=committee, facts=[Fact(member, "activity.liaison", DAY)])
    # and one of another source type
    sync_records(source=member, committee=committee, facts=[Fact(member, "speech.oral", DAY)])


def _page_queries(client, member):
    with capture_queries() as queries:
        response = client.get(_url(member))
    assert response.status_code == 200
    return queries


def test_the_number_of_queries_does_not_grow_with_the_records(client, committee, office, term):
    client.force_login(office)
    few, many = MemberFactory(committee=committee), MemberFactory(committee=committee)
    _fill(committee, few, 3)
    _fill(committee, many, 30)
    client.get(_url(few))  # warm the content-type cache and the session
    assert_same_query_count(_page_queries(client, few), _page_queries(client, many))


def test_it_shows_roles_and_shares(client, committee, office, member, source):
    sync_records(
        source=source,
        committee=committee,
        facts=[Fact(member, "activity.research", DAY, role="lead", share="0.5")],
    )
    client.force_login(office)
    html = client.get(_url(member)).content.decode()
    assert str(role_label("lead")) in html
    assert "0.5" in html
