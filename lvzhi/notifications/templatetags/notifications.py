from django import template

from lvzhi.notifications.models import Notification
from lvzhi.notifications.services import UNREAD_CACHE_ATTR

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_count(context):
    """The signed-in user's unread notifications: one COUNT per request, kept on request.user so that
    a page using the tag twice (nav and body) asks the database once."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    try:
        return getattr(user, UNREAD_CACHE_ATTR)
    except AttributeError:
        count = Notification.objects.visible_to(user).unread().count()
        setattr(user, UNREAD_CACHE_ATTR, count)
        return count
