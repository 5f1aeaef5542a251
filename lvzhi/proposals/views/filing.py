"""Filing views: my proposals (with the invitations to co-sign waiting for me), the write page of a
draft, submitting it, the co-signer's answer, attachments, the member search of the co-signer picker,
and a proposal draft from an inspection suggestion. Every fetch goes through permissions.get_*_for_user
(404 outside the user's scope); every change through services/filing.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lvzhi.core import submission, uploads
from lvzhi.core.pagination import paginate
from lvzhi.core.workflow import posted_version
from lvzhi.members import selectors as member_selectors
from lvzhi.members.models import Member
from lvzhi.opinions import inspection_scope

from .. import selectors
from ..forms_filing import AttachmentForm, MemberSearchForm, ProposalForm
from ..forms_paper import PaperMemberSearchForm, PaperProposalForm
from ..models import Proposal, ProposalAttachment, ProposalAuthor
from ..permissions import get_proposal_for_user
from ..services import filing as services
from ..services.common import FILE, REVIEW, is_first_proposer

Status = Proposal.Status
Consent = ProposalAuthor.Consent
MEMBER_PICK_LIMIT = 10


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


def _require_filer(user):
    if not user.has_perm(FILE):
        raise PermissionDenied(FILE)


# --- the proposal page's filing section -------------------------------------------------------------


def detail_context(request, proposal):
    """What the proposal page's filing section needs (templates/proposals/detail/_filing.html)."""
    user = request.user
    authors = list(proposal.authors.order_by("order", "pk"))
    lead = is_first_proposer(user, proposal)
    invitation = services.invitation_for(user, proposal)
    now = timezone.now()
    open_now = (
        proposal.status == Status.SUBMITTED
        and proposal.cosign_deadline is not None
        and now <= proposal.cosign_deadline
    )
    may_attach = lead and proposal.status in Proposal.AUTHOR_EDITABLE
    return {
        "filing": {
            "authors": authors,
            "co_signers": [a for a in authors if a.role == ProposalAuthor.Role.CO],
            "main_authors": [a for a in authors if a.role == ProposalAuthor.Role.COLLECTIVE],
            "is_lead": lead,
            "may_edit": lead and proposal.status in Proposal.AUTHOR_EDITABLE,
            "invitation": invitation,
            "may_answer": invitation is not None and invitation.consent == Consent.PENDING and open_now,
            "cosign_open": open_now,
            # Someone still has to answer before the deadline.
            "cosign_waiting": open_now and any(a.consent == Consent.PENDING for a in authors),
            "attachments": list(proposal.attachments.all()),
            "may_attach": may_attach,
            "attachment_form": AttachmentForm() if may_attach else None,
            "body_limit": selectors.policy_for(proposal.committee_id).body_limit,
        }
    }


# --- my proposals ------------------------------------------------------------------------------------


@login_required
@never_cache
def mine(request):
    """The user's proposals with their status, and the invitations to co-sign waiting for them on top."""
    user = request.user
    invitations = list(selectors.cosign_invitations(user))
    page = paginate(request, selectors.my_proposals(user), per_page=30)
    for proposal in page.object_list:
        authors = list(proposal.authors.all())
        proposal.my_role = next((a for a in authors if a.user_id == user.pk), None)
        # Who is on it now: the first proposer, main authors and the co-signers who confirmed.
        proposal.proposer_names = "、".join(a.name for a in authors if a.consent == Consent.CONFIRMED)
    return render(
        request,
        "proposals/filing/mine.html",
        {"invitations": invitations, "page": page, "may_file": user.has_perm(FILE)},
    )


# --- the write page ----------------------------------------------------------------------------------


def _picked(request, form, field):
    ids = form[field].value() or []
    return list(
        Member.objects.filter(
            committee_id=request.user.committee_id,
            # Ids a database column holds (a longer number was an OverflowError, a 500).
            pk__in=[i for i in ids if str(i).isdecimal() and len(str(i)) < 19],
        ).order_by("name")
    )


