"""Members' audit events (see lvzhi.core.audit): code → message with named parameters; field names are
shown by their labels. ID and phone numbers appear only masked."""

from django.utils.translation import gettext_lazy as _

from lvzhi.core.audit import Event

EVENTS = {
    "members.created": _("Member file created: %(name)s"),
    "members.bulk_created": Event(
        _("%(count)s member files created (%(source)s)"), model="members.MemberChange"
    ),
    "members.edited": _("Member file edited: %(name)s (%(fields)s)"),
    "members.edit_refused": _("Edit of %(name)s refused: %(fields)s"),
    "members.unmasked": _("%(field)s of %(name)s shown in full"),
    "members.unmask_refused": _("Refused to show %(field)s of %(name)s in full"),
    "members.looked_up": Event(
        _("Looked up by %(field)s %(value)s: %(found)s found"), model="members.Member"
    ),
    "members.lookup_refused": Event(_("Lookup by %(field)s %(value)s refused"), model="members.Member"),
    "members.contact_update_requested": _("Contact update requested: %(name)s"),
    "members.contact_update_approved": _("Contact update approved: %(name)s"),
    "members.contact_update_rejected": _("Contact update rejected: %(name)s"),
    "members.roster_uploaded": _("Roster file uploaded: %(file)s"),
    "members.roster_imported": _(
        "Roster imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(errors)s errors"
    ),
    "members.roster_file_removed": _("Roster file removed: %(file)s (%(status)s)"),
    "members.exported": _("Roster exported: %(file)s"),
}
