import secrets
import string

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lvzhi.accounts import services
from lvzhi.accounts.models import User

# No look-alike characters (0/O, 1/l/I): the password is read off a terminal and typed in by hand.
ALPHABET_LETTERS_DIGITS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
SYMBOLS = "-_#%+="
ALPHABET = ALPHABET_LETTERS_DIGITS + SYMBOLS
CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, SYMBOLS)
LENGTH = 20


def new_password(user):
    """A random password that meets the policy for this user (the administrators' length included)."""
    for _attempt in range(100):
        password = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if not all(any(c in group for c in password) for group in CLASSES):
            continue
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password
    raise CommandError("Could not generate a password that meets the policy.")


class Command(BaseCommand):
    help = (
        "Break-glass reset by the operator on the server, for an account that no second administrator "
        "can reset (e.g. the only security administrator lost both password and phone). Prints a new "
        "password that must be changed at the next sign-in and/or removes the authenticator. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", action="store_true", help="Set a new random password.")
        parser.add_argument(
            "--second-factor", action="store_true", help="Remove the authenticator; it is enrolled again."
        )

    def handle(self, *args, username, password, second_factor, **options):
        if not (password or second_factor):
            raise CommandError("Say what to reset: --password, --second-factor or both.")
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No account is called {username!r}.") from None
        if second_factor:
            services.reset_second_factor(user=user, actor=None, from_command_line=True)
            self.stdout.write(f"{username}: second factor removed; it is set up again at the next sign-in.")
        if password:
            given = new_password(user)
            services.reset_password(user=user, password=given, actor=None, from_command_line=True)
            self.stdout.write(f"{username}: new password (must be changed at the next sign-in): {given}")
        self.stdout.write("All sessions of the account have ended; the reset is in the audit log.")
