"""Views of the opinions app: inspections. Members hand in findings and suggestions after an inspection,
research or study-tour activity; staff list them in the activity's report (视察报告 / 调研报告),
download it in Word, send it to the departments, follow their replies and mark suggestions adopted.
Every fetch goes through inspection_scope's scoped helpers; every change through services.inspections."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lvzhi.activities import selectors as activity_selectors
from lvzhi.core import docx_official, submission
from lvzhi.core.forms import StyledFormMixin, show_errors
from lvzhi.core.pagination import paginate
from lvzhi.core.workflow import StaleEdit, posted_version
from lvzhi.organization.models import Department

from .. import inspection_documents, inspection_scope
from ..forms_feedback import PaperReplyForm
from ..models import InspectionReport, Suggestion, Transfer
from ..services import inspections as services

# --- forms -----------------------------------------------------------------------------------------


class SuggestionForm(StyledFormMixin, forms.Form):
    findings = forms.CharField(
        label=gettext_lazy("Findings"),
        required=False,
        max_length=services.TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What you saw and heard: the situation and its problems (optional)."),
    )
    text = forms.CharField(
        label=gettext_lazy("Suggestions"),
        max_length=services.TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("What you suggest should be done, one suggestion per paragraph."),
    )


class ReportForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Text of the report"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy(
            "The staff's account of the activity: what was inspected, what was found, the overall "
            "suggestions. The listed members' suggestions follow it in the document, credited."
        ),
    )


class SendForm(StyledFormMixin, forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Departments concerned"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the departments"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, committee_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(
            committee_id=committee_id, is_active=True
        ).order_by("kind", "name")


def _ids(values):
    """The posted ids that are numbers (anything else is ignored: the service scopes them anyway)."""
    return {int(v) for v in values if str(v).isdecimal() and len(str(v)) < 19}


# --- members ---------------------------------------------------------------------------------------


def _member_or_404(user):
    member = inspection_scope.member_of(user)
    if member is None:
        raise Http404
    return member


@login_required
def my_suggestions(request):
    """我的视察调研建议: the member's inspection and research activities, where they may hand in, and
    every suggestion they handed in."""
    member = _member_or_404(request.user)
    now = timezone.now()
    places = list(inspection_scope.member_inspections(member))
    for place in places:
        report = getattr(place.activity, "inspection_report", None)
        place.closed_reason = inspection_scope.hand_in_closed_reason(place.activity, report, now)
    return render(
        request,
        "opinions/inspections/mine.html",
        {"places": places, "suggestions": inspection_scope.member_suggestions(member)},
    )


def _member_activity(user, pk):
    """An inspection activity the member is on the list of, else 404."""
    member = _member_or_404(user)
    activity = activity_selectors.get_activity_for_user(user, pk)
    if activity.kind not in inspection_scope.KINDS or not inspection_scope.is_invited(member, activity):
        raise Http404
    return member, activity


def _activity_page(request, activity, member, form):
    report = inspection_scope.report_of(activity)
    return render(
        request,
        "opinions/inspections/activity_mine.html",
        {
            "activity": activity,
            "report": report,
            "closed_reason": inspection_scope.hand_in_closed_reason(activity, report),
            "suggestions": Suggestion.objects.filter(activity=activity, member=member).select_related(
                "report"
            ),
            "form": form,
        },
    )


@login_required
def activity_suggestions(request, pk):
    """The member's suggestions for one activity, and the form to hand in another."""
    member, activity = _member_activity(request.user, pk)
    return _activity_page(request, activity, member, SuggestionForm())


@login_required
@require_POST
def hand_in(request, pk):
    member, activity = _member_activity(request.user, pk)
    form = SuggestionForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                submission.claim(request)
                services.hand_in(activity=activity, actor=request.user, **form.cleaned_data)
        except submission.DuplicateSubmission:
            submission.tell_already_submitted(request)
            return redirect("opinions:activity_suggestions", pk=activity.pk)
        except services.InspectionError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Your suggestions were handed in."))
            return redirect("opinions:activity_suggestions", pk=activity.pk)
    return _activity_page(request, activity, member, form)


