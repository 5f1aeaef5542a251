"""Handling (services.handling): contacts and co-units' views, the lead unit's reply and its conditions,
the staff's paper reply, the first proposer's evaluation and the second round after 不满意."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lvzhi.core.models import AuditEvent
from lvzhi.notifications.models import Notification
from lvzhi.proposals.models import (
    Assignment,
    ContactRecord,
    Evaluation,
    Proposal,
    ProposalStatusChange,
    Reply,
    SessionPolicy,
)
from lvzhi.proposals.services import handling as services
from lvzhi.proposals.services.common import ProposalError

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("english")

Status = Proposal.Status
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _pdf(name="答复函.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def case(make_proposal, department, co_department, cosigner):
    """A joint proposal being handled by the lead unit (交通局) with a co-unit (财政局), both signed."""
    return make_proposal(Status.HANDLING, lead=department, co_units=[co_department], co_signers=[cosigner])


def _assignment(proposal, department):
    return Assignment.objects.get(proposal=proposal, department=department)


def _contact(proposal, department, user, **kw):
    fields = {"date": timezone.localdate(), "way": ContactRecord.Way.PHONE, "note": "电话沟通办理思路。"}
    fields.update(kw)
    return services.record_contact(_assignment(proposal, department), actor=user, **fields)


def _ready(case, department, co_department, unit_user, co_unit_user, result="B"):
    _contact(case, department, unit_user)
    services.give_views(_assignment(case, co_department), actor=co_unit_user, views="同意主办单位意见。")
    services.save_reply(case, actor=unit_user, result=result, text="已列入明年计划。")


def _notified(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind).exists()


# --- contacts ---------------------------------------------------------------------------------------


def test_the_lead_and_a_co_unit_record_contacts_in_the_current_round(
    case, department, co_department, unit_user, co_unit_user
):
    first = _contact(case, department, unit_user)
    second = _contact(case, co_department, co_unit_user, way=ContactRecord.Way.MEETING)
    assert (first.round, first.assignment.department, first.created_by) == (1, department, unit_user)
    assert second.way == "meeting"
    assert AuditEvent.objects.filter(event="proposals.contact_recorded").count() == 2


def test_a_contact_needs_the_units_own_signed_assignment(
    make_proposal, case, department, co_department, unit_user, co_unit_user, other_unit_user, office
):
    for user in (co_unit_user, other_unit_user, office):
        with pytest.raises(PermissionDenied):
            _contact(case, department, user)  # not their department's assignment
    assigned = make_proposal(Status.ASSIGNED, lead=co_department)
    with pytest.raises(ProposalError, match="Sign for the assignment"):
        _contact(assigned, co_department, co_unit_user)
    assert not ContactRecord.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"note": "  "}, "Write what was discussed"),
        ({"way": "email"}, "Choose how"),
        ({"date": timezone.localdate() + datetime.timedelta(days=1)}, "future"),
        ({"date": timezone.localdate() - datetime.timedelta(days=1)}, "before the assignment"),
        ({"note": "x" * (services.NOTE_MAX + 1)}, "too long"),
        ({"note": "a\x00b"}, "cannot be stored"),
    ],
)
def test_a_contact_is_refused_with_bad_input(case, department, unit_user, fields, message):
    with pytest.raises(ProposalError, match=message):
        _contact(case, department, unit_user, **fields)
    assert not ContactRecord.objects.exists()


def test_no_contact_once_replied(make_proposal, department, unit_user):
    replied = make_proposal(Status.REPLIED, lead=department)
    with pytest.raises(ProposalError, match="being handled"):
        _contact(replied, department, unit_user)


# --- views ------------------------------------------------------------------------------------------


def test_a_co_unit_gives_views_and_the_lead_unit_hears_of_them(
    case, department, co_department, unit_user, co_unit_user
):
    co = services.give_views(_assignment(case, co_department), actor=co_unit_user, views="建议分步实施。")
    assert co.views == "建议分步实施。" and co.views_given_at is not None
    assert _notified(unit_user, "proposal.views_given")
    again = services.give_views(co, actor=co_unit_user, views="修正后的意见。")
    assert again.views == "修正后的意见。"
    assert AuditEvent.objects.filter(event="proposals.views_given").count() == 2


def test_only_a_co_unit_gives_views_on_its_own_assignment(
    case, department, co_department, unit_user, co_unit_user
):
    with pytest.raises(ProposalError, match="Only a co-unit"):
        services.give_views(_assignment(case, department), actor=unit_user, views="x")
    with pytest.raises(PermissionDenied):
        services.give_views(_assignment(case, co_department), actor=unit_user, views="x")
    with pytest.raises(ProposalError, match="Write your views"):
        services.give_views(_assignment(case, co_department), actor=co_unit_user, views=" ")


# --- the reply --------------------------------------------------------------------------------------


def test_the_lead_unit_drafts_and_redrafts_its_reply_with_a_document(case, department, unit_user):
    reply = services.save_reply(case, actor=unit_user, result="", text="初稿")
    assert (reply.round, reply.result, reply.sent_at, reply.department) == (1, "", None, department)
    reply = services.save_reply(case, actor=unit_user, result="B", text="定稿", uploaded_file=_pdf())
    assert Reply.objects.count() == 1
    assert (reply.result, reply.text, reply.original_name) == ("B", "定稿", "答复函.pdf")
    assert reply.file.name.endswith(".pdf")


def test_a_refused_document_is_a_clear_error(case, unit_user):
    fake = SimpleUploadedFile("答复.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ProposalError):
        services.save_reply(case, actor=unit_user, result="B", text="x", uploaded_file=fake)
    assert not Reply.objects.exists()


def test_a_co_unit_cannot_draft_or_send_the_reply(case, co_unit_user, other_unit_user, office):
    for user in (co_unit_user, other_unit_user, office):
        with pytest.raises(PermissionDenied):
            services.save_reply(case, actor=user, result="B", text="x")
        with pytest.raises(PermissionDenied):
            services.send_reply(case, actor=user)


def test_sending_is_refused_until_everything_is_there(
    case, department, co_department, unit_user, co_unit_user
):
    with pytest.raises(ProposalError) as refused:
        services.send_reply(case, actor=unit_user)
    text = " ".join(refused.value.messages)
    assert "Choose the result" in text
    assert "Write the reply or upload" in text
    assert "at least one contact" in text
    assert "县财政局 (co-unit) has not given its views" in text

    services.save_reply(case, actor=unit_user, result="B", text="x")
    _contact(case, co_department, co_unit_user)  # the co-unit's contact is not the lead unit's
    with pytest.raises(ProposalError) as refused:
        services.send_reply(case, actor=unit_user)
    assert refused.value.messages == [
        "Record at least one contact with the proposer in this round.",
        "县财政局 (co-unit) has not given its views yet.",
    ]
    _contact(case, department, unit_user)
    services.give_views(_assignment(case, co_department), actor=co_unit_user, views="同意。")
    services.send_reply(case, actor=unit_user)
    case.refresh_from_db()
    assert case.status == Status.REPLIED


def test_a_returned_co_unit_is_not_waited_for(case, department, co_department, unit_user):
    Assignment.objects.filter(department=co_department).update(status=Assignment.Status.RETURNED)
    _contact(case, department, unit_user)
    services.save_reply(case, actor=unit_user, result="A", text="已解决。")
    services.send_reply(case, actor=unit_user)
    case.refresh_from_db()
    assert case.status == Status.REPLIED


def test_a_document_alone_is_a_reply(case, department, co_department, unit_user, co_unit_user):
    _contact(case, department, unit_user)
    services.give_views(_assignment(case, co_department), actor=co_unit_user, views="同意。")
    services.save_reply(case, actor=unit_user, result="C", text="", uploaded_file=_pdf())
    services.send_reply(case, actor=unit_user)
    assert Reply.objects.get().sent_at is not None


def test_sending_the_reply_moves_the_case_and_asks_the_proposers(
    case, department, co_department, unit_user, co_unit_user, proposer, cosigner
):
    _ready(case, department, co_department, unit_user, co_unit_user)
    proposal = services.send_reply(case, actor=unit_user)
    reply = Reply.objects.get()
    assert proposal.status == Status.REPLIED
    assert (reply.sent_by, reply.on_paper) == (unit_user, False)
    assert ProposalStatusChange.objects.filter(proposal=case, to_status=Status.REPLIED).exists()
    assert _notified(proposer.user, "proposal.replied") and _notified(cosigner.user, "proposal.replied")
    assert AuditEvent.objects.filter(event="proposals.reply_sent").exists()
    with pytest.raises(ProposalError):
        services.send_reply(case, actor=unit_user)
    with pytest.raises(ProposalError, match="not_handling|drafts its reply"):
        services.save_reply(case, actor=unit_user, result="A", text="改")


def test_the_lead_unit_must_have_signed(make_proposal, department, unit_user):
    assigned = make_proposal(Status.ASSIGNED, lead=department)
    with pytest.raises(ProposalError):
        services.save_reply(assigned, actor=unit_user, result="B", text="x")
    with pytest.raises(ProposalError):
        services.send_reply(assigned, actor=unit_user)


# --- paper reply ------------------------------------------------------------------------------------


def test_staff_record_a_paper_reply_for_the_lead_unit(case, department, unit_user, office, proposer):
    services.save_reply(case, actor=unit_user, result="D", text="单位草稿", uploaded_file=_pdf("草稿.pdf"))
    proposal = services.record_paper_reply(
        case,
        actor=office,
        result="B",
        text="纸质答复内容",
        replied_on=timezone.localdate(),
        uploaded_file=_pdf("扫描件.pdf"),
    )
    reply = Reply.objects.get()
    assert proposal.status == Status.REPLIED
    assert (reply.result, reply.text, reply.on_paper, reply.sent_by) == ("B", "纸质答复内容", True, office)
    assert (reply.department, reply.original_name) == (department, "扫描件.pdf")
    assert _notified(proposer.user, "proposal.replied")
    assert _notified(unit_user, "proposal.paper_reply_recorded")


def test_a_paper_reply_needs_proposal_staff(case, unit_user, leader):
    for user in (unit_user, leader):
        with pytest.raises(PermissionDenied):
            services.record_paper_reply(
                case, actor=user, result="B", text="x", replied_on=timezone.localdate()
            )
    assert not Reply.objects.exists()


def test_a_proposer_on_the_staff_cannot_record_the_paper_reply(make_proposal, make_user, department):
    from lvzhi.accounts.roles import Role
    from lvzhi.factories import MemberFactory

    staff_member_user = make_user(Role.OFFICE, username="office_member")
    member = MemberFactory(committee=staff_member_user.committee, name="钱委员", user=staff_member_user)
    own = make_proposal(Status.HANDLING, lead=department, author=member)
    with pytest.raises(ProposalError, match="proposer"):
        services.record_paper_reply(
            own, actor=staff_member_user, result="B", text="x", replied_on=timezone.localdate()
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"result": ""}, "Choose the result"),
        ({"text": "", "uploaded_file": None}, "Write the reply"),
        ({"replied_on": timezone.localdate() + datetime.timedelta(days=1)}, "future"),
    ],
)
def test_a_paper_reply_is_refused_with_bad_input(case, office, fields, message):
    values = {"result": "B", "text": "纸质答复", "replied_on": timezone.localdate(), "uploaded_file": None}
    values.update(fields)
    with pytest.raises(ProposalError, match=message):
        services.record_paper_reply(case, actor=office, **values)
    case.refresh_from_db()
    assert case.status == Status.HANDLING


def test_an_older_paper_reply_keeps_its_day(make_proposal, department, office):
    earlier = timezone.localdate() - datetime.timedelta(days=3)
    case = make_proposal(Status.HANDLING, lead=department, assigned_on=earlier - datetime.timedelta(days=5))
    services.record_paper_reply(case, actor=office, result="A", text="纸质答复", replied_on=earlier)
    assert timezone.localdate(Reply.objects.get().sent_at) == earlier


# --- evaluation -------------------------------------------------------------------------------------


@pytest.fixture
def replied(case, department, co_department, unit_user, co_unit_user):
    _ready(case, department, co_department, unit_user, co_unit_user)
    return services.send_reply(case, actor=unit_user)


@pytest.mark.parametrize("rating", [Evaluation.Rating.SATISFIED, Evaluation.Rating.BASIC])
def test_satisfied_or_basically_satisfied_ends_handling(replied, proposer, office, unit_user, rating):
    proposal = services.evaluate(replied, actor=proposer.user, rating=rating)
    assert proposal.status == Status.EVALUATED
    evaluation = Evaluation.objects.get()
    assert (evaluation.rating, evaluation.by, evaluation.reply.round) == (rating, proposer.user, 1)
    assert _notified(office, "proposal.evaluated")
    assert _notified(unit_user, "proposal.evaluated")
    with pytest.raises(ProposalError):
        services.evaluate(replied, actor=proposer.user, rating=rating)
    assert Evaluation.objects.count() == 1


def test_only_the_first_proposer_evaluates(replied, cosigner, office, unit_user):
    for user in (cosigner.user, office, unit_user):
        with pytest.raises(PermissionDenied):
            services.evaluate(replied, actor=user, rating="satisfied")
    assert not Evaluation.objects.exists()


def test_not_satisfied_needs_comments_and_a_known_rating(replied, proposer):
    with pytest.raises(ProposalError, match="not satisfied"):
        services.evaluate(replied, actor=proposer.user, rating="unsatisfied", comments=" ")
    with pytest.raises(ProposalError, match="how satisfied"):
        services.evaluate(replied, actor=proposer.user, rating="delighted")
    assert not Evaluation.objects.exists()


def test_a_proposal_being_handled_is_not_evaluated(case, proposer):
    with pytest.raises(ProposalError, match="Only a replied proposal"):
        services.evaluate(case, actor=proposer.user, rating="satisfied")


def test_not_satisfied_sends_it_back_for_a_second_round(
    replied, session, proposer, department, co_department, unit_user, co_unit_user, office
):
    SessionPolicy.objects.create(session=session, handling_months=2)
    proposal = services.evaluate(
        replied, actor=proposer.user, rating="unsatisfied", comments="没有实质进展。"
    )
    assert proposal.status == Status.HANDLING
    assert proposal.round == 2
    assert proposal.deadline == services.add_months(timezone.localdate(), 2)
    assert _notified(unit_user, "proposal.rehandling") and _notified(co_unit_user, "proposal.rehandling")

    # Round 2 needs its own contact and its own reply; the co-unit's views stand.
    services.save_reply(proposal, actor=unit_user, result="A", text="已经解决。")
    with pytest.raises(ProposalError, match="contact"):
        services.send_reply(proposal, actor=unit_user)
    _contact(proposal, department, unit_user, note="再次上门沟通。")
    services.send_reply(proposal, actor=unit_user)
    replies = list(Reply.objects.order_by("round"))
    assert [(r.round, r.result) for r in replies] == [(1, "B"), (2, "A")]
    assert ContactRecord.objects.filter(round=2).count() == 1

    proposal = services.evaluate(proposal, actor=proposer.user, rating="satisfied")
    assert proposal.status == Status.EVALUATED
    assert [(e.reply.round, e.rating) for e in Evaluation.objects.order_by("reply__round")] == [
        (1, "unsatisfied"),
        (2, "satisfied"),
    ]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 11, 30), 3, datetime.date(2027, 2, 28)),
        (datetime.date(2026, 5, 15), 3, datetime.date(2026, 8, 15)),
        (datetime.date(2026, 12, 31), 12, datetime.date(2027, 12, 31)),
    ],
)
def test_months_are_added_safely_at_the_end_of_a_month(day, months, expected):
    assert services.add_months(day, months) == expected
