from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Belongs to exactly one committee (the tenant); unit staff also list the
    units whose data they may see and change."""

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("committee"),
    )
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    units = models.ManyToManyField(
        "organization.OrgUnit",
        blank=True,
        related_name="staff",
        verbose_name=_("units staffed"),
        help_text=_("For special-committee and town-committee staff: the units whose data they manage."),
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("committee_wide", _("Can see the data of the whole committee")),
            ("manage_users", _("Can manage user accounts")),
            ("assign_roles", _("Can assign roles")),
        ]

    def __str__(self):
        return self.display_name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def is_committee_wide(self):
        return self.has_perm("accounts.committee_wide")

    def unit_ids(self):
        """Ids of the units this user staffs, cached on the instance for the request."""
        if not hasattr(self, "_unit_ids"):
            self._unit_ids = set(self.units.values_list("id", flat=True))
        return self._unit_ids


class LoginFailure(models.Model):
    """A failed sign-in for a username (existing or not), counted for the lockout policy."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")

    def __str__(self):
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class Lockout(models.Model):
    username = models.CharField(max_length=150, db_index=True)
    locked_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("lockout")
        verbose_name_plural = _("lockouts")

    def __str__(self):
        return f"{self.username} until {self.until:%Y-%m-%d %H:%M}"
