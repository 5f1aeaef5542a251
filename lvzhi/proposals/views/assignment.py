"""Assignment views: the proposal page's assignment section (the units and their status; the staff's
assign form and return decisions; a unit's sign-for and return request) and its POST steps. Every fetch
goes through permissions.get_proposal_for_user / get_assignment_for_user; every change through
services.assignment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lvzhi.core.workflow import posted_version

from ..forms_review import AssignForm, DecideReturnForm, ReturnRequestForm
from ..models import Assignment, Proposal
from ..permissions import get_assignment_for_user, get_proposal_for_user
from ..services import assignment as services
from ..services.common import VIEW_ALL
from .review import is_reviewer

Status = Proposal.Status
AStatus = Assignment.Status


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


def detail_context(request, proposal):
    """What the proposal page's assignment section needs (templates/proposals/detail/_assignment.html)."""
    user = request.user
    staff = user.has_perm(VIEW_ALL) and user.committee_id == proposal.committee_id
    reviewer = is_reviewer(user, proposal)
    rows = list(proposal.assignments.select_related("department", "signed_by").order_by("role", "pk"))
    if not staff:
        rows = [a for a in rows if a.status != AStatus.RETURNED]
    today = timezone.localdate()
    for row in rows:
        own = services.is_unit_account(user, row)
        # The return's reason and answer are between the unit and the staff.
        row.show_return = staff or own
        row.may_sign = own and row.status == AStatus.ASSIGNED
        row.return_until = services.return_until(row)
        row.may_request_return = (
            own
            and row.status in (AStatus.ASSIGNED, AStatus.SIGNED)
            and proposal.status in (Status.ASSIGNED, Status.HANDLING)
            and today <= row.return_until
        )
        row.may_decide = reviewer and row.status == AStatus.RETURN_REQUESTED
    context = {
        "assignments": rows,
        "assignment_staff": reviewer,
        "return_form": ReturnRequestForm(auto_id="return-%s")
        if any(r.may_request_return for r in rows)
        else None,
        "decide_form": DecideReturnForm(auto_id="decide-%s") if any(r.may_decide for r in rows) else None,
    }
    if reviewer and proposal.status == Status.ACCEPTED:
        suggested = list(proposal.suggested_departments.filter(is_active=True).values_list("pk", flat=True))
        context["assign_form"] = AssignForm(
            proposal=proposal,
            initial={
                "version": proposal.version,
                "lead": suggested[0] if suggested else None,
                "co_units": suggested[1:],
                "deadline": services.default_deadline(proposal, today),
            },
            auto_id="assign-%s",
        )
    return context


def _messages_for(request, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


@login_required
@require_POST
def assign(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    form = AssignForm(request.POST, proposal=proposal)
    if not form.is_valid():
        _messages_for(request, form)
    else:
        data = form.cleaned_data
        try:
            services.assign(
                proposal,
                actor=request.user,
                lead=data["lead"],
                co_units=list(data["co_units"]),
                deadline=data.get("deadline"),
                expected_version=posted_version(request),
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Proposal assigned; the units are told."))
    return redirect("proposals:detail", proposal.pk)


@login_required
@require_POST
def sign_for(request, assignment_pk):
    assignment = get_assignment_for_user(request.user, assignment_pk)
    try:
        services.sign_for(assignment, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Signed for."))
    return redirect("proposals:detail", assignment.proposal_id)


@login_required
@require_POST
def request_return(request, assignment_pk):
    assignment = get_assignment_for_user(request.user, assignment_pk)
    form = ReturnRequestForm(request.POST)
    if not form.is_valid():
        _messages_for(request, form)
    else:
        try:
            services.request_return(assignment, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Return requested; the proposal staff will decide."))
    return redirect("proposals:detail", assignment.proposal_id)


@login_required
@require_POST
def decide_return(request, assignment_pk):
    assignment = get_assignment_for_user(request.user, assignment_pk)
    form = DecideReturnForm(request.POST)
    if not form.is_valid():
        _messages_for(request, form)
    else:
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.decide_return(
                assignment, actor=request.user, accept=accept, answer=form.cleaned_data.get("answer") or ""
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("Return accepted; the unit is told.") if accept else _("Return refused; the unit is told."),
            )
    return redirect("proposals:detail", assignment.proposal_id)


urlpatterns: list = [
    path("<int:pk>/assign/", assign, name="assign"),
    path("assignments/<int:assignment_pk>/sign/", sign_for, name="sign_for"),
    path("assignments/<int:assignment_pk>/return/", request_return, name="request_return"),
    path("assignments/<int:assignment_pk>/decide-return/", decide_return, name="decide_return"),
]
