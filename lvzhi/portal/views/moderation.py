"""The office's moderation of public messages: the queue (tabs with counts, filters, the Excel export), a
message's page with the steps its status allows (publish with a reply, answer privately, hide, restore,
turn into a 社情民意 report) and the audited display of the writer's telephone; reply templates; the
public site's settings.

Rights: portal.moderate_publicmessage (the office) for everything but the settings
(portal.change_portalsettings); everyone else gets a 403, and another committee's message or template is
a 404 (permissions.py). Every change goes through services/moderation.py."""

from __future__ import annotations

import datetime
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from lvzhi.core import audit, submission, xlsx
from lvzhi.core.masking import mask_phone
from lvzhi.core.pagination import paginate
from lvzhi.core.workflow import posted_version

from .. import public_site
from ..forms_moderation import (
    TABS,
    AnswerForm,
    ConvertForm,
    HideForm,
    MessageFilterForm,
    PublishForm,
    ReplyTemplateForm,
    SettingsForm,
)
from ..models import PublicMessage, ReplyTemplate
from ..permissions import (
    CHANGE_SETTINGS,
    get_message_for_user,
    get_reply_template_for_user,
    require_moderator,
)
from ..services import moderation as services

Status = PublicMessage.Status
PAGE_SIZE = 50
# Tabs listing what still waits for the office: the longest waiting first.
WAITING_TABS = ("received", "held", "overdue")
# How sensitive_hits may separate the words it found.
HIT_SEPARATORS = re.compile(r"[、,，;；\n]+")


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


# --- the queue ----------------------------------------------------------------------------------------


def overdue_cutoff(committee) -> datetime.datetime:
    """Messages open since before this are overdue (the committee's overdue_days)."""
    return timezone.now() - datetime.timedelta(days=public_site.settings_for(committee).overdue_days)


def tab_filters(cutoff: datetime.datetime) -> dict[str, Q]:
    return {
        "received": Q(status=Status.RECEIVED),
        "held": Q(status=Status.RECEIVED) & ~Q(sensitive_hits=""),
        "overdue": Q(status__in=PublicMessage.OPEN, submitted_at__lt=cutoff),
        "answered": Q(status=Status.ANSWERED),
        "published": Q(status=Status.PUBLISHED),
        "converted": Q(status=Status.CONVERTED),
        "hidden": Q(status=Status.HIDDEN),
    }


def _filtered(request):
    """The user's committee's messages under the queue's filters: (form, chosen filters, the filtered
    rows of every tab, the cutoff of the overdue ones, the filter of the chosen tab)."""
    require_moderator(request.user)
    form = MessageFilterForm(request.GET)
    chosen = form.filters()
    rows = PublicMessage.objects.visible_to(request.user)
    if chosen.get("category"):
        rows = rows.filter(category=chosen["category"])
    if chosen.get("q"):
        rows = rows.filter(Q(title__icontains=chosen["q"]) | Q(content__icontains=chosen["q"]))
    cutoff = overdue_cutoff(request.user.committee)
    filters = tab_filters(cutoff)
    return form, chosen, rows, cutoff, filters


def _tab_rows(rows, tab: str, filters: dict[str, Q]):
    rows = rows.filter(filters[tab])
    if tab in WAITING_TABS:
        return rows.order_by("submitted_at", "pk")
    return rows.order_by("-submitted_at", "-pk")


def _waiting_days(message: PublicMessage, now: datetime.datetime) -> int | None:
    if message.status not in PublicMessage.OPEN:
        return None
    # Never below 0: a clock set back, or a message dated by an import, must not read "-1 days".
    return max(0, (now - message.submitted_at).days)


@login_required
@never_cache
def moderation(request):
    """The queue: tabs with their counts under the filters, a page of 50 messages of the chosen tab."""
    form, chosen, rows, cutoff, filters = _filtered(request)
    tab = chosen["tab"]
    counts = rows.aggregate(**{key: Count("pk", filter=q) for key, q in filters.items()})
    page = paginate(
        request,
        _tab_rows(rows, tab, filters).defer("content", "phone", "code_digest", "reply", "hidden_reason"),
        per_page=PAGE_SIZE,
    )
    now = timezone.now()
    for message in page:
        message.waiting_days = _waiting_days(message, now)
        message.overdue = message.status in PublicMessage.OPEN and message.submitted_at < cutoff
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("tab", None)
    return render(
        request,
        "portal/moderation/queue.html",
        {
            "filter_form": form,
            "tab": tab,
            "tabs": [(key, label, counts[key]) for key, label in TABS],
            "page": page,
            "filter_query": query.urlencode(),
            "export_query": request.GET.copy().urlencode(),
            "overdue_days": public_site.settings_for(request.user.committee).overdue_days,
            "may_change_settings": request.user.has_perm(CHANGE_SETTINGS),
        },
    )


