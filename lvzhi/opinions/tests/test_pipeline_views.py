"""The pages of the author's side and the editors' pipeline: what each role sees and may press, the
autosave, the length limit, the diff, the queues and their query counts."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lvzhi.core.testing import assert_same_query_count, body, capture_queries
from lvzhi.opinions.models import Category, OpinionAttachment, OpinionPolicy, OpinionReport
from lvzhi.opinions.services import reports

from .pipeline_fixtures import *  # noqa: F403

Status = OpinionReport.Status
pytestmark = pytest.mark.usefixtures("english")


def _login(client, user):
    client.force_login(user)
    return client


# --- writing -----------------------------------------------------------------------------------------


def test_member_writes_autosaves_and_submits(client, author, co_author, committee, editor):
    _login(client, author.user)
    page = client.get(reverse("opinions:new"))
    assert page.status_code == 200
    assert "关于……的建议" in body(page) and 'data-char-limit="1500"' in body(page)
    category = Category.objects.filter(committee=committee).first()
    saved = client.post(
        reverse("opinions:autosave_new"),
        {
            "title": "关于城东学校门口交通安全的建议",
            "body": "情况：……",
            "category": category.pk,
            "co_authors": [co_author.pk],
        },
    )
    assert saved.status_code == 200, saved.content
    answer = json.loads(saved.content)
    report = OpinionReport.objects.get()
    assert answer["edit_url"] == reverse("opinions:edit", args=[report.pk])
    assert answer["saved"].startswith("Autosaved at ")
    assert list(report.authors.values_list("name", flat=True)) == ["张建国", "李秀英"]
    # The second autosave with the version the first returned; then a stale tab is refused.
    again = client.post(
        reverse("opinions:autosave", args=[report.pk]),
        {"title": report.title, "body": "情况：改了。", "version": answer["version"]},
    )
    assert again.status_code == 200
    stale = client.post(
        reverse("opinions:autosave", args=[report.pk]),
        {"title": report.title, "body": "另一个标签页", "version": answer["version"]},
    )
    assert stale.status_code == 409 and json.loads(stale.content)["stale"]
    report.refresh_from_db()
    assert report.body == "情况：改了。"
    response = client.post(reverse("opinions:submit", args=[report.pk]), {"version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_the_write_page_saves_and_submits_in_one_post(client, author, committee, editor):
    """提交 on the write page sends the text typed since the last autosave with it: a new report goes
    from nothing to submitted in one post, and an autosaved draft is saved and submitted."""
    _login(client, author.user)
    category = Category.objects.filter(committee=committee).first()
    response = client.post(
        reverse("opinions:new"),
        {
            "title": "关于城西菜市场排水的建议",
            "body": "情况：雨天积水。",
            "category": category.pk,
            "submit_now": "1",
        },
    )
    report = OpinionReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "opinions:detail", args=[report.pk]
    )
    assert report.status == Status.SUBMITTED and report.body == "情况：雨天积水。"

    draft = reports.create_draft(actor=author.user, title="关于路灯的建议", body="旧的")
    response = client.post(
        reverse("opinions:edit", args=[draft.pk]),
        {
            "title": "关于路灯的建议",
            "body": "刚刚补充的正文",
            "category": category.pk,
            "version": draft.version,
            "submit_now": "1",
        },
    )
    draft.refresh_from_db()
    assert (draft.status, draft.body) == (Status.SUBMITTED, "刚刚补充的正文")


def test_submitting_from_the_write_page_over_the_limit_keeps_the_text(client, author, committee):
    OpinionPolicy.objects.create(committee=committee, body_limit=10)
    _login(client, author.user)
    response = client.post(
        reverse("opinions:new"),
        {"title": "关于停车的建议", "body": "字" * 11, "submit_now": "1"},
        follow=True,
    )
    report = OpinionReport.objects.get()
    assert (report.status, report.body) == (Status.DRAFT, "字" * 11)
    assert "Body: 11 characters, more than the limit of 10" in body(response)


def test_submit_over_the_limit_names_the_field(client, author, committee, make_report):
    OpinionPolicy.objects.create(committee=committee, body_limit=300)
    report = make_report(Status.DRAFT, submitted_at=None, body="字" * 301)
    _login(client, author.user)
    page = client.get(reverse("opinions:edit", args=[report.pk]))
    assert 'data-char-limit="300"' in body(page)
    response = client.post(
        reverse("opinions:submit", args=[report.pk]), {"version": report.version}, follow=True
    )
    assert "Body: 301 characters, more than the limit of 300" in body(response)
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_co_author_search_finds_members_by_name(client, author, co_author):
    _login(client, author.user)
    response = client.get(reverse("opinions:co_author_search"), {"q": "李秀"})
    assert f'data-co-author-pick="{co_author.pk}"' in body(response)


def test_my_reports_say_what_happened(client, author, editor, make_report):
    returned = make_report(Status.SUBMITTED)
    reports.return_to_author(returned, actor=editor, reason="请补充具体地点")
    declined = make_report(Status.SUBMITTED)
    reports.not_adopt(declined, actor=editor, reason="问题已解决")
    _login(client, author.user)
    text = body(client.get(reverse("opinions:mine")))
    assert "What to change: 请补充具体地点" in text
    assert "Reason: 问题已解决" in text
    assert reverse("opinions:edit", args=[returned.pk]) in text


def test_my_reports_cost_the_same_queries_for_more_rows(client, author, make_report):
    _login(client, author.user)
    make_report(Status.SUBMITTED)
    client.get(reverse("opinions:mine"))
    with capture_queries() as small:
        client.get(reverse("opinions:mine"))
    for _ in range(8):
        make_report(Status.REPORTED, reported_on=datetime.date(2026, 4, 1), reported_to="市政协")
    with capture_queries() as large:
        client.get(reverse("opinions:mine"))
    assert_same_query_count(small, large)


def test_the_home_page_shows_returned_reports(client, author, editor, make_report):
    report = make_report(Status.SUBMITTED)
    reports.return_to_author(report, actor=editor, reason="请补充数据")
    _login(client, author.user)
    text = body(client.get(reverse("home:index")))
    assert "home-opinion-returned" in text and "请补充数据" in text


# --- attachments -------------------------------------------------------------------------------------


def test_attachments_are_served_only_to_who_sees_the_report(
    client, author, other_member, editor, make_report, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = make_report(Status.DRAFT, submitted_at=None)
    _login(client, author.user)
    upload = SimpleUploadedFile("调查.pdf", b"%PDF-1.4\n% survey\n", content_type="application/pdf")
    client.post(reverse("opinions:attachment_add", args=[report.pk]), {"file": upload, "next": "edit"})
    attachment = OpinionAttachment.objects.get()
    url = reverse("opinions:attachment", args=[report.pk, attachment.pk])
    assert client.get(url).status_code == 200
    _login(client, other_member.user)
    assert client.get(url).status_code == 404
    _login(client, editor)  # a draft is the author's own
    assert client.get(url).status_code == 404


# --- the report page ---------------------------------------------------------------------------------


def test_the_diff_is_escaped(client, editor, make_report):
    report = make_report(
        Status.EDITING, body="原文<script>alert(1)</script>", edited_title="标题", edited_body="新文<b>粗</b>"
    )
    _login(client, editor)
    text = body(client.get(reverse("opinions:detail", args=[report.pk])))
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;" in text and "<del>" in text and "<ins>" in text
    assert "&lt;b&gt;" in text


def test_editor_sees_the_register_form_and_similar_reports(client, editor, make_report):
    make_report(
        Status.REPORTED,
        title="关于城东学校门口交通安全的建议",
        body="城东小学门口上下学时段车辆拥堵，学生过马路不安全。",
    )
    report = make_report(
        Status.SUBMITTED,
        title="关于改善城东小学门口交通秩序的建议",
        body="城东小学门口接送车辆多，学生过马路危险。",
    )
    _login(client, editor)
    text = body(client.get(reverse("opinions:detail", args=[report.pk])))
    assert "register-form" in text and "similar-reports" in text
    assert "%" in text and "<mark>" in text


def test_the_author_sees_no_pipeline_buttons(client, author, make_report):
    report = make_report(Status.SUBMITTED)
    _login(client, author.user)
    text = body(client.get(reverse("opinions:detail", args=[report.pk])))
    assert "register-form" not in text and "report-actions" not in text


def test_authors_read_the_reasons_written_for_them_not_the_leaders_comments(
    client, author, editor, leader, make_report
):
    report = make_report(Status.AWAITING_SIGNOFF)
    report = reports.send_back(report, actor=leader, comments="数据口径请再核一下")
    reports.return_to_author(report, actor=editor, reason="请补充具体路段")
    _login(client, author.user)
    text = body(client.get(reverse("opinions:detail", args=[report.pk])))
    assert "请补充具体路段" in text and "数据口径请再核一下" not in text
    _login(client, editor)
    text = body(client.get(reverse("opinions:detail", args=[report.pk])))
    assert "请补充具体路段" in text and "数据口径请再核一下" in text


def test_the_report_merged_into_is_named_but_linked_only_for_who_may_open_it(
    client, author, other_member, editor, make_report
):
    duplicate = make_report(Status.SUBMITTED)
    kept = make_report(Status.REGISTERED, lead=other_member, co=[], title="关于城北农贸市场改造的建议")
    reports.merge(duplicate, actor=editor, into=kept)
    link = reverse("opinions:detail", args=[kept.pk])
    _login(client, author.user)
    text = body(client.get(reverse("opinions:detail", args=[duplicate.pk])))
    assert "关于城北农贸市场改造的建议" in text and link not in text
    _login(client, editor)
    assert link in body(client.get(reverse("opinions:detail", args=[duplicate.pk])))


@pytest.mark.parametrize(
    "who, status_code",
    [
        ("author", 200),
        ("co_author", 200),
        ("other_member", 404),
        ("editor", 200),
        ("leader", 200),
        ("office", 200),
        ("unit_staff", 404),
        ("handling_unit", 404),
        ("foreign_editor", 404),
    ],
)
def test_who_sees_a_submitted_report(client, make_report, who, status_code, request):
    report = make_report(Status.SUBMITTED)
    user = request.getfixturevalue(who)
    _login(client, getattr(user, "user", user))
    assert client.get(reverse("opinions:detail", args=[report.pk])).status_code == status_code


def test_unit_staff_see_their_units_reports(client, unit_staff, my_unit, make_report):
    report = make_report(Status.SUBMITTED, unit=my_unit)
    _login(client, unit_staff)
    assert client.get(reverse("opinions:detail", args=[report.pk])).status_code == 200


def test_a_step_by_the_wrong_person_is_refused_not_a_500(
    client, author, other_member, make_report, committee
):
    report = make_report(Status.SUBMITTED)
    category = Category.objects.filter(committee=committee).first()
    _login(client, author.user)
    response = client.post(
        reverse("opinions:register", args=[report.pk]), {"category": category.pk, "source": "member"}
    )
    assert response.status_code == 403
    _login(client, other_member.user)
    response = client.post(
        reverse("opinions:register", args=[report.pk]), {"category": category.pk, "source": "member"}
    )
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_an_illegal_step_is_a_message(client, editor, make_report):
    report = make_report(Status.REPORTED, reported_on=datetime.date(2026, 4, 1), reported_to="市政协")
    _login(client, editor)
    response = client.post(
        reverse("opinions:start_editing", args=[report.pk]), {"version": report.version}, follow=True
    )
    assert response.status_code == 200
    assert "cannot become" in body(response)


def test_steps_through_the_pages(client, editor, leader, unit_staff, make_report, committee):
    report = make_report(Status.SUBMITTED)
    category = Category.objects.filter(committee=committee).first()

    def post(user, name, data=None):
        # Every form of the page sends the version it showed.
        _login(client, user)
        report.refresh_from_db()
        response = client.post(reverse(name, args=[report.pk]), {"version": report.version, **(data or {})})
        assert response.status_code == 302, name

    post(editor, "opinions:register", {"category": category.pk, "source": "member"})
    post(editor, "opinions:assign_verifier", {"verifier": unit_staff.pk})
    post(unit_staff, "opinions:findings", {"findings": "属实"})
    post(editor, "opinions:start_editing")
    post(
        editor,
        "opinions:edit_text",
        {"edited_title": "关于优化路口信号灯的建议", "edited_body": "改后的正文"},
    )
    post(editor, "opinions:send_for_signoff")
    post(leader, "opinions:sign")
    post(
        editor,
        "opinions:report_directly",
        {"recipients": ["县委主要领导", "市政协"], "reported_on": "2026-04-01"},
    )
    report.refresh_from_db()
    assert report.status == Status.REPORTED
    assert report.reported_to == "县委主要领导、市政协"
    assert report.findings == "属实" and report.edited_title == "关于优化路口信号灯的建议"
    assert [c.to_status for c in report.status_changes.order_by("pk")] == [
        Status.REGISTERED,
        Status.VERIFYING,
        Status.EDITING,
        Status.AWAITING_SIGNOFF,
        Status.SIGNED,
        Status.REPORTED,
    ]


def test_get_is_refused_on_steps(client, editor, make_report):
    report = make_report(Status.SUBMITTED)
    _login(client, editor)
    assert client.get(reverse("opinions:register", args=[report.pk])).status_code == 405


# --- queues and settings -----------------------------------------------------------------------------


def test_queues_count_and_flag_overdue(client, editor, make_report):
    old = timezone.now() - datetime.timedelta(days=30)
    make_report(Status.SUBMITTED, status_changed_at=old)
    make_report(Status.SUBMITTED)
    make_report(Status.EDITING)
    _login(client, editor)
    response = client.get(reverse("opinions:work"), {"queue": "submitted"})
    text = body(response)
    assert 'data-queue="submitted">2<' in text and 'data-queue="editing">1<' in text
    assert "1 overdue" in text and "table-danger" in text
    only = body(client.get(reverse("opinions:work"), {"queue": "submitted", "overdue": "1"}))
    assert only.count("<tr") == 2  # the header and the overdue one


def test_overdue_days_come_from_the_committees_settings(editor, committee, make_report):
    from lvzhi.opinions import selectors

    make_report(Status.SUBMITTED, status_changed_at=timezone.now() - datetime.timedelta(days=2))
    assert selectors.editor_queue_counts(editor)["submitted"]["overdue"] == 0
    OpinionPolicy.objects.create(committee=committee, overdue_days={"submitted": 1})
    assert selectors.editor_queue_counts(editor)["submitted"]["overdue"] == 1


def test_the_queue_costs_the_same_queries_for_more_rows(client, editor, make_report):
    _login(client, editor)
    make_report(Status.SUBMITTED)
    client.get(reverse("opinions:work"))
    with capture_queries() as small:
        client.get(reverse("opinions:work"))
    for _ in range(8):
        make_report(Status.SUBMITTED)
    with capture_queries() as large:
        client.get(reverse("opinions:work"))
    assert_same_query_count(small, large)


def test_leader_home_card_counts_what_awaits_sign_off(client, leader, make_report):
    make_report(Status.AWAITING_SIGNOFF)
    _login(client, leader)
    text = body(client.get(reverse("home:index")))
    assert "home-opinion-queue" in text and "awaiting your sign-off" in text


def test_members_and_handling_units_have_no_work_page(client, other_member, handling_unit):
    for user in (other_member.user, handling_unit):
        _login(client, user)
        assert client.get(reverse("opinions:work")).status_code == 403


def test_settings_change_the_limit_and_categories(client, editor, committee):
    _login(client, editor)
    data = {"body_limit": 2000, **{f"days_{s}": 4 for s in OpinionReport.WORK_STEPS}}
    assert client.post(reverse("opinions:settings"), data).status_code == 302
    policy = OpinionPolicy.objects.get(committee=committee)
    assert policy.body_limit == 2000 and policy.overdue_days["verifying"] == 4
    client.post(reverse("opinions:category_change"), {"action": "add", "name": "民族宗教"})
    added = Category.objects.get(committee=committee, name="民族宗教")
    client.post(
        reverse("opinions:category_change"),
        {"action": "rename", "category": added.pk, "name": "民族宗教与侨务"},
    )
    client.post(reverse("opinions:category_change"), {"action": "retire", "category": added.pk})
    added.refresh_from_db()
    assert added.name == "民族宗教与侨务" and not added.is_active
    from lvzhi.core.models import AuditEvent

    assert AuditEvent.objects.filter(event="opinions.policy_changed").exists()
    assert AuditEvent.objects.filter(event="opinions.category_changed").count() == 3


@pytest.mark.parametrize("name", ["民族\x00宗教", "类" * 51])
def test_a_category_name_no_column_holds_is_refused_naming_the_field(client, editor, committee, name):
    """A NUL character (PostgreSQL text cannot hold one) or a name over 50 characters was a 500."""
    _login(client, editor)
    before = Category.objects.filter(committee=committee).count()
    response = client.post(reverse("opinions:category_change"), {"action": "add", "name": name}, follow=True)
    assert response.status_code == 200 and "Category name：" in body(response)
    assert Category.objects.filter(committee=committee).count() == before


def test_settings_are_for_editors_only(client, leader, office):
    for user in (leader, office):
        _login(client, user)
        assert client.get(reverse("opinions:settings")).status_code == 403
