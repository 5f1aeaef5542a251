"""Forms of the unit-assessment pages: the year filter, an inspection group, the inspection of a unit
(one score and note per indicator of the rule set's units part) and the tier decision. They check the
shape of the input; lvzhi/scoring/units.py checks the rest and writes."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lvzhi.core.forms import StyledFormMixin
from lvzhi.members.models import Member, MemberTerm
from lvzhi.organization.models import OrgUnit

from . import units
from .models import InspectionGroup, UnitAssessment
from .services import YEAR_RANGE


class UnitYearForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"), min_value=YEAR_RANGE[0], max_value=YEAR_RANGE[1], required=False
    )

    def year_or_current(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return timezone.localdate().year


class _MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _MembersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _UnitsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class InspectionGroupForm(StyledFormMixin, forms.Form):
    """StyledFormMixin: a leader, member or unit id beyond any database integer is an unknown choice,
    not an OverflowError (a 500)."""

    name = forms.CharField(
        label=pgettext_lazy("inspection group", "Name"),
        max_length=units.NAME_MAX,
        help_text=_("For example: 第一考核组"),
    )
    leader = _MemberChoice(label=pgettext_lazy("inspection group", "Leader"), queryset=Member.objects.none())
    leader_title = forms.CharField(
        label=_("Leader's title"), max_length=units.TITLE_MAX, required=False, initial="副主席"
    )
    members = _MembersChoice(
        label=_("Group members"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (on a phone: tap) to choose several."),
    )
    units = _UnitsChoice(
        label=_("Units this group inspects"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, committee, year, group: InspectionGroup | None = None, **kwargs):
        if group is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": group.name,
                    "leader": group.leader_id,
                    "leader_title": group.leader_title,
                    "members": [m.pk for m in group.members.all()],
                    "units": list(
                        UnitAssessment.objects.filter(group=group).values_list("unit_id", flat=True)
                    ),
                },
            )
        super().__init__(*args, **kwargs)
        for name in ("name", "leader", "leader_title", "members"):
            css = "form-select" if name in ("leader", "members") else "form-control"
            self.fields[name].widget.attrs.setdefault("class", css)
        self.fields["units"].widget.attrs["class"] = "form-check-input"
        # The people who may lead or join a group: members serving in the committee's current term.
        serving = (
            Member.objects.filter(
                committee=committee,
                terms__term__is_current=True,
                terms__status=MemberTerm.Status.SERVING,
            )
            .distinct()
            .order_by("name_pinyin_key", "pk")
        )
        self.fields["leader"].queryset = serving
        self.fields["members"].queryset = serving
        self.fields["units"].queryset = OrgUnit.objects.filter(
            committee=committee, kind__in=units.UNIT_KINDS, is_active=True
        ).order_by("-kind", "sort_order", "name")
        # Which group each unit is with now, to show beside its checkbox.
        self.current_groups = dict(
            UnitAssessment.objects.filter(committee=committee, year=year, group__isnull=False)
            .exclude(group=group)
            .values_list("unit_id", "group__name")
        )


class InspectionForm(forms.Form):
    """One score (0..max) and an optional note per indicator, the overall findings, the version shown."""

    findings = forms.CharField(
        label=pgettext_lazy("unit assessment", "Findings"),
        required=False,
        max_length=units.FINDINGS_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, unit_rules, assessment: UnitAssessment, **kwargs):
        stored = assessment.inspection or {}
        kwargs.setdefault(
            "initial",
            {
                "findings": assessment.findings,
                "version": assessment.version,
                **{f"score_{code}": entry.get("score") for code, entry in stored.items()},
                **{f"note_{code}": entry.get("finding", "") for code, entry in stored.items()},
            },
        )
        super().__init__(*args, **kwargs)
        self.indicators = list(unit_rules.indicators) if unit_rules else []
        for indicator in self.indicators:
            self.fields[f"score_{indicator.code}"] = forms.DecimalField(
                label=indicator.name,
                min_value=Decimal(0),
                max_value=indicator.max,
                decimal_places=2,
                max_digits=7,
                widget=forms.NumberInput(
                    attrs={
                        "step": "0.01",
                        "inputmode": "decimal",
                        "class": "form-control",
                        "style": "width: 7rem",
                    }
                ),
            )
            self.fields[f"note_{indicator.code}"] = forms.CharField(
                label=_("Note on %(indicator)s") % {"indicator": indicator.name},
                required=False,
                max_length=units.FINDING_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        """(indicator, score field, note field) per indicator, for the template."""
        return [(i, self[f"score_{i.code}"], self[f"note_{i.code}"]) for i in self.indicators]

    def scores(self):
        return {i.code: self.cleaned_data[f"score_{i.code}"] for i in self.indicators}

    def notes(self):
        return {i.code: self.cleaned_data.get(f"note_{i.code}", "") for i in self.indicators}


class TierForm(forms.Form):
    tier = forms.ChoiceField(
        label=_("Tier"),
        choices=UnitAssessment.Tier.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