@login_required
@never_cache
def message_export(request):
    """The filtered list of the chosen tab as an Excel file: the telephone masked, every text cell
    formula-escaped (core.xlsx); audited with the number of rows."""
    form, chosen, rows, cutoff, filters = _filtered(request)
    tab = chosen["tab"]
    messages_ = list(_tab_rows(rows, tab, filters).select_related("replied_by", "report"))
    now = timezone.now()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Public messages")[:31]
    headers = [
        _("Submitted at"),
        _("Category"),
        _("Title"),
        _("Content"),
        _("Name"),
        _("Telephone"),
        _("Status"),
        _("Overdue"),
        _("Days waiting"),
        _("Sensitive words found"),
        _("Reply"),
        _("Replied at"),
        _("Reason for hiding"),
    ]
    header_row = xlsx.start_sheet(sheet, headers)
    for message in messages_:
        days = _waiting_days(message, now)
        overdue = message.status in PublicMessage.OPEN and message.submitted_at < cutoff
        xlsx.append_row(
            sheet,
            [
                timezone.localtime(message.submitted_at).strftime("%Y-%m-%d %H:%M"),
                message.get_category_display(),
                message.title,
                message.content,
                message.name,
                mask_phone(message.phone),
                message.get_status_display(),
                _("yes") if overdue else "",
                days if days is not None else "",
                message.sensitive_hits,
                message.reply,
                timezone.localtime(message.replied_at).strftime("%Y-%m-%d %H:%M")
                if message.replied_at
                else "",
                message.hidden_reason,
            ],
        )
    xlsx.fit_columns(sheet, header_row=header_row)
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        committee=request.user.committee_id,
        event="portal.messages_exported",
        params={"count": len(messages_)},
        detail={"tab": tab, "category": chosen.get("category", ""), "q": chosen.get("q", "")},
    )
    filename = _("public messages %(date)s.xlsx") % {"date": timezone.localdate().isoformat()}
    return xlsx.workbook_response(workbook, filename)


# --- one message --------------------------------------------------------------------------------------


def _hit_words(message: PublicMessage) -> list[str]:
    return [w.strip() for w in HIT_SEPARATORS.split(message.sensitive_hits or "") if w.strip()]


