"""The handling unit's list (proposals:unit), the staff's view of the units, and the unit's home card."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.core.testing import body
from lvzhi.proposals import home_cards
from lvzhi.proposals.models import Assignment, Proposal, Reply

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("english")

Status = Proposal.Status
TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def cases(make_proposal, department, co_department):
    return {
        "to_sign": make_proposal(Status.ASSIGNED, lead=department, title="待签收的提案"),
        "late": make_proposal(Status.HANDLING, lead=department, deadline=days(-4), title="已逾期的提案"),
        "soon": make_proposal(Status.HANDLING, lead=department, deadline=days(6), title="即将到期的提案"),
        "co": make_proposal(Status.HANDLING, lead=co_department, co_units=[department], title="协办的提案"),
        "replied": make_proposal(Status.REPLIED, lead=department, title="已答复的提案"),
        "others": make_proposal(Status.HANDLING, lead=co_department, title="别家的提案"),
    }


def _get(client, user, query=""):
    client.force_login(user)
    return client.get(reverse("proposals:unit") + query)


def test_the_unit_sees_its_assignments_grouped(client, cases, unit_user, department):
    Reply.objects.create(
        proposal=cases["replied"], department=department, round=1, result="B", sent_at=timezone.now()
    )
    response = _get(client, unit_user)
    assert response.status_code == 200
    page = body(response)
    to_sign = page.split('id="unit-to-sign"')[1].split("</table>")[0]
    handling = page.split('id="unit-handling"')[1].split("</table>")[0]
    replied = page.split('id="unit-replied"')[1].split("</table>")[0]
    assert "待签收的提案" in to_sign
    assert "已逾期的提案" in handling and "即将到期的提案" in handling and "协办的提案" in handling
    assert handling.index("已逾期的提案") < handling.index("即将到期的提案")  # the overdue first
    assert "overdue by 4 days" in handling and "table-danger" in handling and "table-warning" in handling
    assert "已答复的提案" in replied and ">B<" in replied
    assert "别家的提案" not in page
    assert 'id="unit-overdue-count"' in page


def test_another_departments_list_is_404_for_a_unit(client, cases, unit_user, co_department, department):
    assert _get(client, unit_user, f"?department={co_department.pk}").status_code == 404
    assert _get(client, unit_user, "?department=x").status_code == 404
    assert _get(client, unit_user, f"?department={2**70}").status_code == 404
    assert _get(client, unit_user, f"?department={department.pk}").status_code == 200


def test_a_unit_cannot_open_another_units_proposal(client, cases, unit_user, other_unit_user):
    client.force_login(other_unit_user)
    assert client.get(reverse("proposals:detail", args=[cases["late"].pk])).status_code == 404
    client.force_login(unit_user)
    assert client.get(reverse("proposals:detail", args=[cases["others"].pk])).status_code == 404
    assert client.get(reverse("proposals:detail", args=[cases["late"].pk])).status_code == 200


def test_a_returned_assignment_leaves_the_list(client, cases, unit_user, department):
    Assignment.objects.filter(proposal=cases["soon"], department=department).update(
        status=Assignment.Status.RETURNED
    )
    assert "即将到期的提案" not in body(_get(client, unit_user))


def test_a_unit_account_without_a_department_is_told_why(client, make_user):
    user = make_user(Role.HANDLING_UNIT, username="nodept")
    response = _get(client, user)
    assert response.status_code == 200
    assert 'id="unit-no-department"' in body(response)


def test_a_member_may_not_open_the_unit_page(client, proposer):
    assert _get(client, proposer.user).status_code == 403


def test_staff_see_the_units_and_the_overdue_list(client, cases, office, department, co_department):
    response = _get(client, office)
    page = body(response)
    overdue = page.split('id="overdue-list"')[1].split("</table>")[0]
    assert "已逾期的提案" in overdue and "即将到期的提案" not in overdue
    assert 'id="unit-records"' in page and "县交通运输局" in page and "县财政局" in page
    response = _get(client, office, f"?department={co_department.pk}")
    assert response.status_code == 200 and "别家的提案" in body(response)


def test_staff_of_another_committee_get_404_for_a_department(client, cases, foreign_office, department):
    assert _get(client, foreign_office, f"?department={department.pk}").status_code == 404


# --- the home card ----------------------------------------------------------------------------------


def test_the_home_card_counts_and_lists(cases, unit_user, office, proposer):
    card = home_cards.unit_queue(unit_user)
    assert (card["to_sign"], card["due_soon"], card["overdue"]) == (1, 1, 1)
    titles = [a.proposal.title for a in card["rows"]]
    assert titles[0] == "已逾期的提案" and "即将到期的提案" in titles and "待签收的提案" in titles
    assert home_cards.unit_queue(office) is None
    assert home_cards.unit_queue(proposer.user) is None


def test_the_home_card_on_the_start_page(client, cases, unit_user):
    client.force_login(unit_user)
    page = body(client.get("/"))
    assert 'id="home-unit"' in page
    assert 'id="home-unit-overdue">1<' in page
