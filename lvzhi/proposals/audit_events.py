"""Proposals' audit events (see lvzhi.core.audit): code → message with named parameters; statuses are
shown by their labels."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "proposals.status_changed": _("Proposal %(object)s: %(from)s → %(to)s"),
    "proposals.assignment_status_changed": _("Proposal assignment %(object)s: %(from)s → %(to)s"),
    "proposals.settings_changed": _("Proposal settings changed"),
    "proposals.categories_changed": _("Proposal categories changed"),
    "proposals.rejection_reasons_changed": _("Reasons for not accepting proposals changed"),
    "proposals.session_settings_changed": _("Proposal deadline of %(session)s changed"),
    # D: statistics and documents
    "proposals.stats_exported": _("Proposal statistics exported: %(file)s"),
    "proposals.catalogue_downloaded": _("Catalogue of proposals downloaded: %(session)s"),
    "proposals.handling_report_downloaded": _("Report on the handling of proposals downloaded: %(session)s"),
    # A: filing
    "proposals.draft_saved": _("Proposal draft saved: %(title)s"),
    "proposals.draft_from_suggestion": _("Proposal draft started from a suggestion of %(activity)s"),
    "proposals.cosign_answered": _("Co-signing of proposal %(object)s: %(name)s, %(consent)s"),
    "proposals.cosigners_dropped": _("Co-signers of proposal %(object)s dropped off: %(names)s"),
    "proposals.attachment_added": _("File attached to proposal %(object)s: %(file)s"),
    "proposals.attachment_deleted": _("File removed from proposal %(object)s: %(file)s"),
    "proposals.attachment_downloaded": _("File of proposal %(object)s downloaded: %(file)s"),
    # Review and assignment (services/review.py, services/assignment.py).
    "proposals.accepted": _("Proposal accepted as %(serial)s: %(title)s"),
    "proposals.merged": _("%(count)s proposals merged into %(serial)s %(title)s"),
    "proposals.converted": _("Proposal %(title)s converted: %(target)s"),
    "proposals.key_marked": _("Proposal %(title)s marked key, supervised by %(leader)s"),
    "proposals.key_unmarked": _("Proposal %(title)s no longer key"),
    "proposals.excellent_marked": _("Proposal %(title)s marked excellent"),
    "proposals.excellent_unmarked": _("Proposal %(title)s no longer excellent"),
    "proposals.supervision_noted": _("Supervision note on proposal %(title)s of %(date)s"),
    "proposals.assigned": _(
        "Proposal %(serial)s %(title)s assigned to %(lead)s (co-units: %(co_units)s), deadline %(deadline)s"
    ),
    "proposals.return_accepted": _("Return of proposal %(title)s by %(unit)s accepted"),
    "proposals.return_refused": _("Return of proposal %(title)s by %(unit)s refused"),
    # Handling (services/handling.py, services/reminders.py, views/handling.py)
    "proposals.contact_recorded": _("%(unit)s recorded a contact with the proposer of %(object)s"),
    "proposals.views_given": _("%(unit)s gave its views on proposal %(object)s"),
    "proposals.reply_saved": _("Reply to proposal %(object)s saved (round %(round)s)"),
    "proposals.reply_sent": _("Reply to proposal %(object)s sent: %(result)s"),
    "proposals.evaluated": _("Handling of proposal %(object)s evaluated: %(rating)s"),
    "proposals.reminders_sent": _("Proposal deadline reminders sent: %(due)s due soon, %(overdue)s overdue"),
    "proposals.reply_document_downloaded": _("Reply document of proposal %(object)s downloaded: %(file)s"),
    # Paper proposals and paper replies
    "proposals.paper_proposal_recorded": _("Paper proposal of %(name)s typed in and submitted: %(title)s"),
    "proposals.letter_downloaded": _("Letter forwarding proposal %(title)s to %(department)s downloaded"),
}
