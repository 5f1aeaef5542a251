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
    # A handling unit's account works for one department: it sees what is transferred to it.
    department = models.ForeignKey(
        "organization.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("department"),
        help_text=_("For handling-unit accounts: the department they answer for."),
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


class MemberAccountPolicy(models.Model):
    """The security administrator's rule for members' accounts (三员分立: they set it once, the system
    administrator or the office runs the batch, see lvzhi/accounts/onboarding.py)."""

    committee = models.OneToOneField(
        "organization.Committee",
        on_delete=models.CASCADE,
        related_name="member_account_policy",
        verbose_name=_("committee"),
    )
    grant_member_role = models.BooleanField(
        _("accounts linked to a serving member's file receive the member role"),
        default=False,
        help_text=_("Without this rule no account can be created for members in a batch."),
    )
    office_may_onboard = models.BooleanField(
        _("office staff may create members' accounts and issue activation codes"),
        default=False,
        help_text=_("Otherwise only the system administrator may."),
    )
    updated_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("member account policy")
        verbose_name_plural = _("member account policies")

    def __str__(self):
        return str(self.committee)


class OnboardingBatch(models.Model):
    """One run of the batch that creates members' accounts: its counts, and the activation codes it
    issued (so that their letters can be printed again while the codes are valid)."""

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.CASCADE,
        related_name="onboarding_batches",
        verbose_name=_("committee"),
    )
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created = models.PositiveIntegerField(_("accounts created"), default=0)
    skipped = models.PositiveIntegerField(_("members skipped"), default=0)

    class Meta:
        verbose_name = _("account onboarding batch")
        verbose_name_plural = _("account onboarding batches")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.committee} {self.created_at:%Y-%m-%d %H:%M}"


class ActivationCode(models.Model):
    """A one-time code with which a member signs in for the first time (or after forgetting their
    password) and chooses a password. Encrypted at rest, so that its letter can be printed again while
    it is valid; never shown on a page, in a log or in the audit log."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="activation_codes", verbose_name=_("account")
    )
    code = EncryptedCharField(_("activation code"))
    batch = models.ForeignKey(
        OnboardingBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="codes",
        verbose_name=_("batch"),
    )
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    # A newer code for the same account voids this one.
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("activation code")
        verbose_name_plural = _("activation codes")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"

    def is_valid(self, now=None):
        now = now or timezone.now()
        return self.used_at is None and self.voided_at is None and self.expires_at > now

    @property
    def display_code(self):
        """Groups of four digits, easier to read out and type: 1234 5678."""
        return " ".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))
