"""Forms of the review and the assignment (the proposal page's review and assignment sections, the work
page's filters). They check the input (lengths, choices of the committee); the services
(services/review.py, services/assignment.py) check the rights and the transitions."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvzhi.accounts.roles import Role
from lvzhi.core.forms import StyledFormMixin
from lvzhi.organization.models import Department, Session

from . import selectors
from .models import Proposal, ProposalCategory, RejectionReason

NOTE_MAX = 2000


def _note(label, *, required=False, rows=3):
    return forms.CharField(
        label=label, required=required, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": rows})
    )


def active_departments(committee_id):
    return Department.objects.filter(committee_id=committee_id, is_active=True).order_by("kind", "name")


def leaders(committee_id):
    """The committee's active accounts holding the 领导 role (who may supervise a key proposal)."""
    return (
        get_user_model()
        .objects.filter(committee_id=committee_id, is_active=True, groups__name=Role.LEADER.value)
        .distinct()
        .order_by("display_name", "pk")
    )


class VersionedForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AcceptForm(VersionedForm):
    category = forms.ModelChoiceField(label=_("Category"), queryset=ProposalCategory.objects.none())

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ProposalCategory.objects.filter(
            committee_id=proposal.committee_id, is_active=True
        )
        self.fields["category"].initial = proposal.category_id


