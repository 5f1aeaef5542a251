"""Study pages: the member's page and form, the staff queue, review, downloads, export and plans."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.ledger.models import DutyRecord
from lvzhi.studies import services
from lvzhi.studies.models import StudySubmission, TrainingPlan, TrainingSession

S = StudySubmission.Status
# workflow.StaleEdit's message, as the pages show it.
STALE = "Someone else saved this after you opened it. Nothing was saved."
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="笔记.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def detail(item):
    return reverse("studies:submission_detail", args=[item.pk])


def page_queries(client, url):
    with capture_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return queries


# --- member ----------------------------------------------------------------------------------------


def test_member_home_shows_published_plan_and_own_submissions(
    client_of, member, outsider, published_plan, make_submission, make_activity, office, invite_member
):
    year = published_plan.year
    activity = make_activity(
        kind=Activity.Kind.TRAINING,
        title="第一期学习培训班",
        status=Activity.Status.PUBLISHED,
        starts_at=timezone.make_aware(datetime.datetime(year, 3, 15, 9)),
        ends_at=timezone.make_aware(datetime.datetime(year, 3, 15, 12)),
    )
    invite_member(activity, member)
    session = published_plan.sessions.get()
    services.save_session(
        plan=published_plan,
        actor=office,
        session=session,
        planned_on=session.planned_on,
        topic="专题一",
        activity=activity,
    )
    make_submission(member, title="我的笔记")
    make_submission(outsider, title="别人的笔记")
    body = client_of(member.user).get(reverse("studies:home")).content.decode()
    assert published_plan.title in body
    assert "专题一" in body
    assert reverse("activities:detail", args=[activity.pk]) in body
    assert "我的笔记" in body
    assert "别人的笔记" not in body


def test_member_home_hides_draft_plan(client_of, member, plan):
    body = client_of(member.user).get(reverse("studies:home")).content.decode()
    assert plan.title not in body
    assert "has not been published yet" in body


def test_member_home_hides_other_committees_plan(client_of, member, foreign_office):
    year = timezone.localdate().year
    other = services.create_plan(actor=foreign_office, year=year, title="邻县方案")
    services.set_plan_status(plan=other, to_status="published", actor=foreign_office)
    body = client_of(member.user).get(reverse("studies:home")).content.decode()
    assert "邻县方案" not in body


def test_member_home_query_count(client_of, member, published_plan, office, make_submission):
    client = client_of(member.user)

    def grow(n):
        for i in range(n):
            services.save_session(
                plan=published_plan,
                actor=office,
                planned_on=datetime.date(published_plan.year, 5, 1),
                topic=f"t{i}",
            )
            make_submission(member, title=f"n{i}")

    grow(2)
    small = page_queries(client, reverse("studies:home"))
    grow(8)
    assert_same_query_count(small, page_queries(client, reverse("studies:home")))


def test_submit_with_attachment(client_of, member, published_plan):
    session = published_plan.sessions.get()
    response = client_of(member.user).post(
        reverse("studies:submit"),
        {"kind": "notes", "title": "学习体会", "body": "内容", "session": session.pk, "attachment": pdf()},
    )
    item = StudySubmission.objects.get()
    assert response.status_code == 302 and response.url == detail(item)
    assert item.member == member and item.session == session and item.status == S.SUBMITTED
    assert item.original_name == "笔记.pdf" and item.content_type == "application/pdf"
    stored = item.file.name
    assert stored.endswith(".pdf") and "笔记" not in stored


def test_submit_refuses_other_file_types(client_of, member):
    html = SimpleUploadedFile(
        "notes.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = client_of(member.user).post(
        reverse("studies:submit"), {"kind": "notes", "title": "t", "body": "b", "attachment": html}
    )
    assert response.status_code == 200
    assert "is not a file type we accept" in response.content.decode()
    assert not StudySubmission.objects.exists()


def test_submit_refuses_another_committees_session(client_of, member, foreign_office):
    other = services.create_plan(actor=foreign_office, year=timezone.localdate().year, title="邻县方案")
    session = services.save_session(
        plan=other, actor=foreign_office, planned_on=datetime.date(other.year, 2, 2), topic="x"
    )
    response = client_of(member.user).post(
        reverse("studies:submit"), {"kind": "notes", "title": "t", "body": "b", "session": session.pk}
    )
    assert response.status_code == 200
    assert not StudySubmission.objects.exists()


def test_submit_without_member_file_404(client_of, office):
    assert client_of(office).get(reverse("studies:submit")).status_code == 404


def test_double_submit_creates_one(client_of, member):
    client = client_of(member.user)
    data = {"kind": "notes", "title": "t", "body": "b", "submission_token": "tok-123"}
    client.post(reverse("studies:submit"), data)
    client.post(reverse("studies:submit"), data)
    assert StudySubmission.objects.count() == 1


def test_member_edits_and_resubmits_returned(client_of, member, office, make_submission):
    item = make_submission(member)
    client = client_of(member.user)
    assert (
        client.get(reverse("studies:submission_edit", args=[item.pk])).status_code == 302
    )  # not returned yet
    services.return_submission(submission=item, actor=office, reason="请补充")
    item.refresh_from_db()
    page = client.get(reverse("studies:submission_edit", args=[item.pk]))
    assert "请补充" in page.content.decode()
    response = client.post(
        reverse("studies:submission_edit", args=[item.pk]),
        {"kind": "essay", "title": "修改稿", "body": "新内容", "version": item.version},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.title, item.kind) == (S.SUBMITTED, "修改稿", "essay")


def test_member_cannot_see_or_touch_anothers(client_of, member, outsider, office, make_submission):
    theirs = make_submission(outsider, attachment=None)
    services.return_submission(submission=theirs, actor=office, reason="r")
    client = client_of(member.user)
    for name in ("submission_detail", "submission_edit", "attachment"):
        assert client.get(reverse(f"studies:{name}", args=[theirs.pk])).status_code == 404
    assert (
        client.post(
            reverse("studies:submission_edit", args=[theirs.pk]), {"kind": "notes", "title": "x", "body": "x"}
        ).status_code
        == 404
    )
    for name in ("acknowledge", "return"):
        assert client.post(reverse(f"studies:{name}", args=[theirs.pk]), {"reason": "x"}).status_code == 404


def test_member_cannot_acknowledge_own(client_of, member, make_submission):
    item = make_submission(member)
    assert client_of(member.user).post(reverse("studies:acknowledge", args=[item.pk])).status_code == 403
    item.refresh_from_db()
    assert item.status == S.SUBMITTED


def test_member_has_no_queue_or_plans(client_of, member):
    client = client_of(member.user)
    for name in ("queue", "export", "plans", "plan_create"):
        assert client.get(reverse(f"studies:{name}")).status_code == 403


# --- attachment ------------------------------------------------------------------------------------


def test_attachment_download(client_of, member, outsider, office, unit_staff, make_user, other_unit, client):
    client_of(member.user).post(
        reverse("studies:submit"), {"kind": "notes", "title": "t", "body": "b", "attachment": pdf()}
    )
    item = StudySubmission.objects.get()
    url = reverse("studies:attachment", args=[item.pk])
    for user in (member.user, office, unit_staff):
        response = client_of(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF
    other_staff = make_user(Role.UNIT_STAFF, units=[other_unit])
    assert client_of(other_staff).get(url).status_code == 404
    assert client_of(outsider.user).get(url).status_code == 404
    assert client.get(url).status_code == 302  # anonymous: to login


# --- staff: queue and review -----------------------------------------------------------------------


def test_queue_pending_first_and_scoped(
    client_of, member, outsider, office, unit_staff, leader, make_submission
):
    done = make_submission(member, title="已确认的")
    services.acknowledge(submission=done, actor=office)
    make_submission(member, title="待确认的")
    make_submission(outsider, title="外单位的")

    def titles(user, query=""):
        response = client_of(user).get(reverse("studies:queue") + query)
        assert response.status_code == 200
        return [s.title for s in response.context["page"]]

    assert titles(office)[:2] == ["外单位的", "待确认的"] and titles(office)[-1] == "已确认的"
    assert titles(unit_staff) == ["待确认的", "已确认的"]
    assert set(titles(leader)) == {"已确认的", "待确认的", "外单位的"}
    assert titles(office, "?status=acknowledged") == ["已确认的"]
    assert titles(office, "?kind=essay") == []
    assert titles(office, f"?year={timezone.localdate().year - 1}") == []


def test_queue_of_another_committee_is_empty(client_of, foreign_office, member, make_submission):
    make_submission(member)
    response = client_of(foreign_office).get(reverse("studies:queue"))
    assert list(response.context["page"]) == []


def test_queue_query_count(client_of, office, make_member, make_submission):
    client = client_of(office)

    def grow(n):
        for _ in range(n):
            make_submission(make_member(login=True))

    grow(2)
    small = page_queries(client, reverse("studies:queue"))
    grow(8)
    assert_same_query_count(small, page_queries(client, reverse("studies:queue")))


def test_office_acknowledges_through_the_view(client_of, member, office, make_submission):
    item = make_submission(member)
    client = client_of(office)
    assert client.get(reverse("studies:acknowledge", args=[item.pk])).status_code == 405
    response = client.post(
        reverse("studies:acknowledge", args=[item.pk]), {"version": item.version}, follow=True
    )
    assert "Acknowledged" in response.content.decode()
    item.refresh_from_db()
    assert item.status == S.ACKNOWLEDGED
    assert DutyRecord.objects.filter(member=member, kind="study.notes").count() == 1
    # twice: an illegal move is a message, not a 500
    response = client.post(
        reverse("studies:acknowledge", args=[item.pk]), {"version": item.version}, follow=True
    )
    assert response.status_code == 200 and "cannot become" in response.content.decode()


def test_acknowledge_without_a_version_is_refused(client_of, member, office, make_submission):
    item = make_submission(member)
    response = client_of(office).post(reverse("studies:acknowledge", args=[item.pk]), follow=True)
    assert STALE in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.version) == (S.SUBMITTED, 1)


@pytest.mark.parametrize(("name", "data"), [("acknowledge", {}), ("return", {"reason": "请补充学习体会"})])
def test_a_review_of_a_submission_changed_since_is_refused(
    client_of, member, office, make_submission, name, data
):
    item = make_submission(member)
    response = client_of(office).post(
        reverse(f"studies:{name}", args=[item.pk]), {"version": item.version + 1, **data}, follow=True
    )
    assert STALE in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.version) == (S.SUBMITTED, 1)


def test_resubmitting_a_submission_changed_since_is_refused(client_of, member, office, make_submission):
    item = make_submission(member)
    services.return_submission(submission=item, actor=office, reason="请补充")
    response = client_of(member.user).post(
        reverse("studies:submission_edit", args=[item.pk]),
        {"kind": "essay", "title": "修改稿", "body": "新内容", "version": 1},
    )
    assert response.status_code == 200 and STALE in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.title) == (S.RETURNED, "学习笔记")


def test_return_through_the_view_needs_reason(client_of, member, office, make_submission):
    item = make_submission(member)
    client = client_of(office)
    url = reverse("studies:return", args=[item.pk])
    response = client.post(url, {"reason": "", "version": item.version}, follow=True)
    assert "Reason: say why" in response.content.decode()
    client.post(url, {"reason": "太短", "version": item.version})
    item.refresh_from_db()
    assert item.status == S.RETURNED and item.review_note == "太短"


def test_unit_staff_cannot_review_outside_their_units(client_of, outsider, unit_staff, make_submission):
    item = make_submission(outsider)
    client = client_of(unit_staff)
    assert client.get(detail(item)).status_code == 404
    assert client.post(reverse("studies:acknowledge", args=[item.pk])).status_code == 404
    item.refresh_from_db()
    assert item.status == S.SUBMITTED


def test_leader_sees_but_cannot_acknowledge(client_of, member, leader, make_submission):
    item = make_submission(member)
    client = client_of(leader)
    page = client.get(detail(item))
    assert page.status_code == 200 and "Acknowledge" not in page.content.decode()
    assert client.post(reverse("studies:acknowledge", args=[item.pk])).status_code == 403


def test_other_committee_404(client_of, member, foreign_office, make_submission, plan):
    item = make_submission(member)
    client = client_of(foreign_office)
    assert client.get(detail(item)).status_code == 404
    assert client.post(reverse("studies:acknowledge", args=[item.pk])).status_code == 404
    assert client.get(reverse("studies:plan_detail", args=[plan.pk])).status_code == 404
    assert client.post(reverse("studies:plan_publish", args=[plan.pk])).status_code == 404


def test_export(client_of, member, office, make_submission):
    make_submission(member, title='=HYPERLINK("http://evil")')
    response = client_of(office).get(reverse("studies:export") + f"?year={timezone.localdate().year}")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [cell.value for row in book.active.iter_rows() for cell in row]
    assert member.name in values
    assert '\'=HYPERLINK("http://evil")' in values
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.detail["rows"] == 1


# --- staff: plans ----------------------------------------------------------------------------------


def test_office_creates_plan_adds_sessions_and_publishes(client_of, office, make_activity):
    client = client_of(office)
    year = timezone.localdate().year
    response = client.post(
        reverse("studies:plan_create"), {"year": year, "title": "年度方案", "summary": "s"}
    )
    plan = TrainingPlan.objects.get()
    assert response.url == reverse("studies:plan_detail", args=[plan.pk])
    duplicate = client.post(reverse("studies:plan_create"), {"year": year, "title": "again"})
    assert "already a training plan" in duplicate.content.decode()

    training = make_activity(
        kind=Activity.Kind.TRAINING,
        starts_at=timezone.make_aware(datetime.datetime(year, 6, 1, 9)),
        ends_at=timezone.make_aware(datetime.datetime(year, 6, 1, 11)),
    )
    meeting = make_activity(
        kind=Activity.Kind.STANDING,
        starts_at=timezone.make_aware(datetime.datetime(year, 6, 2, 9)),
        ends_at=timezone.make_aware(datetime.datetime(year, 6, 2, 11)),
    )
    add = reverse("studies:session_add", args=[plan.pk])
    client.post(add, {"planned_on": f"{year}-06-01", "topic": "专题", "activity": training.pk})
    session = TrainingSession.objects.get()
    assert session.activity == training
    client.post(add, {"planned_on": f"{year}-06-02", "topic": "会议", "activity": meeting.pk})
    client.post(add, {"planned_on": f"{year + 1}-01-02", "topic": "明年"})
    assert TrainingSession.objects.count() == 1
    page = client.get(reverse("studies:plan_detail", args=[plan.pk])).content.decode()
    assert training.title in page

    client.post(
        reverse("studies:session_edit", args=[session.pk]), {"planned_on": f"{year}-07-01", "topic": "改"}
    )
    session.refresh_from_db()
    assert (session.topic, session.activity) == ("改", None)

    client.post(reverse("studies:plan_publish", args=[plan.pk]), {"version": plan.version})
    plan.refresh_from_db()
    assert plan.status == TrainingPlan.Status.PUBLISHED
    assert [c.to_status for c in plan.status_changes.all()] == ["published"]
    response = client.post(
        reverse("studies:plan_publish", args=[plan.pk]), {"version": plan.version}, follow=True
    )
    assert "cannot become" in response.content.decode()

    client.post(reverse("studies:session_delete", args=[session.pk]))
    assert not TrainingSession.objects.exists()


def test_editing_or_publishing_a_plan_changed_since_is_refused(client_of, office, plan):
    client = client_of(office)
    TrainingPlan.objects.filter(pk=plan.pk).update(version=2)
    response = client.post(
        reverse("studies:plan_edit", args=[plan.pk]), {"title": "新标题", "summary": "", "version": 1}
    )
    assert response.status_code == 200 and STALE in response.content.decode()
    response = client.post(reverse("studies:plan_publish", args=[plan.pk]), {"version": 1}, follow=True)
    assert STALE in response.content.decode()
    plan.refresh_from_db()
    assert (plan.title, plan.status) == (f"{plan.year}年度委员学习培训方案", TrainingPlan.Status.DRAFT)


def test_plan_permissions(client_of, plan, leader, unit_staff, member, make_user):
    session = services.save_session(
        plan=plan, actor=plan.created_by, planned_on=datetime.date(plan.year, 2, 1), topic="t"
    )
    leader_client = client_of(leader)
    assert leader_client.get(reverse("studies:plans")).status_code == 200
    assert leader_client.get(reverse("studies:plan_detail", args=[plan.pk])).status_code == 200
    assert leader_client.get(reverse("studies:plan_create")).status_code == 403
    assert leader_client.post(reverse("studies:plan_publish", args=[plan.pk])).status_code == 403
    assert leader_client.post(reverse("studies:session_delete", args=[session.pk])).status_code == 403
    assert client_of(unit_staff).get(reverse("studies:plans")).status_code == 403
    # members: a draft plan is as good as absent
    member_client = client_of(member.user)
    assert member_client.post(reverse("studies:session_delete", args=[session.pk])).status_code == 404
    assert member_client.post(reverse("studies:session_add", args=[plan.pk]), {}).status_code == 404
    assert TrainingSession.objects.count() == 1


def test_plan_detail_query_count(client_of, office, plan, make_activity):
    client = client_of(office)
    url = reverse("studies:plan_detail", args=[plan.pk])

    def grow(n):
        for i in range(n):
            activity = make_activity(
                kind=Activity.Kind.TRAINING,
                starts_at=timezone.make_aware(datetime.datetime(plan.year, 4, 1, 9)),
                ends_at=timezone.make_aware(datetime.datetime(plan.year, 4, 1, 11)),
            )
            services.save_session(
                plan=plan,
                actor=office,
                planned_on=datetime.date(plan.year, 4, 1),
                topic=f"t{i}",
                activity=activity,
            )

    grow(2)
    small = page_queries(client, url)
    grow(8)
    assert_same_query_count(small, page_queries(client, url))


def test_plan_list_query_count(client_of, office, foreign_office):
    client = client_of(office)
    services.create_plan(actor=office, year=2020, title="a")
    small = page_queries(client, reverse("studies:plans"))
    for year in range(2021, 2029):
        services.create_plan(actor=office, year=year, title=str(year))
    assert_same_query_count(small, page_queries(client, reverse("studies:plans")))


@pytest.mark.parametrize("role", [Role.OFFICE])
def test_roles_table_grants(make_user, role):
    user = make_user(role)
    assert user.has_perm("studies.acknowledge_studysubmission")
    assert user.has_perm("studies.change_trainingplan")
