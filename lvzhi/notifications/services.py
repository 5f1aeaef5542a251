"""Notifying users. Other apps call `notify` from their services; `send_daily_digests` runs from the
`send_digests` management command (cron or a systemd timer, once or several times a day)."""

from __future__ import annotations

import contextlib
import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lvzhi.accounts.models import User

from . import channels
from .models import ChannelPreference, Notification, validate_site_url

if TYPE_CHECKING:
    from lvzhi.organization.models import Committee

# Short enough for one SMS segment with the committee's signature the gateway adds.
SMS_MAX_CHARS = 60
UNREAD_CACHE_ATTR = "_unread_notification_count"


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    urgent: bool = False,
    committee: Committee,
) -> list[Notification]:
    """Create one in-app notification per recipient and, once the caller's transaction commits, email
    the urgent ones and those of users who want email at once, and text the urgent ones to users who
    enabled SMS when a gateway is configured. Recipients outside `committee` and inactive accounts are
    skipped. The query count does not depend on the number of recipients. Returns the notifications."""
    validate_site_url(url)
    ids = {user.pk for user in recipients}
    if not ids:
        return []
    users = list(
        get_user_model()
        .objects.filter(pk__in=ids, committee=committee, is_active=True)
        .select_related("member", "notification_preference")
        .order_by("pk")
    )
    now = timezone.now()
    with transaction.atomic():
        notifications = Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user,
                    committee=committee,
                    created_at=now,
                    kind=kind,
                    title=title[:200],
                    body=body,
                    url=url,
                    urgent=urgent,
                )
                for user in users
            ]
        )
        # Mail that cannot be unsent waits until the act that caused it is committed.
        transaction.on_commit(lambda: _deliver(notifications))
    return notifications


def _deliver(notifications: Sequence[Notification]) -> None:
    gateway = channels.sms_gateway() if any(n.urgent for n in notifications) else None
    emailed, texted = [], []
    email: channels.EmailChannel | None = None
    for notification in notifications:
        user = notification.recipient
        preference = ChannelPreference.for_user(user)
        if preference.email_enabled and (
            notification.urgent or preference.digest == ChannelPreference.Digest.IMMEDIATE
        ):
            email = email or channels.EmailChannel()
            if email.send(user, subject=notification.title, body=_email_body([notification])):
                emailed.append(notification)
        wants_sms = gateway is not None and notification.urgent and preference.sms_enabled
        if wants_sms and channels.send_sms(gateway, user, notification.title[:SMS_MAX_CHARS]):
            texted.append(notification)
    now = timezone.now()
    _stamp(emailed, "emailed_at", now)
    _stamp(texted, "sms_sent_at", now)


def _stamp(notifications: Sequence[Notification], field: str, when: datetime.datetime) -> None:
    for notification in notifications:
        setattr(notification, field, when)
    if notifications:
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(**{field: when})


def _absolute(url: str) -> str:
    # Emails are read outside the site; LVZHI_SITE_URL (e.g. "https://lvzhi.example.gov.cn") makes their
    # links clickable. Without it they stay site paths, which is still better than no link.
    return getattr(settings, "LVZHI_SITE_URL", "").rstrip("/") + url


def _email_body(notifications: Sequence[Notification]) -> str:
    parts = []
    for notification in notifications:
        lines = [notification.title]
        if notification.body:
            lines.append(notification.body)
        if notification.url:
            lines.append(_absolute(notification.url))
        parts.append("\n".join(lines))
    footer = _("You can choose how you are notified at %(url)s") % {
        "url": _absolute(reverse("notifications:preferences"))
    }
    return "\n\n".join([*parts, "--", footer])


def send_daily_digests(now: datetime.datetime | None = None) -> int:
    """Email each user who asked for a daily digest one message with their unread, non-urgent
    notifications not emailed yet, and mark them emailed. A user gets at most one digest per local
    day however often this runs. Returns the number of emails sent."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    due = ChannelPreference.objects.filter(
        Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=start_of_day),
        digest=ChannelPreference.Digest.DAILY,
        email_enabled=True,
        user__is_active=True,
    ).values("user_id")
    pending = (
        Notification.objects.filter(
            recipient_id__in=due,
            urgent=False,
            read_at__isnull=True,
            emailed_at__isnull=True,
            created_at__lte=now,
        )
        .select_related("recipient__member")
        .order_by("recipient_id", "created_at", "id")
    )
    by_user: defaultdict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.recipient_id].append(notification)
    if not by_user:
        return 0

    sent = 0
    email = channels.EmailChannel()
    for notifications in by_user.values():
        user = notifications[0].recipient
        subject = ngettext(
            "%(count)d new notification", "%(count)d new notifications", len(notifications)
        ) % {"count": len(notifications)}
        if not email.send(user, subject=subject, body=_email_body(notifications)):
            continue
        # Marked per user straight after sending, so a crash half-way never sends anyone two digests.
        with transaction.atomic():
            _stamp(notifications, "emailed_at", now)
            ChannelPreference.objects.filter(user=user).update(last_digest_at=now)
        sent += 1
    return sent


def update_preferences(
    *, actor: User, user: User, email_enabled: bool, digest: str, sms_enabled: bool | None = None
) -> ChannelPreference:
    """Store how `user` wants to hear about notices beyond the inbox; only the user chooses for
    themselves. `sms_enabled=None` leaves the SMS choice as it was: without a gateway it is not offered.
    Writes only the chosen fields, so a digest being sent meanwhile keeps its `last_digest_at`."""
    if actor.pk != user.pk:
        raise PermissionDenied("Only the user chooses how they are notified.")
    if digest not in ChannelPreference.Digest.values:
        raise ValidationError({"digest": f"Unknown digest {digest!r}."})
    choices = {"email_enabled": email_enabled, "digest": digest}
    if sms_enabled is not None:
        choices["sms_enabled"] = sms_enabled
    with transaction.atomic():
        preference, _created = ChannelPreference.objects.update_or_create(user=user, defaults=choices)
    return preference


def mark_read(*, user: User, notification: Notification) -> Notification:
    if notification.recipient_id != user.pk:
        raise PermissionDenied("Only the recipient may mark a notification read.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _forget_unread_count(user)
    return notification


def mark_all_read(*, user: User) -> int:
    """Mark all of the user's unread notifications read; returns how many there were."""
    count = Notification.objects.visible_to(user).unread().update(read_at=timezone.now())
    _forget_unread_count(user)
    return count


def _forget_unread_count(user: User) -> None:
    with contextlib.suppress(AttributeError):
        delattr(user, UNREAD_CACHE_ATTR)
