import time

from django import forms
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lvzhi.core import audit, submission
from lvzhi.core.forms import StyledFormMixin
from lvzhi.core.pagination import paginate
from lvzhi.core.permissions import require_perm
from lvzhi.members import selectors as member_selectors

from . import second_factor, services, throttle
from .backends import is_locked, record_failure
from .forms import (
    MemberPickForm,
    PasswordResetForm,
    RoleForm,
    UserCreateForm,
    UserEditForm,
    UserSearchForm,
    linkable_members,
)
from .models import CredentialReset, User

PENDING_LOGIN = "lvzhi_pending_login"
PENDING_LOGIN_SECONDS = 300
SETUP_SECRET = "lvzhi_totp_setup_secret"


class LoginForm(AuthenticationForm):
    # One message for a wrong password, an unknown user and a locked account (no user enumeration).
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy(
            "Wrong username or password, or the account is temporarily locked after repeated failures. "
            "Please try again later or ask the office."
        ),
    }


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


@method_decorator(throttle.limit_posts("login", "LOGIN_RATE_LIMIT"), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if second_factor.required_for(user) and second_factor.enrolled(user):
            # The password was right; the session is opened only after the second factor.
            self.request.session[PENDING_LOGIN] = {
                "user": user.pk,
                "backend": user.backend,
                "at": time.time(),
                "next": self.get_success_url(),
            }
            return redirect("accounts:second_factor")
        response = super().form_valid(form)
        audit.record(audit.Action.LOGIN, actor=user, request=self.request)
        return response


class SecondFactorForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Six-digit code from your authenticator app"),
        max_length=7,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


@throttle.limit_posts("second_factor", "SECOND_FACTOR_RATE_LIMIT")
def second_factor_verify(request):
    """Second step of an administrator's sign-in: the TOTP code. Wrong codes count towards the lockout."""
    pending = request.session.get(PENDING_LOGIN)
    if not pending or time.time() - pending["at"] > PENDING_LOGIN_SECONDS:
        request.session.pop(PENDING_LOGIN, None)
        return redirect("accounts:login")
    user = get_object_or_404(User, pk=pending["user"], is_active=True)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if is_locked(user.username):
            request.session.pop(PENDING_LOGIN, None)
            messages.error(request, LoginForm.error_messages["invalid_login"])
            return redirect("accounts:login")
        if second_factor.verify(user, form.cleaned_data["code"]):
            request.session.pop(PENDING_LOGIN, None)
            login(request, user, backend=pending["backend"])
            audit.record(audit.Action.LOGIN, actor=user, request=request, detail={"second_factor": True})
            return redirect(pending["next"])
        record_failure(request, user.username)
        form.add_error("code", _("The code is wrong or has expired. Enter the code your app shows now."))
    return render(request, "accounts/second_factor.html", {"form": form})


@login_required
def second_factor_setup(request):
    """Enrolment of an authenticator app, required once for the administrator roles."""
    secret = request.session.get(SETUP_SECRET) or second_factor.new_secret()
    request.session[SETUP_SECRET] = secret
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.enroll(request.user, secret, form.cleaned_data["code"], request=request):
            del request.session[SETUP_SECRET]
            messages.success(request, _("Your authenticator app is set up. Sign-ins will ask for its code."))
            return redirect("home:index")
        form.add_error("code", _("The code does not match. Check the time on your phone and try again."))
    uri = second_factor.provisioning_uri(request.user, secret)
    return render(
        request,
        "accounts/second_factor_setup.html",
        {"form": form, "qr": mark_safe(second_factor.qr_svg(uri)), "secret": secret},  # noqa: S308 (our SVG)
    )


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            audit.record(audit.Action.LOGOUT, actor=request.user, request=request)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.RedirectURLMixin, auth_views.PasswordChangeView):
    """Goes on, once the password is set, to the page the account policy held the user from (`next`,
    a page of this site only: RedirectURLMixin checks it), else to the start page."""

    template_name = "accounts/password_change.html"
    form_class = StyledPasswordChangeForm
    next_page = "/"

    def form_valid(self, form):
        # Django's form checked the old password and the rules; the service writes and audits it.
        services.change_own_password(
            user=form.user, password=form.cleaned_data["new_password1"], request=self.request
        )
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect(self.get_success_url())


def _can_administer(user):
    return user.has_perm("accounts.manage_users") or user.has_perm("accounts.assign_roles")


def get_account_for_user(actor, pk):
    """Accounts of the administrator's own committee only."""
    if not _can_administer(actor):
        raise PermissionDenied("accounts.manage_users")
    return get_object_or_404(User.objects.filter(committee_id=actor.committee_id), pk=pk)


@login_required
def user_list(request):
    if not _can_administer(request.user):
        raise PermissionDenied("accounts.manage_users")
    form = UserSearchForm(request.GET or None)
    users = (
        User.objects.filter(committee_id=request.user.committee_id)
        .prefetch_related("groups", "units")
        .select_related("member")
        .order_by("username")
    )
    if form.is_valid():
        if q := form.cleaned_data["q"]:
            users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
        if role := form.cleaned_data["role"]:
            users = users.filter(groups__name=role)
    return render(
        request, "accounts/user_list.html", {"form": form, "page": paginate(request, users, per_page=50)}
    )


