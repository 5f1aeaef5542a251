import string

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .roles import is_administrator


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message of our own: Django 5.2 changed its msgid and its own Chinese catalogue
    kept only the old one, so the "too short" message came out in English."""

    def get_error_message(self):
        return ngettext(
            "This password is too short: it needs at least %(n)d character.",
            "This password is too short: it needs at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}


class CharacterClassValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, other symbols."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        classes = [
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "Your password must contain at least %(n)d of: lower-case letters, upper-case letters, digits, symbols."
        ) % {"n": self.min_classes}


class PasswordHistoryValidator:
    """Refuses the user's last `keep` passwords; records each new one when it is saved."""

    def __init__(self, keep=5):
        self.keep = keep

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        for old in user.password_history.all()[: self.keep]:
            if check_password(password, old.password):
                raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password, user=None):
        if user is None or user.pk is None:
            return
        from .models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        stale = user.password_history.all()[self.keep :].values_list("id", flat=True)
        PasswordHistory.objects.filter(id__in=list(stale)).delete()

    def get_help_text(self):
        return _("Your password must differ from your last %(n)d passwords.") % {"n": self.keep}


class UsernameRunValidator:
    """Refuses a password that contains `run` or more consecutive characters of the username, in any
    case ("Wang" in "xWANg-2026"). Django's similarity check misses short runs inside long passwords."""

    def __init__(self, run=3):
        self.run = run

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        password = password.lower()
        for start in range(len(username) - self.run + 1):
            if username[start : start + self.run] in password:
                raise ValidationError(
                    _("Your password must not contain %(n)d or more consecutive characters of your username.")
                    % {"n": self.run},
                    code="password_contains_username",
                )

    def get_help_text(self):
        return _("Your password must not contain %(n)d or more consecutive characters of your username.") % {
            "n": self.run
        }


class AdministratorLengthValidator:
    """The three administrators' passwords are longer. An account that is granted an administrator role
    must choose a new password at its next sign-in (services.set_roles), so that this applies."""

    def __init__(self, min_length=15):
        self.min_length = min_length

    def validate(self, password, user=None):
        if user is None or user.pk is None or not is_administrator(user):
            return
        if len(password) < self.min_length:
            raise ValidationError(
                _("An administrator's password must have at least %(n)d characters.")
                % {"n": self.min_length},
                code="password_too_short_for_administrator",
            )

    def get_help_text(self):
        return _("An administrator's password must have at least %(n)d characters.") % {"n": self.min_length}
