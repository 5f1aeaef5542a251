"""Every step of the editors' pipeline: the transition, who may take it, history, notices, ledger."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from lvzhi.accounts.roles import Role
from lvzhi.core.workflow import StaleEdit
from lvzhi.ledger.models import DutyRecord
from lvzhi.notifications.models import Notification
from lvzhi.opinions.models import Category, OpinionPolicy, OpinionReport
from lvzhi.opinions.services import reports
from lvzhi.opinions.services.reports import OpinionError

from .pipeline_fixtures import *  # noqa: F403

Status = OpinionReport.Status
pytestmark = pytest.mark.usefixtures("english")


def _category(committee):
    return Category.objects.filter(committee=committee).order_by("order").first()


def _told(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient", flat=True))


def _as_editor(user):
    user.groups.add(Group.objects.get(name=Role.EDITOR.value))
    return type(user).objects.get(pk=user.pk)


# --- submitting --------------------------------------------------------------------------------------


def test_submit_tells_the_editors_and_credits_the_authors(make_report, author, editor, editor2):
    report = make_report(Status.DRAFT, submitted_at=None)
    reports.submit(report, actor=author.user, expected_version=report.version)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and report.submitted_at is not None
    assert _told("opinion.submitted") == {editor.pk, editor2.pk}
    assert set(DutyRecord.objects.values_list("member__name", "kind", "role")) == {
        ("张建国", "opinion.submitted", "lead"),
        ("李秀英", "opinion.submitted", "co"),
    }


def test_submit_refuses_a_body_over_the_limit_naming_the_field(make_report, author, committee):
    OpinionPolicy.objects.create(committee=committee, body_limit=20)
    report = make_report(Status.DRAFT, submitted_at=None, body="字" * 21)
    with pytest.raises(OpinionError) as error:
        reports.submit(report, actor=author.user)
    assert "Body: 21 characters, more than the limit of 20" in " ".join(error.value.messages)
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_only_the_lead_author_submits(make_report, co_author, other_member):
    report = make_report(Status.DRAFT, submitted_at=None)
    for user in (co_author.user, other_member.user):
        with pytest.raises(PermissionDenied):
            reports.submit(report, actor=user)


def test_autosave_conflict_between_two_tabs(make_report, author):
    report = make_report(Status.DRAFT, submitted_at=None)
    seen = report.version
    reports.update_draft(report, actor=author.user, expected_version=seen, title="第一个标签页", body="甲")
    with pytest.raises(StaleEdit):
        reports.update_draft(
            report, actor=author.user, expected_version=seen, title="第二个标签页", body="乙"
        )
    report.refresh_from_db()
    assert report.title == "第一个标签页"


def test_autosave_without_a_change_costs_no_version(make_report, author):
    report = make_report(Status.DRAFT, submitted_at=None)
    before = report.version
    reports.update_draft(
        report,
        actor=author.user,
        expected_version=before,
        title=report.title,
        body=report.body,
        category=report.category,
    )
    report.refresh_from_db()
    assert report.version == before


def test_the_author_cannot_change_a_submitted_report(make_report, author):
    report = make_report(Status.SUBMITTED)
    with pytest.raises(OpinionError) as error:
        reports.update_draft(
            report, actor=author.user, expected_version=report.version, title="改", body="改"
        )
    assert error.value.code == "not_editable"


# --- registering and numbering -----------------------------------------------------------------------


def test_register_numbers_without_gaps(make_report, editor, committee, author):
    first, second = make_report(Status.SUBMITTED), make_report(Status.SUBMITTED)
    category = _category(committee)
    reports.register(first, actor=editor, category=category, source=OpinionReport.Source.MEMBER)
    reports.register(second, actor=editor, category=category)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.serial, second.serial) == (1, 2)
    assert first.serial_label.endswith("〕1")
    assert first.status == Status.REGISTERED and first.category == category
    assert author.user_id in _told("opinion.registered")


def test_a_resubmitted_report_keeps_its_serial(make_report, editor, author, committee):
    report = make_report(Status.SUBMITTED)
    reports.register(report, actor=editor, category=_category(committee))
    reports.return_to_author(report, actor=editor, reason="请补充具体路段")
    assert _told("opinion.returned") >= {author.user_id}
    report.refresh_from_db()
    assert report.status == Status.RETURNED
    reports.update_draft(
        report, actor=author.user, expected_version=report.version, title=report.title, body="补充：城东路。"
    )
    reports.resubmit(report, actor=author.user)
    report.refresh_from_db()
    serial = report.serial
    reports.register(report, actor=editor, category=_category(committee))
    report.refresh_from_db()
    assert report.serial == serial == 1
    assert report.status == Status.REGISTERED


def test_register_needs_a_category(make_report, editor):
    report = make_report(Status.SUBMITTED)
    with pytest.raises(OpinionError) as error:
        reports.register(report, actor=editor, category=None)
    assert error.value.code == "category_required"


def test_register_refuses_another_committees_category(make_report, editor, other_committee):
    report = make_report(Status.SUBMITTED)
    with pytest.raises(OpinionError):
        reports.register(report, actor=editor, category=_category(other_committee))


# --- verifying and editing ---------------------------------------------------------------------------


def test_verifier_is_any_staff_member_and_sees_the_report(make_report, editor, unit_staff, committee):
    from lvzhi.opinions.permissions import get_report_for_user

    report = make_report(Status.REGISTERED)
    reports.assign_verifier(report, actor=editor, verifier=unit_staff)
    report.refresh_from_db()
    assert report.status == Status.VERIFYING and report.verifier == unit_staff
    assert _told("opinion.verify") == {unit_staff.pk}
    assert get_report_for_user(unit_staff, report.pk) == report
    reports.record_findings(report, actor=unit_staff, findings="经实地查看，情况属实。")
    report.refresh_from_db()
    assert report.findings == "经实地查看，情况属实。"
    assert editor.pk in _told("opinion.findings")


def test_a_member_cannot_be_a_verifier(make_report, editor, other_member):
    report = make_report(Status.REGISTERED)
    with pytest.raises(OpinionError) as error:
        reports.assign_verifier(report, actor=editor, verifier=other_member.user)
    assert error.value.code == "bad_verifier"


def test_only_the_verifier_or_an_editor_records_findings(make_report, editor, unit_staff, leader):
    report = make_report(Status.VERIFYING, verifier=unit_staff)
    with pytest.raises(PermissionDenied):
        reports.record_findings(report, actor=leader, findings="……")
    with pytest.raises(OpinionError) as error:
        reports.record_findings(report, actor=unit_staff, findings="  ")
    assert error.value.code == "findings_required"


def test_editing_keeps_the_original_and_locks(make_report, editor, editor2):
    report = make_report(Status.VERIFYING)
    reports.start_editing(report, actor=editor)
    report.refresh_from_db()
    assert report.status == Status.EDITING and report.edited_body == report.body
    seen = report.version
    reports.save_edit(
        report, actor=editor, expected_version=seen, edited_title="新标题", edited_body="新正文"
    )
    with pytest.raises(StaleEdit):
        reports.save_edit(report, actor=editor2, expected_version=seen, edited_title="乙", edited_body="乙")
    report.refresh_from_db()
    assert (report.title, report.edited_title) != (report.edited_title, report.edited_title)
    assert report.edited_title == "新标题" and "信号灯" in report.body


# --- signing -----------------------------------------------------------------------------------------


def test_sign_off_and_send_back(make_report, editor, leader):
    report = make_report(Status.EDITING, edited_title="改后", edited_body="改后正文")
    reports.send_for_signoff(report, actor=editor)
    assert _told("opinion.signoff") == {leader.pk}
    reports.send_back(report, actor=leader, comments="建议部分再具体些")
    report.refresh_from_db()
    assert report.status == Status.EDITING
    assert report.status_changes.order_by("-pk").first().reason == "建议部分再具体些"
    assert editor.pk in _told("opinion.sent_back")
    reports.send_for_signoff(report, actor=editor)
    reports.sign(report, actor=leader)
    report.refresh_from_db()
    assert report.status == Status.SIGNED and report.signed_by == leader and report.signed_at


def test_send_back_needs_comments(make_report, leader):
    report = make_report(Status.AWAITING_SIGNOFF)
    with pytest.raises(OpinionError) as error:
        reports.send_back(report, actor=leader, comments="")
    assert error.value.code == "comments_required"


def test_an_editor_cannot_sign(make_report, editor):
    with pytest.raises(PermissionDenied):
        reports.sign(make_report(Status.AWAITING_SIGNOFF), actor=editor)


# --- side exits --------------------------------------------------------------------------------------


def test_return_needs_what_to_change(make_report, editor):
    with pytest.raises(OpinionError) as error:
        reports.return_to_author(make_report(Status.SUBMITTED), actor=editor, reason=" ")
    assert error.value.code == "reason_required"


def test_not_adopted_tells_the_authors_why(make_report, editor, author, co_author):
    report = make_report(Status.REGISTERED)
    reports.not_adopt(report, actor=editor, reason="所反映问题已解决")
    report.refresh_from_db()
    assert report.status == Status.NOT_ADOPTED
    assert _told("opinion.not_adopted") == {author.user_id, co_author.user_id}
    assert Notification.objects.filter(kind="opinion.not_adopted", body="所反映问题已解决").exists()
    # Submitted all the same: the ledger keeps it.
    assert DutyRecord.objects.filter(kind="opinion.submitted").count() == 2


def test_a_leader_declines_at_sign_off(make_report, leader, editor):
    report = make_report(Status.AWAITING_SIGNOFF)
    with pytest.raises(PermissionDenied):
        reports.not_adopt(report, actor=editor, reason="不宜报送")
    reports.not_adopt(report, actor=leader, reason="不宜报送")
    report.refresh_from_db()
    assert report.status == Status.NOT_ADOPTED


def test_merge_credits_the_merged_authors(make_report, editor, other_member, committee):
    target = make_report(Status.SIGNED)
    duplicate = make_report(Status.REGISTERED, lead=other_member, co=[])
    reports.merge(duplicate, actor=editor, into=target, reason="同一问题")
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == target
    reports.mark_reported(target, actor=editor, reported_on=datetime.date(2026, 5, 1), reported_to="市政协")
    assert ("王志强", "opinion.reported", "merged") in set(
        DutyRecord.objects.values_list("member__name", "kind", "role")
    )


def test_merge_refuses_itself_a_merged_or_closed_report(make_report, editor):
    report = make_report(Status.REGISTERED)
    with pytest.raises(OpinionError) as error:
        reports.merge(report, actor=editor, into=report)
    assert error.value.code == "merge_self"
    merged = make_report(Status.MERGED)
    with pytest.raises(OpinionError) as error:
        reports.merge(report, actor=editor, into=merged)
    assert error.value.code == "merge_closed_target"
    with pytest.raises(OpinionError):
        reports.merge(report, actor=editor, into=make_report(Status.NOT_ADOPTED))


def test_merge_refuses_another_committees_report(make_report, editor, other_committee):
    from lvzhi.opinions.tests.factories import ReportFactory

    with pytest.raises(OpinionError):
        reports.merge(
            make_report(Status.REGISTERED), actor=editor, into=ReportFactory(committee=other_committee)
        )


def test_report_directly_then_archive(make_report, editor):
    report = make_report(Status.SIGNED)
    reports.report_directly(report, actor=editor, reported_on=datetime.date(2026, 5, 1), reported_to="县政府")
    reports.archive(report, actor=editor)
    report.refresh_from_db()
    assert report.status == Status.ARCHIVED
    # Archived reports keep their credit.
    assert DutyRecord.objects.filter(kind="opinion.reported").count() == 2


# --- illegal moves and the author's own report -------------------------------------------------------


@pytest.mark.parametrize(
    "step, status",
    [
        ("register", Status.REGISTERED),
        ("start_editing", Status.SUBMITTED),
        ("send_for_signoff", Status.VERIFYING),
        ("archive", Status.SIGNED),
        ("submit", Status.SUBMITTED),
    ],
)
def test_illegal_moves_say_so(make_report, editor, author, committee, step, status):
    report = make_report(status)
    kwargs = {"actor": author.user if step == "submit" else editor}
    if step == "register":
        kwargs["category"] = _category(committee)
    with pytest.raises(OpinionError) as error:
        getattr(reports, step)(report, **kwargs)
    assert error.value.code == "illegal_transition"
    assert "cannot become" in error.value.messages[0]


@pytest.mark.parametrize(
    "step, status, extra",
    [
        ("register", Status.SUBMITTED, {"category": "cat"}),
        ("start_editing", Status.REGISTERED, {}),
        ("send_for_signoff", Status.EDITING, {}),
        ("return_to_author", Status.SUBMITTED, {"reason": "改"}),
        ("not_adopt", Status.SUBMITTED, {"reason": "否"}),
        ("mark_reported", Status.SIGNED, {"reported_on": datetime.date(2026, 5, 1), "reported_to": "县委"}),
        ("archive", Status.REPORTED, {}),
    ],
)
def test_an_author_never_handles_their_own_report(
    make_report, author, co_author, committee, step, status, extra
):
    report = make_report(status)
    if extra.get("category") == "cat":
        extra = {"category": _category(committee)}
    for person in (author, co_author):
        with pytest.raises(OpinionError) as error:
            getattr(reports, step)(report, actor=_as_editor(person.user), **extra)
        assert error.value.code == "own_report"


def test_an_author_who_leads_cannot_sign_their_own(make_report, author):
    author.user.groups.add(Group.objects.get(name=Role.LEADER.value))
    leader_author = type(author.user).objects.get(pk=author.user_id)
    with pytest.raises(OpinionError) as error:
        reports.sign(make_report(Status.AWAITING_SIGNOFF), actor=leader_author)
    assert error.value.code == "own_report"


def test_an_author_cannot_verify_their_own(make_report, editor, author, unit_staff):
    report = make_report(Status.REGISTERED)
    staff_author = author.user
    staff_author.groups.add(Group.objects.get(name=Role.OFFICE.value))
    with pytest.raises(OpinionError):
        reports.assign_verifier(report, actor=editor, verifier=staff_author)


def test_another_committees_editor_is_refused(make_report, foreign_editor):
    with pytest.raises(PermissionDenied):
        reports.start_editing(make_report(Status.REGISTERED), actor=foreign_editor)


@pytest.mark.parametrize("who", ["other_member", "unit_staff", "handling_unit", "leader"])
def test_others_cannot_register(make_report, committee, who, request):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    with pytest.raises(PermissionDenied):
        reports.register(make_report(Status.SUBMITTED), actor=user, category=_category(committee))
