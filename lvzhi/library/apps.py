from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lvzhi.core.navigation import MenuEntry


class LibraryConfig(AppConfig):
    name = "lvzhi.library"
    label = "library"
    verbose_name = _("Document library")
    # Every signed-in user has a library: its pages show each one the documents of their audience.
    menu = [MenuEntry(_("Library"), "library:list", order=110, shown=lambda user: True)]
