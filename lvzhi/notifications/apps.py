from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lvzhi.core.navigation import HomeCard


class NotificationsConfig(AppConfig):
    name = "lvzhi.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    home_cards = [
        HomeCard(
            "notifications/_home_unread.html", "lvzhi.notifications.home_cards.unread", order=120, wide=True
        )
    ]
