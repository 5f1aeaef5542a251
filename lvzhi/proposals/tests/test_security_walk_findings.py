"""What the security walk (tests/security, the proposals part) found in the proposals app, each pinned by
a focused test. A defect still open is marked xfail(strict=True) with what is wrong: the day it is fixed
the test passes, the strict mark fails, and the mark comes off."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity, Participation
from lvzhi.opinions.models import Suggestion
from lvzhi.proposals.models import Proposal

from .fixtures import *  # noqa: F403


@pytest.fixture
def suggestion(committee, my_unit, session, proposer):
    """The proposer's suggestion from an inspection of last week (a session to file in exists)."""
    starts = timezone.now() - datetime.timedelta(days=7)
    activity = Activity.objects.create(
        committee=committee,
        organizing_unit=my_unit,
        kind=Activity.Kind.INSPECTION,
        title="县城公交运行情况视察",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        status=Activity.Status.PUBLISHED,
        place="县公交公司",
    )
    Participation.objects.create(activity=activity, member=proposer)
    return Suggestion.objects.create(
        committee=committee,
        activity=activity,
        member=proposer,
        findings="新建小区没有公交覆盖。",
        text="增开城东线路。",
    )


def test_proposal_staff_start_a_draft_in_the_members_name(client, make_user, suggestion, proposer):
    """The control of the finding below: the office (proposals.review_proposal) may."""
    client.force_login(make_user(Role.OFFICE, username="office"))
    response = client.post(reverse("proposals:from_suggestion", args=[suggestion.pk]))
    assert response.status_code == 302
    made = Proposal.objects.get(from_suggestion=suggestion)
    assert made.authors.get().member == proposer


@pytest.mark.parametrize("role", [Role.EDITOR, Role.LEADER])
def test_who_may_not_review_proposals_starts_none_from_anothers_suggestion(
    client, make_user, suggestion, role
):
    client.force_login(make_user(role, username=f"u-{role.name.lower()}"))
    response = client.post(reverse("proposals:from_suggestion", args=[suggestion.pk]))
    assert response.status_code in (403, 404)
    assert not Proposal.objects.exists()
