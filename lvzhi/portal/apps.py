from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lvzhi.core.navigation import HomeCard, MenuEntry, MenuSection, has_perm


class PortalConfig(AppConfig):
    name = "lvzhi.portal"
    label = "portal"
    verbose_name = _("Public website")
    menu: list = [
        # The staff's side of the public site: one dropdown.
        MenuSection("portal", _("Public website"), order=70),
        MenuEntry(
            _("Public messages"),
            "portal:moderation",
            section="portal",
            order=10,
            shown=has_perm("portal.moderate_publicmessage"),
        ),
        MenuEntry(
            _("Members' suggestions to review"),
            "portal:suggestion_queue",
            section="portal",
            order=20,
            shown=has_perm("portal.review_membersuggestion"),
        ),
        MenuEntry(
            _("Announcements"),
            "portal:announcements",
            section="portal",
            order=30,
            shown=has_perm("portal.change_announcement"),
        ),
        MenuEntry(
            _("Public site settings"),
            "portal:settings",
            section="portal",
            order=40,
            shown=has_perm("portal.change_portalsettings"),
        ),
        # A member's own suggestions for the public column.
        MenuEntry(
            pgettext_lazy("public site", "My suggestions"),
            "portal:my_suggestions",
            order=88,
            shown=has_perm("portal.add_membersuggestion"),
        ),
    ]
    home_cards: list = [
        # Messages and suggestions waiting for the office (overdue and held ones counted apart).
        HomeCard("portal/_home_queue.html", "lvzhi.portal.home_cards.waiting", order=17),
    ]

    def ready(self):
        from lvzhi.ledger import kinds

        kinds.register("portal.suggestion", _("Suggestion published in the public column"))
