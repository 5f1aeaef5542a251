"""Attachments: checked by content, stored under a random name, served only to who may see the activity."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from lvzhi.activities import services
from lvzhi.activities.models import Activity, ActivityAttachment
from lvzhi.core.models import AuditEvent

S = Activity.Status
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(name="会议议程.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="text/html")  # the browser's word counts for nothing


@pytest.fixture
def activity(make_activity):
    return make_activity(status=S.PUBLISHED)


def test_add_attachment_stores_under_random_name_with_checked_type(activity, office, tmp_path):
    attachment = services.add_attachment(activity=activity, uploaded_file=upload(), actor=office)
    assert attachment.original_name == "会议议程.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert attachment.uploaded_by == office and attachment.uploaded_at is not None
    assert attachment.file.name.startswith(f"activities/{activity.pk}/")
    assert attachment.file.name.endswith(".pdf") and "会议" not in attachment.file.name
    assert (tmp_path / attachment.file.name).read_bytes() == PDF
    assert AuditEvent.objects.filter(object_id=str(attachment.pk), action="create").exists()


def test_a_renamed_html_file_is_refused(activity, office):
    with pytest.raises(services.ActivityError) as error:
        services.add_attachment(
            activity=activity, uploaded_file=upload("agenda.pdf", b"<html><script>x</script>"), actor=office
        )
    assert "“agenda.pdf” is not a file type we accept" in error.value.messages[0]
    assert not ActivityAttachment.objects.exists()


@pytest.mark.parametrize("status", [S.CLOSED, S.CANCELLED])
def test_files_of_closed_or_cancelled_activities_are_frozen(make_activity, office, status):
    activity = make_activity(status=S.PUBLISHED)
    attachment = services.add_attachment(activity=activity, uploaded_file=upload(), actor=office)
    Activity.objects.filter(pk=activity.pk).update(status=status)
    with pytest.raises(services.ActivityError):
        services.add_attachment(activity=activity, uploaded_file=upload(), actor=office)
    with pytest.raises(services.ActivityError):
        services.delete_attachment(attachment=attachment, actor=office)
    assert ActivityAttachment.objects.count() == 1


def test_delete_removes_row_and_file(activity, office, tmp_path, django_capture_on_commit_callbacks):
    attachment = services.add_attachment(activity=activity, uploaded_file=upload(), actor=office)
    path, pk = tmp_path / attachment.file.name, attachment.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_attachment(attachment=attachment, actor=office)
        assert path.exists()  # only once the deletion is committed
    assert not ActivityAttachment.objects.exists()
    assert not path.exists()
    assert AuditEvent.objects.filter(object_id=str(pk), action="delete").exists()


def test_a_rolled_back_deletion_keeps_the_file(activity, office, tmp_path):
    attachment = services.add_attachment(activity=activity, uploaded_file=upload(), actor=office)
    path, pk = tmp_path / attachment.file.name, attachment.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        services.delete_attachment(attachment=attachment, actor=office)
        raise RuntimeError("the page around it failed")
    assert ActivityAttachment.objects.filter(pk=pk).exists()
    assert path.read_bytes() == PDF


def test_a_rolled_back_transaction_leaves_no_file(activity, office, tmp_path):
    with pytest.raises(RuntimeError), transaction.atomic():
        attachment = services.add_attachment(activity=activity, uploaded_file=upload(), actor=office)
        path = tmp_path / attachment.file.name
        assert path.exists()
        raise RuntimeError("the page around it failed")  # e.g. the submission token was used meanwhile
    assert not ActivityAttachment.objects.exists()
    assert not path.exists()
    assert list(tmp_path.rglob("*.pdf")) == []


def test_only_who_runs_the_activity_attaches(make_activity, unit_staff, leader, other_unit):
    theirs = make_activity(status=S.PUBLISHED, organizing_unit=other_unit)
    for actor in (unit_staff, leader):
        with pytest.raises(PermissionDenied):
            services.add_attachment(activity=theirs, uploaded_file=upload(), actor=actor)


# --- through the views -----------------------------------------------------------------------------


def test_upload_view_refusal_is_a_message(client, office, activity):
    client.force_login(office)
    response = client.post(
        reverse("activities:attachment_add", args=[activity.pk]),
        {"file": upload("notice.docx", b"MZ\x90\x00 not a document")},
        follow=True,
    )
    assert response.status_code == 200
    assert "“notice.docx” is not a file type we accept" in response.content.decode()
    assert not ActivityAttachment.objects.exists()


def test_upload_view_then_download(client, office, activity):
    client.force_login(office)
    response = client.post(reverse("activities:attachment_add", args=[activity.pk]), {"file": upload()})
    assert response.status_code == 302
    attachment = ActivityAttachment.objects.get()
    response = client.get(reverse("activities:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


@pytest.fixture
def stored(activity, office):
    return services.add_attachment(activity=activity, uploaded_file=upload(), actor=office)


def test_download_permissions(
    client, stored, activity, make_member, invite_member, make_user, other_committee
):
    from lvzhi.accounts.roles import Role

    url = reverse("activities:attachment", args=[stored.pk])
    assert client.get(url).status_code == 302  # anonymous → sign in

    invited = make_member(login=True)
    invite_member(activity, invited)
    client.force_login(invited.user)
    assert client.get(url).status_code == 200

    stranger = make_member(login=True)
    client.force_login(stranger.user)
    assert client.get(url).status_code == 404

    client.force_login(make_user(Role.OFFICE, committee=other_committee, username="far"))
    assert client.get(url).status_code == 404

    client.force_login(make_user(Role.LEADER, username="boss"))
    assert client.get(url).status_code == 200


def test_unit_staff_cannot_download_other_units_files(client, make_activity, office, unit_staff, other_unit):
    theirs = make_activity(status=S.PUBLISHED, organizing_unit=other_unit)
    attachment = services.add_attachment(activity=theirs, uploaded_file=upload(), actor=office)
    client.force_login(unit_staff)
    assert client.get(reverse("activities:attachment", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("activities:attachment_delete", args=[attachment.pk])).status_code == 404


def test_members_do_not_see_draft_attachments(client, make_activity, office, make_member, invite_member):
    draft = make_activity(status=S.DRAFT)
    attachment = services.add_attachment(activity=draft, uploaded_file=upload(), actor=office)
    member = make_member(login=True)
    invite_member(draft, member)
    client.force_login(member.user)
    assert client.get(reverse("activities:attachment", args=[attachment.pk])).status_code == 404


def test_delete_view(client, stored, office, leader, make_member, invite_member, activity):
    url = reverse("activities:attachment_delete", args=[stored.pk])
    assert client.get(url).status_code in (302, 405)
    client.force_login(leader)
    assert client.post(url).status_code == 403
    member = make_member(login=True)
    invite_member(activity, member)
    client.force_login(member.user)
    assert client.post(url).status_code == 403
    client.force_login(office)
    assert client.post(url).status_code == 302
    assert not ActivityAttachment.objects.exists()


def test_member_detail_lists_attachments(client, stored, activity, make_member, invite_member):
    member = make_member(login=True)
    invite_member(activity, member)
    client.force_login(member.user)
    body = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert reverse("activities:attachment", args=[stored.pk]) in body
    assert "会议议程.pdf" in body
