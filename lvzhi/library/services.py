"""Writes to the library: every act checks the actor's permission, writes an audit row, and edits are
refused (workflow.StaleEdit) when someone else saved the document after the editor opened it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lvzhi.core import audit, uploads, workflow
from lvzhi.core.permissions import committee_of

from .models import Document

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from lvzhi.accounts.models import User

# The fields a staff member types; the form shows them and the audit row lists the changed ones.
EDITABLE_FIELDS = ["title", "category", "audience", "summary", "body", "published_on", "is_published"]
# Fields the service sets itself, which full_clean need not check (uploads.store checks the file).
NOT_CLEANED = ["committee", "created_by", "file", "uploaded_by"]


class LibraryError(ValidationError):
    """A refused act, shown to the user as a message."""


def _require(actor: User, perm: str, document: Document | None = None) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied(perm)
    if document is not None and document.committee_id != actor.committee_id:
        raise PermissionDenied(perm)


def _store(document: Document, upload: UploadedFile, actor: User) -> None:
    try:
        uploads.store(document, upload, actor=actor)
    except uploads.UploadRefused as refused:
        raise LibraryError(str(refused), code="upload_refused") from refused


def _locked(document: Document, expected_version: int | None) -> Document:
    """The document locked for this act; workflow.StaleEdit when someone saved it since
    `expected_version`."""
    return workflow.lock(Document, document.pk, expected_version)


@transaction.atomic
def create_document(*, actor: User, data: Mapping[str, Any], upload: UploadedFile | None = None) -> Document:
    """A document of the actor's committee from the form's `data` (EDITABLE_FIELDS), with the uploaded
    file `upload` if any (checked and stored by uploads.store)."""
    _require(actor, "library.add_document")
    document = Document(committee_id=committee_of(actor), created_by=actor)
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(document, field, data[field])
    document.full_clean(exclude=NOT_CLEANED)
    if upload is not None:
        _store(document, upload, actor)
    document.save()
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=document.committee,
        obj=document,
        event="library.document_created",
        params={"title": document.title},
        detail={"audience": document.audience, "published": document.is_published},
    )
    return document


@transaction.atomic
def update_document(
    *,
    document: Document,
    data: Mapping[str, Any],
    actor: User,
    expected_version: int,
    upload: UploadedFile | None = None,
    remove_attachment: bool = False,
) -> Document:
    """Save the edited fields; a new upload replaces the file, or `remove_attachment` removes it (the old
    file goes after commit)."""
    _require(actor, "library.change_document", document)
    fresh = _locked(document, expected_version)
    changed = [f for f in EDITABLE_FIELDS if f in data and getattr(fresh, f) != data[f]]
    for field in changed:
        setattr(fresh, field, data[field])
    fresh.full_clean(exclude=NOT_CLEANED)
    if upload is not None:
        _store(fresh, upload, actor)
        changed.append("attachment")
    elif remove_attachment and fresh.file:
        uploads.clear(fresh)
        changed.append("attachment")
    fresh.version += 1
    fresh.save()
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=fresh.committee,
        obj=fresh,
        event="library.document_edited",
        params={"title": fresh.title},
        detail={"fields": changed},
    )
    return fresh


@transaction.atomic
def set_published(
    *, document: Document, published: bool, actor: User, expected_version: int | None = None
) -> Document:
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
        event="library.document_published" if published else "library.document_unpublished",
        params={"title": fresh.title},
        detail={"published": published},
    )
    return fresh


@transaction.atomic
def delete_document(*, document: Document, actor: User, expected_version: int | None = None) -> None:
    _require(actor, "library.delete_document", document)
    fresh = _locked(document, expected_version)
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        committee=fresh.committee,
        obj=fresh,
        event="library.document_deleted",
        params={"title": fresh.title},
        detail={"audience": fresh.audience, "file": fresh.original_name},
    )
    fresh.delete()
    uploads.delete_after_commit(fresh)
