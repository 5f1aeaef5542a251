"""Filing services: drafts (individual, joint, collective), the length limit, submission, co-signers'
answers and their deadline, dropping the unconfirmed, attachments, drafts from inspection suggestions,
and the ledger rows each step leaves."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity
from lvzhi.core.models import AuditEvent
from lvzhi.core.workflow import StaleEdit
from lvzhi.factories import DepartmentFactory, MemberFactory, OrgUnitFactory, TermFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.notifications.models import Notification
from lvzhi.opinions.models import Suggestion
from lvzhi.organization.models import OrgUnit, Session
from lvzhi.proposals.models import (
    Proposal,
    ProposalAttachment,
    ProposalAuthor,
    ProposalCategory,
    ProposalPolicy,
)
from lvzhi.proposals.services import filing
from lvzhi.proposals.services.common import ProposalError

from .fixtures import *  # noqa: F403

Status = Proposal.Status
Consent = ProposalAuthor.Consent
pytestmark = pytest.mark.usefixtures("english")

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _draft(proposer, session, **kwargs):
    fields = {
        "title": "关于改善县城公交线路的提案",
        "case": "县城公交线路少。",
        "analysis": "新建小区没有公交。",
        "suggestions": "增开线路。",
    }
    return filing.create_draft(actor=proposer.user, session=session, **{**fields, **kwargs})


def _ledger(proposal):
    return sorted(
        DutyRecord.objects.filter(source_id=proposal.pk, kind="proposal.submitted").values_list(
            "member__name", "role"
        )
    )


@pytest.fixture
def joint(proposer, cosigner, cosigner2, session):
    """A joint proposal submitted now: two co-signers invited."""
    proposal = _draft(proposer, session, co_signers=[cosigner, cosigner2])
    return filing.submit(proposal, actor=proposer.user)


# --- drafts ------------------------------------------------------------------------------------------


def test_an_individual_draft_has_the_member_as_first_proposer(proposer, session, committee):
    category = ProposalCategory.objects.filter(committee=committee).first()
    department = DepartmentFactory(committee=committee)
    proposal = _draft(proposer, session, category=category, suggested_departments=[department])
    assert proposal.status == Status.DRAFT and proposal.kind == Proposal.Kind.INDIVIDUAL
    assert proposal.committee == committee and proposal.category == category
    assert list(proposal.suggested_departments.all()) == [department]
    (lead,) = proposal.authors.all()
    assert (lead.member, lead.user, lead.role, lead.consent) == (proposer, proposer.user, "lead", "confirmed")
    assert AuditEvent.objects.filter(event="proposals.draft_saved", object_id=str(proposal.pk)).exists()


def test_co_signers_make_a_joint_draft_and_are_invited(proposer, cosigner, cosigner2, session):
    proposal = _draft(proposer, session, co_signers=[cosigner, cosigner2, cosigner, proposer])
    assert proposal.kind == Proposal.Kind.JOINT
    co = list(proposal.authors.filter(role="co").order_by("order"))
    assert [(a.member, a.consent) for a in co] == [(cosigner, "pending"), (cosigner2, "pending")]
    # Nobody hears of it before it is submitted.
    assert not Notification.objects.filter(recipient=cosigner.user).exists()


def test_co_signers_must_be_members_of_the_committee(proposer, session, other_committee):
    stranger = MemberFactory(committee=other_committee, name="外县委员")
    with pytest.raises(ProposalError, match="not a member of this committee"):
        _draft(proposer, session, co_signers=[stranger])


def test_a_co_signer_without_an_account_cannot_be_invited(proposer, session, committee):
    offline = MemberFactory(committee=committee, name="无账号委员", user=None)
    with pytest.raises(ProposalError, match="no account"):
        _draft(proposer, session, co_signers=[offline])


def test_the_title_is_required(proposer, session):
    with pytest.raises(ProposalError, match="Title"):
        _draft(proposer, session, title="   ")


def test_the_session_must_be_of_the_own_committee(proposer, other_committee):
    term = TermFactory(committee=other_committee)
    foreign = Session.objects.create(
        term=term, number=1, name="第一次会议", start_date=datetime.date(2025, 1, 8)
    )
    with pytest.raises(ProposalError, match="Session"):
        _draft(proposer, foreign)


def test_the_category_must_be_the_committees_and_in_use(proposer, session, committee, other_committee):
    foreign = ProposalCategory.objects.filter(committee=other_committee).first()
    with pytest.raises(ProposalError, match="Category"):
        _draft(proposer, session, category=foreign)
    retired = ProposalCategory.objects.filter(committee=committee).first()
    retired.is_active = False
    retired.save()
    with pytest.raises(ProposalError, match="Category"):
        _draft(proposer, session, category=retired)


def test_suggested_units_must_be_the_committees(proposer, session, other_committee):
    with pytest.raises(ProposalError, match="handling units"):
        _draft(proposer, session, suggested_departments=[DepartmentFactory(committee=other_committee)])


def test_the_length_limit_counts_case_analysis_and_suggestions(proposer, session, committee):
    ProposalPolicy.objects.create(committee=committee, body_limit=30)
    with pytest.raises(ProposalError) as refused:
        _draft(proposer, session, case="甲" * 10, analysis="乙" * 11, suggestions="丙" * 10)
    assert refused.value.params == {"count": 31, "limit": 30}
    assert "31" in refused.value.messages[0] and "30" in refused.value.messages[0]
    # CRLF counts as one character, as on the page.
    assert (
        _draft(proposer, session, case="甲\r\n" * 5, analysis="乙" * 10, suggestions="丙" * 10).case
        == "甲\n" * 5
    )


def test_a_collective_draft_names_its_body_and_main_authors(proposer, cosigner, session, committee):
    sector = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="教育界")
    proposal = _draft(
        proposer, session, kind="collective", collective_unit=sector, collective_authors=[cosigner, proposer]
    )
    assert proposal.kind == Proposal.Kind.COLLECTIVE and proposal.collective_unit == sector
    main = proposal.authors.get(role="collective")
    assert (main.member, main.consent) == (cosigner, "confirmed")
    by_name = _draft(
        proposer, session, kind="collective", collective_name="民盟县委会", collective_authors=[cosigner]
    )
    assert by_name.collective_name == "民盟县委会"


def test_a_collective_proposal_is_filed_only_for_sectors_special_committees_or_own_units(
    proposer, cosigner, session, committee, make_user
):
    group = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.MEMBER_GROUP, name="第一委员小组")
    with pytest.raises(ProposalError, match="Proposing body"):
        _draft(proposer, session, kind="collective", collective_unit=group, collective_authors=[cosigner])
    with pytest.raises(ProposalError, match="Proposing body"):
        _draft(proposer, session, kind="collective", collective_unit=group, collective_name="民盟")
    # Unit staff file in the name of the unit they staff, with no member file of their own.
    staff = make_user(Role.UNIT_STAFF, units=[group])
    proposal = filing.create_draft(
        actor=staff,
        session=session,
        title="关于委员小组活动的提案",
        kind="collective",
        collective_unit=group,
        collective_authors=[cosigner],
    )
    lead = proposal.authors.get(role="lead")
    assert lead.member is None and lead.user == staff


def test_an_account_without_a_member_file_files_no_individual_proposal(make_user, session, my_unit):
    staff = make_user(Role.UNIT_STAFF, units=[my_unit])
    with pytest.raises(ProposalError, match="member file"):
        filing.create_draft(actor=staff, session=session, title="关于……的提案")


def test_who_cannot_file_is_refused(office, session):
    with pytest.raises(PermissionDenied):
        filing.create_draft(actor=office, session=session, title="关于……的提案")


def test_the_first_proposer_updates_the_draft_and_a_stale_tab_is_refused(proposer, cosigner, session):
    proposal = _draft(proposer, session)
    version = proposal.version
    updated = filing.update_draft(
        proposal, actor=proposer.user, expected_version=version, title="新标题", co_signers=[cosigner]
    )
    assert updated.title == "新标题" and updated.kind == Proposal.Kind.JOINT
    assert updated.case == "县城公交线路少。"  # left out: unchanged
    with pytest.raises(StaleEdit):
        filing.update_draft(proposal, actor=proposer.user, expected_version=version, title="旧标签页")
    again = filing.update_draft(updated, actor=proposer.user, co_signers=[])
    assert again.kind == Proposal.Kind.INDIVIDUAL and not again.authors.filter(role="co").exists()


def test_a_co_signer_cannot_edit_or_submit(proposer, cosigner, session):
    proposal = _draft(proposer, session, co_signers=[cosigner])
    with pytest.raises(PermissionDenied):
        filing.update_draft(proposal, actor=cosigner.user, title="联名人改的")
    with pytest.raises(PermissionDenied):
        filing.submit(proposal, actor=cosigner.user)
    with pytest.raises(PermissionDenied):
        filing.add_attachment(
            proposal=proposal, uploaded_file=SimpleUploadedFile("a.pdf", PDF), actor=cosigner.user
        )
    proposal.refresh_from_db()
    assert proposal.title == "关于改善县城公交线路的提案" and proposal.status == Status.DRAFT


def test_another_member_and_another_committee_cannot_edit(proposer, other_member, foreign_office, session):
    proposal = _draft(proposer, session)
    for outsider in (other_member.user, foreign_office):
        with pytest.raises(PermissionDenied):
            filing.update_draft(proposal, actor=outsider, title="别人改的")
        with pytest.raises(PermissionDenied):
            filing.submit(proposal, actor=outsider)


def test_a_submitted_proposal_cannot_be_edited(proposer, session):
    proposal = filing.submit(_draft(proposer, session), actor=proposer.user)
    with pytest.raises(ProposalError, match="cannot be changed"):
        filing.update_draft(proposal, actor=proposer.user, title="提交后改的")


# --- submission --------------------------------------------------------------------------------------


def test_submitting_an_individual_proposal_tells_the_reviewers_and_writes_the_ledger(
    proposer, office, session
):
    proposal = _draft(proposer, session)
    assert _ledger(proposal) == []
    proposal = filing.submit(proposal, actor=proposer.user)
    assert proposal.status == Status.SUBMITTED and proposal.submitted_at is not None
    assert proposal.cosign_deadline is None
    assert proposal.status_changes.get().to_status == Status.SUBMITTED
    assert Notification.objects.filter(recipient=office, kind="proposal.submitted").exists()
    assert _ledger(proposal) == [("张建国", "lead")]


def test_submitting_twice_is_refused(proposer, session):
    proposal = filing.submit(_draft(proposer, session), actor=proposer.user)
    with pytest.raises(ProposalError, match="cannot become"):
        filing.submit(proposal, actor=proposer.user)


def test_submission_needs_case_and_suggestions_within_the_limit(proposer, session, committee):
    proposal = _draft(proposer, session, case="", suggestions="")
    with pytest.raises(ProposalError) as refused:
        filing.submit(proposal, actor=proposer.user)
    assert {e.code for e in refused.value.error_list} == {"case_required", "suggestions_required"}
    proposal.refresh_from_db()
    assert proposal.status == Status.DRAFT


def test_a_joint_proposal_invites_each_co_signer_until_the_deadline(joint, cosigner, cosigner2, committee):
    days = ProposalPolicy._meta.get_field("cosign_days").default
    assert joint.kind == Proposal.Kind.JOINT
    assert abs(
        joint.cosign_deadline - (joint.submitted_at + datetime.timedelta(days=days))
    ) < datetime.timedelta(seconds=1)
    assert set(joint.authors.filter(role="co").values_list("consent", flat=True)) == {"pending"}
    for member in (cosigner, cosigner2):
        note = Notification.objects.get(recipient=member.user, kind="proposal.cosign_invited")
        assert note.url == f"/proposals/{joint.pk}/" and "张建国" in note.title
    assert filing.cosigning_open(joint)
    # Only the first proposer counts until the co-signers confirm.
    assert _ledger(joint) == [("张建国", "lead")]


def test_the_cosign_days_come_from_the_committee(proposer, cosigner, session, committee):
    ProposalPolicy.objects.create(committee=committee, cosign_days=3)
    proposal = filing.submit(_draft(proposer, session, co_signers=[cosigner]), actor=proposer.user)
    assert proposal.cosign_deadline.date() == (proposal.submitted_at + datetime.timedelta(days=3)).date()


# --- co-signing --------------------------------------------------------------------------------------


def test_a_co_signer_confirms_and_counts_from_then(joint, proposer, cosigner):
    author = filing.confirm_cosign(joint, actor=cosigner.user)
    assert (author.consent, author.responded_at is not None) == ("confirmed", True)
    assert _ledger(joint) == [("张建国", "lead"), ("李秀英", "co")]
    assert Notification.objects.filter(recipient=proposer.user, kind="proposal.cosign_answered").exists()
    assert AuditEvent.objects.filter(event="proposals.cosign_answered").exists()
    with pytest.raises(ProposalError, match="closed"):
        filing.confirm_cosign(joint, actor=cosigner.user)


def test_a_co_signer_declines_and_does_not_count(joint, proposer, cosigner):
    author = filing.decline_cosign(joint, actor=cosigner.user)
    assert author.consent == "declined"
    assert _ledger(joint) == [("张建国", "lead")]
    with pytest.raises(ProposalError):
        filing.confirm_cosign(joint, actor=cosigner.user)


def test_only_the_invited_co_signer_answers(joint, proposer, other_member, foreign_office):
    for outsider in (proposer.user, other_member.user, foreign_office):
        with pytest.raises(PermissionDenied):
            filing.confirm_cosign(joint, actor=outsider)


def test_nobody_confirms_after_the_deadline(joint, cosigner):
    Proposal.objects.filter(pk=joint.pk).update(
        cosign_deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    joint.refresh_from_db()
    assert not filing.cosigning_open(joint)
    with pytest.raises(ProposalError, match="ended"):
        filing.confirm_cosign(joint, actor=cosigner.user)
    assert joint.authors.get(member=cosigner).consent == "pending"


def test_a_draft_invitation_cannot_be_answered_yet(proposer, cosigner, session):
    proposal = _draft(proposer, session, co_signers=[cosigner])
    with pytest.raises(ProposalError, match="closed"):
        filing.confirm_cosign(proposal, actor=cosigner.user)


def test_unconfirmed_co_signers_drop_off_at_the_deadline(joint, proposer, cosigner, cosigner2):
    filing.confirm_cosign(joint, actor=cosigner.user)
    before = joint.cosign_deadline - datetime.timedelta(minutes=1)
    assert filing.drop_unconfirmed(now=before) == 0
    after = joint.cosign_deadline + datetime.timedelta(minutes=1)
    assert filing.drop_unconfirmed(now=after) == 1
    assert joint.authors.get(member=cosigner2).consent == "dropped"
    assert joint.authors.get(member=cosigner).consent == "confirmed"
    note = Notification.objects.get(recipient=proposer.user, kind="proposal.cosigners_dropped")
    assert "赵红梅" in note.title
    # Idempotent: a second run finds nothing and tells nobody again.
    assert filing.drop_unconfirmed(now=after) == 0
    assert Notification.objects.filter(kind="proposal.cosigners_dropped").count() == 1
    assert _ledger(joint) == [("张建国", "lead"), ("李秀英", "co")]
    with pytest.raises(ProposalError):
        filing.confirm_cosign(joint, actor=cosigner2.user)


def test_cosigning_closes_when_everyone_answered(joint, cosigner, cosigner2):
    filing.confirm_cosign(joint, actor=cosigner.user)
    assert filing.cosigning_open(joint)
    filing.decline_cosign(joint, actor=cosigner2.user)
    assert not filing.cosigning_open(joint)


# --- attachments -------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_first_proposer_attaches_and_removes_files_while_drafting(
    proposer, session, media, django_capture_on_commit_callbacks
):
    proposal = _draft(proposer, session)
    attachment = filing.add_attachment(
        proposal=proposal, uploaded_file=SimpleUploadedFile("调研.pdf", PDF), actor=proposer.user
    )
    assert attachment.original_name == "调研.pdf" and attachment.content_type == "application/pdf"
    assert AuditEvent.objects.filter(event="proposals.attachment_added").exists()
    with django_capture_on_commit_callbacks(execute=True):
        filing.delete_attachment(attachment=attachment, actor=proposer.user)
    assert not ProposalAttachment.objects.exists()
    assert AuditEvent.objects.filter(event="proposals.attachment_deleted").exists()


def test_files_are_frozen_after_submission_and_refused_when_not_a_file_we_keep(proposer, session, media):
    proposal = _draft(proposer, session)
    with pytest.raises(ProposalError):
        filing.add_attachment(
            proposal=proposal,
            uploaded_file=SimpleUploadedFile("a.exe", b"MZ\x90\x00binary"),
            actor=proposer.user,
        )
    filing.submit(proposal, actor=proposer.user)
    with pytest.raises(ProposalError, match="submitted"):
        filing.add_attachment(
            proposal=proposal, uploaded_file=SimpleUploadedFile("a.pdf", PDF), actor=proposer.user
        )


# --- from an inspection suggestion -------------------------------------------------------------------


@pytest.fixture
def suggestion(committee, proposer):
    from lvzhi.activities.models import Activity as ActivityModel

    activity = ActivityModel.objects.create(
        committee=committee,
        title="城区交通视察",
        kind=Activity.Kind.INSPECTION,
        status=Activity.Status.CLOSED,
        starts_at=timezone.now() - datetime.timedelta(days=3),
        ends_at=timezone.now() - datetime.timedelta(days=3, hours=-3),
    )
    return Suggestion.objects.create(
        committee=committee, activity=activity, member=proposer, findings="路口拥堵。", text="增设信号灯。"
    )


def test_a_member_turns_their_suggestion_into_a_proposal_draft_once(suggestion, proposer, session):
    proposal = filing.draft_from_suggestion(actor=proposer.user, suggestion=suggestion)
    assert proposal.status == Status.DRAFT and proposal.from_suggestion == suggestion
    assert (proposal.case, proposal.suggestions) == ("路口拥堵。", "增设信号灯。")
    assert "城区交通视察" in proposal.title and proposal.session == session
    assert proposal.authors.get(role="lead").member == proposer
    assert filing.draft_from_suggestion(actor=proposer.user, suggestion=suggestion) == proposal
    assert Proposal.objects.count() == 1


def test_staff_start_the_draft_in_the_members_name(suggestion, proposer, office, session):
    proposal = filing.draft_from_suggestion(actor=office, suggestion=suggestion)
    lead = proposal.authors.get(role="lead")
    assert (lead.member, lead.user) == (proposer, proposer.user)


def test_another_member_or_committee_cannot_use_the_suggestion(
    suggestion, other_member, foreign_office, session
):
    for outsider in (other_member.user, foreign_office):
        with pytest.raises(PermissionDenied):
            filing.draft_from_suggestion(actor=outsider, suggestion=suggestion)
    assert not Proposal.objects.exists()
