"""The shared fixtures build what they promise, and the scoped querysets see what DESIGN §6.6 says."""

from lvzhi.proposals.models import Assignment, Proposal

from .fixtures import *  # noqa: F403

Status = Proposal.Status


def test_a_unit_sees_only_what_is_assigned_to_it(
    make_proposal, department, unit_user, other_unit_user, proposer
):
    assigned = make_proposal(Status.HANDLING, lead=department)
    make_proposal(Status.ACCEPTED)
    assert list(Proposal.objects.visible_to(unit_user)) == [assigned]
    assert list(Proposal.objects.visible_to(other_unit_user)) == []
    assert Assignment.objects.visible_to(unit_user).count() == 1
    assert Assignment.objects.visible_to(other_unit_user).count() == 0


def test_staff_see_all_but_others_drafts(make_proposal, office, proposer):
    draft = make_proposal(Status.DRAFT)
    submitted = make_proposal(Status.SUBMITTED)
    assert list(Proposal.objects.visible_to(office)) == [submitted]
    assert set(Proposal.objects.visible_to(proposer.user)) == {draft, submitted}


def test_another_committee_sees_nothing(make_proposal, foreign_office):
    make_proposal(Status.SUBMITTED)
    assert not Proposal.objects.visible_to(foreign_office).exists()
