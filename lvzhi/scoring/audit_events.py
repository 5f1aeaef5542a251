"""Duty assessment's audit events (see lvzhi.core.audit): code → message with named parameters."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "scoring.rule_set_saved": _("Assessment rule set saved: %(name)s (%(year)s, version %(version)s)"),
    "scoring.rule_set_activated": _(
        "Assessment rule set activated: %(name)s (%(year)s, version %(version)s)"
    ),
    "scoring.scores_computed": _(
        "Duty scores computed for %(year)s with version %(version)s: %(members)s members"
    ),
    "scoring.scores_exported": _("Duty scores for %(year)s exported: %(file)s"),
    "scoring.policy_changed": _("Assessment settings changed"),
    "scoring.report_exported": _("Assessment document for %(year)s downloaded: %(file)s"),
    "scoring.inspection_group_saved": _("Inspection group saved: %(name)s (%(year)s)"),
    "scoring.inspection_group_deleted": _("Inspection group deleted: %(name)s (%(year)s)"),
    "scoring.units_refreshed": _("Unit indicators for %(year)s computed: %(units)s units"),
    "scoring.unit_inspected": _("Inspection findings recorded for %(unit)s (%(year)s)"),
    "scoring.unit_tier_decided": _("Tier of %(unit)s for %(year)s decided: %(tier)s"),
    "scoring.rule_set_exported": _(
        "Assessment rule set exported: %(name)s (%(year)s, version %(version)s): %(file)s"
    ),
    "scoring.claim_submitted": _("Duty claim submitted for %(member)s: %(title)s"),
    "scoring.claim_withdrawn": _("Duty claim withdrawn for %(member)s: %(title)s"),
    "scoring.claim_approved": _("Duty claim approved for %(member)s: %(title)s"),
    "scoring.claim_rejected": _("Duty claim rejected for %(member)s: %(title)s"),
    "scoring.claim_resubmitted": _("Duty claim resubmitted for %(member)s: %(title)s"),
    "scoring.claim_evidence_downloaded": _("Evidence of the duty claim of %(member)s downloaded: %(file)s"),
}
