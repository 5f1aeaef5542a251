"""The organization's audit events (see lvzhi.core.audit): code → message with named parameters; the
object's kind is shown in the log's object column."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "organization.created": _("Created: %(object)s"),
    "organization.edited": _("Edited: %(object)s (%(fields)s)"),
    "organization.liaison_contact_edited": _("Liaison contact edited: %(contact)s (%(fields)s)"),
    "organization.liaison_contact_deleted": _("Liaison contact deleted: %(contact)s"),
    "organization.membership_removed": _("Position removed: %(object)s"),
}
