"""The office attaches the agenda to a meeting notice (an HTML page named .pdf is refused), an invited
member downloads it as the same bytes under its own name, and the office removes it after confirming:
the file is gone from the disk once the removal is committed.

Elements are found by URL (form actions, links) and ids, never by their visible labels; the journey
asserts on data (names, bytes, rows)."""

import pathlib

import pytest
from django.conf import settings
from django.urls import reverse

from lvzhi.activities.models import Activity, ActivityAttachment
from lvzhi.demo.builder import DemoBuilder

from .conftest import sign_in
from .test_studies_library_journey import DESKTOP, tiny_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AGENDA = "第三次常委会议议程.pdf"


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return DemoBuilder(members=40, standing=8).build()


def test_office_attaches_the_agenda_and_the_member_downloads_it(
    demo, live_server, browser, screenshot, tmp_path
):
    base = live_server.url
    activity = Activity.objects.filter(
        status=Activity.Status.PUBLISHED, participations__member__user__username="member"
    ).first()
    assert activity is not None, "the demo invites its member to a published activity"
    manage = base + reverse("activities:manage", args=[activity.pk])
    add_form = f"main form[action='{reverse('activities:attachment_add', args=[activity.pk])}']"
    pdf = tiny_pdf("agenda")

    office = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    sign_in(office, base, "office")
    office.goto(manage)

    # An HTML page named .pdf is refused with a message that names it; nothing is attached.
    office.set_input_files(
        f"{add_form} input[type=file]",
        files=[
            {"name": "通知.pdf", "mimeType": "application/pdf", "buffer": b"<html><script></script></html>"}
        ],
    )
    with office.expect_navigation():
        office.click(f"{add_form} button[type=submit]")
    assert "通知.pdf" in office.locator(".alert-danger").inner_text()
    assert not ActivityAttachment.objects.filter(activity=activity).exists()
    screenshot(office, "70-activity-attachment-refused")

    # The agenda is attached: listed under its name, stored under a random one.
    office.set_input_files(
        f"{add_form} input[type=file]", files=[{"name": AGENDA, "mimeType": "application/pdf", "buffer": pdf}]
    )
    with office.expect_navigation():
        office.click(f"{add_form} button[type=submit]")
    attachment = ActivityAttachment.objects.get(activity=activity)
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        AGENDA,
        "application/pdf",
        len(pdf),
    )
    assert attachment.uploaded_by.username == "office" and "议程" not in attachment.file.name
    assert office.locator("#attachment-list li").filter(has_text=AGENDA).count() == 1
    screenshot(office, "71-activity-attachment-added")

    # The invited member downloads it from the activity's page: the same bytes, under its own name.
    member = browser.new_context(locale="zh-CN", viewport=DESKTOP, accept_downloads=True).new_page()
    sign_in(member, base, "member")
    member.goto(base + reverse("activities:detail", args=[activity.pk]))
    screenshot(member, "72-activity-attachment-member")
    with member.expect_download() as download:
        member.click(f"#attachment-list a[href='{reverse('activities:attachment', args=[attachment.pk])}']")
    assert download.value.suggested_filename == AGENDA
    saved = tmp_path / "download.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == pdf

    # The office removes it after confirming; the file goes with the row.
    stored = pathlib.Path(settings.MEDIA_ROOT) / attachment.file.name
    assert stored.exists()
    asked = []
    office.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    delete_form = (
        f"#attachment-list form[action='{reverse('activities:attachment_delete', args=[attachment.pk])}']"
    )
    with office.expect_navigation():
        office.click(f"{delete_form} button[type=submit]")
    assert asked and AGENDA in asked[0]
    assert not ActivityAttachment.objects.filter(activity=activity).exists()
    assert not stored.exists()
    screenshot(office, "73-activity-attachment-removed")
