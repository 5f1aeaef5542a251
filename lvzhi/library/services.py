"""Writes to the library: every act checks the actor's permission, writes an audit row, and edits are
refused when someone else saved the document after the editor opened it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lvzhi.core import audit, workflow

from .models import Document

# The fields a staff member types; the form shows them and the audit row lists the changed ones.
EDITABLE_FIELDS = ["title", "category", "audience", "summary", "body", "published_on", "is_published"]


class LibraryError(ValidationError):
    """A refused act, shown to the user as a message."""


class StaleDocumentError(LibraryError):
    """Someone saved the document after this editor opened it."""


class Upload:
    """A file that passed `check_attachment`: the file, its original name, and what its content is."""

    def __init__(self, file, *, name, extension, content_type):
        self.file = file
        self.name = name
        self.extension = extension
        self.content_type = content_type


def _require(actor, perm, document=None):
    if not actor.has_perm(perm):
        raise PermissionDenied(perm)
    if document is not None and document.committee_id != actor.committee_id:
        raise PermissionDenied(perm)


def _attach(document, upload):
    # The stored name comes from attachment_path: random, with the extension found by content.
    document.attachment.save(f"document.{upload.extension}", upload.file, save=False)
    document.attachment_name = upload.name[:200]
    document.attachment_content_type = upload.content_type
    document.attachment_size = upload.file.size


def _delete_file_after_commit(file):
    if file:
        name, storage = file.name, file.storage
        transaction.on_commit(lambda: storage.delete(name))


def _locked(document, expected_version):
    return workflow.lock(
        Document,
        document.pk,
        expected_version,
        error=StaleDocumentError,
        message=_(
            "Someone else saved this document after you opened it. Nothing was saved. "
            "Reload the page to see their changes, then make yours again."
        ),
    )


@transaction.atomic
def create_document(*, actor, data, upload=None):
    """A document of the actor's committee from the form's `data` (EDITABLE_FIELDS)."""
    _require(actor, "library.add_document")
    document = Document(committee_id=actor.committee_id, created_by=actor)
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(document, field, data[field])
    document.full_clean(exclude=["committee", "created_by", "attachment"])
    if upload is not None:
        _attach(document, upload)
    document.save()
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=document.committee,
        obj=document,
        summary=f"Library document: {document.title}",
        detail={"audience": document.audience, "published": document.is_published},
    )
    return document


@transaction.atomic
def update_document(*, document, data, actor, expected_version, upload=None, remove_attachment=False):
    """Save the edited fields; a new upload replaces the attachment (the old file goes after commit)."""
    _require(actor, "library.change_document", document)
    fresh = _locked(document, expected_version)
    changed = [f for f in EDITABLE_FIELDS if f in data and getattr(fresh, f) != data[f]]
    for field in changed:
        setattr(fresh, field, data[field])
    old_file = None
    if upload is not None or (remove_attachment and fresh.attachment):
        old_file = fresh.attachment if fresh.attachment else None
        fresh.attachment = None
        fresh.attachment_name = fresh.attachment_content_type = ""
        fresh.attachment_size = None
        changed.append("attachment")
    fresh.full_clean(exclude=["committee", "created_by", "attachment"])
    if upload is not None:
        _attach(fresh, upload)
    fresh.version += 1
    fresh.save()
    if old_file is not None:
        _delete_file_after_commit(old_file)
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=fresh.committee,
        obj=fresh,
        summary=f"Library document edited: {fresh.title}",
        detail={"fields": changed},
    )
    return fresh


@transaction.atomic
def set_published(*, document, published, actor, expected_version=None):
    """Publish or unpublish (withdraw from readers without deleting)."""
    _require(actor, "library.change_document", document)
    fresh = _locked(document, expected_version)
    if fresh.is_published == published:
        raise LibraryError(
            _("The document is already published.")
            if published
            else _("The document is already unpublished."),
            code="unchanged",
        )
    fresh.is_published = published
    fresh.version += 1
    fresh.save(update_fields=["is_published", "version", "updated_at"])
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=fresh.committee,
        obj=fresh,
        summary=f"Library document {'published' if published else 'unpublished'}: {fresh.title}",
        detail={"published": published},
    )
    return fresh


@transaction.atomic
def delete_document(*, document, actor, expected_version=None):
    _require(actor, "library.delete_document", document)
    fresh = _locked(document, expected_version)
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        committee=fresh.committee,
        obj=fresh,
        summary=f"Library document deleted: {fresh.title}",
        detail={"audience": fresh.audience, "file": fresh.attachment_name},
    )
    file = fresh.attachment if fresh.attachment else None
    fresh.delete()
    _delete_file_after_commit(file)
