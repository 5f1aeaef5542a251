"""The handling section of the proposal page (templates/proposals/detail/_handling.html) and its steps:
the units record contacts with the proposer and give their views, the lead unit drafts and sends its
reply, staff type in a paper reply, the first proposer evaluates; the reply documents are downloaded
here. Every change goes through services.handling; a refused form is shown again on the proposal page
with what was typed (status 400), a refused step as a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lvzhi.core import audit, uploads
from lvzhi.core.forms import show_errors

from ..forms_handling import ContactForm, EvaluationForm, PaperReplyForm, ReplyForm, ViewsForm
from ..models import Assignment, Proposal, Reply
from ..permissions import get_assignment_for_user, get_proposal_for_user
from ..services import handling as services
from ..services.common import VIEW_ALL
from . import page

Status = Proposal.Status
SHOWN = (Status.ASSIGNED, Status.HANDLING, Status.REPLIED, Status.EVALUATED, Status.CLOSED)


def _to_section(proposal):
    return redirect(f"{proposal.get_absolute_url()}#handling")


# --- the section ------------------------------------------------------------------------------------


def detail_context(request, proposal):
    """What the proposal page's handling section needs, under one key (`handling`)."""
    if proposal.status not in SHOWN:
        return {"handling": None}
    user = request.user
    staff = user.has_perm(VIEW_ALL)
    assignments = list(
        proposal.assignments.select_related("department")
        .exclude(status=Assignment.Status.RETURNED)
        .order_by("role", "pk")
    )
    lead = next((a for a in assignments if a.role == Assignment.Role.LEAD), None)
    department_id = getattr(user, "department_id", None)
    mine = next((a for a in assignments if department_id and a.department_id == department_id), None)
    is_lead_unit = mine is not None and mine is lead
    co_units = [a for a in assignments if a.role == Assignment.Role.CO]
    if staff or is_lead_unit:
        co_views = co_units
    elif mine is not None:
        co_views = [mine] if mine.role == Assignment.Role.CO else []
    else:
        co_views = []
    replies = list(proposal.replies.select_related("department", "evaluation").order_by("round", "pk"))
    sent = [r for r in replies if r.sent_at is not None]
    draft = next((r for r in replies if r.sent_at is None and r.round == proposal.round), None)
    may_reply = services.may_reply(user, proposal, lead)
    context = {
        "lead": lead,
        "mine": mine,
        "is_lead_unit": is_lead_unit,
        "co_units": co_units,
        "co_views": co_views,
        "shows_co_views": bool(co_units) and (staff or mine is not None),
        "contacts": list(
            proposal.contacts.select_related("assignment__department").order_by("round", "date", "pk")
        ),
        "sent_replies": sent,
        # A draft is the lead unit's business until it is sent.
        "draft": draft if is_lead_unit else None,
        "may_reply": may_reply,
    }
    if mine is not None and services.may_record_contact(user, mine, proposal):
        context["contact_form"] = page.bound(request, "contact") or ContactForm()
    if mine is not None and services.may_give_views(user, mine, proposal):
        context["views_form"] = page.bound(request, "views") or ViewsForm(initial={"views": mine.views})
    if may_reply:
        initial = {"result": draft.result, "text": draft.text} if draft else {}
        context["reply_form"] = page.bound(request, "reply") or ReplyForm(initial=initial)
        context["blockers"] = services.reply_blockers(proposal, draft, lead)
    if services.may_record_paper_reply(user, proposal):
        context["paper_form"] = page.bound(request, "paper") or PaperReplyForm()
    if services.may_evaluate(user, proposal):
        context["evaluation_form"] = page.bound(request, "evaluation") or EvaluationForm()
    return {"handling": context}


# --- the units' steps -------------------------------------------------------------------------------


