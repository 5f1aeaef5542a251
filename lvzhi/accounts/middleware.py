import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from lvzhi.core import audit

from . import second_factor
from .roles import is_administrator

LOGIN_AT = "lvzhi_login_at"
LAST_SEEN = "lvzhi_last_seen"
# The last-seen time is written at most once a minute: writing the session on every request made two
# requests of one page (an htmx search and a click) race to save it, and costs a write per request.
# An idle session may so end up to a minute early.
LAST_SEEN_RESOLUTION = 60


def stamp_session_times(sender, request, user, **kwargs):
    """At sign-in (user_logged_in): both clocks start, so that the requests after it need not write the
    session (see LAST_SEEN_RESOLUTION)."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = request.session[LAST_SEEN] = time.time()


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT without requests (ADMIN_SESSION_IDLE_TIMEOUT for the
    three administrators) or SESSION_ABSOLUTE_TIMEOUT after sign-in, whichever comes first. Times are
    kept in the session, so they hold on any cache or DB."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
        self.admin_idle = settings.ADMIN_SESSION_IDLE_TIMEOUT.total_seconds()
        self.absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.setdefault(LOGIN_AT, now)
            last_seen = session.get(LAST_SEEN, now)
            idle = self.admin_idle if is_administrator(user) else self.idle
            if now - last_seen > idle or now - login_at > self.absolute:
                audit.record(audit.Action.SESSION_EXPIRED, actor=user, request=request)
                logout(request)
                messages.info(request, _("Your session has expired. Please sign in again."))
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN not in session:
                session[LAST_SEEN] = now
        return self.get_response(request)


class AccountPolicyMiddleware:
    """Holds a signed-in user on one page until their account meets the policy: a new password when an
    administrator set it or it expired, then an enrolled authenticator for the administrator roles and
    the holders of rights to full personal data.
    Only that page, sign-out and static files stay reachable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            target, notice = None, None
            if user.must_change_password or user.password_expired():
                target, notice = (
                    "accounts:password_change",
                    _("Please choose a new password before you continue."),
                )
            elif second_factor.required_for(user) and not second_factor.enrolled(user):
                target = "accounts:second_factor_setup"
                notice = _(
                    "Your account signs in with a second factor. Please set up your authenticator app."
                )
            if target and request.path not in {reverse(target), reverse("accounts:logout")}:
                messages.warning(request, notice)
                if target == "accounts:password_change":
                    return redirect(self._with_next(reverse(target), request))
                return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _with_next(url, request):
        """The policy page, told where the user was going (a page, never a form's POST or a fragment)
        so that it can send them on afterwards: a member who scanned the check-in code at their first
        sign-in comes back to the check-in (issue 10)."""
        if request.method != "GET" or request.headers.get("HX-Request"):
            return url
        return f"{url}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
