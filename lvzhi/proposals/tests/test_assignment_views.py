"""The assignment section of the proposal page: staff assign, the unit signs for it or asks to return
it, staff decide; each sees only its own buttons, other units get 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.core.testing import body
from lvzhi.proposals.models import Assignment, Proposal
from lvzhi.proposals.services.assignment import add_months

from .fixtures import *  # noqa: F403

Status = Proposal.Status
AStatus = Assignment.Status
pytestmark = pytest.mark.usefixtures("english")


def _login(client, user):
    client.force_login(user)
    return client


def test_staff_assign_with_the_default_deadline(
    client, office, make_proposal, department, co_department, settings
):
    # In Chinese too the date field holds an ISO date (a localized one left the browser's field empty).
    settings.LANGUAGE_CODE = "zh-hans"
    proposal = make_proposal(Status.ACCEPTED)
    proposal.suggested_departments.set([department, co_department])
    _login(client, office)
    page = body(client.get(reverse("proposals:detail", args=[proposal.pk])))
    deadline = add_months(timezone.localdate(), 3)
    assert f'value="{deadline.isoformat()}"' in page
    response = client.post(
        reverse("proposals:assign", args=[proposal.pk]),
        {"lead": department.pk, "co_units": [co_department.pk], "version": proposal.version},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Status.ASSIGNED and proposal.deadline == deadline
    # The lead unit cannot also be a co-unit: a form message, nothing written.
    again = make_proposal(Status.ACCEPTED)
    client.post(
        reverse("proposals:assign", args=[again.pk]),
        {"lead": department.pk, "co_units": [department.pk], "version": again.version},
    )
    assert not again.assignments.exists()


def test_the_unit_signs_for_it_and_asks_to_return_it(
    client, unit_user, office, make_proposal, department, co_department
):
    proposal = make_proposal(Status.ASSIGNED, lead=department, co_units=[co_department])
    lead = proposal.assignments.get(role="lead")
    _login(client, unit_user)
    page = body(client.get(reverse("proposals:detail", args=[proposal.pk])))
    assert 'id="sign-for-button"' in page and 'id="request-return-button"' in page
    assert 'id="assign-form"' not in page and "accept-return" not in page
    client.post(reverse("proposals:sign_for", args=[lead.pk]))
    assert Assignment.objects.get(pk=lead.pk).status == AStatus.SIGNED
    assert Proposal.objects.get(pk=proposal.pk).status == Status.HANDLING
    client.post(reverse("proposals:request_return", args=[lead.pk]), {"reason": "x\x00"})
    assert Assignment.objects.get(pk=lead.pk).status == AStatus.SIGNED
    client.post(reverse("proposals:request_return", args=[lead.pk]), {"reason": "不属于本单位职责"})
    assert Assignment.objects.get(pk=lead.pk).status == AStatus.RETURN_REQUESTED
    # The co-unit's assignment is not this unit's to sign.
    co = proposal.assignments.get(role="co")
    assert client.post(reverse("proposals:sign_for", args=[co.pk])).status_code == 404
    _login(client, office)
    page = body(client.get(reverse("proposals:detail", args=[proposal.pk])))
    assert f'id="accept-return-{lead.pk}"' in page and "不属于本单位职责" in page
    client.post(reverse("proposals:decide_return", args=[lead.pk]), {"decision": "refuse"})
    assert Assignment.objects.get(pk=lead.pk).status == AStatus.RETURN_REQUESTED  # an answer is needed
    client.post(reverse("proposals:decide_return", args=[lead.pk]), {"decision": "accept"})
    assert Proposal.objects.get(pk=proposal.pk).status == Status.ACCEPTED


def test_no_return_button_after_the_days(client, unit_user, make_proposal, department):
    proposal = make_proposal(Status.HANDLING, lead=department)
    Assignment.objects.filter(proposal=proposal).update(
        assigned_on=timezone.localdate() - datetime.timedelta(days=11)
    )
    page = body(_login(client, unit_user).get(reverse("proposals:detail", args=[proposal.pk])))
    assert 'id="request-return-button"' not in page


def test_other_units_members_and_other_committees_get_404_or_403(
    client, other_unit_user, proposer, foreign_office, co_unit_user, make_proposal, department, co_department
):
    proposal = make_proposal(Status.ASSIGNED, lead=department, co_units=[co_department])
    lead = proposal.assignments.get(role="lead")
    for user in (other_unit_user, foreign_office):
        _login(client, user)
        assert client.post(reverse("proposals:sign_for", args=[lead.pk])).status_code == 404
        assert (
            client.post(
                reverse("proposals:decide_return", args=[lead.pk]), {"decision": "accept"}
            ).status_code
            == 404
        )
        assert (
            client.post(reverse("proposals:assign", args=[proposal.pk]), {"lead": department.pk}).status_code
            == 404
        )
    # The proposer sees the proposal (so the assign post reaches the service), which refuses them.
    _login(client, proposer.user)
    assert (
        client.post(reverse("proposals:assign", args=[proposal.pk]), {"lead": department.pk}).status_code
        == 403
    )
    # The co-unit sees the proposal but may not decide or sign the lead's assignment.
    _login(client, co_unit_user)
    assert client.post(reverse("proposals:sign_for", args=[lead.pk])).status_code == 404
    assert Assignment.objects.get(pk=lead.pk).status == AStatus.ASSIGNED
