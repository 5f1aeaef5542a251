from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_site_url(value):
    """A link inside the site: a path starting with one "/". "//host" and "/\\host" are refused
    because browsers read them as links to another host (an open redirect from mark-read)."""
    if value and (not value.startswith("/") or value[1:2] in {"/", "\\"}):
        raise ValidationError(_("Enter a link inside the site, starting with “/”."), code="invalid")


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A user sees only the notifications addressed to them, whatever their role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One notice to one user. The in-app copy is the record; email and SMS are deliveries of it,
    stamped with when they went out."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("committee"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # What happened, as "<app>.<event>" (e.g. "activity.invited"): lets callers and tests tell notices apart.
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True, validators=[validate_site_url])
    urgent = models.BooleanField(_("urgent"), default=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    sms_sent_at = models.DateTimeField(_("SMS sent at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The nav badge counts a user's unread notices on every page.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None


class ChannelPreference(models.Model):
    """How a user wants to hear about notices beyond the in-app inbox. A user without a row has the
    defaults (see `for_user`)."""

    class Digest(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately, one email per notice")
        DAILY = "daily", _("Once a day, in one email")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email_enabled = models.BooleanField(_("by email"), default=True)
    sms_enabled = models.BooleanField(
        _("urgent notices by SMS"),
        default=False,
        help_text=_("Only urgent notices (such as a meeting moved at short notice) are sent by SMS."),
    )
    digest = models.CharField(
        _("email for other notices"),
        max_length=16,
        choices=Digest.choices,
        default=Digest.IMMEDIATE,
        help_text=_("Urgent notices are always emailed at once."),
    )
    # Keeps the daily digest to one email a day however often the command runs.
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)

    @classmethod
    def for_user(cls, user):
        """The user's preference, unsaved with the defaults when they never chose."""
        try:
            return user.notification_preference
        except cls.DoesNotExist:
            return cls(user=user)
