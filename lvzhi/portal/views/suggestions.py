"""委员建言, the signed-in side: a member's suggestions, the form of one, its page (text, status, history
and the steps the user may take), and the office's review queue with publication, the official answer,
return for revision and taking off the site.

Rights (permissions_suggestions): a member sees and acts on their own suggestions only (404 for anybody
else's); a reviewer sees every suggestion of their committee that was handed in and decides on it, never
on their own. Another committee's suggestion is a 404 for everyone. Every change is a POST through
services/suggestions.py with the version the page showed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lvzhi.core import submission
from lvzhi.core.pagination import paginate
from lvzhi.core.workflow import posted_version

from .. import permissions_suggestions as rights
from ..forms_suggestions import AnswerForm, ReturnForm, SuggestionForm, WithdrawForm
from ..models import MemberSuggestion
from ..services import suggestions as services

Status = MemberSuggestion.Status
QUEUE_PAGE_SIZE = 50
# The office's tabs: key → (status, label), in the order shown.
TABS = {
    "awaiting": (Status.SUBMITTED, gettext_lazy("Awaiting review")),
    "returned": (Status.RETURNED, gettext_lazy("Returned")),
    "published": (Status.PUBLISHED, gettext_lazy("Published")),
    "withdrawn": (Status.WITHDRAWN, gettext_lazy("Taken off")),
}
# Each tab's order: what waits longest first where the office owes a step, the newest first elsewhere.
TAB_ORDER = {
    "awaiting": ("submitted_at", "pk"),
    "returned": ("-status_changed_at", "-pk"),
    "published": ("-published_at", "-pk"),
    "withdrawn": ("-status_changed_at", "-pk"),
}


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


def _form_errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def _step_refused(error: ValidationError) -> bool:
    """A step that no longer fits the suggestion (someone moved it, or it moved on): a message on the
    page, not the form again."""
    return getattr(error, "code", None) in ("illegal_transition", "stale", "not_editable", "own_suggestion")


# --- the member ---------------------------------------------------------------------------------------


@login_required
@never_cache
def my_suggestions(request):
    """The member's suggestions: what the office still waits for or sent back first, then the rest."""
    member = rights.require_writer(request.user)
    rows = list(
        MemberSuggestion.objects.visible_to(request.user)
        .filter(member=member)
        .select_related("committee")
        .annotate(
            first=Case(
                When(status=Status.RETURNED, then=Value(0)),
                When(status=Status.DRAFT, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("first", "-status_changed_at", "-pk")
    )
    for suggestion in rows:
        suggestion.public_link = (
            services.public_url(suggestion) if suggestion.status == Status.PUBLISHED else ""
        )
    return render(request, "portal/suggestions/mine.html", {"suggestions": rows})


def _form_page(request, form, *, suggestion=None, status=200):
    return render(
        request,
        "portal/suggestions/form.html",
        {
            "form": form,
            "suggestion": suggestion,
            "text_max": form.fields["content"].widget.attrs["maxlength"],
        },
        status=status,
    )


@login_required
@never_cache
def suggestion_new(request):
    rights.require_writer(request.user)
    if request.method != "POST":
        return _form_page(request, SuggestionForm())
    form = SuggestionForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                submission.claim(request)
                suggestion = services.save_suggestion(actor=request.user, **form.service_kwargs())
        except submission.DuplicateSubmission:
            submission.tell_already_submitted(request)
            return redirect("portal:my_suggestions")
        except ValidationError as error:
            _form_errors(form, error)
        else:
            # zh: 已保存为草稿。检查无误后请点击“提交”。
            messages.success(request, _("Saved as a draft. Submit it when it is ready."))
            return redirect("portal:suggestion_detail", suggestion.pk)
    return _form_page(request, form, status=400)


@login_required
@never_cache
def suggestion_edit(request, pk):
    suggestion = rights.get_own_suggestion(request.user, pk)
    if not rights.may_edit(request.user, suggestion):
        # zh: 建言已提交，不能再修改。
        messages.error(request, _("This suggestion was handed in; it cannot be changed now."))
        return redirect("portal:suggestion_detail", suggestion.pk)
    if request.method != "POST":
        return _form_page(request, SuggestionForm.for_suggestion(suggestion), suggestion=suggestion)
    form = SuggestionForm(request.POST, editing=True)
    if form.is_valid():
        try:
            services.save_suggestion(
                actor=request.user,
                suggestion=suggestion,
                expected_version=posted_version(request),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            if _step_refused(error):
                messages.error(request, _error_text(error))
                return redirect("portal:suggestion_detail", suggestion.pk)
            _form_errors(form, error)
        else:
            # zh: 已保存。
            messages.success(request, _("Saved."))
            return redirect("portal:suggestion_detail", suggestion.pk)
    return _form_page(request, form, suggestion=suggestion, status=400)


@login_required
@require_POST
def suggestion_submit(request, pk):
    suggestion = rights.get_own_suggestion(request.user, pk)
    try:
        services.submit(suggestion, actor=request.user, expected_version=posted_version(request))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        # zh: 已提交，办公室审核后在网站发布。
        messages.success(request, _("Submitted. The office reviews it and publishes it on the website."))
    return redirect("portal:suggestion_detail", suggestion.pk)


@login_required
@require_POST
def suggestion_delete(request, pk):
    suggestion = rights.get_own_suggestion(request.user, pk)
    try:
        services.delete_draft(suggestion, actor=request.user, expected_version=posted_version(request))
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("portal:suggestion_detail", suggestion.pk)
    # zh: 草稿已删除。
    messages.success(request, _("The draft was deleted."))
    return redirect("portal:my_suggestions")


# --- one suggestion -----------------------------------------------------------------------------------


def _detail_page(request, suggestion, *, publish_form=None, answer_form=None, return_form=None,
                 withdraw_form=None, status=200):  # fmt: skip
    user = request.user
    may_publish = rights.may_publish(user, suggestion)
    may_answer = rights.may_answer(user, suggestion)
    may_return = rights.may_return(user, suggestion)
    may_withdraw = rights.may_withdraw(user, suggestion)
    context = {
        "suggestion": suggestion,
        "history": list(suggestion.history.select_related("actor").order_by("at", "pk")),
        "public_author": services.public_author(suggestion),
        "public_link": services.public_url(suggestion) if suggestion.status == Status.PUBLISHED else "",
        "is_author": rights.is_author(user, suggestion),
        "is_reviewer": rights.may_review(user) and suggestion.status != Status.DRAFT,
        "may_edit": rights.may_edit(user, suggestion),
        "may_submit": rights.may_submit(user, suggestion),
        "may_delete": rights.may_delete(user, suggestion),
        "publish_form": (publish_form or AnswerForm.for_suggestion(suggestion)) if may_publish else None,
        "answer_form": (answer_form or AnswerForm.for_suggestion(suggestion)) if may_answer else None,
        "return_form": (return_form or ReturnForm()) if may_return else None,
        "withdraw_form": (withdraw_form or WithdrawForm()) if may_withdraw else None,
    }
    return render(request, "portal/suggestions/detail.html", context, status=status)


@login_required
@never_cache
def suggestion_detail(request, pk):
    return _detail_page(request, rights.get_suggestion_for_user(request.user, pk))


# --- the office ---------------------------------------------------------------------------------------


def _reviewed(request, pk) -> MemberSuggestion:
    rights.require_reviewer(request.user)
    return rights.get_suggestion_for_user(request.user, pk)


def _decided(request, suggestion, step, success: str):
    """Run the service `step()`; its refusal is a message on the suggestion's page."""
    try:
        step()
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success)
    return redirect("portal:suggestion_detail", suggestion.pk)


@login_required
@require_POST
def suggestion_publish(request, pk):
    suggestion = _reviewed(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, suggestion, publish_form=form, status=400)
    return _decided(
        request,
        suggestion,
        lambda: services.publish(
            suggestion,
            actor=request.user,
            answer=form.cleaned_data["answer"],
            answered_by_unit=form.cleaned_data["answered_by_unit"],
            expected_version=posted_version(request),
        ),
        # zh: 已在网站发布，委员已收到通知。
        _("Published on the website; the member is told."),
    )


@login_required
@require_POST
def suggestion_answer(request, pk):
    suggestion = _reviewed(request, pk)
    form = AnswerForm(request.POST, published=True)
    if not form.is_valid():
        return _detail_page(request, suggestion, answer_form=form, status=400)
    return _decided(
        request,
        suggestion,
        lambda: services.save_answer(
            suggestion,
            actor=request.user,
            answer=form.cleaned_data["answer"],
            answered_by_unit=form.cleaned_data["answered_by_unit"],
            expected_version=posted_version(request),
        ),
        # zh: 官方答复已保存。
        _("The official answer is saved."),
    )


@login_required
@require_POST
def suggestion_return(request, pk):
    suggestion = _reviewed(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, suggestion, return_form=form, status=400)
    return _decided(
        request,
        suggestion,
        lambda: services.return_for_revision(
            suggestion,
            actor=request.user,
            reason=form.cleaned_data["return_reason"],
            expected_version=posted_version(request),
        ),
        # zh: 已退回，委员会看到理由。
        _("Returned; the member reads the reason."),
    )


@login_required
@require_POST
def suggestion_withdraw(request, pk):
    suggestion = _reviewed(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, suggestion, withdraw_form=form, status=400)
    return _decided(
        request,
        suggestion,
        lambda: services.withdraw(
            suggestion,
            actor=request.user,
            reason=form.cleaned_data["withdraw_reason"],
            expected_version=posted_version(request),
        ),
        # zh: 已从网站撤下，委员会看到理由。
        _("Taken off the website; the member reads the reason."),
    )


@login_required
@never_cache
def suggestion_queue(request):
    """The office's queue by tab (?tab=awaiting|returned|published|withdrawn) with every tab's count."""
    rights.require_reviewer(request.user)
    current = request.GET.get("tab", "")
    if current not in TABS:
        current = "awaiting"
    scope = MemberSuggestion.objects.visible_to(request.user)
    counts = scope.aggregate(
        **{key: Count("pk", filter=Q(status=status)) for key, (status, _label) in TABS.items()}
    )
    rows = scope.filter(status=TABS[current][0]).select_related("member").order_by(*TAB_ORDER[current])
    page = paginate(request, rows, per_page=QUEUE_PAGE_SIZE)
    tabs = [{"key": key, "label": label, "count": counts[key]} for key, (_status, label) in TABS.items()]
    return render(
        request,
        "portal/suggestions/queue.html",
        {"page": page, "tabs": tabs, "current": current, "current_label": TABS[current][1]},
    )


urlpatterns = [
    path("suggestions/mine/", my_suggestions, name="my_suggestions"),
    path("suggestions/new/", suggestion_new, name="suggestion_new"),
    path("suggestions/review/", suggestion_queue, name="suggestion_queue"),
    path("suggestions/<int:pk>/", suggestion_detail, name="suggestion_detail"),
    path("suggestions/<int:pk>/edit/", suggestion_edit, name="suggestion_edit"),
    path("suggestions/<int:pk>/submit/", suggestion_submit, name="suggestion_submit"),
    path("suggestions/<int:pk>/delete/", suggestion_delete, name="suggestion_delete"),
    path("suggestions/<int:pk>/publish/", suggestion_publish, name="suggestion_publish"),
    path("suggestions/<int:pk>/return/", suggestion_return, name="suggestion_return"),
    path("suggestions/<int:pk>/withdraw/", suggestion_withdraw, name="suggestion_withdraw"),
    path("suggestions/<int:pk>/answer/", suggestion_answer, name="suggestion_answer"),
]
