import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.contrib.messages.storage import default_storage
from django.utils.translation import gettext as _

from lvzhi.core import audit

LOGIN_AT = "lvzhi_login_at"
LAST_SEEN = "lvzhi_last_seen"


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT without requests or SESSION_ABSOLUTE_TIMEOUT after
    sign-in, whichever comes first. Times are kept in the session, so they hold on any cache or DB."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
        self.absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.setdefault(LOGIN_AT, now)
            last_seen = session.get(LAST_SEEN, now)
            if now - last_seen > self.idle or now - login_at > self.absolute:
                audit.record(audit.Action.SESSION_EXPIRED, actor=user, request=request)
                logout(request)
                return self._expired_response(request)
            session[LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _expired_response(request):
        response = redirect_to_login(request.get_full_path())
        notice = _("Your session has expired. Please sign in again.")
        if hasattr(request, "_messages"):
            messages.info(request, notice)
        else:
            # We run before MessageMiddleware (settings order), so it has not set up a storage and will
            # not see this response: store the notice ourselves or the request fails.
            storage = default_storage(request)
            storage.add(messages.INFO, notice)
            storage.update(response)
        return response


class PasswordChangeRequiredMiddleware:
    """Sends a user whose password was set by an administrator, or has expired, to the password page
    until they choose a new one. Only that page, sign-out and static files stay reachable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and (user.must_change_password or user.password_expired()):
            allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                messages.warning(request, _("Please choose a new password before you continue."))
                return redirect("accounts:password_change")
        return self.get_response(request)
