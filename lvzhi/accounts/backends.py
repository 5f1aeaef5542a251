from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from lvzhi.core import audit, masking

from . import login_names
from .models import Lockout, LoginFailure, User


def is_locked(username) -> bool:
    return Lockout.objects.filter(username=username, until__gt=timezone.now()).exists()


@dataclass
class SignInName:
    """What a person typed in the login-name box, read for the lockout policy.

    ``username``: the account to authenticate (None: nobody, e.g. a phone number two accounts share).
    ``keys``: (counter key, name shown in the audit log) under which a failure counts and a lockout
    holds. A typed phone number counts under its blind-index key, never the number in clear, AND under
    the username it resolved to, so that the phone number cannot dodge the account's lockout, nor the
    username the phone number's; the audit log shows the number masked.
    """

    username: str | None
    keys: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def read(cls, typed):
        phone = login_names.mobile_number(typed)
        if phone is None:
            return cls(typed, [(typed, typed)])
        masked = masking.mask_phone(phone)
        keys = [(login_names.phone_key(phone), masked)]
        username = login_names.resolve(typed)
        if username == phone and not User.objects.filter(username=phone).exists():
            username = None  # no account has the number, in its file or as its name
        if username is not None:
            keys.append((username, masked if username == phone else username))
        return cls(username, keys)

    @property
    def shown(self):
        """The name for the audit row: the account's username if there is one, else the masked input."""
        return self.keys[-1][1]


class LockoutModelBackend(ModelBackend):
    """ModelBackend plus the lockout policy: 5 failures in 15 minutes lock a username for 30 minutes.

    Failures are counted per username string, whether or not the account exists, and a locked
    username is refused like a wrong password, so the answer never tells which usernames exist.
    A member may type the mobile number of their file instead of their login name (login_names.resolve).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        longest = User._meta.get_field("username").max_length
        if len(username) > longest:
            # No account has such a name, and no counter row could hold it (Django's sign-in form does not
            # cut it): a failure like any other, counted under the name's first characters.
            record_failure(request, username[:longest])
            return None
        name = SignInName.read(username)
        if any(is_locked(key) for key, _ in name.keys):
            audit.record(
                audit.Action.LOGIN_FAILED,
                request=request,
                username=name.shown,
                event="accounts.sign_in_refused_locked",
                result=audit.Result.FAILURE,
            )
            return None
        # No account for the input: ModelBackend still hashes the password for an unknown name, so
        # the answer takes as long as for a wrong password (the key below is no valid username).
        candidate = name.username if name.username is not None else name.keys[0][0]
        user = super().authenticate(request, username=candidate, password=password, **kwargs)
        if user is None:
            record_failure(request, name.keys[-1][0], also=name.keys[:-1], shown=name.shown)
        return user


def record_failure(request, username, *, also=(), shown=None):
    """Count a failed sign-in step (password or second factor) and lock the username at the limit.

    ``also``: further (key, shown name) pairs counted and locked with it (a typed phone number's key);
    ``shown``: the name written to the audit log instead of ``username``.
    """
    now = timezone.now()
    ip = audit.client_ip(request)
    keys = [(username, shown or username), *also]
    LoginFailure.objects.bulk_create(LoginFailure(username=key, at=now, ip_address=ip) for key, _ in keys)
    audit.record(
        audit.Action.LOGIN_FAILED, request=request, username=shown or username, result=audit.Result.FAILURE
    )
    for key, label in keys:
        recent = LoginFailure.objects.filter(username=key, at__gt=now - settings.LOGIN_FAILURE_WINDOW).count()
        if recent < settings.LOGIN_FAILURE_LIMIT:
            continue
        Lockout.objects.create(username=key, locked_at=now, until=now + settings.LOGIN_LOCKOUT_DURATION)
        # Start counting afresh once the lockout ends.
        LoginFailure.objects.filter(username=key).delete()
        audit.record(
            audit.Action.LOCKOUT,
            request=request,
            username=label,
            event="accounts.locked_out",
            params={"until": f"{timezone.localtime(now + settings.LOGIN_LOCKOUT_DURATION):%Y-%m-%d %H:%M}"},
            result=audit.Result.FAILURE,
        )


def purge_sign_in_records(now):
    """Failed sign-ins that no longer count and lockouts that have ended; the audit log keeps both."""
    failures, _ = LoginFailure.objects.filter(at__lt=now - settings.LOGIN_FAILURE_WINDOW).delete()
    lockouts, _ = Lockout.objects.filter(until__lt=now).delete()
    return failures + lockouts
