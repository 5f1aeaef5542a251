from django.conf import settings
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation


class LanguageMiddleware:
    """Chinese unless the user picked another language (the set_language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC with an
    English browser would get English; lvzhi defaults to zh-hans and switches only on request.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# Room for a form's other fields besides its file.
FORM_FIELDS_ALLOWANCE = 256 * 1024


class RequestSizeLimitMiddleware:
    """Refuses a request body larger than the page can use (413) before anything reads it, so a 30 MB
    "photo" never reaches temporary storage. The cap is LVZHI_UPLOAD_LIMITS[url name] where a page takes
    smaller files (a member photo), else LVZHI_MAX_UPLOAD_BYTES, plus room for the form's other fields.
    Django reads no more of a body than its Content-Length (and none without one), so the header is
    what to check."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > FORM_FIELDS_ALLOWANCE:
            limit = file_limit(request.path_info)
            if length > limit + FORM_FIELDS_ALLOWANCE:
                return render(request, "413.html", {"limit_mb": f"{limit / (1024 * 1024):.0f}"}, status=413)
        return self.get_response(request)


def file_limit(path):
    """The largest file the page at `path` takes, in bytes."""
    try:
        name = resolve(path).view_name
    except Resolver404:
        name = ""
    return settings.LVZHI_UPLOAD_LIMITS.get(name, settings.LVZHI_MAX_UPLOAD_BYTES)


class ContentSecurityPolicyMiddleware:
    """Sends settings.LVZHI_CONTENT_SECURITY_POLICY on every response. Every script is a vendored file
    under /static/ and no page has inline script or event-handler attributes (lvzhi.js wires data-*
    attributes instead), so an injected <script> or onerror= never runs."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.LVZHI_CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
