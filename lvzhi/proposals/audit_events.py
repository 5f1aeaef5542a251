"""Proposals' audit events (see lvzhi.core.audit): code → message with named parameters; statuses are
shown by their labels. Each part of the app adds the events of its services here."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "proposals.status_changed": _("Proposal %(object)s: %(from)s → %(to)s"),
    "proposals.assignment_status_changed": _("Proposal assignment %(object)s: %(from)s → %(to)s"),
    "proposals.settings_changed": _("Proposal settings changed"),
    "proposals.categories_changed": _("Proposal categories changed"),
    "proposals.rejection_reasons_changed": _("Reasons for not accepting proposals changed"),
    "proposals.session_settings_changed": _("Proposal deadline of %(session)s changed"),
}
