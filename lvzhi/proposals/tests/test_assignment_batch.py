"""批量交办: the batch assignment page. Proposal staff only; each row offers the committee's active
departments with the first suggested unit chosen; each ticked row is assigned on its own (a failed row
writes nothing, the others still go) and the page comes back with every choice kept."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, assert_sent_to_login, body, capture_queries
from lvzhi.factories import DepartmentFactory
from lvzhi.notifications.models import Notification
from lvzhi.organization.models import Department
from lvzhi.proposals.models import Assignment, Proposal
from lvzhi.proposals.services import assignment as services
from lvzhi.proposals.services.assignment import add_months

from .fixtures import *  # noqa: F403

Status = Proposal.Status
pytestmark = pytest.mark.usefixtures("english")
URL = reverse("proposals:assign_batch")


def _login(client, user):
    client.force_login(user)
    return client


def _row(p, lead=None, co=(), ticked=True):
    """The fields one row of the page sends."""
    data = {"row": [f"{p.pk}:{p.version}"], "lead": [f"{p.pk}:{lead.pk if lead else ''}"]}
    data["co_units"] = [f"{p.pk}:{d.pk}" for d in co]
    data["assign"] = [str(p.pk)] if ticked else []
    return data


def _post_data(*rows, deadline=""):
    data = {"row": [], "lead": [], "co_units": [], "assign": [], "deadline": deadline}
    for row in rows:
        for key, values in row.items():
            data[key] += values
    return data


def test_only_proposal_staff_may_use_it(
    client, office, leader, unit_user, proposer, foreign_office, make_proposal, department
):
    proposal = make_proposal(Status.ACCEPTED, title="本会待交办的提案")
    assert_sent_to_login(client.get(URL))
    for user in (leader, unit_user, proposer.user):
        _login(client, user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, _post_data(_row(proposal, department))).status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).status == Status.ACCEPTED
    # Another committee's staff see their own (empty) list, never this committee's proposals.
    page = body(_login(client, foreign_office).get(URL))
    assert 'id="batch-empty"' in page and "本会待交办的提案" not in page
    # ... and a row of this committee's posted by them is refused for that row, nothing written.
    response = client.post(URL, _post_data(_row(proposal, department)))
    assert response.status_code == 200
    assert f"The ticked proposal (id {proposal.pk}) is not one of the committee&#x27;s." in body(response)
    assert Proposal.objects.get(pk=proposal.pk).status == Status.ACCEPTED
    assert not Assignment.objects.exists()
    page = body(_login(client, office).get(URL))
    assert f'id="batch-row-{proposal.pk}"' in page and "本会待交办的提案" in page


def test_the_work_page_links_to_it_on_the_to_assign_tab(client, office, leader, make_proposal):
    make_proposal(Status.ACCEPTED)
    page = body(_login(client, office).get(reverse("proposals:work") + "?tab=assign"))
    assert 'id="work-assign-batch"' in page
    assert 'id="work-assign-batch"' not in body(client.get(reverse("proposals:work") + "?tab=review"))
    # Leaders read the work page but do not assign.
    page = body(_login(client, leader).get(reverse("proposals:work") + "?tab=assign"))
    assert 'id="work-assign-batch"' not in page


def test_rows_preselect_the_first_suggested_unit_and_offer_only_active_departments(
    client, office, make_proposal, department, co_department, committee, other_committee, settings
):
    # In Chinese too the date field holds an ISO date.
    settings.LANGUAGE_CODE = "zh-hans"
    closed = DepartmentFactory(committee=committee, name="县已撤销局", is_active=False)
    foreign = DepartmentFactory(committee=other_committee, name="邻县交通局")
    suggested = make_proposal(Status.ACCEPTED, title="有建议承办单位")
    suggested.suggested_departments.set([closed, co_department, department])
    plain = make_proposal(Status.ACCEPTED, title="没有建议承办单位")
    make_proposal(Status.SUBMITTED, title="尚未立案的提案")
    make_proposal(Status.ASSIGNED, title="已经交办的提案")
    response = _login(client, office).get(URL)
    page = body(response)
    assert [p.pk for p in response.context["rows"]] == [suggested.pk, plain.pk]
    assert "尚未立案的提案" not in page and "已经交办的提案" not in page
    first, second = Department.objects.filter(pk__in=[department.pk, co_department.pk]).order_by(
        "kind", "name"
    )
    assert f'<option value="{suggested.pk}:{first.pk}" selected>' in page
    # The other suggested unit is chosen as a co-unit, as on the proposal page.
    assert page.count(f'<option value="{suggested.pk}:{second.pk}" selected>') == 1
    assert f'<option value="{plain.pk}:">' in page and f'value="{plain.pk}:{first.pk}" selected' not in page
    # The closed and the foreign department are not offered (the closed one is still shown as suggested).
    assert f':{closed.pk}"' not in page and f':{foreign.pk}"' not in page
    assert "县已撤销局" in page and "邻县交通局" not in page
    # No row is ticked before the user ticks it; the deadline is the session's months (3) from today.
    assert 'name="assign" value' in page and " checked" not in page
    assert f'value="{add_months(timezone.localdate(), 3).isoformat()}"' in page


def test_a_mixed_batch_reports_each_row(
    client,
    office,
    office2,
    make_proposal,
    department,
    co_department,
    other_committee,
    unit_user,
    co_unit_user,
):
    good = make_proposal(Status.ACCEPTED, title="甲提案")
    good2 = make_proposal(Status.ACCEPTED, title="乙提案")
    bad = make_proposal(Status.ACCEPTED, title="丙提案")
    stale = make_proposal(Status.ACCEPTED, title="丁提案")
    untouched = make_proposal(Status.ACCEPTED, title="戊提案")
    _login(client, office).get(URL)
    # Someone else assigns 丁 while the page is open.
    services.assign(stale, actor=office2, lead=co_department)
    foreign = DepartmentFactory(committee=other_committee, name="邻县财政局")
    deadline = timezone.localdate() + datetime.timedelta(days=60)
    response = client.post(
        URL,
        _post_data(
            _row(good, department, [co_department]),
            _row(good2, co_department),
            _row(bad, foreign, [co_department]),
            _row(stale, department),
            _row(untouched, department, ticked=False),
            deadline=deadline.isoformat(),
        ),
    )
    assert response.status_code == 200
    page = body(response)
    # Assigned: 甲 (lead and co-unit) and 乙, with the batch's deadline.
    for proposal, units in (
        (good, {department.pk: "lead", co_department.pk: "co"}),
        (good2, {co_department.pk: "lead"}),
    ):
        proposal.refresh_from_db()
        assert proposal.status == Status.ASSIGNED and proposal.deadline == deadline
        assert dict(proposal.assignments.values_list("department_id", "role")) == units
    assert [p.pk for p in response.context["assigned"]] == [good.pk, good2.pk]
    assert 'id="batch-assigned"' in page and "No. 1、No. 2" in page
    # Not assigned, each error naming its row; nothing half-written.
    assert response.context["errors"] == [
        "No. 3: Lead unit: choose one of the committee's departments.",
        "No. 4: Someone else saved this after you opened it. Nothing was saved. "
        "Reload the page to see their changes, then make yours again.",
    ]
    bad.refresh_from_db()
    assert bad.status == Status.ACCEPTED and not bad.assignments.exists()
    assert list(Proposal.objects.get(pk=stale.pk).assignments.values_list("department_id", flat=True)) == [
        co_department.pk
    ]
    assert Proposal.objects.get(pk=untouched.pk).status == Status.ACCEPTED
    # The page comes back with the choices kept: 丙 still ticked with its co-unit, 戊 with its lead unit.
    assert f'id="batch-error-{bad.pk}"' in page
    assert f'value="{bad.pk}" id="batch-assign-{bad.pk}" checked' in page
    assert f'<option value="{bad.pk}:{co_department.pk}" selected>' in page
    assert f'value="{untouched.pk}" id="batch-assign-{untouched.pk}">' in page
    assert f'<option value="{untouched.pk}:{department.pk}" selected>' in page
    assert f'value="{deadline.isoformat()}"' in page
    assert f'id="batch-row-{good.pk}"' not in page  # assigned rows leave the list
    # One audit row per assignment made.
    audited = AuditEvent.objects.filter(event="proposals.assigned")
    assert sorted(audited.values_list("object_id", flat=True)) == sorted(
        str(p.pk) for p in (good, good2, stale)
    )
    assert audited.get(object_id=str(good.pk)).actor_id == office.pk
    # The units are told: the lead unit of 甲; the finance bureau as co-unit of 甲, lead unit of 乙
    # (and of 丁, by the other staff member).
    told = Notification.objects.filter(kind="proposal.assigned")
    assert sorted(told.filter(recipient=unit_user).values_list("title", flat=True)) == [
        "A proposal was assigned to you as the lead unit: No. 1 甲提案"
    ]
    assert sorted(told.filter(recipient=co_unit_user).values_list("title", flat=True)) == sorted(
        [
            "A proposal was assigned to you as a co-unit: No. 1 甲提案",
            "A proposal was assigned to you as the lead unit: No. 2 乙提案",
            "A proposal was assigned to you as the lead unit: No. 4 丁提案",
        ]
    )


def test_a_clean_batch_redirects_with_the_summary(client, office, make_proposal, department):
    first = make_proposal(Status.ACCEPTED)
    second = make_proposal(Status.ACCEPTED)
    _login(client, office)
    response = client.post(URL, _post_data(_row(first, department), _row(second, department)), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "2 proposals assigned (No. 1、No. 2); the units are told." in body(response)
    default = add_months(timezone.localdate(), 3)
    assert set(Proposal.objects.values_list("status", "deadline")) == {(Status.ASSIGNED, default)}


@pytest.mark.parametrize(
    "garbage",
    [
        {"assign": ["\x00"]},
        {"assign": ["abc", "99999999999999999999", "-1"]},
        {"row": ["1:\x00"], "assign": ["x"]},
        {"lead": ["\x00:\x00"], "co_units": ["x:y", ":", "99999999999:1"], "assign": ["\x00"]},
    ],
)
def test_garbage_gives_errors_not_500(client, office, make_proposal, department, garbage):
    proposal = make_proposal(Status.ACCEPTED)
    response = _login(client, office).post(URL, {**_post_data(), **garbage})
    assert response.status_code == 200
    assert (
        response.context["errors"][0] == "Some choices could not be read and were left out; check the rows."
    )
    assert Proposal.objects.get(pk=proposal.pk).status == Status.ACCEPTED


def test_rows_and_deadline_errors(client, office, make_proposal, department, co_department):
    proposal = make_proposal(Status.ACCEPTED)
    _login(client, office)
    # Nothing ticked.
    response = client.post(URL, _post_data(_row(proposal, department, ticked=False)))
    assert response.context["errors"] == ["Tick the proposals to assign."]
    # A ticked row without a lead unit, or with the lead unit also a co-unit.
    response = client.post(URL, _post_data(_row(proposal)))
    assert response.context["errors"] == ["No. 1: Choose the lead unit."]
    response = client.post(URL, _post_data(_row(proposal, department, [department, co_department])))
    assert response.context["errors"] == ["No. 1: The lead unit cannot also be a co-unit."]
    # A deadline today, or one that is no date: nothing is assigned.
    for deadline in (timezone.localdate().isoformat(), "2026-02-30\x00"):
        response = client.post(URL, _post_data(_row(proposal, department), deadline=deadline))
        assert response.status_code == 200 and len(response.context["errors"]) == 1
        assert response.context["errors"][0].startswith("Handling deadline：")
    assert Proposal.objects.get(pk=proposal.pk).status == Status.ACCEPTED
    assert not AuditEvent.objects.filter(event="proposals.assigned").exists()


def test_the_page_filters_by_session_and_category(client, office, make_proposal, term, committee):
    from lvzhi.organization.models import Session
    from lvzhi.proposals.models import ProposalCategory

    later = Session.objects.create(
        term=term, number=3, name="第三次会议", start_date=datetime.date(2027, 1, 10)
    )
    category = ProposalCategory.objects.create(committee=committee, name="社会建设类", order=99)
    old = make_proposal(Status.ACCEPTED, title="第二次会议的提案")
    new = make_proposal(Status.ACCEPTED, title="第三次会议的提案", session=later, category=category)
    _login(client, office)
    rows = client.get(URL, {"session": later.pk}).context["rows"]
    assert [p.pk for p in rows] == [new.pk]
    rows = client.get(URL, {"category": category.pk}).context["rows"]
    assert [p.pk for p in rows] == [new.pk]
    rows = client.get(URL, {"session": "\x00"}).context["rows"]
    assert {p.pk for p in rows} == {old.pk, new.pk}


def test_the_page_costs_the_same_queries_whatever_the_rows(
    client, office, make_proposal, department, co_department, cosigner, cosigner2, committee
):
    def rows(n):
        for _ in range(n):
            p = make_proposal(Status.ACCEPTED, co_signers=[cosigner, cosigner2])
            p.suggested_departments.set([department, co_department])

    for _ in range(3):
        DepartmentFactory(committee=committee)
    rows(2)
    _login(client, office).get(URL)
    with capture_queries() as small:
        client.get(URL)
    rows(10)
    with capture_queries() as large:
        response = client.get(URL)
    assert len(response.context["rows"]) == 12
    assert_same_query_count(small, large)


def test_a_proposer_among_the_staff_gets_an_error_for_their_own_row(
    client, make_user, make_proposal, department, committee
):
    from .fixtures import member_with_account

    staff_member = member_with_account(committee, "钱伟", role=Role.OFFICE, username="staff_member")
    own = make_proposal(Status.ACCEPTED, author=staff_member)
    other = make_proposal(Status.ACCEPTED)
    response = _login(client, staff_member.user).post(
        URL, _post_data(_row(own, department), _row(other, department))
    )
    assert response.context["errors"] == [
        "No. 1: You are a proposer of this proposal, so you cannot review, assign or close it."
    ]
    assert Proposal.objects.get(pk=own.pk).status == Status.ACCEPTED
    assert Proposal.objects.get(pk=other.pk).status == Status.ASSIGNED
