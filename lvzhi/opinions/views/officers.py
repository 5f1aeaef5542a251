"""Information officers (信息员): the office's table of a year's officers with their progress against
the quota (page and .xlsx), appointing a member (found by searching) or someone who is not a member
(with an account, an activation code and its 开通通知书), changing the quota, ending an appointment,
copying last year's officers into a new year, and one officer's page (which the officer sees too)."""

from django import forms
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
from openpyxl import Workbook

from lvzhi.accounts import letters, login_names, onboarding
from lvzhi.accounts.onboarding_views import site_url
from lvzhi.core import audit, xlsx
from lvzhi.core.docx_official import document_response
from lvzhi.core.forms import StyledFormMixin
from lvzhi.members import selectors as member_selectors
from lvzhi.members.models import Member

from .. import stats
from ..permissions import get_officer_for_user
from ..services import officers as services

MANAGE = services.MANAGE
VIEW_ALL = "opinions.view_opinionreport"
MEMBER_PICK_LIMIT = 10
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _may_see_table(user):
    return user.has_perm(MANAGE) or user.has_perm(VIEW_ALL)


def _require_table(user):
    if not _may_see_table(user) or user.committee_id is None:
        raise PermissionDenied(MANAGE)


def _require_manager(user):
    if not user.has_perm(MANAGE) or user.committee_id is None:
        raise PermissionDenied(MANAGE)


def _year(request, name="year"):
    """The year asked for in the query string (this year when absent or out of range)."""
    try:
        year = int(request.GET.get(name, ""))
    except ValueError:
        return timezone.localdate().year
    return year if FIRST_YEAR <= year <= LAST_YEAR else timezone.localdate().year


# --- forms -----------------------------------------------------------------------------------------------


