from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from lvzhi.core import audit

from .models import Lockout, LoginFailure, User


def is_locked(username) -> bool:
    return Lockout.objects.filter(username=username, until__gt=timezone.now()).exists()


class LockoutModelBackend(ModelBackend):
    """ModelBackend plus the lockout policy: 5 failures in 15 minutes lock a username for 30 minutes.

    Failures are counted per username string, whether or not the account exists, and a locked
    username is refused like a wrong password, so the answer never tells which usernames exist.
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
        if is_locked(username):
            audit.record(
                audit.Action.LOGIN_FAILED,
                request=request,
                username=username,
                summary="locked",
                result=audit.Result.FAILURE,
            )
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(request, username)
        return user


def record_failure(request, username):
    """Count a failed sign-in step (password or second factor) and lock the username at the limit."""
    now = timezone.now()
    ip = audit.client_ip(request)
    LoginFailure.objects.create(username=username, at=now, ip_address=ip)
    audit.record(audit.Action.LOGIN_FAILED, request=request, username=username, result=audit.Result.FAILURE)
    recent = LoginFailure.objects.filter(
        username=username, at__gt=now - settings.LOGIN_FAILURE_WINDOW
    ).count()
    if recent >= settings.LOGIN_FAILURE_LIMIT:
        Lockout.objects.create(username=username, locked_at=now, until=now + settings.LOGIN_LOCKOUT_DURATION)
        # Start counting afresh once the lockout ends.
        LoginFailure.objects.filter(username=username).delete()
        audit.record(
            audit.Action.LOCKOUT,
            request=request,
            username=username,
            summary=f"locked until {now + settings.LOGIN_LOCKOUT_DURATION:%Y-%m-%d %H:%M}",
            result=audit.Result.FAILURE,
        )


def purge_sign_in_records(now):
    """Failed sign-ins that no longer count and lockouts that have ended; the audit log keeps both."""
    failures, _ = LoginFailure.objects.filter(at__lt=now - settings.LOGIN_FAILURE_WINDOW).delete()
    lockouts, _ = Lockout.objects.filter(until__lt=now).delete()
    return failures + lockouts
