"""The services of inspection suggestions and reports: who may hand in, edit, withdraw, compile, send,
mark adopted and convert; the ledger rows they leave; suggestions closing once the report is sent."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lvzhi.activities.models import Activity
from lvzhi.core.models import AuditEvent
from lvzhi.core.workflow import StaleEdit
from lvzhi.factories import DepartmentFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.notifications.models import Notification
from lvzhi.opinions.models import (
    InspectionReport,
    InspectionReportStatusChange,
    OpinionAuthor,
    OpinionReport,
    Suggestion,
    Transfer,
)
from lvzhi.opinions.services import inspections as services

from .inspection_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def hand_in(activity, member, text="建议增设园区公交线路。", findings="园区职工通勤不便。"):
    return services.hand_in(activity=activity, actor=member.user, findings=findings, text=text)


def ledger(suggestion):
    return sorted(
        DutyRecord.objects.filter(source_id=suggestion.pk, kind__startswith="opinion.suggestion").values_list(
            "member__name", "kind", "date"
        )
    )


def save(
    activity, actor, *, listed=None, version=0, title="关于重点项目建设情况的视察报告", body="视察组认为……"
):
    suggestions = list(Suggestion.objects.filter(activity=activity).values_list("pk", flat=True))
    return services.save_report(
        activity=activity,
        actor=actor,
        title=title,
        body=body,
        shown_ids=suggestions,
        listed_ids=suggestions if listed is None else listed,
        expected_version=version,
    )


def send(report, actor, departments):
    return services.send_report(
        report=report, actor=actor, departments=departments, expected_version=report.version
    )


# --- handing in ------------------------------------------------------------------------------------


def test_an_invited_member_hands_in_and_the_ledger_records_it(inspection, member_a):
    suggestion = hand_in(inspection, member_a)
    assert suggestion.member == member_a and suggestion.included and not suggestion.adopted
    assert suggestion.committee_id == inspection.committee_id
    day = timezone.localdate(suggestion.created_at)
    assert ledger(suggestion) == [("张建国", "opinion.suggestion", day)]
    event = AuditEvent.objects.get(event="opinions.suggestion_handed_in")
    assert event.actor == member_a.user and event.params["activity"] == inspection.title


def test_a_member_not_invited_cannot_hand_in(inspection, outsider):
    with pytest.raises(services.InspectionError) as refused:
        hand_in(inspection, outsider)
    assert refused.value.code == "not_invited"
    assert not Suggestion.objects.exists()


def test_staff_without_a_member_file_cannot_hand_in(inspection, office):
    with pytest.raises(PermissionDenied):
        services.hand_in(activity=inspection, actor=office, text="x")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"kind": Activity.Kind.STANDING}, "closed_kind"),
        ({"status": Activity.Status.DRAFT}, "closed_status"),
        ({"status": Activity.Status.CANCELLED}, "closed_status"),
        (
            {
                "starts_at": datetime.datetime(2099, 1, 1, 9, tzinfo=datetime.UTC),
                "ends_at": datetime.datetime(2099, 1, 1, 12, tzinfo=datetime.UTC),
            },
            "closed_not_started",
        ),
    ],
)
def test_hand_in_only_for_an_inspection_that_has_started(inspection, member_a, change, code):
    Activity.objects.filter(pk=inspection.pk).update(**change)
    inspection.refresh_from_db()
    with pytest.raises(services.InspectionError) as refused:
        hand_in(inspection, member_a)
    assert refused.value.code == code


@pytest.mark.parametrize("status", [Activity.Status.IN_PROGRESS, Activity.Status.CLOSED])
def test_hand_in_during_and_after_the_activity(inspection, member_a, status):
    Activity.objects.filter(pk=inspection.pk).update(status=status)
    inspection.refresh_from_db()
    assert hand_in(inspection, member_a).pk


def test_research_and_study_tours_take_suggestions_too(make_activity, invite, member_a):
    for kind in (Activity.Kind.RESEARCH, Activity.Kind.STUDY_TOUR):
        activity = make_activity(kind=kind)
        invite(activity, member_a)
        assert hand_in(activity, member_a).activity == activity


def test_suggestions_need_text_and_have_a_limit(inspection, member_a):
    with pytest.raises(services.InspectionError) as refused:
        hand_in(inspection, member_a, text="   ")
    assert refused.value.code == "text_required"
    with pytest.raises(services.InspectionError) as refused:
        hand_in(inspection, member_a, text="字" * (services.TEXT_LIMIT + 1))
    assert refused.value.code == "too_long"


# --- editing and withdrawing -----------------------------------------------------------------------


def test_a_member_edits_their_own_with_the_version_they_saw(inspection, member_a):
    suggestion = hand_in(inspection, member_a)
    edited = services.edit_suggestion(
        suggestion=suggestion, actor=member_a.user, findings="", text="新的建议", expected_version=1
    )
    assert (edited.text, edited.findings, edited.version) == ("新的建议", "", 2)
    with pytest.raises(StaleEdit):
        services.edit_suggestion(
            suggestion=suggestion, actor=member_a.user, findings="", text="旧页面", expected_version=1
        )
    assert Suggestion.objects.get().text == "新的建议"


def test_a_member_cannot_edit_or_withdraw_anothers(inspection, member_a, member_b):
    suggestion = hand_in(inspection, member_a)
    with pytest.raises(PermissionDenied):
        services.edit_suggestion(
            suggestion=suggestion, actor=member_b.user, findings="", text="改", expected_version=1
        )
    with pytest.raises(PermissionDenied):
        services.withdraw_suggestion(suggestion=suggestion, actor=member_b.user)
    assert Suggestion.objects.get().text == "建议增设园区公交线路。"


def test_withdrawing_removes_the_suggestion_and_its_ledger_rows(inspection, member_a):
    suggestion = hand_in(inspection, member_a)
    assert DutyRecord.objects.filter(kind="opinion.suggestion").count() == 1
    services.withdraw_suggestion(suggestion=suggestion, actor=member_a.user)
    assert not Suggestion.objects.exists()
    assert not DutyRecord.objects.filter(kind__startswith="opinion.suggestion").exists()
    assert AuditEvent.objects.filter(event="opinions.suggestion_withdrawn").exists()


def test_suggestions_close_once_the_report_is_sent(inspection, member_a, member_b, unit_staff, departments):
    suggestion = hand_in(inspection, member_a)
    report = save(inspection, unit_staff)
    send(report, unit_staff, departments[:1])
    for attempt in (
        lambda: hand_in(inspection, member_b),
        lambda: services.edit_suggestion(
            suggestion=suggestion, actor=member_a.user, findings="", text="改", expected_version=1
        ),
        lambda: services.withdraw_suggestion(suggestion=suggestion, actor=member_a.user),
    ):
        with pytest.raises(services.InspectionError) as refused:
            attempt()
        assert refused.value.code == "closed_sent"
    assert Suggestion.objects.count() == 1


def test_hand_in_stays_open_while_the_report_is_a_draft(inspection, member_a, member_b, unit_staff):
    hand_in(inspection, member_a)
    save(inspection, unit_staff)
    later = hand_in(inspection, member_b)
    assert later.included


# --- compiling and sending -------------------------------------------------------------------------


def test_staff_save_the_draft_and_list_only_what_their_page_showed(
    inspection, member_a, member_b, unit_staff
):
    first = hand_in(inspection, member_a)
    second = hand_in(inspection, member_b, text="建议优化审批流程。")
    report = services.save_report(
        activity=inspection,
        actor=unit_staff,
        title="视察报告",
        body="正文",
        shown_ids=[first.pk],
        listed_ids=[],
        expected_version=0,
    )
    assert (report.title, report.body, report.status, report.version) == ("视察报告", "正文", "draft", 1)
    first.refresh_from_db()
    second.refresh_from_db()
    # The page showed only the first: the second, handed in since, keeps its listing.
    assert not first.included and second.included
    report = services.save_report(
        activity=inspection,
        actor=unit_staff,
        title="视察报告（修改）",
        body="正文",
        shown_ids=[first.pk, second.pk],
        listed_ids=[first.pk],
        expected_version=1,
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.included and not second.included and report.version == 2
    assert AuditEvent.objects.filter(event="opinions.inspection_report_saved").count() == 2


def test_a_save_from_an_older_page_saves_nothing(inspection, unit_staff, office):
    save(inspection, unit_staff)
    with pytest.raises(StaleEdit):
        save(inspection, office, version=0, title="另一份")
    save(inspection, office, version=1, title="办公室修改")
    with pytest.raises(StaleEdit):
        save(inspection, unit_staff, version=1, title="旧页面")
    assert InspectionReport.objects.get().title == "办公室修改"


@pytest.mark.parametrize("who", ["office", "unit_staff"])
def test_office_and_the_units_staff_compile(inspection, request, who):
    assert save(inspection, request.getfixturevalue(who)).pk


@pytest.mark.parametrize("who", ["other_unit_staff", "editor", "leader", "foreign_office", "member_a"])
def test_others_cannot_compile(inspection, request, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        save(inspection, getattr(actor, "user", actor))
    assert not InspectionReport.objects.exists()


def test_unit_staff_cannot_compile_an_office_activity(make_activity, unit_staff, office):
    activity = make_activity(organizing_unit=None)
    with pytest.raises(PermissionDenied):
        save(activity, unit_staff)
    assert save(activity, office).pk


def test_sending_moves_the_report_and_transfers_it_to_each_department(
    inspection, member_a, unit_staff, departments
):
    hand_in(inspection, member_a)
    report = save(inspection, unit_staff)
    sent = send(report, unit_staff, departments)
    assert sent.status == InspectionReport.Status.SENT and sent.sent_on == timezone.localdate()
    change = InspectionReportStatusChange.objects.get(inspection_report=report)
    assert (change.from_status, change.to_status, change.actor) == ("draft", "sent", unit_staff)
    transfers = Transfer.objects.filter(inspection_report=report).order_by("department__name")
    assert [t.department for t in transfers] == sorted(departments, key=lambda d: d.name)
    assert all(t.report_id is None and t.status == "sent" for t in transfers)
    assert AuditEvent.objects.filter(event="opinions.transfer_created").count() == 2
    assert AuditEvent.objects.filter(event="opinions.inspection_report_status_changed").count() == 1
    with pytest.raises(services.InspectionError) as refused:
        send(sent, unit_staff, departments)
    assert refused.value.code == "illegal_transition"
    with pytest.raises(services.InspectionError):
        save(inspection, unit_staff, version=sent.version)
    assert Transfer.objects.count() == 2


def test_sending_needs_departments_of_the_committee(inspection, member_a, unit_staff, other_committee):
    hand_in(inspection, member_a)
    report = save(inspection, unit_staff)
    with pytest.raises(services.InspectionError) as refused:
        send(report, unit_staff, [])
    assert refused.value.code == "no_department"
    with pytest.raises(services.InspectionError) as refused:
        send(report, unit_staff, [DepartmentFactory(committee=other_committee)])
    assert refused.value.code == "foreign_department"
    assert InspectionReport.objects.get().status == "draft" and not Transfer.objects.exists()


def test_an_empty_report_is_not_sent(inspection, unit_staff, departments):
    report = save(inspection, unit_staff, body="")
    with pytest.raises(services.InspectionError) as refused:
        send(report, unit_staff, departments)
    assert refused.value.code == "empty"


def test_other_staff_cannot_send(inspection, member_a, unit_staff, other_unit_staff, departments):
    hand_in(inspection, member_a)
    report = save(inspection, unit_staff)
    with pytest.raises(PermissionDenied):
        send(report, other_unit_staff, departments)


# --- adoption --------------------------------------------------------------------------------------


def test_marking_adopted_writes_the_ledger_and_tells_the_member(
    inspection, member_a, member_b, unit_staff, departments
):
    suggestion = hand_in(inspection, member_a)
    unlisted = hand_in(inspection, member_b)
    report = save(inspection, unit_staff, listed=[suggestion.pk])
    with pytest.raises(services.InspectionError) as refused:
        services.set_adopted(suggestion=suggestion, actor=unit_staff, adopted=True)
    assert refused.value.code == "not_sent"
    report = send(report, unit_staff, departments)
    with pytest.raises(services.InspectionError) as refused:
        services.set_adopted(suggestion=unlisted, actor=unit_staff, adopted=True)
    assert refused.value.code == "not_listed"

    services.set_adopted(suggestion=suggestion, actor=unit_staff, adopted=True)
    handed_in = timezone.localdate(suggestion.created_at)
    assert ledger(suggestion) == [
        ("张建国", "opinion.suggestion", handed_in),
        ("张建国", "opinion.suggestion.adopted", report.sent_on),
    ]
    assert Notification.objects.filter(recipient=member_a.user, kind="opinion.suggestion_adopted").exists()
    # A department's reply dates the adoption (the first reply; the sync moves the row's date).
    Transfer.objects.filter(inspection_report=report, department=departments[0]).update(
        status="replied", reply="已采纳", replied_on=datetime.date(2026, 11, 20)
    )
    services.sync_suggestion_ledger(Suggestion.objects.get(pk=suggestion.pk), actor=unit_staff)
    assert ledger(suggestion)[1] == ("张建国", "opinion.suggestion.adopted", datetime.date(2026, 11, 20))

    services.set_adopted(suggestion=suggestion, actor=unit_staff, adopted=False)
    assert ledger(suggestion) == [("张建国", "opinion.suggestion", handed_in)]


def test_a_departments_online_reply_dates_the_adoption(
    inspection, member_a, unit_staff, departments, dept_account
):
    """The first reply dates an adopted suggestion, whether staff type it in or the department answers
    in lvzhi (feedback.reply_transfer re-syncs the inspection's adopted suggestions)."""
    from lvzhi.opinions.services import feedback

    suggestion = hand_in(inspection, member_a)
    report = send(save(inspection, unit_staff, listed=[suggestion.pk]), unit_staff, departments)
    InspectionReport.objects.filter(pk=report.pk).update(sent_on=datetime.date(2026, 1, 5))
    services.set_adopted(suggestion=suggestion, actor=unit_staff, adopted=True)
    assert ledger(suggestion)[1][2] == datetime.date(2026, 1, 5)

    transfer = Transfer.objects.get(inspection_report=report, department=departments[0])
    feedback.reply_transfer(transfer=transfer, actor=dept_account, reply="已按建议整改")
    assert ledger(suggestion)[1] == ("张建国", "opinion.suggestion.adopted", timezone.localdate())


def test_other_staff_cannot_mark_adopted(inspection, member_a, unit_staff, other_unit_staff, departments):
    suggestion = hand_in(inspection, member_a)
    send(save(inspection, unit_staff), unit_staff, departments)
    with pytest.raises(PermissionDenied):
        services.set_adopted(suggestion=suggestion, actor=other_unit_staff, adopted=True)
    with pytest.raises(PermissionDenied):
        services.set_adopted(suggestion=suggestion, actor=member_a.user, adopted=True)


# --- a 社情民意 draft from a suggestion ------------------------------------------------------------------


def test_a_member_turns_their_suggestion_into_a_draft_once(inspection, member_a):
    suggestion = hand_in(inspection, member_a)
    report = services.to_report_draft(suggestion=suggestion, actor=member_a.user)
    assert report.status == OpinionReport.Status.DRAFT and report.source == OpinionReport.Source.INSPECTION
    assert report.title == f"关于{inspection.title}的建议" or inspection.title in report.title
    assert "园区职工通勤不便。" in report.body and "建议增设园区公交线路。" in report.body
    lead = OpinionAuthor.objects.get(report=report)
    assert (lead.member, lead.role) == (member_a, "lead")
    suggestion.refresh_from_db()
    assert suggestion.report == report and report.from_suggestion == suggestion
    with pytest.raises(services.InspectionError) as refused:
        services.to_report_draft(suggestion=suggestion, actor=member_a.user)
    assert refused.value.code == "converted"
    assert OpinionReport.objects.count() == 1
    assert AuditEvent.objects.filter(event="opinions.suggestion_converted").count() == 1
    # The ledger still holds the one suggestion row.
    assert [kind for _name, kind, _day in ledger(suggestion)] == ["opinion.suggestion"]


def test_a_converted_suggestion_is_not_withdrawn(inspection, member_a):
    suggestion = hand_in(inspection, member_a)
    services.to_report_draft(suggestion=suggestion, actor=member_a.user)
    with pytest.raises(services.InspectionError) as refused:
        services.withdraw_suggestion(suggestion=suggestion, actor=member_a.user)
    assert refused.value.code == "converted"


def test_staff_start_the_draft_in_the_members_name(inspection, member_a, unit_staff, office):
    suggestion = hand_in(inspection, member_a)
    report = services.to_report_draft(suggestion=suggestion, actor=office)
    lead = OpinionAuthor.objects.get(report=report)
    assert (lead.member, lead.role) == (member_a, "lead")
    assert report.created_by == office


def test_others_cannot_convert(inspection, member_a, member_b, other_unit_staff):
    suggestion = hand_in(inspection, member_a)
    for actor in (member_b.user, other_unit_staff):
        with pytest.raises(PermissionDenied):
            services.to_report_draft(suggestion=suggestion, actor=actor)
    assert not OpinionReport.objects.exists()