@login_required
def user_create(request):
    require_perm(request.user, "accounts.manage_users")
    form = UserCreateForm(request.POST or None, committee=request.user.committee)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                submission.claim(request)
                user = services.create_user(
                    committee=request.user.committee,
                    username=form.cleaned_data["username"],
                    display_name=form.cleaned_data["display_name"],
                    password=form.cleaned_data["password1"],
                    actor=request.user,
                    request=request,
                )
        except submission.DuplicateSubmission:
            submission.tell_already_submitted(request)
            return redirect("accounts:user_list")
        messages.success(request, _("Account created. Ask the security administrator to assign its roles."))
        return redirect("accounts:user_edit", pk=user.pk)
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "title": _("New account"), "password_help": password_validators_help_texts()},
    )


@login_required
def user_edit(request, pk):
    account = get_account_for_user(request.user, pk)
    can_manage = request.user.has_perm("accounts.manage_users")
    # An unticked checkbox and an empty name post nothing: a POST is bound even when it is empty.
    data = request.POST if request.method == "POST" else None
    form = UserEditForm(data, account=account) if can_manage else None
    if request.method == "POST":
        require_perm(request.user, "accounts.manage_users")
        if form.is_valid():
            cleaned = form.cleaned_data
            try:
                services.update_user(
                    user=account,
                    display_name=cleaned["display_name"],
                    is_active=cleaned["is_active"],
                    units=list(cleaned["units"]),
                    member=cleaned["member"],
                    department=cleaned["department"],
                    actor=request.user,
                    request=request,
                )
            except ValidationError as exc:
                form.add_error("member", exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("accounts:user_edit", pk=account.pk)
    may_reset = services.may_reset(request.user, account)
    refusals = {
        kind: services.reset_refusal(request.user, account, kind) if may_reset else None
        for kind in CredentialReset.Kind
    }
    can_reset = {kind.value: may_reset and refusals[kind] is None for kind in CredentialReset.Kind}
    role_form = RoleForm(initial={"roles": list(account.groups.values_list("name", flat=True))})
    return render(
        request,
        "accounts/user_edit.html",
        {
            "account": account,
            "form": form,
            "chosen_member": form.chosen_member() if form else None,
            "role_form": role_form if request.user.has_perm("accounts.assign_roles") else None,
            "password_form": PasswordResetForm(user=account) if can_reset["password"] else None,
            "can_reset_second_factor": can_reset["second_factor"],
            "reset_refusals": [r for r in refusals.values() if r],
            "locked": is_locked(account.username),
        },
    )


# The picker lists this many files at most: a name narrows 280 files to a handful.
MEMBER_PICK_LIMIT = 10


@login_required
@never_cache
def user_member_search(request, pk):
    """The account page's member picker (htmx): the committee's files without an account (or linked to
    this one) that match a name, pinyin or initials, as the member list searches. Each shows the name,
    sector or town and the phone masked; a whole ID or phone number finds nobody (and lvzhi.js never
    sends one)."""
    require_perm(request.user, "accounts.manage_users")
    account = get_account_for_user(request.user, pk)
    form = MemberPickForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    number_typed = member_selectors.looks_like_personal_number(q) or request.GET.get("number_typed") == "1"
    found = []
    if q and not number_typed:
        found = list(
            member_selectors.search_members(linkable_members(account), q=q, order="pinyin")[
                : MEMBER_PICK_LIMIT + 1
            ]
        )
    return render(
        request,
        "accounts/_member_picker_results.html",
        {
            "account": account,
            "q": q,
            "number_typed": number_typed,
            "found": found[:MEMBER_PICK_LIMIT],
            "more": len(found) > MEMBER_PICK_LIMIT,
        },
    )


@login_required
@require_POST
def user_roles(request, pk):
    require_perm(request.user, "accounts.assign_roles")
    account = get_account_for_user(request.user, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.set_roles(
                user=account, roles=form.cleaned_data["roles"], actor=request.user, request=request
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Roles saved."))
    return redirect("accounts:user_edit", pk=account.pk)


@login_required
@require_POST
def user_second_factor_reset(request, pk):
    """For a lost phone: the account enrols a new authenticator at its next sign-in."""
    account = get_account_for_user(request.user, pk)
    try:
        services.reset_second_factor(user=account, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request, _("The second factor was reset; the user sets it up again at the next sign-in.")
        )
    return redirect("accounts:user_edit", pk=account.pk)


@login_required
@require_POST
def user_password(request, pk):
    account = get_account_for_user(request.user, pk)
    if not services.may_reset(request.user, account):
        raise PermissionDenied("accounts.reset_credentials")
    form = PasswordResetForm(request.POST, user=account)
    if form.is_valid():
        try:
            services.reset_password(
                user=account, password=form.cleaned_data["password1"], actor=request.user, request=request
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Password reset. Give it to the user in person."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("accounts:user_edit", pk=account.pk)


@login_required
def lockout_list(request):
    """The security administrator's list of accounts locked after repeated failed sign-ins."""
    require_perm(request.user, "accounts.assign_roles")
    lockouts = list(services.current_lockouts(request.user.committee))
    accounts = User.objects.filter(
        committee_id=request.user.committee_id, username__in=[lock.username for lock in lockouts]
    ).in_bulk(field_name="username")
    rows = [(lock, accounts[lock.username]) for lock in lockouts]
    return render(request, "accounts/lockout_list.html", {"rows": rows})


@login_required
@require_POST
def user_unlock(request, pk):
    require_perm(request.user, "accounts.assign_roles")
    account = get_account_for_user(request.user, pk)
    try:
        services.unlock(user=account, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("%(account)s is unlocked and can sign in again.") % {"account": account})
    return redirect("accounts:lockout_list")