def _write_page(request, form, proposal=None):
    return render(
        request,
        "proposals/filing/form.html",
        {
            "form": form,
            "proposal": proposal,
            "chosen_co_signers": _picked(request, form, "co_signers"),
            "chosen_main_authors": _picked(request, form, "collective_authors"),
            "attachments": list(proposal.attachments.all()) if proposal else [],
            "attachment_form": AttachmentForm() if proposal else None,
            "body_limit": selectors.policy_for(request.user.committee_id).body_limit,
            "no_session": not form.fields["session"].queryset.exists(),
        },
    )


def _saved(request, proposal):
    """After the write page's save: back to the draft, or on to submitting it when the proposer
    pressed 提交 (one post, so nothing typed is left behind)."""
    if not request.POST.get("submit_now"):
        messages.success(request, _("Draft saved."))
        return redirect("proposals:edit", proposal.pk)
    return _submit(request, proposal, expected_version=proposal.version)


@login_required
@never_cache
def new(request):
    """The write page of a new proposal; saving it makes the draft."""
    _require_filer(request.user)
    if request.method == "POST":
        form = ProposalForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    submission.claim(request)
                    proposal = services.create_draft(actor=request.user, **form.service_kwargs())
            except submission.DuplicateSubmission:
                submission.tell_already_submitted(request)
                return redirect("proposals:mine")
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                return _saved(request, proposal)
        return _write_page(request, form)
    latest = selectors.latest_session(request.user.committee_id)
    form = ProposalForm(
        initial={"session": latest.pk if latest else None, "timing": Proposal.Timing.DURING},
        user=request.user,
    )
    return _write_page(request, form)


