"""The inspection pages: members' hand-in pages and the link from their activity page; staff's list and
activity page (scope and rights), saving, sending, adopting and converting through the pages; the Word
download (audited) and the list's query count."""

import pytest
from django.urls import reverse

from lvzhi.activities.models import Activity
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.opinions.models import InspectionReport, OpinionReport, Suggestion, Transfer
from lvzhi.opinions.services import inspections as services

from .inspection_fixtures import *  # noqa: F403
from .inspection_fixtures import member_with_account

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(getattr(user, "user", user))
        return client

    return login


def hand_in(activity, member, text="建议增设园区公交线路。"):
    return services.hand_in(activity=activity, actor=member.user, findings="通勤不便。", text=text)


def compile_report(activity, actor, body="视察组认为……"):
    ids = list(Suggestion.objects.filter(activity=activity).values_list("pk", flat=True))
    return services.save_report(
        activity=activity,
        actor=actor,
        title="视察报告",
        body=body,
        shown_ids=ids,
        listed_ids=ids,
        expected_version=0,
    )


# --- members ---------------------------------------------------------------------------------------


def test_the_activity_page_links_an_invited_member_to_hand_in(
    as_user, inspection, member_a, make_activity, invite
):
    page = as_user(member_a).get(reverse("activities:detail", args=[inspection.pk]))
    assert reverse("opinions:activity_suggestions", args=[inspection.pk]) in page.content.decode()
    meeting = make_activity(kind=Activity.Kind.COMMITTEE_MEETING, title="专委会会议")
    invite(meeting, member_a)
    page = as_user(member_a).get(reverse("activities:detail", args=[meeting.pk]))
    assert 'id="inspection-suggestions-link"' not in page.content.decode()


