"""Opinions' audit events (see lvzhi.core.audit): code → message with named parameters; statuses are
shown by their labels."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "opinions.draft_saved": _("Public-opinion draft saved: %(title)s"),
    "opinions.report_status_changed": _("Public-opinion report %(object)s: %(from)s → %(to)s"),
    "opinions.report_registered": _("Public-opinion report registered as %(serial)s: %(title)s"),
    "opinions.verifier_assigned": _("Verifier %(verifier)s assigned to %(object)s"),
    "opinions.findings_recorded": _("Verification findings recorded on %(object)s"),
    "opinions.report_edited": _("Edited text of %(object)s saved"),
    "opinions.report_merged": _("Report %(object)s merged into %(target)s"),
    "opinions.attachment_added": _("Attachment added to %(object)s: %(file)s"),
    "opinions.attachment_deleted": _("Attachment deleted from %(object)s: %(file)s"),
    "opinions.bulletin_created": _("Bulletin created: %(bulletin)s"),
    "opinions.bulletin_changed": _("Bulletin %(bulletin)s changed"),
    "opinions.bulletin_status_changed": _("Bulletin %(object)s: %(from)s → %(to)s"),
    "opinions.bulletin_downloaded": _("Bulletin downloaded: %(bulletin)s"),
    "opinions.adoption_recorded": _("Adoption recorded on %(object)s: %(level)s"),
    "opinions.adoption_deleted": _("Adoption deleted from %(object)s: %(level)s"),
    "opinions.instruction_recorded": _("Instruction recorded on %(object)s: %(level)s"),
    "opinions.instruction_deleted": _("Instruction deleted from %(object)s: %(level)s"),
    "opinions.transfer_created": _("%(object)s transferred to %(department)s"),
    "opinions.transfer_status_changed": _("Transfer %(object)s: %(from)s → %(to)s"),
    "opinions.officer_appointed": _("Information officer appointed: %(name)s (%(year)s)"),
    "opinions.officer_changed": _("Information officer changed: %(name)s (%(year)s)"),
    "opinions.officer_ended": _("Information officer appointment ended: %(name)s (%(year)s)"),
    "opinions.category_changed": _("Report categories changed"),
    "opinions.policy_changed": _("Public-opinion settings changed"),
    "opinions.suggestion_handed_in": _("Inspection suggestion handed in: %(activity)s"),
    "opinions.suggestion_changed": _("Inspection suggestion changed: %(activity)s"),
    "opinions.suggestion_withdrawn": _("Inspection suggestion withdrawn: %(activity)s"),
    "opinions.suggestion_converted": _("Inspection suggestion turned into a report draft: %(activity)s"),
    "opinions.inspection_report_saved": _("Inspection report saved: %(title)s"),
    "opinions.inspection_report_status_changed": _("Inspection report %(object)s: %(from)s → %(to)s"),
    "opinions.inspection_report_downloaded": _("Inspection report downloaded: %(title)s"),
    "opinions.exported": _("Public-opinion statistics exported: %(file)s"),
}
