from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lvzhi.core.navigation import HomeCard, MenuEntry, has_perm
from lvzhi.members.apps import has_member_file


class LedgerConfig(AppConfig):
    name = "lvzhi.ledger"
    label = "ledger"
    verbose_name = _("Duty ledger")
    # A member's own record, between their file (70) and their activities (80).
    menu = [
        MenuEntry(_("My duty record"), "ledger:mine", order=75, shown=has_member_file),
        # The office enters a year's records kept before lvzhi (a county starting mid-year).
        MenuEntry(
            _("Import duty records"),
            "ledger:imports",
            section="duty",
            order=84,
            shown=has_perm("ledger.import_records"),
        ),
    ]
    home_cards = [
        HomeCard("ledger/_home_year.html", "lvzhi.ledger.home_cards.member_year", order=150, wide=True),
    ]

    def ready(self):
        from lvzhi.core import retention

        from . import import_services

        # A previewed import nobody confirms is discarded after a day, its sealed file (ID numbers) deleted.
        retention.register("duty_import_uploads", lambda now: import_services.purge_stale(now=now))
