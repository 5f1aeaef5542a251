from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lvzhi.core.navigation import HomeCard, MenuEntry, has_perm


def _is_handling_unit(user):
    """A handling unit's account (承办单位) answers for one department."""
    return bool(getattr(user, "department_id", None)) and user.has_perm("proposals.handle_proposal")


class ProposalsConfig(AppConfig):
    name = "lvzhi.proposals"
    label = "proposals"
    verbose_name = _("Proposals")
    menu: list = [
        # The proposer's proposals and invitations to co-sign.
        MenuEntry(_("My proposals"), "proposals:mine", order=84, shown=has_perm("proposals.add_proposal")),
        MenuEntry(
            _("Proposal work"),
            "proposals:work",
            section="duty",
            order=76,
            shown=has_perm("proposals.view_proposal"),
        ),
        MenuEntry(
            _("Proposal statistics"),
            "proposals:stats",
            section="duty",
            order=77,
            shown=has_perm("proposals.view_proposal"),
        ),
        # A handling unit's account finds the proposals assigned to its department.
        MenuEntry(_("Proposals assigned to us"), "proposals:unit", order=58, shown=_is_handling_unit),
    ]
    home_cards: list = [
        HomeCard("proposals/_home_staff.html", "lvzhi.proposals.home_cards.staff_queue", order=11),
        HomeCard("proposals/_home_unit.html", "lvzhi.proposals.home_cards.unit_queue", order=14, wide=True),
        HomeCard("proposals/_home_mine.html", "lvzhi.proposals.home_cards.mine", order=94, wide=True),
    ]

    def ready(self):
        from django.db.models.signals import post_save

        from lvzhi.ledger import kinds
        from lvzhi.organization.models import Committee

        from .services.settings import give_defaults

        kinds.register("proposal.submitted", _("Proposal submitted"))
        kinds.register("proposal.accepted", _("Proposal accepted"))
        kinds.register("proposal.key", _("Key proposal"))
        kinds.register("proposal.excellent", _("Excellent proposal"))
        kinds.register("proposal.converted", _("Proposal converted to an opinion or letter"))
        post_save.connect(give_defaults, sender=Committee, dispatch_uid="proposals_defaults")
