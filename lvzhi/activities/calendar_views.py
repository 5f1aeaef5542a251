"""Calendar downloads: a private subscription address (no cookies: the token is the credential) and a
one-off .ics download for the signed-in member."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import calendar
from .models import CalendarFeed

CONTENT_TYPE = "text/calendar; charset=utf-8"

# What models.new_feed_token makes (URL-safe base64).
FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _calendar_response(request, member, *, filename=None):
    host = request.get_host().split(":")[0] or "lvzhi"
    text = calendar.build_calendar(
        calendar.participations_for(member),
        host=host,
        url_for=lambda activity: request.build_absolute_uri(reverse("activities:detail", args=[activity.pk])),
        name=_("My duty activities"),
    )
    response = HttpResponse(text.encode("utf-8"), content_type=CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The feed carries the member's schedule: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def calendar_feed(request, token):
    """The subscription address. An unknown or reset token is a 404, like any page that is not there;
    so is anything that is not a token at all, which never reaches the database."""
    if not FEED_TOKEN.fullmatch(token):
        raise Http404
    feed = (
        CalendarFeed.objects.select_related("user__member").filter(token=token, user__is_active=True).first()
    )
    member = getattr(feed.user, "member", None) if feed is not None else None
    if member is None:
        raise Http404
    return _calendar_response(request, member)


@login_required
@require_GET
def my_calendar(request):
    member = getattr(request.user, "member", None)
    if member is None:
        raise Http404
    return _calendar_response(request, member, filename="activities.ics")


@login_required
@require_POST
def calendar_reset(request):
    """Create the member's subscription address, or replace it: the old one stops working at once."""
    if getattr(request.user, "member", None) is None:
        raise Http404
    _feed, created = calendar.reset_feed(actor=request.user, user=request.user)
    if created:
        messages.success(request, _("Your calendar link is ready: subscribe to it in your calendar app."))
    else:
        messages.success(
            request, _("Your calendar link has been replaced. Subscribe again with the new link.")
        )
    return redirect("activities:mine")
