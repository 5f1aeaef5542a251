"""Studies' audit events (see lvzhi.core.audit): code → message with named parameters; statuses are
shown by their labels."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "studies.plan_created": _("Training plan created: %(title)s"),
    "studies.plan_edited": _("Training plan edited: %(title)s"),
    "studies.plan_status_changed": _("Training plan %(object)s: %(from)s → %(to)s"),
    "studies.session_added": _("Training session added: %(session)s"),
    "studies.session_edited": _("Training session edited: %(session)s"),
    "studies.session_deleted": _("Training session deleted: %(session)s"),
    "studies.submission_handed_in": _("Study submission handed in: %(title)s"),
    "studies.submission_handed_in_on_paper": _("Study submission handed in on paper: %(title)s"),
    "studies.submission_status_changed": _("Study submission %(object)s: %(from)s → %(to)s"),
    "studies.exported": _("Study records exported: %(file)s"),
}
