from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lvzhi.core.navigation import HomeCard, MenuEntry, has_perm
from lvzhi.members.apps import has_member_file


class ScoringConfig(AppConfig):
    name = "lvzhi.scoring"
    label = "scoring"
    verbose_name = _("Duty assessment")
    menu: list = [
        # The member's own score, beside their duty record (75).
        MenuEntry(_("My duty score"), "scoring:mine", order=76, shown=has_member_file),
        # Commendations and services only the member knows of, claimed with evidence.
        MenuEntry(_("My duty claims"), "scoring:claims_mine", order=77, shown=has_member_file),
        MenuEntry(
            _("Duty scores"),
            "scoring:ranking",
            section="duty",
            order=80,
            shown=has_perm("scoring.view_scores"),
        ),
        MenuEntry(
            _("Assessment rules"),
            "scoring:rules",
            section="duty",
            order=81,
            shown=has_perm("scoring.manage_rules"),
        ),
        MenuEntry(
            _("Assessment documents"),
            "scoring:reports",
            section="duty",
            order=82,
            shown=has_perm("scoring.view_scores"),
        ),
        MenuEntry(
            _("Unit assessment"),
            "scoring:units",
            section="duty",
            order=83,
            shown=has_perm("scoring.view_scores"),
        ),
        MenuEntry(
            _("Duty claims"),
            "scoring:claims",
            section="duty",
            order=85,
            shown=has_perm("scoring.approve_dutyclaim"),
        ),
    ]
    home_cards: list = [
        HomeCard("scoring/_home_claims.html", "lvzhi.scoring.home_cards.claims_waiting", order=16),
        HomeCard("scoring/_home_mine.html", "lvzhi.scoring.home_cards.member_score", order=152, wide=True),
    ]

    def ready(self):
        from lvzhi.ledger import kinds
        from lvzhi.ledger.signals import records_changed

        from .models import CLAIM_KINDS

        for code, label in CLAIM_KINDS.items():
            kinds.register(code, label)

        from .tasks import on_records_changed

        records_changed.connect(on_records_changed, dispatch_uid="scoring_recompute")
