"""What notifications show on the start page (NotificationsConfig.home_cards, drawn by lvzhi.home)."""

from .models import Notification
from .services import UNREAD_CACHE_ATTR


def unread(user):
    """Everyone's unread notifications. The count is kept on the user as the menu's badge keeps it
    (templatetags/notifications.py), so that the page asks the database once for both."""
    if not user.is_authenticated:
        return None
    try:
        count = getattr(user, UNREAD_CACHE_ATTR)
    except AttributeError:
        count = Notification.objects.visible_to(user).unread().count()
        setattr(user, UNREAD_CACHE_ATTR, count)
    return {"unread": count}
