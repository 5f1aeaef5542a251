"""The library pages: reading (list, detail, download) and the office's edits."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core import uploads
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.library.models import Document

from .conftest import PDF

A = Document.Audience
# workflow.StaleEdit's message, as the page shows it.
STALE = "Someone else saved this after you opened it. Nothing was saved."


def upload(name="章程.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def member(make_member_user):
    return make_member_user()


@pytest.fixture
def with_file(office, make_document):
    document = make_document(title="工作规则", audience=A.MEMBERS_AND_STAFF)
    with transaction.atomic():
        uploads.store(document, upload("工作规则.pdf"), actor=office)
        document.save()
    return document


# --- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["library:list", "library:create"])
def test_anonymous_goes_to_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_anonymous_detail_and_download_go_to_login(client, with_file):
    for name in ("library:detail", "library:download"):
        response = client.get(reverse(name, args=[with_file.pk]))
        assert response.status_code == 302
        assert reverse("accounts:login") in response.url


def test_list_shows_what_the_member_may_read(client, member, make_document):
    make_document(title="政协章程要点", audience=A.EVERYONE)
    make_document(title="委员履职规则", audience=A.MEMBERS_AND_STAFF)
    make_document(title="常委会内部材料", audience=A.STANDING)
    make_document(title="办公室工作手册", audience=A.STAFF)

    body = login(client, member).get(reverse("library:list")).content.decode()

    assert "政协章程要点" in body
    assert "委员履职规则" in body
    assert "常委会内部材料" not in body
    assert "办公室工作手册" not in body
    assert "New document" not in body


def test_list_filters_by_category_and_search(client, member, make_document):
    make_document(title="年度学习材料", category=Document.Category.STUDY, summary="学习")
    make_document(title="履职工作规则", category=Document.Category.RULES, summary="关于请假")
    c = login(client, member)

    study = c.get(reverse("library:list"), {"category": "study"}).content.decode()
    found = c.get(reverse("library:list"), {"q": "请假"}).content.decode()
    bad = c.get(reverse("library:list"), {"category": "nonsense"})

    assert "年度学习材料" in study and "履职工作规则" not in study
    assert "履职工作规则" in found and "年度学习材料" not in found
    assert bad.status_code == 200  # an unknown category is ignored, not a 500


def test_list_query_count_does_not_grow(client, member, make_document):
    c = login(client, member)

    def count(n):
        Document.objects.all().delete()
        for _ in range(n):
            make_document()
        with capture_queries() as queries:
            assert c.get(reverse("library:list")).status_code == 200
        return queries

    assert_same_query_count(count(2), count(10))


def test_list_paginates(client, member, make_document):
    for n in range(25):
        make_document(title=f"第{n}号文件")

    response = login(client, member).get(reverse("library:list"), {"page": 2})

    assert len(response.context["page"].object_list) == 5


def test_detail_escapes_the_body(client, member, make_document):
    document = make_document(body="<script>alert(1)</script>\n\n第二段")

    body = login(client, member).get(reverse("library:detail", args=[document.pk])).content.decode()

    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
    assert "<p>第二段</p>" in body


@pytest.mark.parametrize(
    ("audience", "standing", "status"),
    [
        (A.STANDING, False, 404),
        (A.STANDING, True, 200),
        (A.STAFF, True, 404),
        (A.MEMBERS_AND_STAFF, False, 200),
    ],
)
def test_detail_by_audience(client, make_member_user, make_document, audience, standing, status):
    document = make_document(audience=audience)
    user = make_member_user(standing=standing)

    assert login(client, user).get(reverse("library:detail", args=[document.pk])).status_code == status


def test_handling_unit_reads_only_everyone(client, make_user, make_document):
    public = make_document(audience=A.EVERYONE)
    internal = make_document(audience=A.MEMBERS_AND_STAFF)
    c = login(client, make_user(Role.HANDLING_UNIT))

    assert c.get(reverse("library:detail", args=[public.pk])).status_code == 200
    assert c.get(reverse("library:detail", args=[internal.pk])).status_code == 404


def test_another_committee_gets_404(
    client, make_member_user, other_committee, other_term, with_file, make_user
):
    stranger = make_member_user(committee=other_committee, term=other_term, standing=True)
    other_office = make_user(Role.OFFICE, committee=other_committee)

    for user in (stranger, other_office):
        c = login(client, user)
        assert c.get(reverse("library:detail", args=[with_file.pk])).status_code == 404
        assert c.get(reverse("library:download", args=[with_file.pk])).status_code == 404
        assert c.get(reverse("library:edit", args=[with_file.pk])).status_code == 404
        assert c.post(reverse("library:delete", args=[with_file.pk])).status_code == 404
    assert Document.objects.filter(pk=with_file.pk).exists()


def test_download_serves_the_stored_type_as_attachment(client, member, with_file):
    response = login(client, member).get(reverse("library:download", args=[with_file.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_download_refused_below_the_audience(client, make_user, with_file):
    response = login(client, make_user(Role.HANDLING_UNIT)).get(
        reverse("library:download", args=[with_file.pk])
    )

    assert response.status_code == 404


def test_download_without_a_file_is_404(client, member, make_document):
    document = make_document()

    assert login(client, member).get(reverse("library:download", args=[document.pk])).status_code == 404


# --- editing ---------------------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "title": "委员履职工作规则",
        "category": "rules",
        "audience": "members_and_staff",
        "summary": "规则摘要",
        "body": "第一条 委员应当按时参加会议。",
        "published_on": "2026-03-01",
        "is_published": "on",
    }
    data.update(overrides)
    return data


def test_office_creates_a_document_with_a_file(client, office):
    response = login(client, office).post(reverse("library:create"), {**form_data(), "upload": upload()})

    document = Document.objects.get()
    assert response.status_code == 302
    assert document.committee == office.committee
    assert document.created_by == office
    assert document.original_name == "章程.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert document.uploaded_by == office
    stored = document.file.name.rsplit("/", 1)[-1]
    assert stored.endswith(".pdf") and "章程" not in stored
    assert AuditEvent.objects.filter(action="create", object_id=str(document.pk)).exists()


def test_stored_extension_follows_the_content(client, office):
    login(client, office).post(reverse("library:create"), {**form_data(), "upload": upload(name="x.docx")})

    document = Document.objects.get()
    assert document.file.name.endswith(".pdf")
    assert document.content_type == "application/pdf"


def test_upload_refusal_names_the_file(client, office):
    html = SimpleUploadedFile(
        "规则.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )

    response = login(client, office).post(reverse("library:create"), {**form_data(), "upload": html})

    assert response.status_code == 200
    assert "“规则.pdf” is not a file type we accept" in response.content.decode()
    assert not Document.objects.exists()


def test_zip_that_is_no_office_file_is_refused(client, office):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.html", "<script></script>")

    response = login(client, office).post(
        reverse("library:create"), {**form_data(), "upload": SimpleUploadedFile("a.docx", buffer.getvalue())}
    )

    assert "is not a file type we accept" in response.content.decode()
    assert not Document.objects.exists()


def test_a_document_needs_text_or_a_file(client, office):
    response = login(client, office).post(reverse("library:create"), form_data(body=""))

    assert "Give the text of the document, attach a file, or both." in response.content.decode()
    assert not Document.objects.exists()


def test_a_resubmitted_create_form_saves_once(client, office):
    c = login(client, office)
    data = {**form_data(), "submission_token": "tok-1"}

    c.post(reverse("library:create"), data)
    c.post(reverse("library:create"), data)

    assert Document.objects.count() == 1


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LEADER, Role.UNIT_STAFF, Role.HANDLING_UNIT])
def test_only_the_office_edits(client, make_user, my_unit, make_document, role):
    document = make_document(audience=A.EVERYONE)
    c = login(client, make_user(role, units=[my_unit]))

    assert c.get(reverse("library:create")).status_code == 403
    assert c.post(reverse("library:create"), form_data()).status_code == 403
    assert c.get(reverse("library:edit", args=[document.pk])).status_code == 403
    for name in ("library:unpublish", "library:delete"):
        assert c.post(reverse(name, args=[document.pk]), {"version": 1}).status_code == 403
    document.refresh_from_db()
    assert document.is_published and document.version == 1


def test_office_edits_and_replaces_the_file(client, office, with_file):
    old_name = with_file.file.name
    storage = with_file.file.storage
    c = login(client, office)

    with pytest.MonkeyPatch.context():
        response = c.post(
            reverse("library:edit", args=[with_file.pk]),
            {**form_data(title="新标题"), "version": 1, "upload": upload(name="新版.pdf")},
        )

    with_file.refresh_from_db()
    assert response.status_code == 302
    assert with_file.title == "新标题"
    assert with_file.version == 2
    assert with_file.original_name == "新版.pdf"
    assert with_file.file.name != old_name
    event = AuditEvent.objects.get(action="update", object_id=str(with_file.pk))
    assert set(event.detail["fields"]) >= {"title", "attachment"}
    assert storage.exists(with_file.file.name)


def test_old_file_goes_after_commit(office, with_file, django_capture_on_commit_callbacks):
    from lvzhi.library import services

    old_name = with_file.file.name
    storage = with_file.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.update_document(
            document=with_file, data={}, actor=office, expected_version=1, upload=upload(name="b.pdf")
        )
        assert storage.exists(old_name)  # a rollback must find it still there

    assert not storage.exists(old_name)


def test_edit_conflict_saves_nothing(client, office, with_file):
    c = login(client, office)
    Document.objects.filter(pk=with_file.pk).update(version=2, title="别人改过的标题")

    response = c.post(
        reverse("library:edit", args=[with_file.pk]), {**form_data(title="我的标题"), "version": 1}
    )

    with_file.refresh_from_db()
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert with_file.title == "别人改过的标题"
    assert with_file.version == 2


def test_unpublish_hides_it_from_members_and_publish_brings_it_back(client, office, member, make_document):
    document = make_document(audience=A.EVERYONE)
    c = login(client, office)

    c.post(reverse("library:unpublish", args=[document.pk]), {"version": 1})
    document.refresh_from_db()
    assert not document.is_published and document.version == 2
    assert login(client, member).get(reverse("library:detail", args=[document.pk])).status_code == 404

    login(client, office).post(reverse("library:publish", args=[document.pk]), {"version": 2})
    document.refresh_from_db()
    assert document.is_published
    assert AuditEvent.objects.filter(object_id=str(document.pk), action="update").count() == 2


def test_unpublish_twice_is_a_message_not_a_500(client, office, make_document):
    document = make_document(is_published=False)

    response = login(client, office).post(
        reverse("library:unpublish", args=[document.pk]), {"version": document.version}, follow=True
    )

    assert "The document is already unpublished." in response.content.decode()


def test_unpublish_without_a_version_is_refused(client, office, make_document):
    document = make_document()

    response = login(client, office).post(reverse("library:unpublish", args=[document.pk]), follow=True)

    assert STALE in response.content.decode()
    document.refresh_from_db()
    assert document.is_published and document.version == 1


def test_unpublish_with_a_stale_version_is_refused(client, office, make_document):
    document = make_document(version=3)

    response = login(client, office).post(
        reverse("library:unpublish", args=[document.pk]), {"version": 2}, follow=True
    )

    assert STALE in response.content.decode()
    document.refresh_from_db()
    assert document.is_published


@pytest.mark.parametrize("name", ["library:publish", "library:unpublish", "library:delete"])
def test_get_changes_nothing(client, office, make_document, name):
    document = make_document()

    assert login(client, office).get(reverse(name, args=[document.pk])).status_code == 405


def test_office_deletes_with_an_audit_row(client, office, with_file, django_capture_on_commit_callbacks):
    storage, name = with_file.file.storage, with_file.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, office).post(reverse("library:delete", args=[with_file.pk]), {"version": 1})
        assert storage.exists(name)  # only once the deletion is committed

    assert response.status_code == 302
    assert not Document.objects.filter(pk=with_file.pk).exists()
    assert AuditEvent.objects.filter(action="delete", object_id=str(with_file.pk)).exists()
    assert not storage.exists(name)


def test_deleting_a_document_someone_changed_since_is_refused(client, office, make_document):
    document = make_document(version=2)

    response = login(client, office).post(
        reverse("library:delete", args=[document.pk]), {"version": 1}, follow=True
    )

    assert STALE in response.content.decode()
    assert Document.objects.filter(pk=document.pk).exists()
    assert not AuditEvent.objects.filter(action="delete", object_id=str(document.pk)).exists()
