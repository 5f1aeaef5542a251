"""Pages of member onboarding (see onboarding.py): the security administrator's rule, the batch with its
confirmation and result, letters and text messages, a new code for one member, and the members'
activation (anonymous: login name or mobile number + code, then their own password)."""

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lvzhi.core import audit, submission
from lvzhi.core.docx_official import document_response
from lvzhi.core.forms import StyledFormMixin
from lvzhi.core.permissions import require_perm
from lvzhi.core.sms import sms_available

from . import letters, login_names, onboarding, throttle
from .backends import is_locked, record_failure
from .models import ActivationCode, User

PENDING_ACTIVATION = "lvzhi_pending_activation"
# Older members type slowly: the password step stays open for a quarter of an hour after the code. A kiosk
# check-in scanned just before a first sign-in stays good as long (activities.views.FIRST_SIGN_IN_SECONDS).
PENDING_ACTIVATION_SECONDS = 900
BACKEND = "lvzhi.accounts.backends.LockoutModelBackend"
# Whose codes are checked when no account matches the name typed (onboarding.check_code): no account has
# pk 0, so it has no code and may hold none.
STAND_IN = User(pk=0, username="", is_active=True)


def site_url(request):
    """The address members open, printed on the letters: LVZHI_SITE_URL, else this site's own."""
    configured = getattr(settings, "LVZHI_SITE_URL", "")
    return configured.rstrip("/") + "/" if configured else request.build_absolute_uri("/")


def _require_onboarder(request):
    if not onboarding.may_onboard(request.user):
        raise PermissionDenied("accounts.onboard_members")


# --- the security administrator's rule -----------------------------------------------------------------


class PolicyForm(StyledFormMixin, forms.Form):
    grant_member_role = forms.BooleanField(
        label=gettext_lazy("Accounts linked to a serving member's file receive the member role"),
        required=False,
        help_text=gettext_lazy(
            "Lets the system administrator (or the office, below) create accounts for all serving members "
            "at once. The batch grants the member role and no other."
        ),
    )
    office_may_onboard = forms.BooleanField(
        label=gettext_lazy(
            "Office staff (not only the system administrator) may create members' accounts and issue "
            "activation codes"
        ),
        required=False,
    )


@login_required
def member_policy(request):
    require_perm(request.user, "accounts.assign_roles")
    committee = request.user.committee
    if committee is None:
        raise PermissionDenied("an account of no committee")
    policy = onboarding.policy_for(committee)
    form = PolicyForm(
        request.POST if request.method == "POST" else None,
        initial={
            "grant_member_role": policy.grant_member_role,
            "office_may_onboard": policy.office_may_onboard,
        },
    )
    if request.method == "POST" and form.is_valid():
        onboarding.set_policy(committee=committee, actor=request.user, request=request, **form.cleaned_data)
        messages.success(request, _("The rule for members' accounts is saved."))
        return redirect("accounts:member_policy")
    return render(request, "accounts/onboarding_policy.html", {"form": form, "policy": policy})


# --- the batch -------------------------------------------------------------------------------------------


@login_required
def onboarding_confirm(request):
    """GET: how many accounts the batch would create and skip; POST: run it."""
    _require_onboarder(request)
    committee = request.user.committee
    policy = onboarding.policy_for(committee)
    if request.method == "POST":
        try:
            with transaction.atomic():
                submission.claim(request)
                result = onboarding.create_member_accounts(committee, request.user, request=request)
        except submission.DuplicateSubmission:
            submission.tell_already_submitted(request)
            latest = committee.onboarding_batches.first()
            return redirect("accounts:onboarding_result", pk=latest.pk) if latest else redirect("home:index")
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("accounts:onboarding")
        # The result page says what was done (its counts stay on the page when it is opened again).
        return redirect("accounts:onboarding_result", pk=result.batch.pk)
    plan = onboarding.plan_batch(committee)
    return render(
        request,
        "accounts/onboarding_confirm.html",
        {
            "plan": plan,
            "policy": policy,
            "days": onboarding.code_lifetime().days,
            "batches": committee.onboarding_batches.select_related("created_by")[:5],
        },
    )


