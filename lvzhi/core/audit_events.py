"""The audit events core writes itself (see lvzhi.core.audit): EVENTS maps each code to its message,
whose named parameters the row's `params` fill in. Statuses and field names among the parameters are
shown by their labels (lvzhi.core.audit.describe)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "core.permission_denied": _("Refused: %(method)s %(path)s"),
    "core.expired_data_purged": _("Expired data purged: %(total)s items"),
    "core.verification_started": _("Audit log verification started"),
    "core.verification_finished": _("Audit log verified: %(status)s"),
    # A workflow move (lvzhi.core.workflow.move) whose caller names no event of its own.
    "workflow.status_changed": _("%(step)s %(object)s: %(from)s → %(to)s"),
}
