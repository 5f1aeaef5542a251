"""A member's paper proposal typed in by the proposal office (services.filing.record_paper_proposal):
submitted at once in the member's name, members without accounts, co-signers confirmed, the ledger, the
reviewers told, and the typist kept out of its review; nobody else may type one in."""

import pytest
from django.core.exceptions import PermissionDenied

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberFactory, OrgUnitFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.notifications.models import Notification
from lvzhi.organization.models import OrgUnit
from lvzhi.proposals.models import (
    Proposal,
    ProposalAuthor,
    ProposalCategory,
    ProposalPolicy,
    ProposalStatusChange,
)
from lvzhi.proposals.services import filing, review
from lvzhi.proposals.services.common import ProposalError

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("english")

Status = Proposal.Status
Consent = ProposalAuthor.Consent


@pytest.fixture
def paper_member(committee):
    """A member without an account, who hands proposals in on paper."""
    return MemberFactory(committee=committee, name="赵纸稿")


@pytest.fixture
def paper_cosigners(committee):
    return [
        MemberFactory(committee=committee, name="钱联名"),
        MemberFactory(committee=committee, name="孙联名"),
    ]


def _record(actor, lead, session, **extra):
    values = {
        "actor": actor,
        "lead_member": lead,
        "session": session,
        "title": "关于修复村道的提案",
        "case": "村道破损严重。",
        "analysis": "养护资金不足。",
        "suggestions": "列入年度养护计划。",
        "kind": Proposal.Kind.INDIVIDUAL,
        "timing": Proposal.Timing.DURING,
        "category": ProposalCategory.objects.filter(committee=session.term.committee).first(),
    }
    values.update(extra)
    return filing.record_paper_proposal(**values)


def test_the_office_submits_a_paper_proposal_in_the_members_name(office, paper_member, session):
    proposal = _record(office, paper_member, session)

    assert proposal.status == Status.SUBMITTED and proposal.submitted_at is not None
    assert proposal.created_by == office and proposal.kind == Proposal.Kind.INDIVIDUAL
    lead = proposal.authors.get()
    assert (lead.member, lead.user, lead.role, lead.consent) == (paper_member, None, "lead", "confirmed")
    change = ProposalStatusChange.objects.get(proposal=proposal)
    assert (change.from_status, change.to_status, change.actor) == ("draft", "submitted", office)
    assert "paper" in change.reason
    event = AuditEvent.objects.get(event="proposals.paper_proposal_recorded")
    assert event.object_id == str(proposal.pk) and event.actor == office
    record = DutyRecord.objects.get(member=paper_member, kind="proposal.submitted")
    assert (record.source_id, record.role) == (proposal.pk, "lead")
    assert proposal.cosign_deadline is None


def test_paper_co_signers_are_confirmed_at_once_and_count(office, paper_member, paper_cosigners, session):
    proposal = _record(office, paper_member, session, co_signers=paper_cosigners)

    assert proposal.kind == Proposal.Kind.JOINT and proposal.cosign_deadline is None
    co = list(proposal.authors.filter(role="co").order_by("order"))
    assert [a.member for a in co] == paper_cosigners
    assert all(a.consent == Consent.CONFIRMED and a.responded_at and a.user_id is None for a in co)
    for member in paper_cosigners:
        assert DutyRecord.objects.filter(member=member, kind="proposal.submitted", role="co").exists()
    # Nobody is invited online, and review need not wait.
    assert not filing.cosigning_open(proposal)
    assert not Notification.objects.filter(kind="proposal.cosign_invited").exists()


def test_a_co_signer_with_an_account_is_confirmed_too_and_told(office, paper_member, cosigner, session):
    proposal = _record(office, paper_member, session, co_signers=[cosigner, paper_member])

    author = proposal.authors.get(role="co")  # the first proposer is not their own co-signer
    assert (author.member, author.consent) == (cosigner, Consent.CONFIRMED)
    assert Notification.objects.filter(recipient=cosigner.user, kind="proposal.paper_recorded").exists()


def test_the_reviewers_are_told_but_not_the_typist(office, office2, paper_member, session):
    _record(office, paper_member, session)

    assert Notification.objects.filter(recipient=office2, kind="proposal.submitted").exists()
    assert not Notification.objects.filter(recipient=office).exists()


def test_the_typist_cannot_review_it_a_colleague_can(office, office2, paper_member, session):
    proposal = _record(office, paper_member, session)

    with pytest.raises(ProposalError, match="proposer"):
        review.accept(proposal, actor=office, category=proposal.category)
    proposal = review.accept(proposal, actor=office2, category=proposal.category)
    assert proposal.status == Status.ACCEPTED and proposal.serial == 1
    assert DutyRecord.objects.filter(member=paper_member, kind="proposal.accepted").exists()


def test_a_collective_paper_proposal_has_its_body_and_main_authors(office, paper_member, committee, session):
    sector = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="农业界")
    author = MemberFactory(committee=committee, name="周主笔")
    proposal = _record(
        office,
        paper_member,
        session,
        kind=Proposal.Kind.COLLECTIVE,
        collective_unit=sector,
        collective_authors=[author],
        co_signers=[MemberFactory(committee=committee, name="吴旁人")],
    )

    assert proposal.kind == Proposal.Kind.COLLECTIVE and proposal.collective_unit == sector
    assert set(proposal.authors.values_list("role", "name")) == {("lead", "赵纸稿"), ("collective", "周主笔")}


@pytest.mark.parametrize("role", [Role.MEMBER, Role.HANDLING_UNIT, Role.UNIT_STAFF, Role.LEADER])
def test_nobody_but_proposal_staff_types_one_in(make_user, paper_member, session, role, department):
    user = make_user(role, department=department) if role == Role.HANDLING_UNIT else make_user(role)
    with pytest.raises(PermissionDenied):
        _record(user, paper_member, session)
    assert not Proposal.objects.exists()


def test_another_committees_staff_or_member_is_refused(
    office, foreign_office, paper_member, other_committee, session
):
    with pytest.raises((PermissionDenied, ProposalError)):
        _record(foreign_office, paper_member, session)
    stranger = MemberFactory(committee=other_committee, name="邻县委员")
    with pytest.raises(ProposalError, match="member of your committee"):
        _record(office, stranger, session)
    with pytest.raises(ProposalError, match="not a member of this committee"):
        _record(office, paper_member, session, co_signers=[stranger])
    assert not Proposal.objects.exists()


def test_the_length_limit_and_the_required_parts_hold(office, paper_member, committee, session):
    ProposalPolicy.objects.create(committee=committee, body_limit=10)
    with pytest.raises(ProposalError, match="limit of 10"):
        _record(office, paper_member, session, case="字" * 11)
    with pytest.raises(ProposalError, match="Suggestions"):
        _record(office, paper_member, session, case="短", analysis="", suggestions="")
    assert not Proposal.objects.exists()
    assert not DutyRecord.objects.exists()
