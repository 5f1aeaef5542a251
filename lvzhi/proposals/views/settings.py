"""The proposal settings page (staff with proposals.review_proposal): the committee's length limit and
days (co-signing, returning an assignment, reminders), the categories and the reasons for not accepting
(add, rename, retire, restore, reorder), and each session's handling deadline in months. Every change
goes through services/settings.py; sessions are fetched through permissions.get_session_for_user."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lvzhi.organization.models import Session

from .. import selectors
from ..forms_settings import CategoryForm, PolicyForm, ReasonForm, SessionDeadlineForm
from ..models import DEFAULT_HANDLING_MONTHS, Proposal, ProposalCategory, RejectionReason
from ..permissions import get_session_for_user
from ..services import settings as services
from ..services.common import REVIEW


def _require_right(user):
    if not user.has_perm(REVIEW):
        raise PermissionDenied(REVIEW)


def _form_errors(form):
    return "；".join(f"{form.fields[f].label}：{e}" for f, errs in form.errors.items() for e in errs)


def _sessions(user):
    return (
        Session.objects.visible_to(user)
        .select_related("term")
        .annotate(proposal_count=Count("proposals", filter=~Q(proposals__status=Proposal.Status.DRAFT)))
        .order_by("-term__number", "-number")
    )


@login_required
@never_cache
def settings_page(request):
    """The page; a POST saves the committee's limits and days."""
    _require_right(request.user)
    committee_id = request.user.committee_id
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                services.update_policy(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))
            else:
                messages.success(request, _("Settings saved."))
                return redirect("proposals:settings")
    else:
        policy = selectors.policy_for(committee_id)
        form = PolicyForm(
            initial={
                "body_limit": policy.body_limit,
                "cosign_days": policy.cosign_days,
                "return_days": policy.return_days,
                "remind_days": policy.remind_days,
            }
        )
    categories = (
        ProposalCategory.objects.filter(committee_id=committee_id)
        .annotate(used=Count("proposals"))
        .order_by("order", "pk")
    )
    reason_use = dict(
        Proposal.objects.filter(committee_id=committee_id, rejection_reason__isnull=False)
        .order_by()
        .values_list("rejection_reason")
        .annotate(n=Count("pk"))
    )
    reasons = list(RejectionReason.objects.filter(committee_id=committee_id).order_by("order", "pk"))
    for reason in reasons:
        reason.used = reason_use.get(reason.pk, 0)
    sessions = list(_sessions(request.user).select_related("proposal_policy"))
    for session in sessions:
        policy_row = getattr(session, "proposal_policy", None)
        session.handling_months = policy_row.handling_months if policy_row else DEFAULT_HANDLING_MONTHS
    return render(
        request,
        "proposals/settings/page.html",
        {
            "form": form,
            "categories": categories,
            "reasons": reasons,
            "sessions": sessions,
            "month_range": services.RANGES["handling_months"],
            "category_max": services.NAME_MAX["category"],
            "reason_max": services.NAME_MAX["reason"],
        },
    )


def _list_item(request, model):
    """The list entry named by the POST's `item` (the user's committee only), or None when none is named."""
    pk = request.POST.get("item", "")
    if not pk:
        return None
    if not pk.isdecimal() or len(pk) > 18:
        raise Http404
    item = model.objects.filter(committee_id=request.user.committee_id, pk=int(pk)).first()
    if item is None:
        raise Http404
    return item


def _change_list(request, kind):
    _require_right(request.user)
    model, form_class, field = (
        (ProposalCategory, CategoryForm, "name")
        if kind == "category"
        else (RejectionReason, ReasonForm, "text")
    )
    item = _list_item(request, model)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("proposals:settings")
    try:
        services.change_list_item(
            actor=request.user,
            kind=kind,
            action=request.POST.get("action", "")[:16],
            item=item,
            text=form.cleaned_data[field],
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(
            request, _("Categories saved.") if kind == "category" else _("Reasons for not accepting saved.")
        )
    return redirect("proposals:settings")


@login_required
@require_POST
def category_change(request):
    return _change_list(request, "category")


@login_required
@require_POST
def reason_change(request):
    return _change_list(request, "reason")


@login_required
@require_POST
def session_deadline(request, pk):
    """A session's handling deadline in months."""
    _require_right(request.user)
    session = get_session_for_user(request.user, pk)
    form = SessionDeadlineForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{session}：{_form_errors(form)}")
        return redirect("proposals:settings")
    try:
        services.set_session_deadline(
            actor=request.user, session=session, handling_months=form.cleaned_data["handling_months"]
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("Handling deadline of %(session)s saved.") % {"session": session})
    return redirect("proposals:settings")


urlpatterns: list = [
    path("settings/", settings_page, name="settings"),
    path("settings/categories/", category_change, name="settings_category"),
    path("settings/reasons/", reason_change, name="settings_reason"),
    path("settings/sessions/<int:pk>/", session_deadline, name="settings_session"),
]