@login_required
def suggestion_edit(request, pk):
    suggestion = inspection_scope.get_own_suggestion_for_user(request.user, pk)
    form = SuggestionForm(
        request.POST or None, initial={"findings": suggestion.findings, "text": suggestion.text}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_suggestion(
                suggestion=suggestion,
                actor=request.user,
                expected_version=posted_version(request),
                **form.cleaned_data,
            )
        except StaleEdit as error:
            form.add_error(None, error.messages[0])
        except services.InspectionError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Your suggestions were saved."))
            return redirect("opinions:activity_suggestions", pk=suggestion.activity_id)
    return render(request, "opinions/inspections/edit.html", {"suggestion": suggestion, "form": form})


@login_required
@require_POST
def suggestion_withdraw(request, pk):
    suggestion = inspection_scope.get_own_suggestion_for_user(request.user, pk)
    try:
        services.withdraw_suggestion(suggestion=suggestion, actor=request.user)
    except services.InspectionError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("Your suggestion was withdrawn."))
    return redirect("opinions:activity_suggestions", pk=suggestion.activity_id)


@login_required
@require_POST
def suggestion_to_report(request, pk):
    """Turn a suggestion into a 社情民意 draft: the member's own, or staff's in the member's name."""
    member = inspection_scope.member_of(request.user)
    own = member is not None and Suggestion.objects.filter(pk=pk, member=member).exists()
    if own:
        suggestion = inspection_scope.get_own_suggestion_for_user(request.user, pk)
        back = redirect("opinions:activity_suggestions", pk=suggestion.activity_id)
    else:
        suggestion = inspection_scope.get_staff_suggestion_for_user(request.user, pk)
        back = redirect("opinions:inspection", pk=suggestion.activity_id)
    try:
        report = services.to_report_draft(suggestion=suggestion, actor=request.user)
    except services.InspectionError as error:
        show_errors(request, error)
        return back
    messages.success(
        request, _("A public-opinion draft was made from the suggestion: edit and submit it there.")
    )
    if own:
        return redirect(report.get_absolute_url())
    return back


# --- staff -----------------------------------------------------------------------------------------


@login_required
def staff_list(request):
    """The inspection, research and study-tour activities in the user's scope, with their suggestions
    and the state of their reports."""
    if not request.user.has_perm(inspection_scope.VIEW):
        raise PermissionDenied(inspection_scope.VIEW)
    page = paginate(request, inspection_scope.staff_activity_list(request.user))
    return render(request, "opinions/inspections/list.html", {"page": page})


def _paper_form(transfer, data=None, files=None):
    # One form per transfer on the page: its own prefix keeps the fields' ids apart.
    return PaperReplyForm(data, files, prefix=f"paper{transfer.pk}")


def _staff_page(request, activity, *, report_form=None, send_form=None, paper_form=None):
    report = inspection_scope.report_of(activity)
    can_compile = inspection_scope.can_compile(request.user, activity)
    suggestions = list(
        Suggestion.objects.filter(activity=activity)
        .select_related("member", "report")
        .order_by("created_at", "pk")
    )
    if report_form is None:
        report_form = ReportForm(
            initial={
                "title": report.title if report else services.default_title(activity),
                "body": report.body if report else "",
            }
        )
    transfers = []
    if report is not None:
        transfers = list(
            Transfer.objects.filter(inspection_report=report)
            .select_related("department")
            .order_by("transferred_on", "pk")
        )
        for transfer in transfers:
            bound = paper_form is not None and paper_form.prefix == f"paper{transfer.pk}"
            transfer.paper_form = paper_form if bound else _paper_form(transfer)
    is_draft = report is None or report.status == InspectionReport.Status.DRAFT
    if send_form is None and can_compile and report is not None and is_draft:
        send_form = SendForm(committee_id=activity.committee_id)
    return render(
        request,
        "opinions/inspections/staff_activity.html",
        {
            "activity": activity,
            "report": report,
            "is_draft": is_draft,
            "suggestions": suggestions,
            "listed_count": sum(1 for s in suggestions if s.included),
            "can_compile": can_compile,
            "report_form": report_form,
            "send_form": send_form,
            "transfers": transfers,
            "history": report.status_changes.select_related("actor") if report else (),
        },
    )


@login_required
def staff_activity(request, pk):
    activity = inspection_scope.get_staff_activity_for_user(request.user, pk)
    return _staff_page(request, activity)


def _compiled_activity(user, pk):
    activity = inspection_scope.get_staff_activity_for_user(user, pk)
    if not inspection_scope.can_compile(user, activity):
        raise PermissionDenied(inspection_scope.COMPILE)
    return activity


