"""A submission's file is stored through uploads.store: the service checks it on every path (handed in,
recorded on paper, handed in again), and a rolled-back transaction leaves no file behind."""

import pathlib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from lvzhi.studies import services
from lvzhi.studies.models import StudySubmission

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<html><script>alert(1)</script></html>"
FIELDS = {"kind": StudySubmission.Kind.NOTES, "title": "学习笔记", "body": "正文"}


def disguised(name="笔记.pdf"):
    return SimpleUploadedFile(name, HTML, content_type="application/pdf")


def stored_files():
    return sorted(p for p in pathlib.Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


@pytest.fixture
def returned(member, office, make_submission):
    item = make_submission(member)
    return services.return_submission(submission=item, actor=office, reason="请补充")


def test_a_rolled_back_transaction_leaves_no_file(member):
    with pytest.raises(RuntimeError), transaction.atomic():
        item = services.submit(
            member=member, actor=member.user, attachment=SimpleUploadedFile("笔记.pdf", PDF), **FIELDS
        )
        assert pathlib.Path(item.file.path).exists()
        raise RuntimeError("the page around it failed")  # e.g. the submission token was used meanwhile
    assert not StudySubmission.objects.exists()
    assert stored_files() == []


def test_every_service_refuses_a_disguised_html_file(member, office, returned):
    with pytest.raises(services.StudyError) as refused:
        services.submit(member=member, actor=member.user, attachment=disguised(), **FIELDS)
    assert "“笔记.pdf” is not a file type we accept" in refused.value.messages[0]
    with pytest.raises(services.StudyError):
        services.record_on_paper(member=member, actor=office, attachment=disguised(), **FIELDS)
    with pytest.raises(services.StudyError):
        services.resubmit(
            submission=returned,
            actor=member.user,
            attachment=disguised(),
            expected_version=returned.version,
            **FIELDS,
        )
    assert StudySubmission.objects.get() == returned
    returned.refresh_from_db()
    assert returned.status == StudySubmission.Status.RETURNED and not returned.file
    assert stored_files() == []


def test_every_form_refuses_a_disguised_html_file(client_of, member, office, returned):
    fields = {"kind": "notes", "title": "t", "body": "b"}
    for user, url, extra in (
        (member.user, reverse("studies:submit"), {}),
        (office, reverse("studies:paper_submit"), {"member": member.pk}),
        (member.user, reverse("studies:submission_edit", args=[returned.pk]), {"version": returned.version}),
    ):
        response = client_of(user).post(url, {**fields, **extra, "attachment": disguised()})
        assert response.status_code == 200, url
        assert "is not a file type we accept" in response.content.decode(), url
    assert StudySubmission.objects.get() == returned
    assert stored_files() == []
