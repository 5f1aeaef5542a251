from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lvzhi.core.navigation import MenuSection


class HomeConfig(AppConfig):
    name = "lvzhi.home"
    label = "home"
    verbose_name = _("Start page and menu")
    # The menu's dropdowns, which the apps' entries name by key.
    menu = [MenuSection("duty", _("Duty work"), order=60)]

    def ready(self):
        from . import registry

        registry.gather()
