"""The public site's reading pages (no sign-in): the home page, 通知公告 / 工作动态, the 委员建言 and
公众留言 columns and their items, the reader's display choices (larger text, higher contrast), and the JSON
feeds the county's own website embeds.

Only published rows of the committee the address names are ever shown (selectors, built on the models'
`public(committee)`); any other id — a draft, a hidden or privately answered message, another committee's
row — is a 404, the same as an id that does not exist. Everything works without JavaScript."""

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from lvzhi.core.forms import MAX_ID
from lvzhi.core.pagination import paginate
from lvzhi.organization.models import Committee

from .. import public_site, selectors
from ..models import Announcement, Category

PER_PAGE = 20


class CategoryFilterForm(forms.Form):
    """The columns' filter (GET): a category, or all of them. An unknown value shows everything."""

    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("All categories")), *Category.choices],
        required=False,
    )


class KindFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=Announcement.Kind.choices, required=False)


def _category_filter(request):
    """The filter form and the category it picked; an unknown value shows every category."""
    form = CategoryFilterForm(request.GET)
    if not form.is_valid():
        return CategoryFilterForm(), ""
    return form, form.cleaned_data["category"] or ""


def _public_or_404(rows, pk):
    if int(pk) > MAX_ID:  # beyond any database id (SQLite cannot even bind it)
        raise Http404
    return get_object_or_404(rows, pk=pk)


# --- pages --------------------------------------------------------------------------------------------


@require_safe
def root(request):
    """/public/: the only committee's site, or a plain list when this installation serves several."""
    committees = list(Committee.objects.order_by("code")[:2])
    if len(committees) == 1:
        return redirect("public:home", committees[0].code)
    return render(request, "portal/public/root.html", {"committees": Committee.objects.order_by("code")})


@require_safe
def home(request, code):
    committee = public_site.committee_or_404(code)
    return public_site.render_public(
        request, committee, "portal/public/home.html", {"latest": selectors.home(committee)}
    )


@require_safe
def announcement_list(request, code):
    committee = public_site.committee_or_404(code)
    form = KindFilterForm(request.GET)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    page = paginate(request, selectors.announcements(committee, kind=kind), per_page=PER_PAGE)
    return public_site.render_public(
        request,
        committee,
        "portal/public/announcements.html",
        {"page": page, "kind": kind, "kinds": Announcement.Kind.choices},
    )


@require_safe
def announcement_detail(request, code, pk):
    committee = public_site.committee_or_404(code)
    announcement = _public_or_404(selectors.announcements(committee), pk)
    return public_site.render_public(
        request, committee, "portal/public/announcement.html", {"announcement": announcement}
    )


@require_safe
def suggestion_list(request, code):
    committee = public_site.committee_or_404(code)
    form, category = _category_filter(request)
    page = paginate(request, selectors.suggestions(committee, category=category), per_page=PER_PAGE)
    return public_site.render_public(
        request,
        committee,
        "portal/public/suggestions.html",
        {"page": page, "form": form, "category": category},
    )


@require_safe
def suggestion_detail(request, code, pk):
    committee = public_site.committee_or_404(code)
    suggestion = _public_or_404(selectors.suggestions(committee), pk)
    return public_site.render_public(
        request, committee, "portal/public/suggestion.html", {"suggestion": suggestion}
    )


@require_safe
def message_list(request, code):
    committee = public_site.committee_or_404(code)
    form, category = _category_filter(request)
    page = paginate(request, selectors.messages(committee, category=category), per_page=PER_PAGE)
    return public_site.render_public(
        request,
        committee,
        "portal/public/messages.html",
        {"page": page, "form": form, "category": category},
    )


@require_safe
def message_detail(request, code, pk):
    committee = public_site.committee_or_404(code)
    message = _public_or_404(selectors.messages(committee), pk)
    return public_site.render_public(request, committee, "portal/public/message.html", {"message": message})


# --- the reader's display choices -----------------------------------------------------------------------

DISPLAY_CHOICES = {
    "text": (public_site.TEXT_COOKIE, {"large", "standard"}),
    "contrast": (public_site.CONTRAST_COOKIE, {"high", "standard"}),
}


@require_POST
def display(request, code):
    """Larger text / higher contrast (适老化) as cookies, so that they work without JavaScript or an
    account; back to the page the reader was on when that address is this site's."""
    committee = public_site.committee_or_404(code)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("public:home", args=[committee.code])
    response = HttpResponseRedirect(target)
    for field, (cookie, values) in DISPLAY_CHOICES.items():
        value = request.POST.get(field)
        if value in values:
            response.set_cookie(
                cookie,
                value,
                max_age=public_site.DISPLAY_COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
    return response


# --- feeds for the county's own website -----------------------------------------------------------------


class _HtmlSafeJSONEncoder(DjangoJSONEncoder):
    """JSON whose text cannot close a <script> or start a tag if a page pastes it into its HTML: <, >
    and & are written as \\u escapes (the same strings once parsed)."""

    def encode(self, o):
        return super().encode(o).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _feed(request, committee, column_url, items):
    response = JsonResponse(
        {
            "committee": committee.name,
            "url": request.build_absolute_uri(column_url),
            "items": items,
        },
        encoder=_HtmlSafeJSONEncoder,
        json_dumps_params={"ensure_ascii": False},
    )
    # Published rows only, nothing tied to the reader: any site may read them from a browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def api_messages(request, code):
    committee = public_site.committee_or_404(code)
    items = selectors.message_feed(
        committee,
        absolute_url=lambda pk: request.build_absolute_uri(
            reverse("public:message", args=[committee.code, pk])
        ),
    )
    return _feed(request, committee, reverse("public:messages", args=[committee.code]), items)


@require_safe
def api_suggestions(request, code):
    committee = public_site.committee_or_404(code)
    items = selectors.suggestion_feed(
        committee,
        absolute_url=lambda pk: request.build_absolute_uri(
            reverse("public:suggestion", args=[committee.code, pk])
        ),
    )
    return _feed(request, committee, reverse("public:suggestions", args=[committee.code]), items)


urlpatterns = [
    path("", root, name="root"),
    path("<slug:code>/", home, name="home"),
    path("<slug:code>/announcements/", announcement_list, name="announcements"),
    path("<slug:code>/announcements/<int:pk>/", announcement_detail, name="announcement"),
    path("<slug:code>/suggestions/", suggestion_list, name="suggestions"),
    path("<slug:code>/suggestions/<int:pk>/", suggestion_detail, name="suggestion"),
    path("<slug:code>/messages/", message_list, name="messages"),
    path("<slug:code>/messages/<int:pk>/", message_detail, name="message"),
    path("<slug:code>/display/", display, name="display"),
    path("<slug:code>/api/messages.json", api_messages, name="api_messages"),
    path("<slug:code>/api/suggestions.json", api_suggestions, name="api_suggestions"),
]
