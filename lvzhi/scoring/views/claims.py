"""Duty claims: a member's claims and the form of a new one, a claim's page (evidence, status, the
decision and its reason, the steps the user may take), the office's queue, approval and rejection, and
the office's claim for a member found by name.

Rights: a member sees and acts on their own claims (404 for anybody else's); the office
(scoring.approve_dutyclaim) sees every claim of its committee and decides, never on a claim of its own
or one it typed in (services_claims). Another committee's claim is a 404 for everyone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lvzhi.core import submission, uploads
from lvzhi.core.forms import MAX_ID
from lvzhi.core.pagination import paginate
from lvzhi.core.workflow import posted_version
from lvzhi.members import selectors as member_selectors
from lvzhi.members.models import Member

from .. import services_claims as services
from ..forms_claims import ClaimFilterForm, ClaimForm, MemberSearchForm, OfficeClaimForm, RejectForm
from ..models import DutyClaim
from ..permissions import own_member

Status = DutyClaim.Status
MEMBER_PICK_LIMIT = 10
QUEUE_PAGE_SIZE = 30


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


def _require_office(user) -> None:
    if not services.may_approve(user):
        raise PermissionDenied(services.APPROVE)


def get_claim_for_user(user, pk) -> DutyClaim:
    """The claim `pk` if the user may see it: the office any of its committee's, a member their own (or
    one they typed in); 404 otherwise."""
    if int(pk) > MAX_ID:  # beyond any database id (SQLite cannot even bind it)
        raise Http404
    claims = DutyClaim.objects.visible_to(user).select_related("member", "submitted_by", "decided_by")
    if not services.may_approve(user):
        claims = claims.filter(Q(member__user=user) | Q(submitted_by=user))
    return get_object_or_404(claims, pk=pk)


# --- the member's claims ------------------------------------------------------------------------------


def _mine_page(request, form, *, status=200):
    member = own_member(request.user)
    claims = list(
        DutyClaim.objects.filter(member=member, committee_id=request.user.committee_id)
        .select_related("decided_by")
        .order_by("-submitted_at", "-pk")
    )
    return render(request, "scoring/claims/mine.html", {"claims": claims, "form": form}, status=status)


@login_required
@never_cache
def claims_mine(request):
    """The member's claims with their status and the office's reasons, and the form of a new claim."""
    return _mine_page(request, ClaimForm())


def _submitted(request, form, **extra):
    try:
        with transaction.atomic():
            submission.claim(request)
            claim = services.submit_claim(actor=request.user, **form.service_kwargs(), **extra)
    except submission.DuplicateSubmission:
        submission.tell_already_submitted(request)
        return None, True
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None, False
    return claim, False


@login_required
@never_cache
def claim_new(request):
    """The form of a new claim on a page of its own (the same form as on the member's list)."""
    own_member(request.user)
    if request.method != "POST":
        return render(request, "scoring/claims/new.html", {"form": ClaimForm()})
    form = ClaimForm(request.POST, request.FILES)
    if form.is_valid():
        claim, repeated = _submitted(request, form)
        if repeated:
            return redirect("scoring:claims_mine")
        if claim is not None:
            # zh: 申报已提交，等待办公室审核。
            messages.success(
                request, _("Your claim was sent; the office will approve it or tell you why not.")
            )
            return redirect("scoring:claim_detail", claim.pk)
    return render(request, "scoring/claims/new.html", {"form": form}, status=400)


# --- one claim ----------------------------------------------------------------------------------------


def _detail_page(request, claim, *, reject_form=None, resubmit_form=None, status=200):
    user = request.user
    may_decide = services.may_decide(user, claim)
    may_resubmit = services.may_resubmit(user, claim)
    context = {
        "claim": claim,
        "may_decide": may_decide,
        "may_approve": may_decide and claim.status == Status.SUBMITTED,
        "own_claim": services.may_approve(user) and services.is_claimant(user, claim),
        "may_withdraw": services.may_withdraw(user, claim),
        "may_resubmit": may_resubmit,
        "reject_form": (reject_form or RejectForm()) if may_decide else None,
        "resubmit_form": (resubmit_form or ClaimForm.for_claim(claim)) if may_resubmit else None,
        "is_office": services.may_approve(user),
    }
    return render(request, "scoring/claims/detail.html", context, status=status)


@login_required
@never_cache
def claim_detail(request, pk):
    return _detail_page(request, get_claim_for_user(request.user, pk))


@login_required
def claim_evidence(request, pk):
    """Served only to who may see the claim, always as a download, audited."""
    claim = get_claim_for_user(request.user, pk)
    response = uploads.attachment_response(claim)
    services.record_evidence_download(claim=claim, actor=request.user)
    return response


@login_required
@require_POST
def claim_withdraw(request, pk):
    claim = get_claim_for_user(request.user, pk)
    try:
        services.withdraw_claim(claim, actor=request.user, expected_version=posted_version(request))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        # zh: 申报已撤回。
        messages.success(request, _("The claim was withdrawn."))
    return redirect("scoring:claim_detail", claim.pk)


@login_required
@require_POST
def claim_resubmit(request, pk):
    """The claimant sends a rejected claim again, changed (a new evidence file or the one already sent)."""
    claim = get_claim_for_user(request.user, pk)
    if not services.is_claimant(request.user, claim):
        raise PermissionDenied("not the claimant")
    form = ClaimForm(request.POST, request.FILES, resubmit=True)
    if form.is_valid():
        try:
            services.resubmit_claim(
                claim,
                actor=request.user,
                expected_version=posted_version(request),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            # A ClaimError of several problems (the fields) is a list: it has no code.
            if getattr(error, "code", None) in ("illegal_transition", "stale"):
                messages.error(request, _error_text(error))
                return redirect("scoring:claim_detail", claim.pk)
            for message in error.messages:
                form.add_error(None, message)
        else:
            # zh: 申报已修改并重新提交。
            messages.success(request, _("The claim was changed and sent again."))
            return redirect("scoring:claim_detail", claim.pk)
    return _detail_page(request, claim, resubmit_form=form, status=400)


@login_required
@require_POST
def claim_approve(request, pk):
    _require_office(request.user)
    claim = get_claim_for_user(request.user, pk)
    try:
        services.approve_claim(
            claim,
            actor=request.user,
            note=request.POST.get("note", ""),
            expected_version=posted_version(request),
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        # zh: 已通过，履职记录已写入，得分随之重算。
        messages.success(request, _("Approved: the duty record is written and the score follows."))
    return redirect("scoring:claim_detail", claim.pk)


@login_required
@require_POST
def claim_reject(request, pk):
    _require_office(request.user)
    claim = get_claim_for_user(request.user, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, claim, reject_form=form, status=400)
    try:
        services.reject_claim(
            claim,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=posted_version(request),
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        # zh: 已退回，委员会看到理由。
        messages.success(request, _("Rejected; the member reads the reason."))
    return redirect("scoring:claim_detail", claim.pk)


# --- the office ---------------------------------------------------------------------------------------


@login_required
@never_cache
def claims(request):
    """The office's queue: claims awaiting approval first (oldest first), then the rest, newest first;
    filtered by status, kind and year."""
    _require_office(request.user)
    scope = DutyClaim.objects.visible_to(request.user)
    filter_form = ClaimFilterForm(request.GET)
    chosen = filter_form.filters()
    rows = scope
    if chosen.get("status"):
        rows = rows.filter(status=chosen["status"])
    if chosen.get("kind"):
        rows = rows.filter(kind=chosen["kind"])
    if chosen.get("year"):
        rows = rows.filter(date__year=chosen["year"])
    rows = (
        rows.select_related("member", "submitted_by")
        .annotate(
            waiting=Case(
                When(status=Status.SUBMITTED, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("waiting", "-submitted_at", "-pk")
    )
    page = paginate(request, rows, per_page=QUEUE_PAGE_SIZE)
    waiting = scope.aggregate(n=Count("pk", filter=Q(status=Status.SUBMITTED)))["n"]
    return render(
        request,
        "scoring/claims/queue.html",
        {"page": page, "filter_form": filter_form, "waiting": waiting, "user_id": request.user.pk},
    )


@login_required
@never_cache
def claim_member_search(request):
    """The office's member picker (htmx): members of the committee by name, pinyin or initials."""
    _require_office(request.user)
    form = MemberSearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    number_typed = member_selectors.looks_like_personal_number(q)
    found = []
    if q and not number_typed:
        members = Member.objects.filter(committee_id=request.user.committee_id)
        found = list(member_selectors.search_members(members, q=q, order="pinyin")[: MEMBER_PICK_LIMIT + 1])
    return render(
        request,
        "scoring/claims/_member_results.html",
        {
            "q": q,
            "number_typed": number_typed,
            "found": found[:MEMBER_PICK_LIMIT],
            "more": len(found) > MEMBER_PICK_LIMIT,
        },
    )


def _office_page(request, form, *, status=200):
    chosen = form["member"].value()
    chosen_member = (
        form.fields["member"].queryset.filter(pk=chosen).first()
        if str(chosen or "").isdecimal() and len(str(chosen)) < 19
        else None
    )
    return render(
        request,
        "scoring/claims/for_member.html",
        {"form": form, "chosen_member": chosen_member},
        status=status,
    )


@login_required
@never_cache
def claim_for_member(request):
    """The office records a claim for a member (handed in on paper, or reported by a unit); a colleague
    approves it."""
    _require_office(request.user)
    if request.method != "POST":
        return _office_page(request, OfficeClaimForm(user=request.user))
    form = OfficeClaimForm(request.POST, request.FILES, user=request.user)
    if form.is_valid():
        claim, repeated = _submitted(request, form)
        if repeated:
            return redirect("scoring:claims")
        if claim is not None:
            # zh: 已为委员录入申报，请由其他工作人员审核。
            messages.success(request, _("The claim was recorded for the member; a colleague approves it."))
            return redirect("scoring:claim_detail", claim.pk)
    return _office_page(request, form, status=400)


urlpatterns = [
    path("claims/mine/", claims_mine, name="claims_mine"),
    path("claims/new/", claim_new, name="claim_new"),
    path("claims/", claims, name="claims"),
    path("claims/for-member/", claim_for_member, name="claim_for_member"),
    path("claims/member-search/", claim_member_search, name="claim_member_search"),
    path("claims/<int:pk>/", claim_detail, name="claim_detail"),
    path("claims/<int:pk>/evidence/", claim_evidence, name="claim_evidence"),
    path("claims/<int:pk>/withdraw/", claim_withdraw, name="claim_withdraw"),
    path("claims/<int:pk>/resubmit/", claim_resubmit, name="claim_resubmit"),
    path("claims/<int:pk>/approve/", claim_approve, name="claim_approve"),
    path("claims/<int:pk>/reject/", claim_reject, name="claim_reject"),
]