def marked(text: str, words: list[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is a flagged word) pieces, for the page to mark the words. A word matches
    whatever the writer put between its characters and in any case, as the check found it."""
    patterns = []
    for word in words:
        characters = [c for c in word if c.isalnum()]
        if characters:
            patterns.append(r"[\W_]*".join(re.escape(c) for c in characters))
    if not text or not patterns:
        return [(text, False)]
    pattern = re.compile("|".join(sorted(patterns, key=len, reverse=True)), re.IGNORECASE)
    pieces, last = [], 0
    for found in pattern.finditer(text):
        if found.start() > last:
            pieces.append((text[last : found.start()], False))
        pieces.append((found.group(), True))
        last = found.end()
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces


def _chosen_template(request):
    """The reply template ?template= names (the page without JavaScript fills the reply with it)."""
    value = request.GET.get("template", "")
    if not value.isdecimal() or len(value) > 18:
        return None
    return ReplyTemplate.objects.visible_to(request.user).filter(pk=int(value)).first()


def _detail_page(
    request,
    message: PublicMessage,
    *,
    publish_form=None,
    answer_form=None,
    hide_form=None,
    convert_form=None,
    phone: str = "",
    version: int | None = None,
    status: int = 200,
):
    allowed = PublicMessage.TRANSITIONS[Status(message.status)]
    templates = list(ReplyTemplate.objects.visible_to(request.user))
    chosen = _chosen_template(request)
    reply = chosen.text if chosen else message.reply
    now = timezone.now()
    cutoff = overdue_cutoff(request.user.committee)
    words = _hit_words(message)
    context = {
        "message": message,
        "version": version if version is not None else message.version,
        "history": list(message.history.select_related("actor")),
        "phone_masked": mask_phone(message.phone),
        "phone": phone,
        "hit_words": words,
        "title_pieces": marked(message.title, words),
        "name_pieces": marked(message.name, words),
        "content_pieces": marked(message.content, words),
        "waiting_days": _waiting_days(message, now),
        "overdue": message.status in PublicMessage.OPEN and message.submitted_at < cutoff,
        "templates": templates,
        "chosen_template": chosen,
        "publish_form": (publish_form or PublishForm(initial={"reply": reply}, held=message.held))
        if Status.PUBLISHED in allowed
        else None,
        "answer_form": (answer_form or AnswerForm(initial={"reply": reply}))
        if Status.ANSWERED in allowed
        else None,
        "hide_form": (hide_form or HideForm()) if Status.HIDDEN in allowed else None,
        "may_restore": message.status == Status.HIDDEN,
        "convert_form": (
            convert_form
            or ConvertForm(initial={"report_title": message.title, "report_body": message.content})
        )
        if Status.CONVERTED in allowed
        else None,
    }
    response = render(request, "portal/moderation/detail.html", context, status=status)
    if phone:
        response["Cache-Control"] = "private, no-store"
    return response


@login_required
@never_cache
def message_detail(request, pk):
    return _detail_page(request, get_message_for_user(request.user, pk))


def _step(request, pk, to_status: str, form_name: str, make_form, act, done: str):
    """A step on a message from its page: refused at once (as a message) when the status no longer
    allows it, the page again with the form's errors when the input is bad, else the service `act(message,
    form)` and `done` as the success message. `make_form(message)` binds the posted form."""
    message = get_message_for_user(request.user, pk)
    try:
        services.check_move(message, to_status)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("portal:message_detail", message.pk)
    form = make_form(message)
    if form.is_valid():
        try:
            act(message, form)
        except ValidationError as error:
            if getattr(error, "code", None) in ("illegal_transition", "stale"):
                messages.error(request, _error_text(error))
                return redirect("portal:message_detail", message.pk)
            for text in error.messages:
                form.add_error(None, text)
        else:
            messages.success(request, done)
            return redirect("portal:message_detail", message.pk)
    return _detail_page(request, message, **{form_name: form}, version=posted_version(request), status=400)


@login_required
@require_POST
def message_publish(request, pk):
    def act(message, form):
        services.publish(
            message,
            actor=request.user,
            reply=form.cleaned_data["reply"],
            expected_version=posted_version(request),
            words_checked=form.cleaned_data.get("words_checked", False),
        )

    return _step(
        request,
        pk,
        Status.PUBLISHED,
        "publish_form",
        lambda message: PublishForm(request.POST, held=message.held),
        act,
        # zh: 留言已公开，答复已显示在网站上。
        _("The message is published with your reply on the public site."),
    )


@login_required
@require_POST
def message_answer(request, pk):
    def act(message, form):
        services.answer_privately(
            message,
            actor=request.user,
            reply=form.cleaned_data["reply"],
            expected_version=posted_version(request),
        )

    return _step(
        request,
        pk,
        Status.ANSWERED,
        "answer_form",
        lambda message: AnswerForm(request.POST),
        act,
        # zh: 已答复留言人：凭查询码可以看到答复，网站上不公开。
        _("The writer is answered: they read the reply with their query code; it is not on the site."),
    )


@login_required
@require_POST
def message_hide(request, pk):
    def act(message, form):
        services.hide(
            message,
            actor=request.user,
            reason=form.cleaned_data["hide_reason"],
            expected_version=posted_version(request),
        )

    return _step(
        request,
        pk,
        Status.HIDDEN,
        "hide_form",
        lambda message: HideForm(request.POST),
        act,
        # zh: 留言已隐藏（未删除，可以恢复）。
        _("The message is hidden (kept, not deleted: it can be restored)."),
    )


@login_required
@require_POST
def message_restore(request, pk):
    message = get_message_for_user(request.user, pk)
    try:
        services.restore(message, actor=request.user, expected_version=posted_version(request))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        # zh: 留言已恢复，回到待处理列表。
        messages.success(request, _("The message is back in the queue."))
    return redirect("portal:message_detail", message.pk)


@login_required
@require_POST
def message_convert(request, pk):
    def act(message, form):
        services.convert(
            message,
            actor=request.user,
            title=form.cleaned_data["report_title"],
            body=form.cleaned_data["report_body"],
            include_contact=form.cleaned_data["include_contact"],
            expected_version=posted_version(request),
        )

    return _step(
        request,
        pk,
        Status.CONVERTED,
        "convert_form",
        lambda message: ConvertForm(request.POST),
        act,
        # zh: 已转为社情民意信息，等待编辑登记。
        _("The message is now a public-opinion report, waiting for the editors to register it."),
    )


@login_required
@require_POST
@never_cache
def message_phone(request, pk):
    """The writer's full telephone number, shown once on this response (audited); a reload asks again."""
    message = get_message_for_user(request.user, pk)
    phone = services.reveal_phone(message, actor=request.user)
    return _detail_page(request, message, phone=phone)


# --- reply templates ----------------------------------------------------------------------------------


@login_required
@never_cache
def reply_templates(request):
    require_moderator(request.user)
    templates = list(ReplyTemplate.objects.visible_to(request.user))
    return render(request, "portal/moderation/reply_templates.html", {"templates": templates})


def _template_form_page(request, form, template=None, *, status=200):
    return render(
        request,
        "portal/moderation/reply_template_form.html",
        {"form": form, "template": template},
        status=status,
    )


def _save_template(request, template=None):
    form = ReplyTemplateForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                # A new template's form is good once: a second click makes no second template.
                submission.claim(request)
                services.save_reply_template(
                    actor=request.user,
                    committee=request.user.committee,
                    title=form.cleaned_data["title"],
                    text=form.cleaned_data["text"],
                    order=form.cleaned_data["order"],
                    template=template,
                )
        except submission.DuplicateSubmission:
            submission.tell_already_submitted(request)
            return redirect("portal:reply_templates")
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
        else:
            # zh: 答复模板已保存。
            messages.success(request, _("The reply template is saved."))
            return redirect("portal:reply_templates")
    return _template_form_page(request, form, template, status=400)


@login_required
@never_cache
def reply_template_new(request):
    require_moderator(request.user)
    if request.method == "POST":
        return _save_template(request)
    return _template_form_page(request, ReplyTemplateForm())


@login_required
@never_cache
def reply_template_edit(request, pk):
    template = get_reply_template_for_user(request.user, pk)
    if request.method == "POST":
        return _save_template(request, template)
    form = ReplyTemplateForm(
        initial={"title": template.title, "text": template.text, "order": template.order}
    )
    return _template_form_page(request, form, template)


@login_required
@require_POST
def reply_template_delete(request, pk):
    template = get_reply_template_for_user(request.user, pk)
    services.delete_reply_template(template, actor=request.user)
    # zh: 答复模板已删除。
    messages.success(request, _("The reply template is deleted."))
    return redirect("portal:reply_templates")


# --- the site's settings ------------------------------------------------------------------------------


@login_required
@never_cache
def settings_page(request):
    """The committee's public-site settings: accepting messages, the sensitive words, the days before a
    message is overdue, the office telephone."""
    user = request.user
    if user.committee_id is None or not user.has_perm(CHANGE_SETTINGS):
        raise PermissionDenied(CHANGE_SETTINGS)
    committee = user.committee
    site = public_site.settings_for(committee)
    version = site.version
    if request.method == "POST":
        form = SettingsForm(request.POST)
        version = posted_version(request)
        if form.is_valid():
            try:
                services.update_settings(
                    actor=user,
                    committee=committee,
                    expected_version=version,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                if getattr(error, "code", None) == "stale":
                    messages.error(request, _error_text(error))
                    return redirect("portal:settings")
                for text in error.messages:
                    form.add_error(None, text)
            else:
                # zh: 网站设置已保存。
                messages.success(request, _("The public site's settings are saved."))
                return redirect("portal:settings")
        status = 400
    else:
        form = SettingsForm(
            initial={
                "accepting_messages": site.accepting_messages,
                "sensitive_words": site.sensitive_words,
                "overdue_days": site.overdue_days,
                "office_phone": site.office_phone,
            }
        )
        status = 200
    return render(
        request,
        "portal/moderation/settings.html",
        {"form": form, "site": site, "version": version, "word_count": len(site.word_list())},
        status=status,
    )


urlpatterns = [
    path("messages/", moderation, name="moderation"),
    path("messages/export/", message_export, name="message_export"),
    path("messages/<int:pk>/", message_detail, name="message_detail"),
    path("messages/<int:pk>/publish/", message_publish, name="message_publish"),
    path("messages/<int:pk>/answer/", message_answer, name="message_answer"),
    path("messages/<int:pk>/hide/", message_hide, name="message_hide"),
    path("messages/<int:pk>/restore/", message_restore, name="message_restore"),
    path("messages/<int:pk>/convert/", message_convert, name="message_convert"),
    path("messages/<int:pk>/phone/", message_phone, name="message_phone"),
    path("reply-templates/", reply_templates, name="reply_templates"),
    path("reply-templates/new/", reply_template_new, name="reply_template_new"),
    path("reply-templates/<int:pk>/edit/", reply_template_edit, name="reply_template_edit"),
    path("reply-templates/<int:pk>/delete/", reply_template_delete, name="reply_template_delete"),
    path("settings/", settings_page, name="settings"),
]
