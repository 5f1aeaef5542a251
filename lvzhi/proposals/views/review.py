"""Review views: 提案工作 (the staff's work page with its tabs) and the steps of the proposal page's review
section (accept, merge, convert, reject, key and excellent flags, supervision notes, close). Every
fetch goes through permissions.get_proposal_for_user; every change through services.review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lvzhi.core import audit, docx_official
from lvzhi.core.pagination import paginate
from lvzhi.core.workflow import posted_version

from .. import documents, selectors
from ..forms_review import (
    AcceptForm,
    CloseForm,
    ConvertForm,
    ExcellentForm,
    KeyForm,
    MergeForm,
    RejectForm,
    SupervisionForm,
    WorkFilterForm,
)
from ..models import Proposal
from ..permissions import get_proposal_for_user
from ..services import review as services
from ..services.common import REVIEW, VIEW_ALL, is_proposer

Status = Proposal.Status

TAB_LABELS = {
    "review": gettext_lazy("To review"),
    "cosigning": gettext_lazy("Co-signers confirming"),
    "assign": gettext_lazy("To assign"),
    "returns": gettext_lazy("Return requests"),
    "handling": gettext_lazy("Being handled"),
    "overdue": gettext_lazy("Overdue"),
    "closing": gettext_lazy("To close"),
}


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


def is_reviewer(user, proposal) -> bool:
    """Proposal staff of the proposal's committee who are no proposer of it."""
    return (
        user.is_authenticated
        and user.committee_id == proposal.committee_id
        and user.has_perm(REVIEW)
        and not is_proposer(user, proposal)
    )


# --- the proposal page's review section ------------------------------------------------------------


def detail_context(request, proposal):
    """What the proposal page's review section needs (templates/proposals/detail/_review.html)."""
    user = request.user
    reviewer = is_reviewer(user, proposal)
    staff = user.has_perm(VIEW_ALL) and user.committee_id == proposal.committee_id
    context = {
        "review_staff": reviewer,
        "review_merged": list(proposal.merged_proposals.order_by("pk")) if staff else [],
        "review_merged_into_visible": proposal.merged_into_id is not None
        and Proposal.objects.visible_to(user).filter(pk=proposal.merged_into_id).exists(),
        "review_letter_department": proposal.letter_department if proposal.letter_department_id else None,
        "review_rejection_reason": proposal.rejection_reason if proposal.rejection_reason_id else None,
    }
    accepted = proposal.status in Proposal.ACCEPTED_STATUSES
    may_supervise = accepted and services.may_supervise(user, proposal)
    if staff or may_supervise:
        context["review_notes"] = list(proposal.supervision_notes.select_related("created_by"))
    if may_supervise and proposal.status != Status.CLOSED:
        context["supervision_form"] = SupervisionForm(
            initial={"date": timezone.localdate()}, auto_id="supervise-%s"
        )
    if not reviewer:
        return context
    version = {"version": proposal.version}
    if proposal.status == Status.SUBMITTED:
        context["review_cosigning_open"] = services.cosigning_open(proposal)
        if not context["review_cosigning_open"]:
            context["accept_form"] = AcceptForm(proposal=proposal, initial=version, auto_id="accept-%s")
            context["convert_form"] = ConvertForm(proposal=proposal, initial=version, auto_id="convert-%s")
            context["reject_form"] = RejectForm(proposal=proposal, initial=version, auto_id="reject-%s")
    if proposal.status in (Status.SUBMITTED, Status.ACCEPTED) and not context.get("review_cosigning_open"):
        form = MergeForm(proposal=proposal, auto_id="merge-%s")
        if form.fields["proposals"].queryset.exists():
            context["merge_form"] = form
    if accepted:
        context["key_form"] = KeyForm(proposal=proposal, initial={"key": True}, auto_id="key-%s")
        context["excellent_form"] = ExcellentForm(auto_id="excellent-%s")
    if proposal.status in services.CLOSE_FROM:
        context["close_form"] = CloseForm(initial=version, auto_id="close-%s")
    return context


def _back(proposal):
    return redirect("proposals:detail", proposal.pk)


def _form_step(request, pk, form_class, run, success, *, with_proposal=True):
    """Check the form, run one service step: a refusal or a bad input is a message, never a 500."""
    proposal = get_proposal_for_user(request.user, pk)
    form = form_class(request.POST, **({"proposal": proposal} if with_proposal else {}))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return _back(proposal)
    try:
        run(proposal, form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success)
    return _back(proposal)


@login_required
@require_POST
def accept(request, pk):
    return _form_step(
        request,
        pk,
        AcceptForm,
        lambda p, d: services.accept(
            p, actor=request.user, category=d["category"], expected_version=posted_version(request)
        ),
        _("Proposal accepted."),
    )


