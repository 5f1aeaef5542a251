"""What the security walk (tests/security) found in the opinions app, each pinned by a focused test."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.opinions.models import OpinionAttachment, OpinionReport

from .pipeline_fixtures import *  # noqa: F403

Status = OpinionReport.Status
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _upload():
    return SimpleUploadedFile("调查.pdf", PDF, content_type="application/pdf")


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.usefixtures("_media")
def test_who_only_reads_a_report_is_refused_its_attachments_with_403(
    client, make_user, co_author, leader, editor, make_report
):
    """Office staff, leaders and co-authors see a submitted report but never change its attachments:
    a 403 (it was a redirect saying the attachments were frozen, as if a later step could allow it)."""
    report = make_report(Status.SUBMITTED)
    client.force_login(editor)
    client.post(reverse("opinions:attachment_add", args=[report.pk]), {"file": _upload()})
    attachment = OpinionAttachment.objects.get()
    office = make_user(Role.OFFICE, username="office2")
    for user in (office, leader, co_author.user):
        client.force_login(user)
        added = client.post(reverse("opinions:attachment_add", args=[report.pk]), {"file": _upload()})
        assert added.status_code == 403, user
        deleted = client.post(reverse("opinions:attachment_delete", args=[report.pk, attachment.pk]))
        assert deleted.status_code == 403, user
    assert OpinionAttachment.objects.count() == 1


@pytest.mark.usefixtures("_media")
def test_an_editor_is_still_told_when_the_step_freezes_the_attachments(client, editor, make_report):
    report = make_report(Status.SIGNED)
    client.force_login(editor)
    response = client.post(reverse("opinions:attachment_add", args=[report.pk]), {"file": _upload()})
    assert response.status_code == 302
    assert not OpinionAttachment.objects.exists()


HUGE = str(10**30)


def test_a_co_author_id_no_column_holds_is_an_unknown_choice(client, author, committee):
    """It was an OverflowError (a 500) from the database driver on the write page and its autosave."""
    client.force_login(author.user)
    data = {"title": "关于城东学校门口交通安全的建议", "body": "情况", "co_authors": [HUGE]}
    assert client.post(reverse("opinions:autosave_new"), data).status_code == 400
    page = client.post(reverse("opinions:new"), data)
    assert page.status_code == 200 and not OpinionReport.objects.exists()


def test_a_report_id_no_column_holds_is_refused_by_the_bulletin_form(client, editor, committee):
    from lvzhi.opinions.services import bulletins

    bulletin = bulletins.create_bulletin(actor=editor, year=2026)
    client.force_login(editor)
    response = client.post(
        reverse("opinions:bulletin_add", args=[bulletin.pk]), {"version": bulletin.version, "reports": [HUGE]}
    )
    assert response.status_code == 302
    assert not bulletin.reports.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_report_is_not_reported_at_the_ends_of_the_calendar(client, editor, make_report, day):
    report = make_report(Status.SIGNED)
    client.force_login(editor)
    response = client.post(
        reverse("opinions:report_directly", args=[report.pk]), {"reported_on": day, "other": "县委办"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SIGNED and report.reported_on is None
