"""Forms of filing a proposal. They check the input (lengths, NUL characters, choices of the user's
committee); services/filing.py checks the rights, the length limit and the transitions."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lvzhi.core import uploads
from lvzhi.core.forms import StyledFormMixin
from lvzhi.members.models import Member
from lvzhi.organization.models import Department, OrgUnit

from . import selectors
from .models import Proposal, ProposalCategory
from .services.filing import COLLECTIVE_UNIT_KINDS

# Far above any committee's limit (the service names the limit); only keeps absurd posts out.
TEXT_MAX = 20_000


def one_newline(text):
    """A textarea posts its line breaks as CRLF: keep them as one character, as the page's counter
    counts them, so that the length limit agrees with the page."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


class ProposalForm(StyledFormMixin, forms.Form):
    """The first proposer's page: session, title, the three parts, kind (with co-signers or the
    proposing body and its main authors), category, suggested handling units."""

    KIND_CHOICES = [
        (Proposal.Kind.INDIVIDUAL, _("Individual or joint")),
        (Proposal.Kind.COLLECTIVE, _("Collective (in a body's name)")),
    ]

    session = forms.ModelChoiceField(label=_("Session"), queryset=None, empty_label=None)
    timing = forms.ChoiceField(label=_("Filed"), choices=Proposal.Timing.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "关于……的提案", "class": "form-control-lg"}),
    )
    case = forms.CharField(
        label=_("Case"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    analysis = forms.CharField(
        label=_("Analysis"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 8})
    )
    suggestions = forms.CharField(
        label=pgettext_lazy("proposal part", "Suggestions"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of proposal"),
        choices=KIND_CHOICES,
        help_text=_(
            "A joint proposal has co-signers; a collective one is filed in the name of a sector, "
            "a special committee or a party group."
        ),
        widget=forms.Select(attrs={"data-switch": ""}),
    )
    co_signers = forms.ModelMultipleChoiceField(
        label=_("Co-signers"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.MultipleHiddenInput,
    )
    collective_unit = forms.ModelChoiceField(
        label=_("Proposing body"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("— another body, named below —"),
        widget=forms.Select(attrs={"data-shown-for": "collective"}),
    )
    collective_name = forms.CharField(
        label=_("Proposing body (name)"),
        required=False,
        max_length=100,
        help_text=_("For a party group or another body that is not in the list, e.g. 民盟县委会."),
        widget=forms.TextInput(attrs={"data-shown-for": "collective"}),
    )
    collective_authors = forms.ModelMultipleChoiceField(
        label=_("Main authors"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.MultipleHiddenInput,
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=ProposalCategory.objects.none(),
        required=False,
        empty_label=_("— choose —"),
    )
    suggested_departments = forms.ModelMultipleChoiceField(
        label=_("Suggested handling units"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Read by the view (core.workflow.posted_version): a garbled one is "someone else saved", not a
    # silent error on a hidden field.
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def __init__(self, *args, user, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        committee_id = user.committee_id
        self.fields["session"].queryset = selectors.filing_sessions(committee_id)
        categories = Q(committee_id=committee_id, is_active=True)
        if proposal is not None and proposal.category_id:
            # A category retired since stays choosable on the draft that has it.
            categories |= Q(pk=proposal.category_id)
        self.fields["category"].queryset = ProposalCategory.objects.filter(categories)
        members = Member.objects.filter(committee_id=committee_id)
        self.fields["co_signers"].queryset = members
        self.fields["collective_authors"].queryset = members
        units = Q(committee_id=committee_id, is_active=True, kind__in=COLLECTIVE_UNIT_KINDS) | Q(
            committee_id=committee_id, pk__in=user.unit_ids()
        )
        self.fields["collective_unit"].queryset = OrgUnit.objects.filter(units).order_by(
            "kind", "sort_order", "name"
        )
        self.fields["suggested_departments"].queryset = Department.objects.filter(
            committee_id=committee_id, is_active=True
        ).order_by("kind", "name")

    def clean_case(self):
        return one_newline(self.cleaned_data.get("case"))

    def clean_analysis(self):
        return one_newline(self.cleaned_data.get("analysis"))

    def clean_suggestions(self):
        return one_newline(self.cleaned_data.get("suggestions"))

    def service_kwargs(self):
        data = self.cleaned_data
        collective = data["kind"] == Proposal.Kind.COLLECTIVE
        return {
            "session": data["session"],
            "timing": data["timing"],
            "title": data["title"],
            "case": data.get("case") or "",
            "analysis": data.get("analysis") or "",
            "suggestions": data.get("suggestions") or "",
            "kind": data["kind"],
            "category": data.get("category"),
            "suggested_departments": list(data.get("suggested_departments") or []),
            # The fields of the other kind are hidden on the page; without JavaScript they show and are
            # ignored here.
            "co_signers": [] if collective else list(data.get("co_signers") or []),
            "collective_unit": data.get("collective_unit") if collective else None,
            "collective_name": (data.get("collective_name") or "") if collective else "",
            "collective_authors": list(data.get("collective_authors") or []) if collective else [],
        }

    @classmethod
    def initial_for(cls, proposal):
        authors = list(proposal.authors.all())
        return {
            "session": proposal.session_id,
            "timing": proposal.timing,
            "title": proposal.title,
            "case": proposal.case,
            "analysis": proposal.analysis,
            "suggestions": proposal.suggestions,
            "kind": Proposal.Kind.COLLECTIVE
            if proposal.kind == Proposal.Kind.COLLECTIVE
            else Proposal.Kind.INDIVIDUAL,
            "category": proposal.category_id,
            "suggested_departments": list(proposal.suggested_departments.values_list("pk", flat=True)),
            "co_signers": [a.member_id for a in authors if a.role == "co" and a.member_id],
            "collective_unit": proposal.collective_unit_id,
            "collective_name": proposal.collective_name,
            "collective_authors": [a.member_id for a in authors if a.role == "collective" and a.member_id],
            "version": proposal.version,
        }


class MemberSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=50)
    field = forms.ChoiceField(
        required=False, choices=[("co_signers", "co_signers"), ("collective_authors", "collective_authors")]
    )


class AttachmentForm(forms.Form):
    file = uploads.AttachmentField(label=_("File"))