def test_a_member_hands_in_through_the_page(as_user, inspection, member_a):
    client = as_user(member_a)
    url = reverse("opinions:activity_suggestions", args=[inspection.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        reverse("opinions:suggestion_hand_in", args=[inspection.pk]),
        {"findings": "园区道路破损。", "text": "建议尽快修复园区道路。", "submission_token": "tok-1"},
    )
    assert response.status_code == 302 and response.url == url
    again = client.post(
        reverse("opinions:suggestion_hand_in", args=[inspection.pk]),
        {"findings": "园区道路破损。", "text": "建议尽快修复园区道路。", "submission_token": "tok-1"},
    )
    assert again.status_code == 302
    assert Suggestion.objects.get().text == "建议尽快修复园区道路。"
    page = client.get(url).content.decode()
    assert "建议尽快修复园区道路。" in page
    mine = client.get(reverse("opinions:my_suggestions")).content.decode()
    assert "建议尽快修复园区道路。" in mine and inspection.title in mine


def test_an_empty_hand_in_shows_the_form_again(as_user, inspection, member_a):
    response = as_user(member_a).post(
        reverse("opinions:suggestion_hand_in", args=[inspection.pk]), {"findings": "", "text": ""}
    )
    assert response.status_code == 200 and not Suggestion.objects.exists()


def test_a_member_not_invited_gets_404(as_user, inspection, outsider):
    client = as_user(outsider)
    assert client.get(reverse("opinions:activity_suggestions", args=[inspection.pk])).status_code == 404
    response = client.post(reverse("opinions:suggestion_hand_in", args=[inspection.pk]), {"text": "x"})
    assert response.status_code == 404
    assert not Suggestion.objects.exists()


def test_hand_in_is_post_only(as_user, inspection, member_a):
    assert (
        as_user(member_a).get(reverse("opinions:suggestion_hand_in", args=[inspection.pk])).status_code == 405
    )


def test_a_member_of_another_committee_gets_404(as_user, inspection, other_committee):
    stranger = member_with_account(other_committee, "赵外县")
    client = as_user(stranger)
    assert client.get(reverse("opinions:activity_suggestions", args=[inspection.pk])).status_code == 404


def test_a_member_cannot_open_or_withdraw_anothers_suggestion(as_user, inspection, member_a, member_b):
    suggestion = hand_in(inspection, member_a)
    client = as_user(member_b)
    assert client.get(reverse("opinions:suggestion_edit", args=[suggestion.pk])).status_code == 404
    assert client.post(reverse("opinions:suggestion_withdraw", args=[suggestion.pk])).status_code == 404
    assert client.post(reverse("opinions:suggestion_to_report", args=[suggestion.pk])).status_code == 404
    assert Suggestion.objects.filter(pk=suggestion.pk, report=None).exists()


def test_a_member_edits_and_withdraws_through_the_pages(as_user, inspection, member_a):
    suggestion = hand_in(inspection, member_a)
    client = as_user(member_a)
    url = reverse("opinions:suggestion_edit", args=[suggestion.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"findings": "", "text": "改后的建议", "version": "1"})
    assert response.status_code == 302
    stale = client.post(url, {"findings": "", "text": "旧页面", "version": "1"})
    assert stale.status_code == 200 and "Someone else saved this" in stale.content.decode()
    assert Suggestion.objects.get().text == "改后的建议"
    client.post(reverse("opinions:suggestion_withdraw", args=[suggestion.pk]))
    assert not Suggestion.objects.exists()


def test_a_member_turns_a_suggestion_into_a_draft_and_both_pages_link(as_user, inspection, member_a):
    suggestion = hand_in(inspection, member_a)
    client = as_user(member_a)
    response = client.post(reverse("opinions:suggestion_to_report", args=[suggestion.pk]))
    report = OpinionReport.objects.get()
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    page = client.get(reverse("opinions:activity_suggestions", args=[inspection.pk])).content.decode()
    assert report.get_absolute_url() in page
    again = client.post(reverse("opinions:suggestion_to_report", args=[suggestion.pk]), follow=True)
    assert "already been turned into" in again.content.decode()
    assert OpinionReport.objects.count() == 1


def test_the_report_origin_fragment_names_the_suggestion(rf, inspection, member_a):
    from django.template.loader import render_to_string

    suggestion = hand_in(inspection, member_a)
    report = services.to_report_draft(suggestion=suggestion, actor=member_a.user)
    request = rf.get("/")
    request.user = member_a.user
    html = render_to_string("opinions/inspections/_report_origin.html", {"report": report}, request=request)
    assert inspection.title in html and reverse("opinions:activity_suggestions", args=[inspection.pk]) in html
    plain = OpinionReport.objects.create(committee=inspection.committee, year=2026, title="普通稿件")
    assert "report-origin" not in render_to_string(
        "opinions/inspections/_report_origin.html", {"report": plain}, request=request
    )


# --- staff -----------------------------------------------------------------------------------------


def test_office_sees_every_inspection_and_unit_staff_their_units(
    as_user, inspection, make_activity, other_unit, office, unit_staff, other_unit_staff
):
    other = make_activity(organizing_unit=other_unit, title="另一委调研", kind=Activity.Kind.RESEARCH)
    make_activity(kind=Activity.Kind.STANDING, title="常委会议")
    make_activity(status=Activity.Status.DRAFT, title="草稿视察")
    listing = as_user(office).get(reverse("opinions:inspections")).content.decode()
    assert inspection.title in listing and other.title in listing
    assert "常委会议" not in listing and "草稿视察" not in listing
    listing = as_user(unit_staff).get(reverse("opinions:inspections")).content.decode()
    assert inspection.title in listing and other.title not in listing
    assert as_user(unit_staff).get(reverse("opinions:inspection", args=[other.pk])).status_code == 404
    assert (
        as_user(other_unit_staff).get(reverse("opinions:inspection", args=[inspection.pk])).status_code == 404
    )


@pytest.mark.parametrize("who", ["office", "unit_staff", "leader", "editor"])
def test_staff_who_may_read_open_the_activity_page(as_user, request, inspection, member_a, who):
    hand_in(inspection, member_a)
    page = as_user(request.getfixturevalue(who)).get(reverse("opinions:inspection", args=[inspection.pk]))
    assert page.status_code == 200
    assert "建议增设园区公交线路。" in page.content.decode()
    assert ('id="report-form"' in page.content.decode()) == (who in ("office", "unit_staff"))


def test_members_and_other_committees_get_no_staff_page(as_user, inspection, member_a, foreign_office):
    assert as_user(member_a).get(reverse("opinions:inspections")).status_code == 403
    assert as_user(member_a).get(reverse("opinions:inspection", args=[inspection.pk])).status_code == 404
    assert (
        as_user(foreign_office).get(reverse("opinions:inspection", args=[inspection.pk])).status_code == 404
    )
    assert (
        as_user(foreign_office)
        .get(reverse("opinions:inspection_report_docx", args=[inspection.pk]))
        .status_code
        == 404
    )


def test_readers_cannot_save(as_user, inspection, editor):
    response = as_user(editor).post(
        reverse("opinions:inspection_report_save", args=[inspection.pk]), {"title": "x", "version": "0"}
    )
    assert response.status_code == 403 and not InspectionReport.objects.exists()


def test_staff_compile_send_and_mark_adopted_through_the_pages(
    as_user, inspection, member_a, member_b, unit_staff, departments
):
    first, second = hand_in(inspection, member_a), hand_in(inspection, member_b, text="建议优化审批。")
    client = as_user(unit_staff)
    response = client.post(
        reverse("opinions:inspection_report_save", args=[inspection.pk]),
        {
            "title": "关于重点项目建设情况的视察报告",
            "body": "视察组认为……",
            "version": "0",
            "shown": [first.pk, second.pk],
            "listed": [first.pk],
        },
    )
    assert response.status_code == 302
    report = InspectionReport.objects.get()
    assert report.title == "关于重点项目建设情况的视察报告"
    assert list(Suggestion.objects.filter(included=True)) == [first]
    response = client.post(
        reverse("opinions:inspection_report_send", args=[inspection.pk]),
        {"departments": [d.pk for d in departments], "note": "请研究办理", "version": str(report.version)},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "sent" and Transfer.objects.filter(inspection_report=report).count() == 2
    page = client.get(reverse("opinions:inspection", args=[inspection.pk])).content.decode()
    assert "县发展和改革局" in page and 'id="report-form"' not in page
    client.post(reverse("opinions:suggestion_adopted", args=[first.pk]), {"adopted": "1"})
    first.refresh_from_db()
    assert first.adopted


def test_a_stale_save_shows_the_message(as_user, inspection, member_a, unit_staff, office):
    hand_in(inspection, member_a)
    compile_report(inspection, office)
    response = as_user(unit_staff).post(
        reverse("opinions:inspection_report_save", args=[inspection.pk]),
        {"title": "我的版本", "version": "0"},
    )
    assert response.status_code == 200 and "Someone else saved this" in response.content.decode()
    assert InspectionReport.objects.get().title == "视察报告"


def test_the_word_download_is_audited_and_scoped(
    as_user, inspection, member_a, unit_staff, leader, other_unit_staff
):
    url = reverse("opinions:inspection_report_docx", args=[inspection.pk])
    assert as_user(unit_staff).get(url).status_code == 404  # no report yet
    hand_in(inspection, member_a)
    compile_report(inspection, unit_staff)
    response = as_user(leader).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(event="opinions.inspection_report_downloaded", actor=leader).exists()
    assert as_user(other_unit_staff).get(url).status_code == 404
    assert as_user(member_a).get(url).status_code == 404


def test_staff_convert_a_suggestion_in_the_members_name(
    as_user, inspection, member_a, office, other_unit_staff
):
    suggestion = hand_in(inspection, member_a)
    url = reverse("opinions:suggestion_to_report", args=[suggestion.pk])
    assert as_user(other_unit_staff).post(url).status_code == 404
    response = as_user(office).post(url)
    assert response.status_code == 302
    report = OpinionReport.objects.get()
    assert report.authors.get().member == member_a
    page = as_user(office).get(reverse("opinions:inspection", args=[inspection.pk])).content.decode()
    assert report.get_absolute_url() in page


def test_the_staff_list_costs_the_same_queries_for_more_activities(
    as_user, make_activity, invite, office, committee
):
    client = as_user(office)
    url = reverse("opinions:inspections")
    members = [member_with_account(committee, f"委员{n:02d}") for n in range(3)]

    def add(count):
        for n in range(count):
            activity = make_activity(title=f"视察{n}")
            invite(activity, *members)
            for member in members:
                hand_in(activity, member)
            if n % 2:
                compile_report(activity, office)

    add(2)
    client.get(url)
    with capture_queries() as small:
        client.get(url)
    add(12)
    with capture_queries() as large:
        client.get(url)
    assert_same_query_count(small, large)


def test_the_activity_page_costs_the_same_queries_for_more_suggestions(
    as_user, inspection, invite, unit_staff, committee, departments
):
    client = as_user(unit_staff)
    url = reverse("opinions:inspection", args=[inspection.pk])

    def add(count, start):
        members = [member_with_account(committee, f"委员{start + n:02d}") for n in range(count)]
        invite(inspection, *members)
        for member in members:
            hand_in(inspection, member)

    add(2, 0)
    compile_report(inspection, unit_staff)
    client.get(url)
    with capture_queries() as small:
        client.get(url)
    add(10, 10)
    with capture_queries() as large:
        client.get(url)
    assert_same_query_count(small, large)


def test_the_department_answers_and_staff_record_a_paper_reply(
    as_user, inspection, member_a, unit_staff, editor, departments, dept_account
):
    from lvzhi.ledger.models import DutyRecord
    from lvzhi.opinions.services import feedback

    suggestion = hand_in(inspection, member_a)
    report = services.send_report(
        report=compile_report(inspection, unit_staff),
        actor=unit_staff,
        departments=departments,
        expected_version=1,
    )
    services.set_adopted(suggestion=suggestion, actor=unit_staff, adopted=True)
    ours, paper = Transfer.objects.filter(inspection_report=report).order_by("pk")
    from lvzhi.notifications.models import Notification

    assert Notification.objects.filter(recipient=dept_account, kind="opinion.transferred").count() == 1
    # The department signs for and answers an inspection report through the transfers' own services.
    feedback.sign_transfer(transfer=ours, actor=dept_account)
    feedback.reply_transfer(transfer=Transfer.objects.get(pk=ours.pk), actor=dept_account, reply="将研究采纳")
    assert Transfer.objects.get(pk=ours.pk).status == "replied"

    url = reverse("opinions:inspection_paper_reply", args=[inspection.pk, paper.pk])
    data = {f"paper{paper.pk}-replied_on": "2026-07-01", f"paper{paper.pk}-reply": "书面答复：已列入计划"}
    assert as_user(editor).post(url, data).status_code == 403
    response = as_user(unit_staff).post(url, data)
    assert response.status_code == 302
    paper.refresh_from_db()
    assert (paper.status, paper.on_paper, paper.replied_on.isoformat()) == ("replied", True, "2026-07-01")
    # The first reply now dates the adoption.
    adopted = DutyRecord.objects.get(source_id=suggestion.pk, kind="opinion.suggestion.adopted")
    assert adopted.date.isoformat() == "2026-07-01"
    page = as_user(unit_staff).get(reverse("opinions:inspection", args=[inspection.pk])).content.decode()
    assert "将研究采纳" in page and "书面答复：已列入计划" in page
