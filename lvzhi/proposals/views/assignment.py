"""Assignment views: the proposal page's assignment section (the units and their status; the staff's
assign form and return decisions; a unit's sign-for and return request) and its POST steps. Every fetch
goes through permissions.get_proposal_for_user / get_assignment_for_user; every change through
services.assignment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from lvzhi.core.pagination import paginate
from lvzhi.core.workflow import posted_version

from .. import selectors
from ..forms_review import (
    AssignForm,
    BatchChoices,
    BatchDeadlineForm,
    BatchFilterForm,
    DecideReturnForm,
    ReturnRequestForm,
    active_departments,
    batch_id,
)
from ..models import Assignment, Proposal, ProposalAuthor
from ..permissions import get_assignment_for_user, get_proposal_for_user
from ..services import assignment as services
from ..services.common import REVIEW, VIEW_ALL
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


# --- 批量交办: many accepted proposals assigned on one page ------------------------------------------

BATCH_PER_PAGE = 50


def _row_error(proposal, message) -> str:
    # zh: "%(serial)s：%(error)s"
    return _("%(serial)s: %(error)s") % {"serial": proposal.serial_label or proposal.title, "error": message}


def _assign_rows(request, choices, deadline):
    """Assign each ticked row through services.assign, one transaction each: (assigned proposals,
    {proposal pk: error}, errors of rows not on this committee's list)."""
    user = request.user
    departments = {d.pk: d for d in active_departments(user.committee_id)}
    found = {
        p.pk: p
        for p in Proposal.objects.filter(
            committee_id=user.committee_id, pk__in=choices.ticked
        ).select_related("session")
    }
    assigned, row_errors, other_errors = [], {}, []
    for pk in choices.ticked:
        proposal = found.get(pk)
        if proposal is None:
            # zh: 勾选的提案（ID %(id)s）不是本委员会的提案。
            other_errors.append(
                _("The ticked proposal (id %(id)s) is not one of the committee's.") % {"id": pk}
            )
            continue
        lead_pk = choices.leads.get(pk)
        co_pks = choices.co_units.get(pk, [])
        if lead_pk is None:
            row_errors[pk] = _row_error(proposal, _("Choose the lead unit."))
            continue
        if lead_pk not in departments:
            row_errors[pk] = _row_error(proposal, _("Lead unit: choose one of the committee's departments."))
            continue
        if any(d not in departments for d in co_pks):
            row_errors[pk] = _row_error(proposal, _("Co-units: choose the committee's departments."))
            continue
        if lead_pk in co_pks:
            row_errors[pk] = _row_error(proposal, _("The lead unit cannot also be a co-unit."))
            continue
        try:
            proposal = services.assign(
                proposal,
                actor=user,
                lead=departments[lead_pk],
                co_units=[departments[d] for d in co_pks],
                deadline=deadline,
                expected_version=choices.versions.get(pk, 0),
            )
        except ValidationError as error:
            row_errors[pk] = _row_error(proposal, _error_text(error))
        except PermissionDenied:
            row_errors[pk] = _row_error(proposal, _("You may not assign this proposal."))
        else:
            assigned.append(proposal)
    return assigned, row_errors, other_errors


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def assign_batch(request):
    """批量交办: the accepted proposals waiting for assignment (filtered by session and category, 50 a
    page), each with its lead unit (the first suggested unit chosen), co-units and a tick; one deadline
    for the batch. Each ticked row is assigned on its own (a failed row leaves nothing half-written and
    the others still go); on errors the page comes back with every choice kept."""
    user = request.user
    if not user.has_perm(REVIEW) or user.committee_id is None:
        raise PermissionDenied(REVIEW)
    filter_form = BatchFilterForm(request.GET, committee_id=user.committee_id)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    session, category = filters.get("session"), filters.get("category")
    query = "&".join(
        f"{name}={value.pk}" for name, value in (("session", session), ("category", category)) if value
    )
    choices = None
    assigned, row_errors, errors = [], {}, []
    if request.method == "POST":
        choices = BatchChoices(request.POST)
        deadline_form = BatchDeadlineForm(request.POST, auto_id="batch-%s")
        if choices.unreadable:
            errors.append(_("Some choices could not be read and were left out; check the rows."))
        if not deadline_form.is_valid():
            errors += [
                f"{deadline_form.fields['deadline'].label}：{e}" for e in deadline_form.errors["deadline"]
            ]
        elif not choices.ticked:
            errors.append(_("Tick the proposals to assign."))
        else:
            assigned, row_errors, other_errors = _assign_rows(
                request, choices, deadline_form.cleaned_data.get("deadline")
            )
            errors += [*other_errors, *row_errors.values()]
        if not errors:
            messages.success(
                request,
                # zh: 已交办 %(n)s 件（%(serials)s），已通知承办单位。
                ngettext(
                    "%(n)s proposal assigned (%(serials)s); the units are told.",
                    "%(n)s proposals assigned (%(serials)s); the units are told.",
                    len(assigned),
                )
                % {"n": len(assigned), "serials": "、".join(p.serial_label for p in assigned)},
            )
            url = reverse("proposals:assign_batch")
            page_number = request.GET.get("page")
            params = "&".join(filter(None, [query, f"page={page_number}" if batch_id(page_number) else ""]))
            return redirect(f"{url}?{params}" if params else url)
    page = paginate(
        request,
        selectors.batch_assign_queue(
            user.committee_id,
            session_id=session.pk if session else None,
            category_id=category.pk if category else None,
        ),
        per_page=BATCH_PER_PAGE,
    )
    rows = list(page.object_list)
    for proposal in rows:
        suggested = [d for d in proposal.suggested_departments.all() if d.is_active]
        proposal.batch_suggested = proposal.suggested_departments.all()
        proposal.batch_proposers = "、".join(
            a.name for a in proposal.authors.all() if a.consent == ProposalAuthor.Consent.CONFIRMED
        )
        proposal.batch_error = row_errors.get(proposal.pk, "")
        if choices is not None and proposal.pk in choices.shown:
            proposal.batch_lead = choices.leads.get(proposal.pk)
            proposal.batch_co = set(choices.co_units.get(proposal.pk, []))
            proposal.batch_ticked = proposal.pk in choices.ticked
        else:
            proposal.batch_lead = suggested[0].pk if suggested else None
            proposal.batch_co = {d.pk for d in suggested[1:]}
            proposal.batch_ticked = False
    if request.method == "GET":
        session_id = session.pk if session else (rows[0].session_id if rows else None)
        initial = (
            {"deadline": services.add_months(timezone.localdate(), selectors.handling_months(session_id))}
            if session_id
            else {}
        )
        deadline_form = BatchDeadlineForm(initial=initial, auto_id="batch-%s")
    return render(
        request,
        "proposals/review/assign_batch.html",
        {
            "filter_form": filter_form
            if filter_form.is_valid()
            else BatchFilterForm(committee_id=user.committee_id),
            "filter_query": query,
            "page": page,
            "rows": rows,
            "departments": list(active_departments(user.committee_id)),
            "deadline_form": deadline_form,
            "assigned": assigned,
            "errors": errors,
        },
    )


urlpatterns: list = [
    path("assign/", assign_batch, name="assign_batch"),
    path("<int:pk>/assign/", assign, name="assign"),
    path("assignments/<int:assignment_pk>/sign/", sign_for, name="sign_for"),
    path("assignments/<int:assignment_pk>/return/", request_return, name="request_return"),
    path("assignments/<int:assignment_pk>/decide-return/", decide_return, name="decide_return"),
]
