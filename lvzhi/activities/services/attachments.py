"""The files sent with an activity's notice, stored by core.uploads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from lvzhi.core import audit, uploads

from ..models import Activity, ActivityAttachment
from .common import ActivityError, lock_activity, require_run

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from lvzhi.accounts.models import User

Status = Activity.Status


def _require_open_for_files(activity: Activity) -> None:
    if activity.status in (Status.CLOSED, Status.CANCELLED):
        raise ActivityError(
            _("The attachments of a closed or cancelled activity cannot change."), code="files_frozen"
        )


@transaction.atomic
def add_attachment(*, activity: Activity, uploaded_file: UploadedFile, actor: User) -> ActivityAttachment:
    """Attach a document, checked and stored by uploads.store (judged by its content, kept under a
    random name with the extension the check gave; the uploaded name only for display)."""
    require_run(actor, activity)
    activity = lock_activity(activity)
    _require_open_for_files(activity)
    attachment = ActivityAttachment(activity=activity)
    try:
        uploads.store(attachment, uploaded_file, actor=actor)
    except uploads.UploadRefused as refused:
        raise ActivityError(str(refused), code="upload_refused") from refused
    attachment.save()
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=activity.committee,
        obj=attachment,
        event="activities.attachment_added",
        params={"activity": activity.title, "file": attachment.original_name},
        detail={"activity": activity.pk, "size": attachment.size, "content_type": attachment.content_type},
    )
    return attachment


@transaction.atomic
def delete_attachment(*, attachment: ActivityAttachment, actor: User) -> None:
    activity = attachment.activity
    require_run(actor, activity)
    activity = lock_activity(activity)
    _require_open_for_files(activity)
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        committee=activity.committee,
        obj=attachment,
        event="activities.attachment_removed",
        params={"activity": activity.title, "file": attachment.original_name},
        detail={"activity": activity.pk, "name": attachment.original_name},
    )
    attachment.delete()
    uploads.delete_after_commit(attachment)
