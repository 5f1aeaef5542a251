"""Activities' audit events (see lvzhi.core.audit): code → message with named parameters; statuses are
shown by their labels."""

from django.utils.translation import gettext_lazy as _

from lvzhi.core.audit import Event

EVENTS = {
    "activities.activity_created": _("Activity created: %(title)s"),
    "activities.activity_edited": _("Activity edited: %(title)s"),
    "activities.status_changed": _("Activity %(object)s: %(from)s → %(to)s"),
    "activities.invitees_changed": _("Invitees changed: %(title)s"),
    "activities.invitations_sent": _("%(count)s invitations sent: %(title)s"),
    "activities.answered": _("Answer of %(object)s: %(from)s → %(to)s"),
    "activities.answered_again": _("Same answer again (%(status)s): %(participation)s"),
    "activities.leave_decided": _("Leave decision for %(object)s: %(from)s → %(to)s"),
    "activities.leave_decision_undone": _("Leave decision undone for %(object)s: %(from)s → %(to)s"),
    "activities.checked_in": _("Check-in of %(object)s: %(from)s → %(to)s"),
    "activities.left_early": _("Left early: %(object)s (%(from)s → %(to)s)"),
    "activities.checked_in_by_hand": Event(
        _("Attendance of %(count)s members set by hand to %(to)s: %(title)s"),
        model="activities.Participation",
    ),
    "activities.attendance_corrected": _("Attendance of %(object)s corrected: %(from)s → %(to)s"),
    "activities.attachment_added": _("Attachment added to %(activity)s: %(file)s"),
    "activities.attachment_removed": _("Attachment removed from %(activity)s: %(file)s"),
    "activities.speech_recorded": _("Speech recorded at %(activity)s: %(speech)s"),
    "activities.speech_deleted": _("Speech deleted at %(activity)s: %(speech)s"),
    "activities.calendar_link_created": _("Calendar link created"),
    "activities.calendar_link_reset": _("Calendar link reset"),
    "activities.stats_exported": _("Attendance statistics exported: %(file)s"),
    "activities.standing_report_exported": _("Standing committee attendance report exported: %(file)s"),
}
