"""交办 (services/assignment.py): assigning, signing for, asking to return within the days, deciding."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lvzhi.factories import DepartmentFactory
from lvzhi.notifications.models import Notification
from lvzhi.proposals.models import Assignment, Proposal, ProposalPolicy, SessionPolicy
from lvzhi.proposals.services import assignment as services
from lvzhi.proposals.services.assignment import add_months
from lvzhi.proposals.services.common import ProposalError

from .fixtures import *  # noqa: F403

Status = Proposal.Status
AStatus = Assignment.Status
pytestmark = pytest.mark.usefixtures("english")


def test_add_months_keeps_to_the_end_of_shorter_months():
    assert add_months(datetime.date(2025, 11, 30), 3) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2027, 11, 30), 3) == datetime.date(2028, 2, 29)
    assert add_months(datetime.date(2026, 3, 15), 3) == datetime.date(2026, 6, 15)
    assert add_months(datetime.date(2026, 10, 31), 3) == datetime.date(2027, 1, 31)


@pytest.fixture
def accepted(make_proposal):
    return make_proposal(Status.ACCEPTED)


def test_assign_gives_one_row_per_unit_with_the_sessions_deadline(
    accepted, office, department, co_department, unit_user, co_unit_user, proposer, session
):
    SessionPolicy.objects.create(session=session, handling_months=2)
    services.assign(
        accepted, actor=office, lead=department, co_units=[co_department, department, co_department]
    )
    accepted.refresh_from_db()
    today = timezone.localdate()
    assert accepted.status == Status.ASSIGNED and accepted.assigned_on == today
    assert accepted.deadline == add_months(today, 2)
    rows = list(accepted.assignments.order_by("role").values_list("department__name", "role", "status"))
    assert rows == [("县财政局", "co", "assigned"), ("县交通运输局", "lead", "assigned")]
    assert Notification.objects.filter(recipient=unit_user, kind="proposal.assigned").exists()
    assert Notification.objects.filter(recipient=co_unit_user, kind="proposal.assigned").exists()
    assert Notification.objects.filter(recipient=proposer.user, kind="proposal.assigned").exists()


def test_assign_refuses_others_units_past_deadlines_and_wrong_statuses(
    accepted, office, department, other_committee, make_proposal, unit_user
):
    foreign = DepartmentFactory(committee=other_committee)
    with pytest.raises(ProposalError, match="Lead unit"):
        services.assign(accepted, actor=office, lead=foreign)
    with pytest.raises(ProposalError, match="Co-units"):
        services.assign(accepted, actor=office, lead=department, co_units=[foreign])
    with pytest.raises(ProposalError, match="Deadline"):
        services.assign(accepted, actor=office, lead=department, deadline=timezone.localdate())
    with pytest.raises(ProposalError, match="cannot become"):
        services.assign(make_proposal(Status.SUBMITTED), actor=office, lead=department)
    with pytest.raises(PermissionDenied):
        services.assign(accepted, actor=unit_user, lead=department)
    assert not Assignment.objects.filter(proposal=accepted).exists()
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    services.assign(accepted, actor=office, lead=department, deadline=deadline)
    assert Proposal.objects.get(pk=accepted.pk).deadline == deadline


def test_signing_for_it_starts_the_handling_when_the_lead_unit_signs(
    make_proposal, department, co_department, unit_user, co_unit_user, other_unit_user, office
):
    proposal = make_proposal(Status.ASSIGNED, lead=department, co_units=[co_department])
    lead = proposal.assignments.get(role="lead")
    co = proposal.assignments.get(role="co")
    for actor in (other_unit_user, co_unit_user, office):
        with pytest.raises(PermissionDenied):
            services.sign_for(lead, actor=actor)
    services.sign_for(co, actor=co_unit_user)
    assert Proposal.objects.get(pk=proposal.pk).status == Status.ASSIGNED
    services.sign_for(lead, actor=unit_user)
    lead.refresh_from_db()
    assert lead.status == AStatus.SIGNED and lead.signed_by == unit_user and lead.signed_at
    assert Proposal.objects.get(pk=proposal.pk).status == Status.HANDLING
    with pytest.raises(ProposalError, match="cannot become"):
        services.sign_for(lead, actor=unit_user)


def test_a_unit_account_without_the_handling_right_cannot_sign(make_proposal, department, make_user):
    proposal = make_proposal(Status.ASSIGNED, lead=department)
    clerk = make_user(None, username="clerk", department=department)
    with pytest.raises(PermissionDenied):
        services.sign_for(proposal.assignments.get(), actor=clerk)


@pytest.mark.parametrize(("days_ago", "allowed"), [(0, True), (10, True), (11, False)])
def test_a_return_may_be_asked_for_within_ten_days(
    make_proposal, department, unit_user, office, days_ago, allowed
):
    proposal = make_proposal(Status.ASSIGNED, lead=department)
    row = proposal.assignments.get()
    Assignment.objects.filter(pk=row.pk).update(
        assigned_on=timezone.localdate() - datetime.timedelta(days=days_ago)
    )
    row.refresh_from_db()
    if allowed:
        services.request_return(row, actor=unit_user, reason="不属于本单位职责")
        row.refresh_from_db()
        assert row.status == AStatus.RETURN_REQUESTED and row.return_reason == "不属于本单位职责"
        assert Notification.objects.filter(recipient=office, kind="proposal.return_requested").exists()
    else:
        with pytest.raises(ProposalError, match="until"):
            services.request_return(row, actor=unit_user, reason="不属于本单位职责")
        assert Assignment.objects.get(pk=row.pk).status == AStatus.ASSIGNED


def test_return_days_come_from_the_committees_settings(make_proposal, department, unit_user, committee):
    ProposalPolicy.objects.create(committee=committee, return_days=3)
    proposal = make_proposal(Status.HANDLING, lead=department)
    row = proposal.assignments.get()
    Assignment.objects.filter(pk=row.pk).update(assigned_on=timezone.localdate() - datetime.timedelta(days=4))
    row.refresh_from_db()
    with pytest.raises(ProposalError, match="until"):
        services.request_return(row, actor=unit_user, reason="不属于本单位职责")


def test_a_return_needs_a_reason_and_the_units_own_account(
    make_proposal, department, unit_user, other_unit_user
):
    row = make_proposal(Status.ASSIGNED, lead=department).assignments.get()
    with pytest.raises(ProposalError, match="Reason"):
        services.request_return(row, actor=unit_user, reason="  ")
    with pytest.raises(PermissionDenied):
        services.request_return(row, actor=other_unit_user, reason="x")


def _requested(make_proposal, status, department, co_department, unit_user, co_unit_user, role):
    proposal = make_proposal(status, lead=department, co_units=[co_department])
    row = proposal.assignments.get(role=role)
    services.request_return(
        row, actor=unit_user if role == "lead" else co_unit_user, reason="不属于本单位职责"
    )
    return proposal, Assignment.objects.get(pk=row.pk)


def test_an_accepted_lead_return_ends_every_assignment_and_the_case_is_assigned_again(
    make_proposal, department, co_department, unit_user, co_unit_user, office, committee
):
    proposal, row = _requested(
        make_proposal, Status.HANDLING, department, co_department, unit_user, co_unit_user, "lead"
    )
    services.decide_return(row, actor=office, accept=True)
    proposal.refresh_from_db()
    assert proposal.status == Status.ACCEPTED and proposal.deadline is None
    assert set(proposal.assignments.values_list("status", flat=True)) == {AStatus.RETURNED}
    assert Notification.objects.filter(recipient=unit_user, kind="proposal.return_decided").exists()
    assert Notification.objects.filter(recipient=co_unit_user, kind="proposal.assignment_ended").exists()
    # Assigned again: the former co-unit may now lead.
    services.assign(proposal, actor=office, lead=co_department, co_units=[department])
    assert proposal.assignments.exclude(status=AStatus.RETURNED).count() == 2
    assert Proposal.objects.get(pk=proposal.pk).status == Status.ASSIGNED


def test_an_accepted_co_unit_return_ends_only_that_assignment(
    make_proposal, department, co_department, unit_user, co_unit_user, office
):
    proposal, row = _requested(
        make_proposal, Status.HANDLING, department, co_department, unit_user, co_unit_user, "co"
    )
    services.decide_return(row, actor=office, accept=True)
    assert Assignment.objects.get(pk=row.pk).status == AStatus.RETURNED
    assert proposal.assignments.get(role="lead").status == AStatus.SIGNED
    assert Proposal.objects.get(pk=proposal.pk).status == Status.HANDLING


def test_a_refused_return_stands_signed_with_the_answer(
    make_proposal, department, co_department, unit_user, co_unit_user, office
):
    proposal, row = _requested(
        make_proposal, Status.ASSIGNED, department, co_department, unit_user, co_unit_user, "lead"
    )
    with pytest.raises(ProposalError, match="Answer"):
        services.decide_return(row, actor=office, accept=False)
    services.decide_return(row, actor=office, accept=False, answer="属于交通局职责，请办理")
    row.refresh_from_db()
    assert row.status == AStatus.SIGNED and row.return_answer == "属于交通局职责，请办理" and row.signed_at
    assert Proposal.objects.get(pk=proposal.pk).status == Status.HANDLING
    assert Notification.objects.filter(recipient=unit_user, kind="proposal.return_decided").exists()
    with pytest.raises(ProposalError, match="not asked"):
        services.decide_return(row, actor=office, accept=True)


def test_only_staff_decide_returns(make_proposal, department, co_department, unit_user, co_unit_user, leader):
    _proposal, row = _requested(
        make_proposal, Status.ASSIGNED, department, co_department, unit_user, co_unit_user, "lead"
    )
    for actor in (unit_user, leader):
        with pytest.raises(PermissionDenied):
            services.decide_return(row, actor=actor, accept=True)
