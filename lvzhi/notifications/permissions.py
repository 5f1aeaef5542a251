from django.shortcuts import get_object_or_404

from .models import Notification


def get_notification_for_user(user, pk):
    """The user's own notification; anyone else's is a 404, so ids reveal nothing."""
    return get_object_or_404(Notification.objects.visible_to(user), pk=pk)
