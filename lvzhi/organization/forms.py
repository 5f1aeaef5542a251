from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core.forms import HISTORY_BOUNDS, StyledFormMixin
from lvzhi.members.models import Member

from .models import Department, Liaison, LiaisonContact, Membership, OrgUnit, Session, Term

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CommitteeFormMixin:
    """Limits every choice to the committee being edited, so no form can point at another tenant."""

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee


class TermForm(StyledFormMixin, CommitteeFormMixin, forms.ModelForm):
    date_bounds = {"start_date": HISTORY_BOUNDS, "end_date": HISTORY_BOUNDS}

    class Meta:
        model = Term
        fields = ["number", "name", "start_date", "end_date", "is_current"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def clean(self):
        data = super().clean()
        if data.get("is_current"):
            others = Term.objects.filter(committee=self.committee, is_current=True).exclude(
                pk=self.instance.pk
            )
            if others.exists():
                self.add_error("is_current", _("Another term is current; mark it as not current first."))
        number = data.get("number")
        if (
            number
            and Term.objects.filter(committee=self.committee, number=number)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("number", _("This committee already has a term with this number."))
        return data


class SessionForm(StyledFormMixin, CommitteeFormMixin, forms.ModelForm):
    date_bounds = {"start_date": HISTORY_BOUNDS, "end_date": HISTORY_BOUNDS}

    class Meta:
        model = Session
        fields = ["term", "number", "name", "start_date", "end_date"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Term.objects.filter(committee=self.committee)


class OrgUnitForm(StyledFormMixin, CommitteeFormMixin, forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["kind", "name", "short_name", "parent", "sort_order", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = OrgUnit.objects.filter(committee=self.committee)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents

    def clean(self):
        data = super().clean()
        name, kind = data.get("name"), data.get("kind")
        if name and kind:
            clash = OrgUnit.objects.filter(committee=self.committee, kind=kind, name=name).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                self.add_error("name", _("A unit of this kind with this name already exists."))
        parent = data.get("parent")
        # Walk up from the chosen parent: meeting ourselves means a cycle.
        while parent is not None and self.instance.pk:
            if parent.pk == self.instance.pk:
                self.add_error("parent", _("A unit cannot be placed under itself."))
                break
            parent = parent.parent
        return data


class DepartmentForm(StyledFormMixin, CommitteeFormMixin, forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "kind", "contact_person", "contact_phone", "address", "is_active"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if (
            Department.objects.filter(committee=self.committee, name=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(_("A department with this name already exists."))
        return name


class LiaisonForm(StyledFormMixin, CommitteeFormMixin, forms.ModelForm):
    class Meta:
        model = Liaison
        fields = ["department", "target_unit", "note"]

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["department"].queryset = Department.objects.filter(
            committee=self.committee, is_active=True
        )
        self.fields["target_unit"].queryset = OrgUnit.objects.filter(
            committee=self.committee, kind__in=[OrgUnit.Kind.TOWN_COMMITTEE, OrgUnit.Kind.SECTOR]
        )

    def clean(self):
        data = super().clean()
        department, target = data.get("department"), data.get("target_unit")
        if bool(department) == bool(target):
            raise forms.ValidationError(
                _("Choose either a department or a town committee / sector, not both.")
            )
        existing = Liaison.objects.filter(unit=self.unit).exclude(pk=self.instance.pk)
        if department and existing.filter(department=department).exists():
            self.add_error("department", _("This special committee already liaises with this department."))
        if target and existing.filter(target_unit=target).exists():
            self.add_error("target_unit", _("This special committee already liaises with this unit."))
        return data


class LiaisonContactForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = LiaisonContact
        fields = ["date", "participants", "topic", "follow_up"]
        widgets = {
            "date": DATE,
            "topic": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The date picker offers no day after today; the model refuses one all the same (clean()).
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()


class MembershipForm(StyledFormMixin, CommitteeFormMixin, forms.ModelForm):
    date_bounds = {"start_date": HISTORY_BOUNDS, "end_date": HISTORY_BOUNDS}

    class Meta:
        model = Membership
        fields = ["member", "position", "start_date", "end_date"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only members the user may already see: adding a post must not widen unit staff's reach.
        self.fields["member"].queryset = (
            Member.objects.visible_to(user).filter(committee=self.committee).order_by("name_stroke_key")
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        return data
