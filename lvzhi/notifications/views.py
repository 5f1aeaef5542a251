from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lvzhi.core.pagination import paginate

from . import channels, services
from .forms import PreferenceForm
from .models import ChannelPreference, Notification
from .permissions import get_notification_for_user


@login_required
def inbox(request):
    notifications = (
        Notification.objects.visible_to(request.user)
        .alias(
            unread_first=Case(
                When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("unread_first", "-created_at", "-id")
    )
    page = paginate(request, notifications, per_page=30)
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def read(request, pk):
    """Mark one notification read and follow its link."""
    notification = get_notification_for_user(request.user, pk)
    services.mark_read(user=request.user, notification=notification)
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request):
    count = services.mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    form = PreferenceForm(request.POST or None, instance=ChannelPreference.for_user(request.user))
    if request.method == "POST" and form.is_valid():
        services.update_preferences(actor=request.user, user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "sms_available": channels.sms_available()},
    )
