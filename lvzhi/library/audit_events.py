"""The library's audit events (see lvzhi.core.audit): code → message with named parameters."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "library.document_created": _("Library document added: %(title)s"),
    "library.document_edited": _("Library document edited: %(title)s"),
    "library.document_published": _("Library document published: %(title)s"),
    "library.document_unpublished": _("Library document withdrawn: %(title)s"),
    "library.document_deleted": _("Library document deleted: %(title)s"),
}
