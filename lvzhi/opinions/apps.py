from django.apps import AppConfig
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from lvzhi.core.navigation import HomeCard, MenuEntry, has_perm


def _is_handling_unit(user):
    """A handling unit's account (承办单位) answers for one department."""
    return bool(getattr(user, "department_id", None))


class OpinionsConfig(AppConfig):
    name = "lvzhi.opinions"
    label = "opinions"
    verbose_name = _("Social conditions and public opinion")
    # Menu entries and home cards are added with the pages that they open.
    menu: list = [
        # The author's reports (members, information officers, unit staff) and the staff's queues.
        MenuEntry(
            _("Public opinion"), "opinions:mine", order=85, shown=has_perm("opinions.add_opinionreport")
        ),
        MenuEntry(
            _("Public-opinion work"),
            "opinions:work",
            section="duty",
            order=62,
            shown=has_perm("opinions.view_opinionreport"),
        ),
        MenuEntry(
            _("Information officers"),
            "opinions:officers",
            section="duty",
            order=70,
            shown=has_perm("opinions.manage_officers", "opinions.view_opinionreport"),
        ),
        MenuEntry(
            _("Public-opinion statistics"),
            "opinions:stats",
            section="duty",
            order=75,
            shown=has_perm("opinions.view_opinionreport"),
        ),
        MenuEntry(
            _("Public-opinion bulletins"),
            "opinions:bulletins",
            section="duty",
            order=65,
            shown=has_perm("opinions.view_opinionreport"),
        ),
        MenuEntry(
            _("Inspection and research reports"),
            "opinions:inspections",
            section="duty",
            order=68,
            shown=has_perm("opinions.view_inspectionreport"),
        ),
        MenuEntry(
            _("Search reports"),
            "opinions:search",
            section="duty",
            order=63,
            shown=has_perm("opinions.view_opinionreport"),
        ),
        # A handling unit's account finds what the committee transferred to its department.
        MenuEntry(_("Reports transferred to us"), "opinions:transfers", order=60, shown=_is_handling_unit),
    ]
    home_cards: list = [
        # The pipeline's queues (editors, leaders, office), what a staff member must verify, and the
        # author's reports returned for revision.
        HomeCard("opinions/_home_queue.html", "lvzhi.opinions.home_cards.pipeline_queue", order=12),
        HomeCard("opinions/_home_to_verify.html", "lvzhi.opinions.home_cards.to_verify", order=13),
        HomeCard(
            "opinions/_home_returned.html", "lvzhi.opinions.home_cards.my_returned", order=95, wide=True
        ),
        HomeCard(
            "opinions/_home_transfers.html",
            "lvzhi.opinions.home_transfers.transfers_waiting",
            order=15,
            wide=True,
        ),
        # An information officer's reports of the year against the quota (a member officer's too).
        HomeCard(
            "opinions/_home_officer.html", "lvzhi.opinions.stats.officer_home_card", order=105, wide=True
        ),
    ]

    def ready(self):
        from lvzhi.ledger import kinds

        from .models import Adoption, Instruction

        kinds.register("opinion.submitted", _("Public-opinion report submitted"))
        kinds.register("opinion.reported", _("Public-opinion report reported to the leaders"))
        for level, level_label in Adoption.Level.choices:
            kinds.register(
                f"opinion.adopted.{level}",
                # Translators: a duty-record kind such as "Public-opinion report adopted: City level".
                format_lazy(_("Public-opinion report adopted: {level}"), level=level_label),
            )
        for level, level_label in Instruction.Level.choices:
            kinds.register(
                f"opinion.instructed.{level}",
                format_lazy(_("Public-opinion report instructed by a leader: {level}"), level=level_label),
            )
        kinds.register("opinion.suggestion", _("Inspection or research suggestion handed in"))
        kinds.register("opinion.suggestion.adopted", _("Inspection or research suggestion adopted"))

        from django.db.models.signals import post_save

        from lvzhi.organization.models import Committee

        from .services.settings import give_default_categories

        post_save.connect(
            give_default_categories, sender=Committee, dispatch_uid="opinions_default_categories"
        )
