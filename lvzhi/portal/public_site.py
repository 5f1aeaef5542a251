"""What every public page shares: the committee its address names, the site's settings, and the reader's
display choices (larger text, higher contrast: 适老化), which live in cookies so that they work without
JavaScript and without an account."""

from django.http import Http404
from django.shortcuts import render

from lvzhi.organization.models import Committee

from .models import PortalSettings

TEXT_COOKIE = "lvzhi_text"
CONTRAST_COOKIE = "lvzhi_contrast"
# A year: an older reader sets it once.
DISPLAY_COOKIE_AGE = 365 * 24 * 3600


def committee_or_404(code: str) -> Committee:
    try:
        return Committee.objects.get(code=code)
    except (Committee.DoesNotExist, ValueError):
        raise Http404("no such committee") from None


def settings_for(committee: Committee) -> PortalSettings:
    """The committee's site settings; the defaults (unsaved) when the office never changed them."""
    try:
        return PortalSettings.objects.get(committee=committee)
    except PortalSettings.DoesNotExist:
        return PortalSettings(committee=committee)


def display_classes(request) -> str:
    classes = []
    if request.COOKIES.get(TEXT_COOKIE) == "large":
        classes.append("text-large")
    if request.COOKIES.get(CONTRAST_COOKIE) == "high":
        classes.append("contrast-high")
    return " ".join(classes)


def render_public(request, committee: Committee, template: str, context=None, *, status=200):
    """A public page of `committee` (templates extend portal/public/base.html)."""
    return render(
        request,
        template,
        {
            "committee": committee,
            "site": settings_for(committee),
            "display_classes": display_classes(request),
            "text_large": request.COOKIES.get(TEXT_COOKIE) == "large",
            "contrast_high": request.COOKIES.get(CONTRAST_COOKIE) == "high",
            **(context or {}),
        },
        status=status,
    )
