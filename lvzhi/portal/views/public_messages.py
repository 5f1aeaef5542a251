"""公众留言 from the writer's side, open to everyone: the form of a new message (with the captcha), the page
that shows its query code once, the lookup by query code, and the captcha's image.

Against abuse: sending is rate-limited per client address (LVZHI_PUBLIC_MESSAGE_RATE; the address
believes X-Forwarded-For only from LVZHI_TRUSTED_PROXIES), CSRF-protected (Django's default), and needs
the captcha, which is checked before anything else and is single-use. Lookups are rate-limited too
(LVZHI_PUBLIC_LOOKUP_RATE), so that codes cannot be guessed, and the code travels only in a POST body:
never in an address, where logs and the Referer header would keep it. A lookup shows the one message
its code names, of the committee in the address, and never the writer's telephone."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from lvzhi.accounts.throttle import limit_posts
from lvzhi.core import audit

from .. import captcha
from ..forms_public import LookupForm, MessageForm
from ..models import PublicMessage
from ..public_site import committee_or_404, render_public, settings_for
from ..services import messages as services

# The session's key for the code of the message just sent: shown once on the next page, then gone.
SENT = "lvzhi_portal_sent"
Status = PublicMessage.Status


# --- a new message ------------------------------------------------------------------------------------


def _form_page(request, committee, form, *, status=200):
    form.describe_errors()
    return render_public(
        request,
        committee,
        "portal/public/message_form.html",
        {"form": form, "captcha_key": form["captcha_key"].value() or "", "text_max": services.text_max()},
        status=status,
    )


def _closed_page(request, committee, *, status=200):
    return render_public(
        request, committee, "portal/public/message_form.html", {"closed": True}, status=status
    )


@never_cache
def message_new(request, code):
    """GET: the form with a new captcha. POST: "New image" (new_captcha) gives the same form, everything
    typed kept, with a new captcha; any other POST sends the message (rate-limited)."""
    committee = committee_or_404(code)
    if request.method == "POST" and "new_captcha" not in request.POST:
        return _send(request, committee)
    if not settings_for(committee).accepting_messages:
        return _closed_page(request, committee)
    if request.method == "POST":
        captcha.discard(request.POST.get("captcha_key", ""))
        return _form_page(
            request, committee, MessageForm(request.POST).with_new_challenge(captcha.new_challenge())
        )
    return _form_page(request, committee, MessageForm(initial={"captcha_key": captcha.new_challenge()}))


@limit_posts("portal_message", "LVZHI_PUBLIC_MESSAGE_RATE")
def _send(request, committee):
    if not settings_for(committee).accepting_messages:
        return _closed_page(request, committee, status=403)
    posted = MessageForm(request.POST)
    posted.is_valid()  # only tidies the values: the service checks them
    key = request.POST.get("captcha_key", "")
    if not captcha.check(key, request.POST.get("captcha", "")):
        if captcha.was_sent(key):
            # The same form a second time (double click, back and send again): it went through once.
            return redirect("public:message_sent", committee.code)
        form = posted.with_new_challenge(captcha.new_challenge())
        form.is_valid()
        if request.POST.get("captcha", "").strip():
            # zh: 验证码：输入的字符与图片不符，或图片已过期。请看新图片再输入一次。
            problem = _(
                "Verification code: it does not match the image, or the image expired. Type the characters of the new image."
            )
        else:
            # zh: 验证码：请输入图片中的字符。
            problem = _("Verification code: type the characters shown in the image.")
        form.add_error("captcha", problem)
        return _form_page(request, committee, form, status=400)
    try:
        message, query_code = services.submit_message(
            committee=committee, **posted.service_kwargs(), client_ip=audit.client_ip(request)
        )
    except services.MessageError as error:
        form = posted.with_new_challenge(captcha.new_challenge())
        form.is_valid()
        if hasattr(error, "error_dict"):
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field, problem)
        else:
            for problem in error.messages:
                form.add_error(None, problem)
        return _form_page(request, committee, form, status=400)
    captcha.mark_sent(key)
    request.session[SENT] = {"committee": committee.pk, "code": query_code}
    return redirect("public:message_sent", committee.code)


@never_cache
def message_sent(request, code):
    """The query code of the message just sent, once: a reload (or anyone later in this browser) finds
    it gone."""
    committee = committee_or_404(code)
    sent = request.session.get(SENT)
    query_code = None
    if isinstance(sent, dict) and sent.get("committee") == committee.pk:
        query_code = sent.get("code")
        del request.session[SENT]
    return render_public(request, committee, "portal/public/message_sent.html", {"query_code": query_code})


@never_cache
def captcha_image(request, code, key):
    committee_or_404(code)
    png = captcha.image_png(key)
    if png is None:
        raise Http404("no such captcha")
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


# --- following a message ------------------------------------------------------------------------------


def writer_status(message: PublicMessage) -> str:
    """The message's status as its writer should understand it (not the office's words for it)."""
    if message.status == Status.PUBLISHED:
        # zh: 已答复：答复已在留言板公开。
        return _("Answered: the reply is published on the message board.")
    if message.status == Status.ANSWERED:
        # zh: 已答复：答复只给您本人，未公开。
        return _("Answered: the reply below is for you; it is not published.")
    if message.status == Status.HIDDEN:
        # zh: 已处理，未公开。
        return _("Handled, not published.")
    if message.status == Status.CONVERTED:
        # zh: 已作为社情民意信息报送有关部门。
        return _("Forwarded as a social-conditions report (社情民意) to the relevant bodies.")
    # zh: 已收到，正在办理。
    return _("Received: being handled.")


@never_cache
@limit_posts("portal_lookup", "LVZHI_PUBLIC_LOOKUP_RATE")
def lookup(request, code):
    """GET: the form. POST: the message of this committee whose code was typed, with its status and the
    reply, or one neutral answer when there is none."""
    committee = committee_or_404(code)
    if request.method != "POST":
        return render_public(request, committee, "portal/public/lookup.html", {"form": LookupForm()})
    form = LookupForm(request.POST)
    message = services.find_by_code(committee, form.cleaned_data["code"]) if form.is_valid() else None
    if message is None:
        return render_public(
            request,
            committee,
            "portal/public/lookup.html",
            {"form": form, "not_found": form.is_valid()},
        )
    shows_reply = bool(message.reply) and message.status != Status.RECEIVED
    return render_public(
        request,
        committee,
        "portal/public/lookup_result.html",
        {"message": message, "status_text": writer_status(message), "shows_reply": shows_reply},
    )


urlpatterns = [
    path("<slug:code>/messages/new/", message_new, name="message_new"),
    path("<slug:code>/messages/sent/", message_sent, name="message_sent"),
    path("<slug:code>/lookup/", lookup, name="lookup"),
    path("<slug:code>/captcha/<str:key>.png", captcha_image, name="captcha"),
]