class _AppointmentFields(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    quota = forms.IntegerField(
        label=gettext_lazy("Reports expected in the year"),
        min_value=1,
        max_value=services.MAX_QUOTA,
        initial=services.DEFAULT_QUOTA,
        help_text=gettext_lazy("12 is one report a month."),
    )
    appointed_on = forms.DateField(
        label=gettext_lazy("Appointed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class MemberOfficerForm(_AppointmentFields):
    member = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_member(self):
        pk = self.cleaned_data.get("member")
        member = Member.objects.visible_to(self.user).filter(pk=pk).first() if pk else None
        if member is None:
            raise ValidationError(_("Find the member by name and click them in the list."))
        return member


class PersonOfficerForm(_AppointmentFields):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    workplace = forms.CharField(label=gettext_lazy("Workplace"), max_length=100, required=False)
    mobile = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("The activation code is texted to it when the server can send text messages."),
    )
    open_account = forms.BooleanField(
        label=gettext_lazy("Open an account with an activation code now (the information officer role only)"),
        required=False,
        initial=True,
    )
    field_order = ["name", "workplace", "mobile", "year", "quota", "appointed_on", "open_account"]

    def __init__(self, *args, may_open, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_open:
            del self.fields["open_account"]

    def clean_mobile(self):
        typed = self.cleaned_data.get("mobile", "").strip()
        if not typed:
            return ""
        number = login_names.mobile_number(typed)
        if number is None:
            raise ValidationError(_("Enter an 11-digit mainland mobile number, e.g. 139 1234 5678."))
        return number


class QuotaForm(StyledFormMixin, forms.Form):
    quota = forms.IntegerField(
        label=gettext_lazy("Reports expected in the year"), min_value=1, max_value=services.MAX_QUOTA
    )


class EndForm(StyledFormMixin, forms.Form):
    ended_on = forms.DateField(
        label=gettext_lazy("Appointment ended on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class CopyForm(forms.Form):
    from_year = forms.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    to_year = forms.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)


class MemberPickForm(forms.Form):
    q = forms.CharField(required=False, max_length=50)


def _error_text(exc):
    return exc.messages[0] if exc.messages else str(exc)


# --- the table ------------------------------------------------------------------------------------------


@login_required
def officer_list(request):
    _require_table(request.user)
    year = _year(request)
    rows = stats.officer_progress(stats.officers_of_year(request.user, year))
    return render(
        request,
        "opinions/officer_list.html",
        {
            "year": year,
            "rows": rows,
            "can_manage": request.user.has_perm(MANAGE),
            "months": stats.MONTHS,
            "previous_count": stats.officers_of_year(request.user, year - 1)
            .filter(ended_on__isnull=True)
            .count(),
        },
    )


@login_required
def officer_export(request):
    """The year's officers and their progress as .xlsx, written to the audit log."""
    _require_table(request.user)
    year = _year(request)
    rows = stats.officer_progress(stats.officers_of_year(request.user, year))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(year)
    months = [_("Month %(month)s") % {"month": m} for m in stats.MONTHS]
    headers = [
        _("Name"),
        _("Member"),
        _("Workplace"),
        _("Quota"),
        _("Reports"),
        _("Share of the quota (%)"),
        *months,
        _("Appointment ended on"),
    ]
    header_row = xlsx.start_sheet(
        sheet, headers, title=_("Information officers %(year)s: reports against the quota") % {"year": year}
    )
    for row in rows:
        officer = row.officer
        xlsx.append_row(
            sheet,
            [
                officer.name,
                _("Yes") if officer.member_id else _("No"),
                officer.workplace,
                row.quota,
                row.total,
                row.share,
                *row.by_month,
                officer.ended_on,
            ],
        )
    xlsx.fit_columns(sheet, header_row=header_row)
    filename = _("Information officers %(year)s.xlsx") % {"year": year}
    response = xlsx.workbook_response(workbook, filename)
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        event="opinions.exported",
        params={"file": filename},
        detail={"report": "officers", "year": year, "rows": len(rows)},
    )
    return response


@login_required
@require_POST
def officer_copy(request):
    _require_manager(request.user)
    form = CopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the years to copy from and to."))
        return redirect("opinions:officers")
    data = form.cleaned_data
    try:
        copied = services.copy_year(
            from_year=data["from_year"], to_year=data["to_year"], actor=request.user, request=request
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("%(created)s officers of %(from)s appointed for %(to)s; %(skipped)s were appointed already.")
            % {
                "created": len(copied.created),
                "from": data["from_year"],
                "to": data["to_year"],
                "skipped": copied.skipped,
            },
        )
    return redirect(f"{_list_url()}?year={data['to_year']}")


def _list_url():
    from django.urls import reverse

    return reverse("opinions:officers")


# --- appointing -----------------------------------------------------------------------------------------


def _initial(request):
    return {
        "year": _year(request),
        "quota": services.DEFAULT_QUOTA,
        "appointed_on": timezone.localdate(),
    }


@login_required
def officer_new_member(request):
    _require_manager(request.user)
    form = MemberOfficerForm(
        request.POST if request.method == "POST" else None, initial=_initial(request), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            officer = services.appoint_member(
                member=data["member"],
                year=data["year"],
                quota=data["quota"],
                appointed_on=data["appointed_on"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("%(name)s is appointed.") % {"name": officer.name})
            return redirect("opinions:officer", pk=officer.pk)
    chosen = form.cleaned_data.get("member") if form.is_bound and hasattr(form, "cleaned_data") else None
    return render(request, "opinions/officer_new_member.html", {"form": form, "chosen": chosen})


@login_required
@never_cache
def officer_member_search(request):
    """The member picker's answer (htmx): the committee's members matching a name, pinyin or initials."""
    _require_manager(request.user)
    form = MemberPickForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    number_typed = member_selectors.looks_like_personal_number(q)
    found = []
    if q and not number_typed:
        found = list(
            member_selectors.search_members(Member.objects.visible_to(request.user), q=q, order="pinyin")[
                : MEMBER_PICK_LIMIT + 1
            ]
        )
    return render(
        request,
        "opinions/_officer_member_results.html",
        {
            "q": q,
            "number_typed": number_typed,
            "found": found[:MEMBER_PICK_LIMIT],
            "more": len(found) > MEMBER_PICK_LIMIT,
        },
    )


@login_required
def officer_new_person(request):
    _require_manager(request.user)
    may_open = services.may_open_accounts(request.user)
    form = PersonOfficerForm(
        request.POST if request.method == "POST" else None, initial=_initial(request), may_open=may_open
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.appoint_person(
                name=data["name"],
                workplace=data["workplace"],
                year=data["year"],
                quota=data["quota"],
                appointed_on=data["appointed_on"],
                open_account=bool(data.get("open_account")),
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            officer = result.officer
            messages.success(request, _("%(name)s is appointed.") % {"name": officer.name})
            if result.code is not None:
                _tell_account(request, officer, result.code, data["mobile"])
            return redirect("opinions:officer", pk=officer.pk)
    return render(request, "opinions/officer_new_person.html", {"form": form, "may_open": may_open})


def _tell_account(request, officer, code, mobile):
    texted = bool(mobile) and services.text_code(
        code=code, phone=mobile, actor=request.user, site_url=site_url(request), request=request
    )
    messages.success(
        request,
        _("An account is open for %(name)s, login name %(username)s. Print the account opening notice.")
        % {"name": officer.name, "username": code.user.username}
        + (" " + _("The activation code was texted too.") if texted else ""),
    )


# --- one officer ----------------------------------------------------------------------------------------


@login_required
def officer_detail(request, pk):
    officer = get_officer_for_user(request.user, pk)
    progress = stats.officer_progress([officer])[0]
    can_manage = request.user.has_perm(MANAGE)
    account = officer.user
    context = {
        "officer": officer,
        "progress": progress,
        "can_manage": can_manage,
        "account": account,
    }
    if can_manage:
        may_open = services.may_open_accounts(request.user)
        context |= dict(
            may_open=may_open,
            own_account=account is not None and officer.member_id is None,
            code=onboarding.current_code(account)
            if account is not None and officer.member_id is None
            else None,
            refusal=onboarding.code_refusal(account)
            if account is not None and officer.member_id is None
            else None,
            quota_form=QuotaForm(initial={"quota": officer.quota}),
            end_form=EndForm(initial={"ended_on": timezone.localdate()}),
        )
    return render(request, "opinions/officer_detail.html", context)


@login_required
@require_POST
def officer_quota(request, pk):
    officer = get_officer_for_user(request.user, pk, manage=True)
    form = QuotaForm(request.POST)
    if form.is_valid():
        try:
            services.change_quota(
                officer=officer, quota=form.cleaned_data["quota"], actor=request.user, request=request
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("The quota is saved."))
    else:
        messages.error(request, _("Enter a quota between 1 and %(max)s.") % {"max": services.MAX_QUOTA})
    return redirect("opinions:officer", pk=officer.pk)


@login_required
@require_POST
def officer_end(request, pk):
    officer = get_officer_for_user(request.user, pk, manage=True)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.end_appointment(
                officer=officer, ended_on=form.cleaned_data["ended_on"], actor=request.user, request=request
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("The appointment has ended."))
    else:
        messages.error(request, _("Enter the date the appointment ended."))
    return redirect("opinions:officer", pk=officer.pk)


@login_required
@require_POST
def officer_account(request, pk):
    officer = get_officer_for_user(request.user, pk, manage=True)
    try:
        code = services.open_officer_account(officer=officer, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        _tell_account(request, officer, code, "")
    return redirect("opinions:officer", pk=officer.pk)


@login_required
@require_POST
def officer_code(request, pk):
    officer = get_officer_for_user(request.user, pk, manage=True)
    try:
        services.issue_code(officer=officer, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("A new activation code was issued; the old password no longer works. Print the letter."),
        )
    return redirect("opinions:officer", pk=officer.pk)


@login_required
def officer_letter(request, pk):
    """The 开通通知书 of a non-member officer's account with its valid code (accounts.letters), for those
    who may issue codes; audited without the code."""
    officer = get_officer_for_user(request.user, pk, manage=True)
    if not services.may_open_accounts(request.user):
        raise PermissionDenied("accounts.onboard_members")
    if officer.user is None or officer.member_id is not None:
        raise Http404
    code = onboarding.current_code(officer.user)
    if code is None:
        messages.info(request, _("This account has no valid activation code: issue a new one first."))
        return redirect("opinions:officer", pk=officer.pk)
    committee = request.user.committee
    document = letters.build_letters([code], committee_name=committee.name, site_url=site_url(request))
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        event="accounts.activation_letters_made",
        params={"count": 1},
        detail={"letters": 1, "accounts": [code.user.username], "officer": officer.pk},
    )
    return document_response(document, _("Account opening notice %(name)s.docx") % {"name": officer.name})


urlpatterns = [
    path("officers/", officer_list, name="officers"),
    path("officers/export.xlsx", officer_export, name="officers_export"),
    path("officers/copy/", officer_copy, name="officers_copy"),
    path("officers/new/member/", officer_new_member, name="officer_new_member"),
    path("officers/new/member/search/", officer_member_search, name="officer_member_search"),
    path("officers/new/person/", officer_new_person, name="officer_new_person"),
    path("officers/<int:pk>/", officer_detail, name="officer"),
    path("officers/<int:pk>/quota/", officer_quota, name="officer_quota"),
    path("officers/<int:pk>/end/", officer_end, name="officer_end"),
    path("officers/<int:pk>/account/", officer_account, name="officer_account"),
    path("officers/<int:pk>/code/", officer_code, name="officer_code"),
    path("officers/<int:pk>/letter/", officer_letter, name="officer_letter"),
]
