from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from lvzhi.core.fields import EncryptedCharField


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
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_(
            "Set when an administrator gives the password; the user must choose their own at sign-in."
        ),
    )
    # Mixed into the session hash: raising it ends every session of the user, for good (a disabled
    # account's old cookie must not work again when the account is enabled again).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("committee_wide", _("Can see the data of the whole committee")),
            ("manage_users", _("Can manage user accounts")),
            ("assign_roles", _("Can assign roles")),
            ("password_expires", _("Password expires periodically")),
            ("requires_second_factor", _("Signs in with a second factor (TOTP)")),
        ]

    def __str__(self):
        return self.display_name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()
        self.must_change_password = False

    def get_session_auth_hash(self):
        return self._session_hash(secret=None)

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)

    def _session_hash(self, *, secret):
        return salted_hmac(
            "lvzhi.accounts.User.session_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def password_expired(self):
        """Staff and administrator passwords expire (DESIGN §8); members' do not."""
        if not self.has_perm("accounts.password_expires") or self.password_changed_at is None:
            return False
        return timezone.now() - self.password_changed_at > settings.PASSWORD_MAX_AGE

    @property
    def is_committee_wide(self):
        return self.has_perm("accounts.committee_wide")

    def unit_ids(self):
        """Ids of the units this user staffs, cached on the instance for the request."""
        if not hasattr(self, "_unit_ids"):
            self._unit_ids = set(self.units.values_list("id", flat=True))
        return self._unit_ids


class TOTPDevice(models.Model):
    """An authenticator app enrolled as a user's second factor. The secret is encrypted at rest."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = EncryptedCharField(_("secret"))
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)
    # The last accepted time step: a code is good once, so a code seen over a shoulder cannot be replayed.
    last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self):
        return f"{self.user} TOTP"


class PasswordHistory(models.Model):
    """Hashes of a user's recent passwords, so that none of the last few can be chosen again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("previous password")
        verbose_name_plural = _("previous passwords")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d}"


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


class CredentialReset(models.Model):
    """An administrator (or the server's operator, actor None) reset a user's password or second factor.
    Kept so that one person cannot reset both of a privileged account (see services)."""

    class Kind(models.TextChoices):
        PASSWORD = "password", _("Password")
        SECOND_FACTOR = "second_factor", _("Second factor")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="credential_resets")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reset by")
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("credential reset")
        verbose_name_plural = _("credential resets")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.user} {self.kind} {self.at:%Y-%m-%d %H:%M}"