@login_required
@require_POST
def report_save(request, pk):
    activity = _compiled_activity(request.user, pk)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.save_report(
                activity=activity,
                actor=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                shown_ids=_ids(request.POST.getlist("shown")),
                listed_ids=_ids(request.POST.getlist("listed")),
                expected_version=posted_version(request),
            )
        except StaleEdit as error:
            form.add_error(None, error.messages[0])
        except services.InspectionError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The report was saved."))
            return redirect("opinions:inspection", pk=activity.pk)
    return _staff_page(request, activity, report_form=form)


@login_required
@require_POST
def report_send(request, pk):
    activity = _compiled_activity(request.user, pk)
    report = inspection_scope.report_of(activity)
    if report is None:
        messages.error(request, _("Save the report before sending it."))
        return redirect("opinions:inspection", pk=activity.pk)
    form = SendForm(request.POST, committee_id=activity.committee_id)
    if form.is_valid():
        try:
            with transaction.atomic():
                submission.claim(request)
                services.send_report(
                    report=report,
                    actor=request.user,
                    departments=form.cleaned_data["departments"],
                    note=form.cleaned_data["note"],
                    expected_version=posted_version(request),
                )
        except submission.DuplicateSubmission:
            submission.tell_already_submitted(request)
            return redirect("opinions:inspection", pk=activity.pk)
        except (StaleEdit, services.InspectionError) as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The report was sent to the departments."))
            return redirect("opinions:inspection", pk=activity.pk)
    return _staff_page(request, activity, send_form=form)


@login_required
def report_download(request, pk):
    activity = inspection_scope.get_staff_activity_for_user(request.user, pk)
    report = inspection_scope.report_of(activity)
    if report is None:
        raise Http404
    report.activity = activity
    document = inspection_documents.build_report_docx(report, services.listed_suggestions(report))
    services.record_download(report=report, actor=request.user)
    return docx_official.document_response(document, inspection_documents.filename(report))


@login_required
@require_POST
def suggestion_adopted(request, pk):
    suggestion = inspection_scope.get_staff_suggestion_for_user(request.user, pk)
    adopted = request.POST.get("adopted") == "1"
    try:
        services.set_adopted(suggestion=suggestion, actor=request.user, adopted=adopted)
    except services.InspectionError as error:
        show_errors(request, error)
    else:
        if adopted:
            messages.success(
                request, _("Marked adopted: the suggestion of %(name)s.") % {"name": suggestion.member.name}
            )
        else:
            messages.success(request, _("The adoption mark was taken back."))
    return redirect("opinions:inspection", pk=suggestion.activity_id)


@login_required
@require_POST
def transfer_paper_reply(request, pk, transfer_pk):
    """A department's paper reply to the activity's report, typed in by staff who compile it."""
    activity = _compiled_activity(request.user, pk)
    report = inspection_scope.report_of(activity)
    transfer = Transfer.objects.filter(inspection_report=report, pk=transfer_pk).first() if report else None
    if transfer is None:
        raise Http404
    form = _paper_form(transfer, request.POST, request.FILES)
    if form.is_valid():
        try:
            services.record_paper_reply(transfer=transfer, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Paper reply of %(department)s recorded.") % {"department": transfer.department.name},
            )
            return redirect("opinions:inspection", pk=activity.pk)
    return _staff_page(request, activity, paper_form=form)


urlpatterns = [
    path("inspections/mine/", my_suggestions, name="my_suggestions"),
    path("inspections/activity/<int:pk>/mine/", activity_suggestions, name="activity_suggestions"),
    path("inspections/activity/<int:pk>/hand-in/", hand_in, name="suggestion_hand_in"),
    path("inspections/suggestion/<int:pk>/edit/", suggestion_edit, name="suggestion_edit"),
    path("inspections/suggestion/<int:pk>/withdraw/", suggestion_withdraw, name="suggestion_withdraw"),
    path("inspections/suggestion/<int:pk>/to-report/", suggestion_to_report, name="suggestion_to_report"),
    path("inspections/suggestion/<int:pk>/adopted/", suggestion_adopted, name="suggestion_adopted"),
    path("inspections/", staff_list, name="inspections"),
    path("inspections/activity/<int:pk>/", staff_activity, name="inspection"),
    path("inspections/activity/<int:pk>/report/", report_save, name="inspection_report_save"),
    path("inspections/activity/<int:pk>/report/send/", report_send, name="inspection_report_send"),
    path("inspections/activity/<int:pk>/report/docx/", report_download, name="inspection_report_docx"),
    path(
        "inspections/activity/<int:pk>/transfers/<int:transfer_pk>/paper-reply/",
        transfer_paper_reply,
        name="inspection_paper_reply",
    ),
]
