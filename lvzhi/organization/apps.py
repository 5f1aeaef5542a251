from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lvzhi.core.navigation import HomeCard, MenuEntry, has_perm


class OrganizationConfig(AppConfig):
    name = "lvzhi.organization"
    label = "organization"
    verbose_name = _("Organization")
    menu = [
        MenuEntry(
            _("Organization"), "organization:index", order=20, shown=has_perm("organization.view_orgunit")
        ),
        MenuEntry(
            _("Departments"),
            "organization:departments",
            order=30,
            shown=has_perm("organization.view_department"),
        ),
        MenuEntry(
            _("Counterpart liaison"),
            "organization:liaisons",
            order=40,
            shown=has_perm("organization.view_department"),
        ),
    ]
    home_cards = [
        HomeCard(
            "organization/_home_units.html", "lvzhi.organization.home_cards.unit_counts", order=90, wide=True
        )
    ]
