from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lvzhi.core.navigation import HomeCard, MenuSection


class HomeConfig(AppConfig):
    name = "lvzhi.home"
    label = "home"
    verbose_name = _("Start page and menu")
    # The menu's dropdowns, which the apps' entries name by key.
    menu = [MenuSection("duty", _("Duty work"), order=60)]
    # Every account's own entries, last on the page (the apps' cards come first).
    home_cards = [HomeCard("home/_entries.html", "lvzhi.home.cards.entries", order=900, wide=True)]

    def ready(self):
        from . import registry

        registry.gather()