@login_required
@require_POST
def contact(request, assignment_pk):
    assignment = get_assignment_for_user(request.user, assignment_pk)
    proposal = get_proposal_for_user(request.user, assignment.proposal_id)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return page.again(request, proposal, contact=form)
    try:
        services.record_contact(assignment, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return page.again(request, proposal, contact=form)
    messages.success(request, _("Contact with the proposer recorded."))
    return _to_section(proposal)


@login_required
@require_POST
def views(request, assignment_pk):
    assignment = get_assignment_for_user(request.user, assignment_pk)
    proposal = get_proposal_for_user(request.user, assignment.proposal_id)
    form = ViewsForm(request.POST)
    if not form.is_valid():
        return page.again(request, proposal, views=form)
    try:
        services.give_views(assignment, actor=request.user, views=form.cleaned_data["views"])
    except ValidationError as error:
        form.add_error(None, error)
        return page.again(request, proposal, views=form)
    messages.success(request, _("Your views were given to the lead unit."))
    return _to_section(proposal)


@login_required
@require_POST
def reply(request, pk):
    """The lead unit saves its draft reply (with the reply document)."""
    proposal = get_proposal_for_user(request.user, pk)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return page.again(request, proposal, reply=form)
    try:
        services.save_reply(
            proposal,
            actor=request.user,
            result=form.cleaned_data["result"],
            text=form.cleaned_data["text"],
            uploaded_file=form.cleaned_data["document"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return page.again(request, proposal, reply=form)
    messages.success(request, _("Draft reply saved. Send it when it is complete."))
    return _to_section(proposal)


@login_required
@require_POST
def send_reply(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    try:
        services.send_reply(proposal, actor=request.user)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("Reply sent; the proposers are asked to evaluate it."))
    return _to_section(proposal)


# --- staff and the proposer -------------------------------------------------------------------------


@login_required
@require_POST
def paper_reply(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    form = PaperReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return page.again(request, proposal, paper=form)
    try:
        services.record_paper_reply(
            proposal,
            actor=request.user,
            result=form.cleaned_data["result"],
            text=form.cleaned_data["text"],
            replied_on=form.cleaned_data["replied_on"],
            uploaded_file=form.cleaned_data["document"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return page.again(request, proposal, paper=form)
    messages.success(request, _("Paper reply recorded; the proposers are asked to evaluate it."))
    return _to_section(proposal)


@login_required
@require_POST
def evaluate(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    form = EvaluationForm(request.POST)
    if not form.is_valid():
        return page.again(request, proposal, evaluation=form)
    try:
        proposal = services.evaluate(proposal, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return page.again(request, proposal, evaluation=form)
    if proposal.status == Status.HANDLING:
        messages.success(request, _("Thank you. The unit handles your proposal again."))
    else:
        messages.success(request, _("Thank you for your evaluation."))
    return _to_section(proposal)


@login_required
def reply_document(request, pk, reply_pk):
    """A reply's document, for whoever may see the proposal (staff, its proposers, the units assigned
    to it); a draft's only for its unit. Written to the audit log."""
    proposal = get_proposal_for_user(request.user, pk)
    try:
        row = Reply.objects.get(pk=reply_pk, proposal=proposal)
    except (Reply.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if row.sent_at is None and getattr(request.user, "department_id", None) != row.department_id:
        raise Http404
    if not row.file:
        raise Http404
    response = uploads.attachment_response(row)
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.reply_document_downloaded",
        params={"object": str(proposal), "file": row.original_name},
        detail={"reply": row.pk, "round": row.round},
    )
    return response


urlpatterns = [
    path("assignments/<int:assignment_pk>/contact/", contact, name="contact"),
    path("assignments/<int:assignment_pk>/views/", views, name="views"),
    path("<int:pk>/reply/", reply, name="reply"),
    path("<int:pk>/reply/send/", send_reply, name="send_reply"),
    path("<int:pk>/reply/paper/", paper_reply, name="paper_reply"),
    path("<int:pk>/evaluate/", evaluate, name="evaluate"),
    path("<int:pk>/replies/<int:reply_pk>/document/", reply_document, name="reply_document"),
]