@login_required
@require_POST
def merge(request, pk):
    return _form_step(
        request,
        pk,
        MergeForm,
        lambda p, d: services.merge(
            list(d["proposals"]), into=p, actor=request.user, category=d.get("category")
        ),
        _("Proposals merged into this one."),
    )


@login_required
@require_POST
def convert(request, pk):
    return _form_step(
        request,
        pk,
        ConvertForm,
        lambda p, d: services.convert(
            p,
            actor=request.user,
            to=d["to"],
            department=d.get("department"),
            note=d.get("note") or "",
            expected_version=posted_version(request),
        ),
        _("Proposal converted; the proposers are told."),
    )


@login_required
@require_POST
def reject(request, pk):
    return _form_step(
        request,
        pk,
        RejectForm,
        lambda p, d: services.reject(
            p,
            actor=request.user,
            reason=d["reason"],
            note=d.get("note") or "",
            expected_version=posted_version(request),
        ),
        _("Proposal not accepted; the proposers are told."),
    )


@login_required
@require_POST
def key(request, pk):
    return _form_step(
        request,
        pk,
        KeyForm,
        lambda p, d: services.mark_key(p, actor=request.user, key=d["key"], leader=d.get("leader")),
        _("Key proposal saved."),
    )


@login_required
@require_POST
def excellent(request, pk):
    return _form_step(
        request,
        pk,
        ExcellentForm,
        lambda p, d: services.mark_excellent(p, actor=request.user, excellent=d["excellent"]),
        _("Excellent proposal saved."),
        with_proposal=False,
    )


@login_required
@require_POST
def supervise(request, pk):
    return _form_step(
        request,
        pk,
        SupervisionForm,
        lambda p, d: services.add_supervision_note(p, actor=request.user, date=d["date"], note=d["note"]),
        _("Supervision note added."),
        with_proposal=False,
    )


@login_required
@require_POST
def close(request, pk):
    return _form_step(
        request,
        pk,
        CloseForm,
        lambda p, d: services.close(
            p, actor=request.user, note=d.get("note") or "", expected_version=posted_version(request)
        ),
        _("Case closed."),
        with_proposal=False,
    )


# --- 提案工作: the work page --------------------------------------------------------------------------


@login_required
@never_cache
def work(request):
    """提案工作: the tabs with their counts (one query), filtered by session and category, and the page
    of the chosen tab's proposals (a fixed number of queries whatever the rows)."""
    user = request.user
    if not user.has_perm(VIEW_ALL) or user.committee_id is None:
        raise PermissionDenied(VIEW_ALL)
    form = WorkFilterForm(request.GET, committee_id=user.committee_id)
    data = form.cleaned_data if form.is_valid() else {}
    tab = data.get("tab") or "review"
    session, category = data.get("session"), data.get("category")
    filters = {
        "session_id": session.pk if session else None,
        "category_id": category.pk if category else None,
    }
    counts = selectors.work_counts(user.committee_id, **filters)
    page = paginate(request, selectors.work_queue(user.committee_id, tab, **filters), per_page=30)
    query = "&".join(
        f"{name}={value}"
        for name, value in (("session", filters["session_id"]), ("category", filters["category_id"]))
        if value
    )
    return render(
        request,
        "proposals/review/work.html",
        {
            "tabs": [{"key": k, "label": TAB_LABELS[k], "count": counts[k]} for k in selectors.WORK_TABS],
            "current": tab,
            "current_label": TAB_LABELS[tab],
            "filter_form": form if form.is_valid() else WorkFilterForm(committee_id=user.committee_id),
            "filter_query": query,
            "page": page,
            "today": timezone.localdate(),
            "may_review": user.has_perm(REVIEW),
        },
    )


@login_required
def letter(request, pk):
    """The letter forwarding a proposal converted to 意见建议 to its department (.docx), for proposal
    staff and leaders; audited like every download of a document."""
    proposal = get_proposal_for_user(request.user, pk)
    if not request.user.has_perm(VIEW_ALL):
        raise PermissionDenied(VIEW_ALL)
    if proposal.converted_to != Proposal.Conversion.LETTER or proposal.letter_department_id is None:
        raise Http404
    filename = documents.letter_filename(proposal)
    response = docx_official.document_response(documents.build_letter_docx(proposal), filename)
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.letter_downloaded",
        params={"title": proposal.title, "department": str(proposal.letter_department)},
        detail={"file": filename},
    )
    return response


urlpatterns: list = [
    path("work/", work, name="work"),
    path("<int:pk>/letter/", letter, name="letter"),
    path("<int:pk>/accept/", accept, name="accept"),
    path("<int:pk>/merge/", merge, name="merge"),
    path("<int:pk>/convert/", convert, name="convert"),
    path("<int:pk>/reject/", reject, name="reject"),
    path("<int:pk>/key/", key, name="key"),
    path("<int:pk>/excellent/", excellent, name="excellent"),
    path("<int:pk>/supervise/", supervise, name="supervise"),
    path("<int:pk>/close/", close, name="close"),
]
