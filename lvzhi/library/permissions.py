from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Document


def get_document_for_user(user, pk, *, write=False):
    """The document if the user may read it (404 otherwise: another committee's or audience's id reveals
    nothing); with write=True also 403 unless the user may change library documents."""
    document = get_object_or_404(Document.objects.visible_to(user), pk=pk)
    if write and not user.has_perm("library.change_document"):
        raise PermissionDenied("library.change_document")
    return document
