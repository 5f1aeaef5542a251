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
}
