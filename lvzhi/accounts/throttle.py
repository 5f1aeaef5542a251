"""Per-address rate limits: sign-in steps (settings.LOGIN_RATE_LIMIT, SECOND_FACTOR_RATE_LIMIT) and the
whole site (LVZHI_SITE_RATE_LIMIT). django-ratelimit keeps the counters in the default cache, which
must be shared by all server processes in production (Redis): its system check says so.

The address is lvzhi.core.audit.client_ip, which believes X-Forwarded-For only from trusted proxies, so
a client cannot escape its limit by sending a forged header.
"""

from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

from lvzhi.core import audit


def client_address(group, request):
    return audit.client_ip(request) or "unknown"


def too_many_requests(request):
    """A page that costs no database query: the client may be flooding us."""
    response = render(request, "accounts/429.html", status=429)
    response["Retry-After"] = "60"
    return response


def limit_posts(group, rate_setting):
    """View decorator: POSTs beyond the rate named by `rate_setting` (per client address) get a 429."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST" and is_ratelimited(
                request,
                group=group,
                key=client_address,
                rate=getattr(settings, rate_setting),
                method="POST",
                increment=True,
            ):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class SiteRateLimitMiddleware:
    """A generous limit on all requests from one address, so that one client cannot flood the server.
    Static files are not counted: one page brings several."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(settings.STATIC_URL) and is_ratelimited(
            request,
            group="site",
            key=client_address,
            rate=settings.LVZHI_SITE_RATE_LIMIT,
            increment=True,
        ):
            return too_many_requests(request)
        return self.get_response(request)
