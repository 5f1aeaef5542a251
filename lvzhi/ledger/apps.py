from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lvzhi.core.navigation import HomeCard, MenuEntry
from lvzhi.members.apps import has_member_file


class LedgerConfig(AppConfig):
    name = "lvzhi.ledger"
    label = "ledger"
    verbose_name = _("Duty ledger")
    # A member's own record, between their file (70) and their activities (80).
    menu = [MenuEntry(_("My duty record"), "ledger:mine", order=75, shown=has_member_file)]
    home_cards = [
        HomeCard("ledger/_home_year.html", "lvzhi.ledger.home_cards.member_year", order=150, wide=True),
    ]
