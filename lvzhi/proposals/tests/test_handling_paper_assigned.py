"""A paper reply from a lead unit that never signs in (services.handling.record_paper_reply while the
proposal is still ASSIGNED): staff sign for the lead unit's assignment on paper in the same step, with
the history of each move; every other rule of the paper reply holds; the proposal page offers it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from lvzhi.core.testing import body
from lvzhi.notifications.models import Notification
from lvzhi.proposals.models import Assignment, AssignmentStatusChange, Proposal, ProposalStatusChange, Reply
from lvzhi.proposals.services import handling as services
from lvzhi.proposals.services.common import ProposalError

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("english")

Status = Proposal.Status
AStatus = Assignment.Status


@pytest.fixture
def assigned(make_proposal, department, co_department):
    """Assigned to the lead unit (交通局) and a co-unit (财政局); neither has signed for it."""
    return make_proposal(Status.ASSIGNED, lead=department, co_units=[co_department])


def _paper(proposal, actor, **extra):
    values = {"result": "B", "text": "纸质答复：已列入明年计划。", "replied_on": timezone.localdate()}
    values.update(extra)
    return services.record_paper_reply(proposal, actor=actor, **values)


def _lead(proposal):
    return Assignment.objects.get(proposal=proposal, role=Assignment.Role.LEAD)


def test_staff_sign_for_the_lead_unit_on_paper_and_record_its_reply(
    assigned, office, department, co_department, proposer, unit_user
):
    proposal = _paper(assigned, office)

    assert proposal.status == Status.REPLIED
    lead = _lead(assigned)
    assert (lead.status, lead.signed_by) == (AStatus.SIGNED, office) and lead.signed_at is not None
    signed = AssignmentStatusChange.objects.get(assignment=lead)
    assert (signed.from_status, signed.to_status, signed.actor, signed.reason) == (
        "assigned",
        "signed",
        office,
        "signed on paper",
    )
    moves = list(
        ProposalStatusChange.objects.filter(proposal=assigned)
        .order_by("pk")
        .values_list("from_status", "to_status")
    )
    assert moves == [("assigned", "handling"), ("handling", "replied")]
    reply = Reply.objects.get()
    assert (reply.department, reply.on_paper, reply.sent_by, reply.result) == (department, True, office, "B")
    # The co-unit's assignment is its own business.
    assert Assignment.objects.get(proposal=assigned, department=co_department).status == AStatus.ASSIGNED
    assert Notification.objects.filter(recipient=proposer.user, kind="proposal.replied").exists()
    assert Notification.objects.filter(recipient=unit_user, kind="proposal.paper_reply_recorded").exists()


def test_a_lead_unit_asking_to_return_it_is_decided_first(assigned, office):
    Assignment.objects.filter(pk=_lead(assigned).pk).update(
        status=AStatus.RETURN_REQUESTED, return_reason="不属于本单位职责"
    )
    assert not services.may_record_paper_reply(office, assigned)
    with pytest.raises(ProposalError, match="settle that"):
        _paper(assigned, office)
    assigned.refresh_from_db()
    assert assigned.status == Status.ASSIGNED and not Reply.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"result": ""},
        {"text": "", "uploaded_file": None},
        {"text": "答复\x00"},
        {"text": "长" * (services.REPLY_MAX + 1)},
        {"replied_on": timezone.localdate() + datetime.timedelta(days=1)},
    ],
)
def test_refused_input_signs_nothing(assigned, office, fields):
    with pytest.raises(ProposalError):
        _paper(assigned, office, **fields)
    assigned.refresh_from_db()
    assert assigned.status == Status.ASSIGNED and _lead(assigned).status == AStatus.ASSIGNED
    assert not AssignmentStatusChange.objects.exists() and not ProposalStatusChange.objects.exists()


def test_a_reply_before_the_assignment_is_refused(make_proposal, department, office):
    case = make_proposal(Status.ASSIGNED, lead=department, assigned_on=timezone.localdate())
    with pytest.raises(ProposalError, match="before the assignment"):
        _paper(case, office, replied_on=timezone.localdate() - datetime.timedelta(days=1))
    assert _lead(case).status == AStatus.ASSIGNED


def test_only_proposal_staff_who_are_not_proposers(
    assigned, unit_user, leader, proposer, make_proposal, department
):
    for user in (unit_user, leader, proposer.user):
        with pytest.raises(PermissionDenied):
            _paper(assigned, user)
    assert _lead(assigned).status == AStatus.ASSIGNED


def test_an_accepted_case_is_not_replied_to(make_proposal, office):
    accepted = make_proposal(Status.ACCEPTED)
    assert not services.may_record_paper_reply(office, accepted)
    with pytest.raises(ProposalError):
        _paper(accepted, office)


# --- the proposal page --------------------------------------------------------------------------------


def test_staff_see_the_paper_reply_form_on_an_assigned_case_and_record_it(client, assigned, office):
    client.force_login(office)
    page = body(client.get(reverse("proposals:detail", args=[assigned.pk])))
    assert 'id="paper-reply-form"' in page and 'id="paper-reply-signs"' in page
    response = client.post(
        reverse("proposals:paper_reply", args=[assigned.pk]),
        {"paper-replied_on": timezone.localdate().isoformat(), "paper-result": "A", "paper-text": "纸质答复"},
    )
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert assigned.status == Status.REPLIED and _lead(assigned).status == AStatus.SIGNED
    page = body(client.get(reverse("proposals:detail", args=[assigned.pk])))
    assert 'id="paper-reply-form"' not in page and "paper reply recorded by staff" in page


def test_the_units_do_not_see_it_and_a_return_request_hides_it(client, assigned, office, unit_user):
    client.force_login(unit_user)
    assert 'id="paper-reply-form"' not in body(client.get(reverse("proposals:detail", args=[assigned.pk])))
    Assignment.objects.filter(pk=_lead(assigned).pk).update(status=AStatus.RETURN_REQUESTED)
    client.force_login(office)
    assert 'id="paper-reply-form"' not in body(client.get(reverse("proposals:detail", args=[assigned.pk])))


def test_a_refused_paper_reply_on_an_assigned_case_keeps_the_page(client, assigned, office):
    client.force_login(office)
    response = client.post(
        reverse("proposals:paper_reply", args=[assigned.pk]),
        {"paper-replied_on": timezone.localdate().isoformat(), "paper-result": "A", "paper-text": "答复\x00"},
    )
    assert response.status_code == 400 and 'id="paper-reply-form"' in body(response)
    assigned.refresh_from_db()
    assert assigned.status == Status.ASSIGNED and _lead(assigned).status == AStatus.ASSIGNED
