"""A member's activities as an iCalendar file (RFC 5545), written by hand: the format is small and a
library would add a dependency for a few dozen lines.

What the RFC asks of us here: lines end in CRLF; a content line longer than 75 octets is folded by a
CRLF followed by one space, never inside a UTF-8 character (Chinese text is 3 octets a character);
TEXT values escape backslash, semicolon, comma and newlines; times are written in UTC with "Z" so no
VTIMEZONE is needed.

The private subscription address that serves the file is written here too (`reset_feed`).
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from lvzhi.accounts.models import User
from lvzhi.core import audit

from .models import Activity, CalendarFeed, Participation, new_feed_token

LINE_OCTETS = 75
# Past activities older than this drop out of the feed; all future ones stay.
HISTORY = datetime.timedelta(days=365)
PRODID = "-//lvzhi//Duty activities//ZH"


def escape_text(value):
    """A TEXT value (RFC 5545 §3.3.11)."""
    value = str(value or "")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\n", "\\n")


def fold(line):
    """Fold one content line into pieces of at most 75 octets (the leading space of a continuation
    counts), cutting only between characters. Returns the lines joined with CRLF, without a final CRLF."""
    pieces = []
    current = bytearray()
    limit = LINE_OCTETS
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            pieces.append(bytes(current).decode("utf-8"))
            current = bytearray()
            limit = LINE_OCTETS - 1  # the space that starts the continuation line
        current.extend(encoded)
    pieces.append(bytes(current).decode("utf-8"))
    return "\r\n ".join(pieces)


def format_utc(value):
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def participations_for(member, *, now=None):
    """The member's participations in non-draft activities that ended within the last year or are
    still to come, with their activities, in one query."""
    now = now or timezone.now()
    return (
        Participation.objects.filter(member=member, activity__ends_at__gte=now - HISTORY)
        .exclude(activity__status=Activity.Status.DRAFT)
        .select_related("activity")
        .order_by("activity__starts_at", "activity_id")
    )


def build_calendar(participations, *, host, url_for, name, now=None):
    """The calendar as text. `url_for(activity)` gives the absolute link to the activity page;
    `host` makes the UIDs unique to this site."""
    now = now or timezone.now()
    stamp = format_utc(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for participation in participations:
        activity = participation.activity
        url = url_for(activity)
        description = "\n\n".join(part for part in (activity.agenda.strip(), url) if part)
        cancelled = activity.status == Activity.Status.CANCELLED
        lines += [
            "BEGIN:VEVENT",
            f"UID:activity-{activity.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{format_utc(activity.starts_at)}",
            f"DTEND:{format_utc(activity.ends_at)}",
            f"SUMMARY:{escape_text(activity.title)}",
        ]
        if activity.place:
            lines.append(f"LOCATION:{escape_text(activity.place)}")
        lines += [
            f"DESCRIPTION:{escape_text(description)}",
            f"URL:{url}",
            f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def reset_feed(*, actor: User, user: User) -> tuple[CalendarFeed, bool]:
    """Create the member's subscription address, or replace it: the old one stops working at once.
    Only the member themselves, and only one with a member file (the feed lists their activities).
    Returns the feed and whether it is new."""
    if actor.pk != user.pk:
        raise PermissionDenied("Only the member resets their own calendar link.")
    if getattr(user, "member", None) is None:
        raise PermissionDenied("Only a member has a calendar link.")
    with transaction.atomic():
        feed, created = CalendarFeed.objects.get_or_create(user=user)
        if not created:
            feed.token = new_feed_token()
            feed.save(update_fields=["token"])
        audit.record(
            audit.Action.CREATE if created else audit.Action.UPDATE,
            actor=actor,
            obj=feed,
            event="activities.calendar_link_created" if created else "activities.calendar_link_reset",
        )
    return feed, created