class MergeForm(StyledFormMixin, forms.Form):
    """The other submitted proposals of the session to merge into this one (by title and proposer)."""

    proposals = forms.ModelMultipleChoiceField(
        label=_("Proposals to merge into this one"),
        queryset=Proposal.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    category = forms.ModelChoiceField(
        label=_("Category of the accepted case"), queryset=ProposalCategory.objects.none(), required=False
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = merge_candidates(proposal)
        self.fields["proposals"].label_from_instance = _candidate_label
        if proposal.status == Proposal.Status.SUBMITTED:
            self.fields["category"].queryset = ProposalCategory.objects.filter(
                committee_id=proposal.committee_id, is_active=True
            )
            self.fields["category"].initial = proposal.category_id
        else:
            del self.fields["category"]


def merge_candidates(proposal):
    """The other submitted proposals of the session whose co-signers are no longer confirming."""
    return (
        Proposal.objects.filter(
            committee_id=proposal.committee_id,
            session_id=proposal.session_id,
            status=Proposal.Status.SUBMITTED,
        )
        .exclude(selectors.cosigning_open_q(timezone.now()))
        .exclude(pk=proposal.pk)
        .prefetch_related("authors")
        .order_by("submitted_at", "pk")
    )


def _candidate_label(proposal):
    lead = next((a.name for a in proposal.authors.all() if a.role == "lead"), "")
    return f"{proposal.title}（{lead}）" if lead else proposal.title


class ConvertForm(VersionedForm):
    to = forms.ChoiceField(
        label=_("Convert to"), choices=Proposal.Conversion.choices, widget=forms.RadioSelect
    )
    department = forms.ModelChoiceField(
        label=_("Department the letter goes to"), queryset=Department.objects.none(), required=False
    )
    note = _note(_("Note to the proposer"))

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = active_departments(proposal.committee_id)

    def clean(self):
        data = super().clean()
        if data.get("to") == Proposal.Conversion.LETTER and not data.get("department"):
            self.add_error("department", _("Choose the department the letter goes to."))
        return data


class RejectForm(VersionedForm):
    reason = forms.ModelChoiceField(label=_("Reason"), queryset=RejectionReason.objects.none())
    note = _note(_("Note to the proposer"))

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = RejectionReason.objects.filter(
            committee_id=proposal.committee_id, is_active=True
        )


class KeyForm(StyledFormMixin, forms.Form):
    key = forms.BooleanField(label=_("Key proposal"), required=False)
    leader = forms.ModelChoiceField(
        label=_("Supervising leader"), queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders(proposal.committee_id)
        self.fields["leader"].label_from_instance = str
        self.fields["leader"].initial = proposal.key_leader_id

    def clean(self):
        data = super().clean()
        if data.get("key") and not data.get("leader"):
            self.add_error("leader", _("Choose the leader who supervises it."))
        return data


class ExcellentForm(forms.Form):
    excellent = forms.BooleanField(label=_("Excellent proposal"), required=False)


class SupervisionForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    note = _note(_("What was done"), required=True)


class CloseForm(VersionedForm):
    note = _note(_("Note"))


class AssignForm(VersionedForm):
    lead = forms.ModelChoiceField(label=_("Lead unit"), queryset=Department.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-units"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    deadline = forms.DateField(
        label=_("Handling deadline"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        departments = active_departments(proposal.committee_id)
        self.fields["lead"].queryset = departments
        self.fields["co_units"].queryset = departments

    def clean(self):
        data = super().clean()
        lead = data.get("lead")
        if lead and lead in (data.get("co_units") or []):
            self.add_error("co_units", _("The lead unit cannot also be a co-unit."))
        return data


class ReturnRequestForm(StyledFormMixin, forms.Form):
    reason = _note(_("Why the proposal is not yours to handle"), required=True)


class DecideReturnForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept the return")), ("refuse", _("Refuse the return"))]
    )
    answer = _note(_("Answer to the unit"), rows=2)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("answer") or "").strip():
            self.add_error("answer", _("Say why the unit has to handle it."))
        return data


class WorkFilterForm(StyledFormMixin, forms.Form):
    """The work page's tab and filters (GET); unknown values fall back to the first tab, no filter."""

    tab = forms.ChoiceField(choices=[(t, t) for t in selectors.WORK_TABS], required=False)
    session = forms.ModelChoiceField(
        label=_("Session"), queryset=Session.objects.none(), required=False, empty_label=_("All sessions")
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=ProposalCategory.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )

    def __init__(self, *args, committee_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = (
            Session.objects.filter(term__committee_id=committee_id)
            .select_related("term")
            .order_by("-term__number", "-number")
        )
        self.fields["category"].queryset = ProposalCategory.objects.filter(committee_id=committee_id)


# --- 批量交办: the batch assignment page --------------------------------------------------------------


class BatchFilterForm(WorkFilterForm):
    """The batch page's filters (GET): session and category, as on the work page."""

    def __init__(self, *args, committee_id, **kwargs):
        super().__init__(*args, committee_id=committee_id, **kwargs)
        del self.fields["tab"]


class BatchDeadlineForm(StyledFormMixin, forms.Form):
    """The one handling deadline of a batch; empty: each proposal gets its session's default."""

    deadline = forms.DateField(
        label=_("Handling deadline"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def clean_deadline(self):
        deadline = self.cleaned_data.get("deadline")
        if deadline and deadline <= timezone.localdate():
            # zh: 请选择今天以后的日期。
            raise forms.ValidationError(_("Choose a day after today."))
        return deadline


ID_MAX = 2**31 - 1


def batch_id(value):
    """A posted id (1 … 2³¹−1), or None for anything else (garbage, NUL, huge numbers)."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= ID_MAX else None


class BatchChoices:
    """What the batch page posted, read without trusting it: the ticked proposals (`assign`), the
    version each row showed (`row` = "<proposal>:<version>"), each row's lead unit (`lead` =
    "<proposal>:<department>", or "<proposal>:" for none) and co-units (`co_units`, the same pairs).
    Values that cannot be read are counted in `unreadable` and left out."""

    def __init__(self, data):
        self.unreadable = 0
        self.ticked = []
        for value in data.getlist("assign"):
            pk = batch_id(value)
            if pk is None:
                self.unreadable += 1
            elif pk not in self.ticked:
                self.ticked.append(pk)
        self.versions = {}
        for pk, version in self._pairs(data.getlist("row")):
            if version is not None:
                self.versions[pk] = version
        self.shown = set(self.versions)
        self.leads = {}
        for pk, department in self._pairs(data.getlist("lead"), empty=True):
            self.leads[pk] = department
            self.shown.add(pk)
        self.co_units = {}
        for pk, department in self._pairs(data.getlist("co_units")):
            if department is not None:
                self.co_units.setdefault(pk, [])
                if department not in self.co_units[pk]:
                    self.co_units[pk].append(department)

    def _pairs(self, values, *, empty=False):
        for value in values:
            proposal, sep, other = (value or "").partition(":")
            pk, second = batch_id(proposal), batch_id(other)
            if pk is None or not sep or (second is None and not (empty and other == "")):
                self.unreadable += 1
                continue
            yield pk, second