@login_required
def onboarding_result(request, pk):
    batch = onboarding.get_batch_for_user(request.user, pk)
    codes = onboarding.valid_codes(batch)
    return render(
        request,
        "accounts/onboarding_result.html",
        {
            "batch": batch,
            "valid": len(codes),
            "accounts": [c.user for c in codes],
            "sms": sms_available(),
        },
    )


def _letters_response(request, codes, filename):
    committee = request.user.committee
    document = letters.build_letters(codes, committee_name=committee.name, site_url=site_url(request))
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        event="accounts.activation_letters_made",
        params={"count": len(codes)},
        detail={"letters": len(codes), "accounts": [c.user.username for c in codes]},
    )
    return document_response(document, filename)


@login_required
def onboarding_letters(request, pk):
    """The letters of the batch's codes that are still valid (one page each)."""
    batch = onboarding.get_batch_for_user(request.user, pk)
    codes = onboarding.valid_codes(batch)
    if not codes:
        messages.info(
            request, _("No activation code of this batch is still valid: there is nothing to print.")
        )
        return redirect("accounts:onboarding_result", pk=batch.pk)
    return _letters_response(
        request, codes, _("Account opening notices %(date)s.docx") % {"date": f"{batch.created_at:%Y%m%d}"}
    )


def _send_sms(request, codes):
    """Text the codes once per form: a double click (the same submission token twice) sends nothing more
    and says so."""
    try:
        submission.claim(request)
    except submission.DuplicateSubmission:
        submission.tell_already_submitted(request)
        return
    try:
        sent, failed = onboarding.send_codes_by_sms(
            codes=codes, actor=request.user, site_url=site_url(request), request=request
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return
    messages.success(
        request,
        _(
            "Activation codes texted: %(sent)d sent, %(failed)d not sent (no mobile number in the file, or the gateway failed)."
        )
        % {"sent": sent, "failed": failed},
    )


@login_required
@require_POST
def onboarding_sms(request, pk):
    batch = onboarding.get_batch_for_user(request.user, pk)
    _send_sms(request, onboarding.valid_codes(batch))
    return redirect("accounts:onboarding_result", pk=batch.pk)


# --- one member's code -------------------------------------------------------------------------------


def get_member_account_for_user(actor, pk):
    """An account of the actor's committee, for those who may issue codes."""
    if not onboarding.may_onboard(actor):
        raise PermissionDenied("accounts.onboard_members")
    return get_object_or_404(
        User.objects.filter(committee_id=actor.committee_id).select_related("member"), pk=pk
    )


@login_required
def user_activation(request, pk):
    account = get_member_account_for_user(request.user, pk)
    code = onboarding.current_code(account)
    return render(
        request,
        "accounts/onboarding_account.html",
        {
            "account": account,
            "code": code,
            "refusal": onboarding.code_refusal(account)
            if account.pk != request.user.pk
            else _("This is your own account."),
            "sms": sms_available(),
            "days": onboarding.code_lifetime().days,
        },
    )


@login_required
@require_POST
def user_activation_issue(request, pk):
    account = get_member_account_for_user(request.user, pk)
    try:
        onboarding.issue_activation_code(user=account, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _(
                "A new activation code was issued for %(name)s; the old password no longer works. Print the letter or text the code."
            )
            % {"name": account},
        )
    return redirect("accounts:user_activation", pk=account.pk)


@login_required
def user_activation_letter(request, pk):
    account = get_member_account_for_user(request.user, pk)
    code = onboarding.current_code(account)
    if code is None:
        messages.info(request, _("This account has no valid activation code: issue a new one first."))
        return redirect("accounts:user_activation", pk=account.pk)
    return _letters_response(request, [code], _("Account opening notice %(name)s.docx") % {"name": account})


@login_required
@require_POST
def user_activation_sms(request, pk):
    account = get_member_account_for_user(request.user, pk)
    code = onboarding.current_code(account)
    if code is None:
        messages.info(request, _("This account has no valid activation code: issue a new one first."))
    else:
        _send_sms(request, [code])
    return redirect("accounts:user_activation", pk=account.pk)


# --- the member's activation -------------------------------------------------------------------------


def _safe_next(request, value):
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


class ActivationForm(StyledFormMixin, forms.Form):
    login = forms.CharField(
        label=gettext_lazy("Login name or mobile number"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}
        ),
    )
    code = forms.CharField(
        label=gettext_lazy("Activation code (8 digits, on your letter)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


@throttle.limit_posts("activate", "LOGIN_RATE_LIMIT")
def activate(request):
    """Step 1: the member proves who they are with their login name (or mobile number) and code."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url or "home:index")
    form = ActivationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        typed = form.cleaned_data["login"].strip()
        username = login_names.resolve(typed)
        # The same queries whether or not an account matches (an ambiguous phone number looks up ""),
        # and with none the code is checked against a stand-in: the time taken tells nothing.
        matches = list(User.objects.filter(username__iexact=username or "", is_active=True)[:2])
        user = matches[0] if len(matches) == 1 else None
        phone = login_names.mobile_number(typed)
        key = user.username if user is not None else (login_names.phone_key(phone) if phone else typed)
        locked = is_locked(key)
        outcome, code = onboarding.check_code(user or STAND_IN, form.cleaned_data["code"])
        if locked or user is None:
            outcome, code = onboarding.CodeCheck.WRONG, None
        if outcome == onboarding.CodeCheck.OK:
            request.session[PENDING_ACTIVATION] = {
                "user": user.pk,
                "code": code.pk,
                "at": time.time(),
                "next": next_url,
            }
            return redirect("accounts:activate_password")
        if outcome == onboarding.CodeCheck.WRONG:
            record_failure(request, key)
        form.add_error(None, onboarding.refusal_message(outcome))
    return render(request, "accounts/activate.html", {"form": form, "next": next_url})


class ActivationPasswordForm(StyledFormMixin, SetPasswordForm):
    """Django's: two fields, checked against each other and against every password rule (validators)."""


def _pending_code(request):
    pending = request.session.get(PENDING_ACTIVATION)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_ACTIVATION_SECONDS:
        return None, None
    code = (
        ActivationCode.objects.select_related("user")
        .filter(pk=pending.get("code"), user_id=pending.get("user"), user__is_active=True)
        .first()
    )
    if code is None or not code.is_valid():
        return None, None
    return code, pending


@throttle.limit_posts("activate", "LOGIN_RATE_LIMIT")
def activate_password(request):
    """Step 2: the member's own password, with the rules ticked live while typing; then signed in."""
    code, pending = _pending_code(request)
    if code is None:
        request.session.pop(PENDING_ACTIVATION, None)
        messages.info(request, _("Please enter your login name and activation code again."))
        return redirect("accounts:activate")
    form = ActivationPasswordForm(code.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = onboarding.activate(
                code_id=code.pk, password=form.cleaned_data["new_password1"], request=request
            )
        except ValidationError as exc:
            request.session.pop(PENDING_ACTIVATION, None)
            messages.error(request, exc.messages[0])
            return redirect("accounts:activate")
        request.session.pop(PENDING_ACTIVATION, None)
        login(request, user, backend=BACKEND)
        audit.record(audit.Action.LOGIN, actor=user, request=request, detail={"activation": True})
        messages.success(request, _("Your account is active. From now on sign in with your password."))
        next_url = _safe_next(request, pending.get("next"))
        return redirect(next_url or "home:index")
    return render(
        request,
        "accounts/activate_password.html",
        {
            "form": form,
            "account": code.user,
            "min_length": _validator_option(".MinimumLengthValidator", "min_length", 8),
            "min_classes": _validator_option(".CharacterClassValidator", "min_classes", 3),
            "password_help": password_validators_help_texts(),
        },
    )


def _validator_option(suffix, option, default):
    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"].endswith(suffix):
            return validator.get("OPTIONS", {}).get(option, default)
    return default
