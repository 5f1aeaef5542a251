"""Forms of the author's side and the editors' pipeline. They check the input; the services
(services/reports.py) check the rights and the transitions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lvzhi.core import uploads
from lvzhi.core.forms import StyledFormMixin
from lvzhi.members.models import Member

from . import permissions, selectors
from .models import Category, OpinionReport

Status = OpinionReport.Status
# Whom the editors report to directly (报送), ticked; anything else in the free field.
REPORT_RECIPIENTS = [
    ("县委主要领导", _("County Party committee leaders")),
    ("县政府主要领导", _("County government leaders")),
    ("市政协", _("City CPPCC")),
    ("有关部门", _("Departments concerned")),
]


def one_newline(text):
    """A textarea posts its line breaks as CRLF: keep them as one character, as the page's counter
    counts them, so that the body limit, the stored text and the editors' diff agree with the page."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


class ReportForm(StyledFormMixin, forms.Form):
    """The author's page: the text, category, co-authors, the unit it is written for, publication.
    StyledFormMixin adds form-control / form-select to the larger sizes given here, and refuses
    co-author ids no database column holds as unknown choices (they were an OverflowError, a 500)."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "关于……的建议", "class": "form-control-lg"}),
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "fs-5"}),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("— choose —"),
        widget=forms.Select(attrs={"class": "form-select-lg"}),
    )
    unit = forms.ModelChoiceField(
        label=_("Written in the name of"),
        queryset=None,
        required=False,
        empty_label=_("Myself"),
        help_text=_("Unit staff may write in the name of a unit they staff."),
        widget=forms.Select(attrs={"class": "form-select-lg"}),
    )
    co_authors = forms.ModelMultipleChoiceField(
        label=_("Co-authors"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.MultipleHiddenInput,
    )
    agrees_to_publish = forms.BooleanField(
        label=_("I agree that the report may be published"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.active_categories(user.committee_id)
        self.fields["co_authors"].queryset = Member.objects.filter(committee_id=user.committee_id)
        units = user.units.filter(committee_id=user.committee_id).order_by("name")
        if units.exists():
            self.fields["unit"].queryset = units
        else:
            del self.fields["unit"]

    def clean_body(self):
        return one_newline(self.cleaned_data.get("body"))

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data.get("body") or "",
            "category": data.get("category"),
            "unit": data.get("unit"),
            "co_authors": list(data.get("co_authors") or []),
            "agrees_to_publish": bool(data.get("agrees_to_publish")),
        }


class PaperReportForm(ReportForm):
    """The office's page for a report handed in on paper: the member whose report it is, then the text."""

    member = forms.ModelChoiceField(
        label=_("Member who handed it in"),
        queryset=Member.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Search for the member who handed the report in and choose them from the list."),
            "invalid_choice": _("Choose the member from the search results of your committee."),
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(committee_id=user.committee_id)

    def service_kwargs(self):
        kwargs = super().service_kwargs()
        kwargs.pop("unit", None)
        return {**kwargs, "member": self.cleaned_data["member"]}


class CoAuthorSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=50)


class AttachmentForm(forms.Form):
    file = uploads.AttachmentField(label=_("File"))


class RegisterForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    source = forms.ChoiceField(label=_("Source channel"), choices=OpinionReport.Source.choices)

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.active_categories(report.committee_id)
        self.fields["category"].initial = report.category_id
        self.fields["source"].initial = report.source


class VerifierForm(forms.Form):
    verifier = forms.ModelChoiceField(label=_("Verifier"), queryset=None)

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verifier"].queryset = permissions.staff_users(report.committee_id)
        self.fields["verifier"].label_from_instance = str


class FindingsForm(forms.Form):
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 5}))


class EditForm(forms.Form):
    edited_title = forms.CharField(label=_("Edited title"), max_length=200)
    edited_body = forms.CharField(label=_("Edited body"), widget=forms.Textarea(attrs={"rows": 18}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_edited_body(self):
        return one_newline(self.cleaned_data["edited_body"])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=OpinionReport.objects.none())
    reason = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, report, user, **kwargs):
        from .services.reports import MERGE_TARGETS

        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (
            OpinionReport.objects.visible_to(user)
            .filter(status__in=MERGE_TARGETS)
            .exclude(pk=report.pk)
            .order_by("-year", "-serial", "-pk")
        )


class ReportDirectlyForm(StyledFormMixin, forms.Form):
    """StyledFormMixin keeps the date between core.forms.EARLIEST_DATE and LATEST_DATE (year 1 or 9999
    was taken as the day a report was sent, and credited so in the ledger)."""

    reported_on = forms.DateField(label=_("Reported on"), widget=forms.DateInput(attrs={"type": "date"}))
    recipients = forms.MultipleChoiceField(
        label=_("Reported to"), choices=REPORT_RECIPIENTS, required=False, widget=forms.CheckboxSelectMultiple
    )
    other = forms.CharField(label=_("Others"), required=False, max_length=200)

    def clean(self):
        data = super().clean()
        parts = [
            *(data.get("recipients") or []),
            *([data["other"].strip()] if data.get("other", "").strip() else []),
        ]
        if not parts:
            raise forms.ValidationError(_("Reported to: tick at least one recipient or write one."))
        data["reported_to"] = "、".join(parts)
        return data


class PolicyForm(forms.Form):
    """The committee's settings: the body limit and the days each step may take."""

    body_limit = forms.IntegerField(label=_("Body length limit (characters)"), min_value=200, max_value=20000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for status in OpinionReport.WORK_STEPS:
            self.fields[f"days_{status}"] = forms.IntegerField(
                label=Status(status).label, min_value=1, max_value=365
            )

    def overdue_days(self):
        return {status: self.cleaned_data[f"days_{status}"] for status in OpinionReport.WORK_STEPS}


class CategoryForm(forms.Form):
    """A category's name, added or renamed on the settings page (the form checks the length and refuses
    characters no database column stores; the service checks the list)."""

    name = forms.CharField(label=_("Category name"), max_length=50, required=False)