@login_required
@never_cache
def edit(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    if not is_first_proposer(request.user, proposal):
        raise PermissionDenied("only the first proposer edits a proposal")
    if proposal.status not in Proposal.AUTHOR_EDITABLE:
        messages.error(request, _("A submitted proposal cannot be changed."))
        return redirect("proposals:detail", proposal.pk)
    if request.method == "POST":
        form = ProposalForm(request.POST, user=request.user, proposal=proposal)
        if form.is_valid():
            try:
                proposal = services.update_draft(
                    proposal,
                    actor=request.user,
                    expected_version=posted_version(request),
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                return _saved(request, proposal)
        return _write_page(request, form, proposal)
    form = ProposalForm(initial=ProposalForm.initial_for(proposal), user=request.user, proposal=proposal)
    return _write_page(request, form, proposal)


@login_required
@require_POST
def submit(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    return _submit(request, proposal, expected_version=posted_version(request))


def _submit(request, proposal, *, expected_version):
    try:
        proposal = services.submit(proposal, actor=request.user, expected_version=expected_version)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        if proposal.status in Proposal.AUTHOR_EDITABLE:
            return redirect("proposals:edit", proposal.pk)
    else:
        if proposal.kind == Proposal.Kind.JOINT:
            messages.success(
                request,
                # zh: 提案已提交。联名人须在 %(deadline)s 前确认，未确认的不再列为联名人。
                _(
                    "Proposal submitted. The co-signers confirm by %(deadline)s; those who do not are "
                    "taken off."
                )
                % {"deadline": timezone.localtime(proposal.cosign_deadline).strftime("%Y-%m-%d %H:%M")},
            )
        else:
            messages.success(request, _("Proposal submitted. The proposal office will review it."))
    return redirect("proposals:detail", proposal.pk)


@login_required
@never_cache
def member_search(request):
    """The member picker (htmx): the committee's members by name, pinyin or initials, as co-signers or
    as a collective proposal's main authors."""
    _require_filer(request.user)
    form = MemberSearchForm(request.GET)
    valid = form.is_valid()
    q = form.cleaned_data["q"].strip() if valid else ""
    field = (form.cleaned_data.get("field") if valid else "") or "co_signers"
    number_typed = member_selectors.looks_like_personal_number(q)
    found = []
    if q and not number_typed:
        members = Member.objects.filter(committee_id=request.user.committee_id)
        own = getattr(request.user, "member", None)
        if own is not None:
            members = members.exclude(pk=own.pk)
        found = list(member_selectors.search_members(members, q=q, order="pinyin")[: MEMBER_PICK_LIMIT + 1])
    return render(
        request,
        "proposals/filing/_member_results.html",
        {
            "q": q,
            "field": field,
            "number_typed": number_typed,
            "found": found[:MEMBER_PICK_LIMIT],
            "more": len(found) > MEMBER_PICK_LIMIT,
        },
    )


# --- co-signing --------------------------------------------------------------------------------------


@login_required
@require_POST
def cosign(request, pk):
    """The invited co-signer's answer: answer=confirm or answer=decline."""
    proposal = get_proposal_for_user(request.user, pk)
    answer = request.POST.get("answer")
    steps = {"confirm": services.confirm_cosign, "decline": services.decline_cosign}
    if answer not in steps:
        messages.error(request, _("Choose to confirm or to decline."))
        return redirect("proposals:detail", proposal.pk)
    try:
        steps[answer](proposal, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if answer == "confirm":
            messages.success(request, _("You co-sign this proposal now."))
        else:
            messages.success(request, _("You declined to co-sign this proposal."))
    if request.POST.get("next") == "mine":
        return redirect("proposals:mine")
    return redirect("proposals:detail", proposal.pk)


# --- attachments -------------------------------------------------------------------------------------


def _back_to(request, proposal):
    return redirect(
        "proposals:edit" if request.POST.get("next") == "edit" else "proposals:detail", proposal.pk
    )


@login_required
@require_POST
def attachment_add(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(f"{_('File')}：{e}" for e in form.errors.get("file", [])))
    else:
        try:
            services.add_attachment(
                proposal=proposal, uploaded_file=form.cleaned_data["file"], actor=request.user
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("File attached."))
    return _back_to(request, proposal)


def _attachment(request, pk, file_pk):
    proposal = get_proposal_for_user(request.user, pk)
    try:
        attachment = get_object_or_404(ProposalAttachment, proposal=proposal, pk=file_pk)
    except (ValueError, OverflowError):
        raise Http404 from None
    attachment.proposal = proposal
    return proposal, attachment


@login_required
@require_POST
def attachment_delete(request, pk, file_pk):
    proposal, attachment = _attachment(request, pk, file_pk)
    try:
        services.delete_attachment(attachment=attachment, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("File removed."))
    return _back_to(request, proposal)


@login_required
def attachment_download(request, pk, file_pk):
    """Served only to who may see the proposal (get_proposal_for_user), always as a download, audited."""
    _proposal, attachment = _attachment(request, pk, file_pk)
    response = uploads.attachment_response(attachment)
    services.record_download(attachment=attachment, actor=request.user)
    return response


# --- from an inspection suggestion -------------------------------------------------------------------


def _suggestion_for(user, pk):
    """The member's own suggestion, or, for proposal staff, one in their scope; else 404."""
    try:
        return inspection_scope.get_own_suggestion_for_user(user, pk)
    except Http404:
        if not user.has_perm(REVIEW):
            raise
        return inspection_scope.get_staff_suggestion_for_user(user, pk)


@login_required
@require_POST
def from_suggestion(request, suggestion_pk):
    suggestion = _suggestion_for(request.user, suggestion_pk)
    try:
        proposal = services.draft_from_suggestion(actor=request.user, suggestion=suggestion)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("proposals:mine")
    if proposal.status == Status.DRAFT and is_first_proposer(request.user, proposal):
        messages.success(
            request, _("A proposal draft was made from the suggestion. Finish it and submit it.")
        )
        return redirect("proposals:edit", proposal.pk)
    return redirect("proposals:detail", proposal.pk)


urlpatterns: list = [
    path("mine/", mine, name="mine"),
    path("new/", new, name="new"),
    path("<int:pk>/edit/", edit, name="edit"),
    path("<int:pk>/submit/", submit, name="submit"),
    path("<int:pk>/cosign/", cosign, name="cosign"),
    path("<int:pk>/attachments/add/", attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:file_pk>/delete/", attachment_delete, name="attachment_delete"),
    path("<int:pk>/attachments/<int:file_pk>/", attachment_download, name="attachment"),
    path("from-suggestion/<int:suggestion_pk>/", from_suggestion, name="from_suggestion"),
    path("member-search/", member_search, name="member_search"),
]


# --- a paper proposal typed in by the proposal office -------------------------------------------------


def _require_paper_typist(user):
    if not services.may_record_paper_proposal(user):
        raise PermissionDenied(REVIEW)


@login_required
@never_cache
def paper_member_search(request):
    """The paper page's member pickers (htmx): any member of the committee, with an account or not, by
    name, pinyin or initials. field=lead_member lists radio buttons (the first proposer), the others
    the buttons that add a co-signer or a main author (static/lvzhi/proposal_filing.js)."""
    _require_paper_typist(request.user)
    form = PaperMemberSearchForm(request.GET)
    valid = form.is_valid()
    q = form.cleaned_data["q"].strip() if valid else ""
    field = (form.cleaned_data.get("field") if valid else "") or "co_signers"
    number_typed = member_selectors.looks_like_personal_number(q)
    found = []
    if q and not number_typed:
        members = Member.objects.filter(committee_id=request.user.committee_id)
        found = list(member_selectors.search_members(members, q=q, order="pinyin")[: MEMBER_PICK_LIMIT + 1])
    return render(
        request,
        "proposals/filing/_paper_lead_results.html"
        if field == "lead_member"
        else "proposals/filing/_member_results.html",
        {
            "q": q,
            "field": field,
            "number_typed": number_typed,
            "found": found[:MEMBER_PICK_LIMIT],
            "more": len(found) > MEMBER_PICK_LIMIT,
        },
    )


def _paper_page(request, form):
    lead = form["lead_member"].value()
    chosen_lead = (
        form.fields["lead_member"].queryset.filter(pk=lead).first()
        if str(lead or "").isdecimal() and len(str(lead)) < 19
        else None
    )
    return render(
        request,
        "proposals/filing/paper.html",
        {
            "form": form,
            "chosen_lead": chosen_lead,
            "chosen_co_signers": _picked(request, form, "co_signers"),
            "chosen_main_authors": _picked(request, form, "collective_authors"),
            "body_limit": selectors.policy_for(request.user.committee_id).body_limit,
            "no_session": not form.fields["session"].queryset.exists(),
        },
    )


@login_required
@never_cache
def paper_new(request):
    """The proposal office types in a proposal a member handed in on paper: it is submitted at once in
    the member's name (services.filing.record_paper_proposal). The typist then counts as a proposer and
    leaves its review to a colleague."""
    _require_paper_typist(request.user)
    if request.method == "POST":
        form = PaperProposalForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    submission.claim(request)
                    proposal = services.record_paper_proposal(actor=request.user, **form.service_kwargs())
            except submission.DuplicateSubmission:
                submission.tell_already_submitted(request)
                return redirect("proposals:work")
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(
                    request,
                    # zh: 纸质提案已录入，并以委员名义提交。您录入了它，请由其他工作人员审查。
                    _(
                        "The paper proposal was typed in and submitted in the member's name. You typed "
                        "it, so a colleague reviews it."
                    ),
                )
                return redirect("proposals:detail", proposal.pk)
        return _paper_page(request, form)
    latest = selectors.latest_session(request.user.committee_id)
    form = PaperProposalForm(
        initial={"session": latest.pk if latest else None, "timing": Proposal.Timing.DURING},
        user=request.user,
    )
    return _paper_page(request, form)


urlpatterns += [
    path("paper/", paper_new, name="paper_new"),
    path("paper/member-search/", paper_member_search, name="paper_member_search"),
]
