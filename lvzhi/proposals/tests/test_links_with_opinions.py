"""Where proposals and 社情民意 meet, both pages link: a member's inspection suggestion becomes a proposal
draft from the suggestions page, and a report made from a converted proposal names it."""

import pytest
from django.urls import reverse

from lvzhi.opinions.models import OpinionReport
from lvzhi.opinions.services import inspections
from lvzhi.opinions.tests.inspection_fixtures import *  # noqa: F403
from lvzhi.proposals.models import Proposal
from lvzhi.proposals.services import review

from .fixtures import *  # noqa: F403

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_suggestions_page_turns_a_suggestion_into_a_proposal_draft_once(
    client, inspection, member_a, session
):
    suggestion = inspections.hand_in(
        activity=inspection, actor=member_a.user, findings="通勤不便。", text="增开公交。"
    )
    client.force_login(member_a.user)
    page_url = reverse("opinions:activity_suggestions", args=[inspection.pk])
    action = reverse("proposals:from_suggestion", args=[suggestion.pk])
    page = client.get(page_url).content.decode()
    assert f'action="{action}"' in page and "Turn into a proposal draft" in page
    client.post(action)
    proposal = Proposal.objects.get()
    assert proposal.from_suggestion == suggestion and proposal.created_by == member_a.user
    assert "Open the proposal draft" in client.get(page_url).content.decode()
    client.post(action)
    assert Proposal.objects.count() == 1


def test_a_report_made_from_a_converted_proposal_names_it(client, make_proposal, office, proposer):
    proposal = make_proposal()
    review.convert(proposal, actor=office, to=Proposal.Conversion.OPINION)
    report = OpinionReport.objects.get()
    client.force_login(proposer.user)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Converted from a proposal:" in page
    assert f'href="{proposal.get_absolute_url()}"' in page
