"""Feedback on reported reports (services.feedback): adoptions and instructions write and remove the
authors' ledger rows and tell them; transfers go to a department, which signs for them and replies, or
an editor records the paper reply."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.factories import DepartmentFactory, UserFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.notifications.models import Notification
from lvzhi.opinions.models import Adoption, Instruction, OpinionReport, Transfer, TransferStatusChange
from lvzhi.opinions.services import feedback as services
from lvzhi.opinions.services.feedback import FeedbackError

from .factories import OpinionAuthorFactory, ReportFactory
from .pipeline_fixtures import *  # noqa: F403

Status = OpinionReport.Status
DAY = datetime.date(2026, 7, 1)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def reported(make_report):
    return make_report(Status.REPORTED, reported_on=datetime.date(2026, 6, 10), reported_to="县委")


def _adopt(report, editor, level=Adoption.Level.CITY, on=DAY):
    return services.add_adoption(
        report=report,
        actor=editor,
        level=level,
        form=Adoption.Form.SINGLE,
        adopted_by="市政协《社情民意》",
        adopted_on=on,
    )


def _instruct(report, editor, level=Instruction.Level.COUNTY, on=DAY):
    return services.add_instruction(
        report=report,
        actor=editor,
        level=level,
        leader_post="县委书记",
        text="请县教育局研究办理。",
        instructed_on=on,
    )


def _kinds(member):
    return sorted(DutyRecord.objects.filter(member=member).values_list("kind", "date"))


# --- adoptions and instructions ---------------------------------------------------------------------


def test_an_adoption_writes_the_ledger_and_tells_the_authors(reported, editor, author, co_author):
    adoption = _adopt(reported, editor)
    for member in (author, co_author):
        assert ("opinion.adopted.city", DAY) in _kinds(member)
        notice = Notification.objects.get(recipient=member.user, kind="opinion.adopted")
        assert reported.current_title in notice.title
        assert notice.url == reported.get_absolute_url()
    assert AuditEvent.objects.filter(event="opinions.adoption_recorded", object_id=str(reported.pk)).exists()
    assert adoption.created_by == editor


def test_the_first_adoption_of_a_level_counts_and_deleting_the_only_one_removes_the_row(
    reported, editor, author
):
    later = _adopt(reported, editor, on=datetime.date(2026, 8, 1))
    first = _adopt(reported, editor, on=DAY)
    assert [k for k in _kinds(author) if k[0] == "opinion.adopted.city"] == [("opinion.adopted.city", DAY)]

    services.delete_adoption(adoption=first, actor=editor)
    assert [k for k in _kinds(author) if k[0] == "opinion.adopted.city"] == [
        ("opinion.adopted.city", datetime.date(2026, 8, 1))
    ]
    services.delete_adoption(adoption=later, actor=editor)
    assert not DutyRecord.objects.filter(kind="opinion.adopted.city").exists()
    assert not Adoption.objects.exists()
    assert AuditEvent.objects.filter(event="opinions.adoption_deleted").count() == 2
    assert Notification.objects.filter(recipient=author.user, kind="opinion.adoption_deleted").count() == 2
    # The report's other rows stay.
    assert DutyRecord.objects.filter(member=author, kind="opinion.reported").exists()


def test_an_instruction_writes_the_ledger_and_deleting_it_removes_it(reported, editor, author, co_author):
    instruction = _instruct(reported, editor)
    assert ("opinion.instructed.county", DAY) in _kinds(author)
    assert ("opinion.instructed.county", DAY) in _kinds(co_author)
    notice = Notification.objects.get(recipient=author.user, kind="opinion.instructed")
    assert "县委书记" in notice.body and "请县教育局研究办理" in notice.body

    services.delete_instruction(instruction=instruction, actor=editor)
    assert not DutyRecord.objects.filter(kind="opinion.instructed.county").exists()
    assert not Instruction.objects.exists()
    assert AuditEvent.objects.filter(
        event="opinions.instruction_deleted", object_id=str(reported.pk)
    ).exists()
    assert Notification.objects.filter(recipient=author.user, kind="opinion.instruction_deleted").exists()


def test_feedback_on_an_archived_report(make_report, editor, author):
    archived = make_report(Status.ARCHIVED, reported_on=datetime.date(2026, 6, 10), reported_to="县委")
    _adopt(archived, editor, level=Adoption.Level.PROVINCE)
    assert ("opinion.adopted.province", DAY) in _kinds(author)


def test_authors_of_merged_reports_share_the_feedback(reported, editor, committee, other_member):
    merged = ReportFactory(
        committee=committee, status=Status.MERGED, merged_into=reported, serial=99, lead=other_member
    )
    _adopt(reported, editor)
    assert ("opinion.adopted.city", DAY) in _kinds(other_member)
    assert DutyRecord.objects.get(member=other_member, kind="opinion.adopted.city").role == "merged"
    assert Notification.objects.filter(recipient=other_member.user, kind="opinion.adopted").exists()
    assert merged.pk


@pytest.mark.parametrize("status", [Status.SIGNED, Status.EDITING, Status.NOT_ADOPTED, Status.MERGED])
def test_no_feedback_before_the_report_is_reported(make_report, editor, status):
    report = make_report(status)
    with pytest.raises(FeedbackError) as refused:
        _adopt(report, editor)
    assert refused.value.code == "not_reported"
    with pytest.raises(FeedbackError):
        _instruct(report, editor)
    assert not Adoption.objects.exists() and not Instruction.objects.exists()
    assert not DutyRecord.objects.filter(kind__startswith="opinion.adopted").exists()


@pytest.mark.parametrize("who", ["leader", "unit_staff", "handling_unit", "foreign_editor", "author"])
def test_only_editors_of_the_committee_record_feedback(request, reported, who):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    with pytest.raises(PermissionDenied):
        _adopt(reported, user)
    with pytest.raises(PermissionDenied):
        _instruct(reported, user)
    assert not Adoption.objects.exists()


def test_an_editor_does_not_record_feedback_on_their_own_report(committee, editor):
    own = ReportFactory(committee=committee, status=Status.REPORTED, serial=5, lead=editor, reported_on=DAY)
    with pytest.raises(FeedbackError) as refused:
        _adopt(own, editor)
    assert refused.value.code == "own_report"


def test_a_non_member_author_is_told_but_not_credited(reported, editor):
    officer = UserFactory(committee=reported.committee, role=Role.OFFICER)
    OpinionAuthorFactory(report=reported, member=None, user=officer, name="信息员甲", order=9)
    _adopt(reported, editor)
    assert Notification.objects.filter(recipient=officer, kind="opinion.adopted").exists()
    assert DutyRecord.objects.filter(kind="opinion.adopted.city").count() == 2  # the two members


# --- transfers --------------------------------------------------------------------------------------


@pytest.fixture
def department(handling_unit):
    return handling_unit.department


def _transfer(report, editor, department):
    return services.transfer_report(
        report=report, actor=editor, department=department, transferred_on=DAY, note="请于30日内答复。"
    )


def test_a_transfer_goes_to_the_department_which_signs_and_replies(
    reported, editor, department, handling_unit, author, co_author
):
    transfer = _transfer(reported, editor, department)
    assert transfer.status == Transfer.Status.SENT
    assert Notification.objects.filter(recipient=handling_unit, kind="opinion.transferred").exists()
    assert AuditEvent.objects.filter(event="opinions.transfer_created", object_id=str(transfer.pk)).exists()

    services.sign_transfer(transfer=transfer, actor=handling_unit)
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SIGNED and transfer.signed_by == handling_unit

    document = SimpleUploadedFile("答复函.pdf", PDF, content_type="application/pdf")
    services.reply_transfer(
        transfer=transfer, actor=handling_unit, reply="已安排专项整治。", document=document
    )
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REPLIED
    assert transfer.reply == "已安排专项整治。" and not transfer.on_paper
    assert transfer.replied_by == handling_unit and transfer.replied_on is not None
    assert transfer.original_name == "答复函.pdf" and transfer.content_type == "application/pdf"
    assert list(
        TransferStatusChange.objects.filter(transfer=transfer).values_list("from_status", "to_status")
    ) == [("sent", "signed"), ("signed", "replied")]
    assert AuditEvent.objects.filter(event="opinions.transfer_status_changed").count() == 2
    for member in (author, co_author):
        assert Notification.objects.filter(recipient=member.user, kind="opinion.transfer_replied").exists()
    assert Notification.objects.filter(recipient=editor, kind="opinion.transfer_replied").exists()


def test_a_reply_without_signing_first(reported, editor, department, handling_unit):
    transfer = _transfer(reported, editor, department)
    services.reply_transfer(transfer=transfer, actor=handling_unit, reply="已办理。")
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REPLIED and not transfer.file


def test_a_replied_transfer_is_not_answered_twice(reported, editor, department, handling_unit):
    transfer = _transfer(reported, editor, department)
    services.reply_transfer(transfer=transfer, actor=handling_unit, reply="第一次答复。")
    with pytest.raises(FeedbackError):
        services.reply_transfer(transfer=transfer, actor=handling_unit, reply="第二次。")
    with pytest.raises(FeedbackError):
        services.sign_transfer(transfer=transfer, actor=handling_unit)
    transfer.refresh_from_db()
    assert transfer.reply == "第一次答复。"


def test_another_department_neither_signs_nor_replies(reported, editor, department, committee, make_user):
    other = make_user(Role.HANDLING_UNIT, department=DepartmentFactory(committee=committee))
    transfer = _transfer(reported, editor, department)
    with pytest.raises(PermissionDenied):
        services.sign_transfer(transfer=transfer, actor=other)
    with pytest.raises(PermissionDenied):
        services.reply_transfer(transfer=transfer, actor=other, reply="冒名答复")
    with pytest.raises(PermissionDenied):
        services.reply_transfer(transfer=transfer, actor=editor, reply="编辑代答")
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SENT


def test_a_refused_upload_leaves_the_transfer_unanswered(reported, editor, department, handling_unit):
    transfer = _transfer(reported, editor, department)
    fake = SimpleUploadedFile("答复.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    with pytest.raises(FeedbackError) as refused:
        services.reply_transfer(transfer=transfer, actor=handling_unit, reply="答复", document=fake)
    assert refused.value.code == "upload_refused"
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SENT and not transfer.reply and not transfer.file
    assert not TransferStatusChange.objects.exists()


def test_an_editor_records_a_paper_reply(reported, editor, department, author):
    transfer = _transfer(reported, editor, department)
    services.record_paper_reply(transfer=transfer, actor=editor, reply="书面答复：已整改。", replied_on=DAY)
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REPLIED and transfer.on_paper
    assert transfer.replied_on == DAY and transfer.replied_by == editor
    assert Notification.objects.filter(recipient=author.user, kind="opinion.transfer_replied").exists()


def test_paper_replies_are_the_editors(reported, editor, department, leader, handling_unit):
    transfer = _transfer(reported, editor, department)
    for user in (leader, handling_unit):
        with pytest.raises(PermissionDenied):
            services.record_paper_reply(transfer=transfer, actor=user, reply="x", replied_on=DAY)


def test_transfers_go_to_the_committees_own_departments(reported, editor, other_committee):
    foreign = DepartmentFactory(committee=other_committee)
    with pytest.raises(FeedbackError):
        _transfer(reported, editor, foreign)
    assert not Transfer.objects.exists()


def test_a_signed_report_is_not_transferred_yet(make_report, editor, department):
    with pytest.raises(FeedbackError):
        _transfer(make_report(Status.SIGNED), editor, department)


def test_the_department_sees_only_its_transfers(
    reported, make_report, editor, department, handling_unit, committee
):
    mine = _transfer(reported, editor, department)
    elsewhere = _transfer(
        make_report(Status.REPORTED, reported_on=DAY, reported_to="县委"),
        editor,
        DepartmentFactory(committee=committee),
    )
    assert list(Transfer.objects.visible_to(handling_unit)) == [mine]
    assert set(Transfer.objects.visible_to(editor)) == {mine, elsewhere}


def test_an_editor_does_not_record_the_paper_reply_to_their_own_report(editor, make_report):
    """Every feedback step refuses the report's own author; the paper reply too."""
    import datetime

    from django.core.exceptions import PermissionDenied

    from lvzhi.factories import DepartmentFactory
    from lvzhi.opinions.models import OpinionReport, Transfer
    from lvzhi.opinions.services import feedback

    report = make_report(OpinionReport.Status.REPORTED, lead=editor)
    transfer = Transfer.objects.create(
        committee=report.committee,
        report=report,
        department=DepartmentFactory(committee=report.committee),
        transferred_on=datetime.date(2026, 6, 1),
    )
    with pytest.raises(PermissionDenied):
        feedback.record_paper_reply(
            transfer=transfer, actor=editor, reply="已办理", replied_on=datetime.date(2026, 6, 9)
        )
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SENT
