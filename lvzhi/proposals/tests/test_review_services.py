"""The review (services/review.py): every step, who may take it, the numbers, the ledger rows."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lvzhi.core.workflow import StaleEdit
from lvzhi.factories import DepartmentFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.notifications.models import Notification
from lvzhi.opinions.models import OpinionReport
from lvzhi.proposals.models import (
    Proposal,
    ProposalAuthor,
    ProposalCategory,
    RejectionReason,
    SerialCounter,
    SupervisionNote,
)
from lvzhi.proposals.services import review
from lvzhi.proposals.services.common import ProposalError

from .fixtures import *  # noqa: F403

Status = Proposal.Status
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def category(committee):
    return ProposalCategory.objects.filter(committee=committee, is_active=True).first()


def ledger(proposal=None):
    qs = DutyRecord.objects.all()
    return set(qs.values_list("member__name", "kind", "role", "note"))


# --- accept ------------------------------------------------------------------------------------------


def test_accept_numbers_the_cases_of_a_session_one_after_another(make_proposal, office, category, session):
    first, second = make_proposal(), make_proposal()
    review.accept(first, actor=office, category=category)
    review.accept(second, actor=office, category=category, expected_version=second.version)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.serial, second.serial) == (1, 2)
    assert first.status == Status.ACCEPTED and first.reviewed_by == office
    assert first.reviewed_on == timezone.localdate() and first.category == category
    assert SerialCounter.objects.get(session=session).last == 2
    assert list(first.status_changes.values_list("from_status", "to_status")) == [("submitted", "accepted")]


def test_accept_continues_an_existing_counter_and_another_session_starts_at_one(
    make_proposal, office, category, session, term
):
    from lvzhi.organization.models import Session

    SerialCounter.objects.create(session=session, last=7)
    other_session = Session.objects.create(
        term=term, number=3, name="第三次会议", start_date=datetime.date(2027, 1, 9)
    )
    here, there = make_proposal(), make_proposal(session=other_session)
    assert review.accept(here, actor=office, category=category).serial == 8
    assert review.accept(there, actor=office, category=category).serial == 1


def test_accept_writes_the_ledger_and_tells_the_proposers(
    make_proposal, office, category, proposer, cosigner
):
    proposal = make_proposal(co_signers=[cosigner])
    review.accept(proposal, actor=office, category=category)
    assert ledger() >= {
        ("张建国", "proposal.accepted", "lead", ""),
        ("李秀英", "proposal.accepted", "co", ""),
    }
    assert Notification.objects.filter(recipient=cosigner.user, kind="proposal.accepted").exists()


def test_a_proposer_cannot_review_their_own_proposal(make_proposal, make_user, committee, category):
    from lvzhi.accounts.roles import Role

    from .fixtures import member_with_account

    staff_member = member_with_account(committee, "陈提案办", role=Role.OFFICE)
    own = make_proposal(author=staff_member)
    with pytest.raises(ProposalError, match="proposer"):
        review.accept(own, actor=staff_member.user, category=category)
    cosigned = make_proposal(co_signers=[staff_member])
    with pytest.raises(ProposalError, match="proposer"):
        review.reject(cosigned, actor=staff_member.user, reason=RejectionReason.objects.first())
    assert Proposal.objects.get(pk=own.pk).status == Status.SUBMITTED


def test_members_units_leaders_and_other_committees_cannot_review(
    make_proposal, other_member, unit_user, leader, foreign_office, category
):
    proposal = make_proposal()
    for actor in (other_member.user, unit_user, leader, foreign_office):
        with pytest.raises(PermissionDenied):
            review.accept(proposal, actor=actor, category=category)
    assert Proposal.objects.get(pk=proposal.pk).status == Status.SUBMITTED


def test_accept_refuses_a_stale_page_a_wrong_status_and_another_committees_category(
    make_proposal, office, category, other_committee
):
    proposal = make_proposal()
    with pytest.raises(StaleEdit):
        review.accept(proposal, actor=office, category=category, expected_version=proposal.version + 1)
    foreign = ProposalCategory.objects.filter(committee=other_committee).first()
    with pytest.raises(ProposalError, match="Category"):
        review.accept(proposal, actor=office, category=foreign)
    with pytest.raises(ProposalError, match="Category"):
        review.accept(proposal, actor=office, category=None)
    with pytest.raises(ProposalError, match="cannot become"):
        review.accept(make_proposal(Status.DRAFT), actor=office, category=category)
    assert not SerialCounter.objects.exists() or SerialCounter.objects.get().last == 0


def test_review_waits_while_co_signers_confirm_then_drops_the_silent(
    make_proposal, office, category, cosigner, cosigner2
):
    proposal = make_proposal(
        co_signers=[cosigner, cosigner2],
        consent=ProposalAuthor.Consent.PENDING,
        cosign_deadline=timezone.now() + datetime.timedelta(days=2),
    )
    assert review.cosigning_open(proposal)
    with pytest.raises(ProposalError, match="still confirming"):
        review.accept(proposal, actor=office, category=category)
    # One confirms; the deadline passes without the other.
    proposal.authors.filter(member=cosigner).update(consent=ProposalAuthor.Consent.CONFIRMED)
    Proposal.objects.filter(pk=proposal.pk).update(
        cosign_deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    proposal.refresh_from_db()
    review.accept(proposal, actor=office, category=category)
    consents = dict(proposal.authors.values_list("member__name", "consent"))
    assert consents == {"张建国": "confirmed", "李秀英": "confirmed", "赵红梅": "dropped"}
    assert ("赵红梅", "proposal.accepted", "co", "") not in ledger()
    assert ("李秀英", "proposal.accepted", "co", "") in ledger()


# --- merge -------------------------------------------------------------------------------------------


def test_merge_accepts_the_main_one_and_credits_the_merged_proposers(
    make_proposal, office, category, other_member, cosigner
):
    main = make_proposal()
    other = make_proposal(author=other_member, co_signers=[cosigner])
    review.merge([other], into=main, actor=office, category=category)
    main.refresh_from_db()
    other.refresh_from_db()
    assert main.status == Status.ACCEPTED and main.serial == 1
    assert other.status == Status.MERGED and other.merged_into == main and other.serial is None
    assert ledger() >= {
        ("张建国", "proposal.accepted", "lead", ""),
        ("王志强", "proposal.accepted", "lead", "并案"),
        ("李秀英", "proposal.accepted", "co", "并案"),
    }
    assert Notification.objects.filter(recipient=other_member.user, kind="proposal.merged").exists()


def test_merge_into_an_accepted_case_and_what_cannot_be_merged(
    make_proposal, office, category, other_member, session, term
):
    from lvzhi.organization.models import Session

    main = make_proposal()
    review.accept(main, actor=office, category=category)
    later = make_proposal(author=other_member)
    review.merge([later], into=Proposal.objects.get(pk=main.pk), actor=office)
    assert Proposal.objects.get(pk=later.pk).merged_into_id == main.pk
    assert Proposal.objects.get(pk=main.pk).serial == 1
    rejected = make_proposal(Status.REJECTED)
    with pytest.raises(ProposalError, match="cannot become"):
        review.merge([rejected], into=main, actor=office)
    other_session = Session.objects.create(
        term=term, number=5, name="第五次会议", start_date=datetime.date(2029, 1, 9)
    )
    with pytest.raises(ProposalError, match="another session"):
        review.merge([make_proposal(session=other_session)], into=main, actor=office)
    with pytest.raises(ProposalError, match="at least one"):
        review.merge([main], into=main, actor=office)
    with pytest.raises(ProposalError, match="submitted or accepted"):
        review.merge([make_proposal()], into=rejected, actor=office)


# --- convert -----------------------------------------------------------------------------------------


def test_convert_to_an_opinion_makes_the_draft_linked_both_ways(make_proposal, office, proposer, cosigner):
    proposal = make_proposal(co_signers=[cosigner])
    review.convert(proposal, actor=office, to="opinion", note="更适合作为社情民意反映")
    proposal.refresh_from_db()
    report = proposal.converted_report
    assert proposal.status == Status.CONVERTED and proposal.converted_to == "opinion"
    assert report.proposal_origin == proposal
    assert report.status == OpinionReport.Status.DRAFT and report.title == proposal.title
    assert "县城公交线路少" in report.body and "增开线路" in report.body
    assert list(report.authors.order_by("order").values_list("name", "role")) == [
        ("张建国", "lead"),
        ("李秀英", "co"),
    ]
    assert ledger() >= {
        ("张建国", "proposal.converted", "lead", ""),
        ("李秀英", "proposal.converted", "co", ""),
    }


def test_convert_to_a_letter_needs_a_department_of_the_committee(
    make_proposal, office, department, other_committee
):
    proposal = make_proposal()
    with pytest.raises(ProposalError, match="Department"):
        review.convert(proposal, actor=office, to="letter")
    with pytest.raises(ProposalError, match="Department"):
        review.convert(
            proposal, actor=office, to="letter", department=DepartmentFactory(committee=other_committee)
        )
    with pytest.raises(ProposalError, match="Convert to"):
        review.convert(proposal, actor=office, to="bulletin")
    review.convert(proposal, actor=office, to="letter", department=department)
    proposal.refresh_from_db()
    assert proposal.letter_department == department and proposal.converted_report is None


# --- reject ------------------------------------------------------------------------------------------


def test_reject_takes_a_reason_of_the_committees_list(
    make_proposal, office, proposer, committee, other_committee
):
    proposal = make_proposal()
    foreign = RejectionReason.objects.filter(committee=other_committee).first()
    with pytest.raises(ProposalError, match="Reason"):
        review.reject(proposal, actor=office, reason=foreign)
    retired = RejectionReason.objects.filter(committee=committee).first()
    retired.is_active = False
    retired.save()
    with pytest.raises(ProposalError, match="Reason"):
        review.reject(proposal, actor=office, reason=retired)
    reason = RejectionReason.objects.filter(committee=committee, is_active=True).first()
    review.reject(proposal, actor=office, reason=reason, note="建议向有关部门反映")
    proposal.refresh_from_db()
    assert proposal.status == Status.REJECTED and proposal.rejection_reason == reason
    assert proposal.review_note == "建议向有关部门反映"
    assert Notification.objects.filter(recipient=proposer.user, kind="proposal.rejected").exists()
    assert not DutyRecord.objects.filter(kind="proposal.accepted").exists()


# --- flags, supervision, closing ---------------------------------------------------------------------


def test_key_needs_a_leader_and_writes_the_ledger(make_proposal, office, leader, office2):
    proposal = make_proposal(Status.ASSIGNED)
    with pytest.raises(ProposalError, match="leader"):
        review.mark_key(proposal, actor=office, key=True, leader=office2)
    review.mark_key(proposal, actor=office, key=True, leader=leader)
    proposal.refresh_from_db()
    assert (
        proposal.is_key and proposal.key_leader == leader and proposal.key_marked_on == timezone.localdate()
    )
    assert ("张建国", "proposal.key", "lead", "") in ledger()
    assert Notification.objects.filter(recipient=leader, kind="proposal.key").exists()
    review.mark_key(proposal, actor=office, key=False)
    proposal.refresh_from_db()
    assert not proposal.is_key and proposal.key_leader is None
    assert not DutyRecord.objects.filter(kind="proposal.key").exists()
    with pytest.raises(ProposalError, match="Only accepted"):
        review.mark_key(make_proposal(), actor=office, key=True, leader=leader)


def test_excellent_only_for_accepted_cases_and_in_the_ledger(make_proposal, office):
    with pytest.raises(ProposalError, match="Only accepted"):
        review.mark_excellent(make_proposal(Status.REJECTED), actor=office, excellent=True)
    proposal = make_proposal(Status.CLOSED)
    review.mark_excellent(proposal, actor=office, excellent=True)
    assert ("张建国", "proposal.excellent", "lead", "") in ledger()
    review.mark_excellent(proposal, actor=office, excellent=False)
    assert not DutyRecord.objects.filter(kind="proposal.excellent").exists()


def test_supervision_notes_by_staff_or_the_supervising_leader(
    make_proposal, office, leader, make_user, unit_user
):
    from lvzhi.accounts.roles import Role

    proposal = make_proposal(Status.HANDLING)
    review.mark_key(proposal, actor=office, key=True, leader=leader)
    proposal.refresh_from_db()
    today = timezone.localdate()
    review.add_supervision_note(proposal, actor=office, date=today, note="电话督促承办单位")
    review.add_supervision_note(proposal, actor=leader, date=today, note="实地察看")
    other_leader = make_user(Role.LEADER, username="leader2")
    for actor in (other_leader, unit_user):
        with pytest.raises(PermissionDenied):
            review.add_supervision_note(proposal, actor=actor, date=today, note="x")
    with pytest.raises(ProposalError, match="Date"):
        review.add_supervision_note(proposal, actor=office, date=today + datetime.timedelta(days=1), note="x")
    with pytest.raises(ProposalError, match="Note"):
        review.add_supervision_note(proposal, actor=office, date=today, note="  ")
    assert list(SupervisionNote.objects.values_list("note", flat=True)) == ["电话督促承办单位", "实地察看"]


def test_a_closed_case_takes_no_more_supervision_notes(client, make_proposal, office):
    closed = make_proposal(Status.CLOSED)
    with pytest.raises(ProposalError, match="closed"):
        review.add_supervision_note(closed, actor=office, date=timezone.localdate(), note="回访")
    client.force_login(office)
    assert 'id="supervision-form"' not in client.get(closed.get_absolute_url()).content.decode()
    assert not SupervisionNote.objects.exists()


def test_close_from_evaluated_and_from_replied_with_a_note(make_proposal, office):
    evaluated = make_proposal(Status.EVALUATED)
    review.close(evaluated, actor=office)
    evaluated.refresh_from_db()
    assert evaluated.status == Status.CLOSED and evaluated.closed_on == timezone.localdate()
    replied = make_proposal(Status.REPLIED)
    with pytest.raises(ProposalError, match="not evaluated"):
        review.close(replied, actor=office)
    review.close(replied, actor=office, note="提案人逾期未评价")
    assert Proposal.objects.get(pk=replied.pk).status == Status.CLOSED
    with pytest.raises(ProposalError, match="cannot become"):
        review.close(make_proposal(Status.HANDLING), actor=office, note="x")
