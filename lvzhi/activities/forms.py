import re

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lvzhi.core.forms import StyledFormMixin
from lvzhi.members.models import Member, MemberTerm
from lvzhi.organization.models import OrgUnit

from . import selectors
from .models import Activity, Participation


class LeaveRequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for leave"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


# --- staff forms -----------------------------------------------------------------------------------

DATETIME_WIDGET = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# Names in the "named members" box: separated by 、，, ; or new lines.
NAME_SEPARATORS = re.compile(r"[、，,；;\r\n]+")
INVITEE_UNIT_KINDS = (OrgUnit.Kind.SECTOR, OrgUnit.Kind.TOWN_COMMITTEE, OrgUnit.Kind.SPECIAL_COMMITTEE)


def _datetime_widget():
    return forms.DateTimeInput(attrs=DATETIME_WIDGET, format=DATETIME_FORMAT)


class ActivityForm(StyledFormMixin, forms.ModelForm):
    """The facts of an activity. Office staff may give it to any unit of the committee or leave the unit
    empty (the office runs it); unit staff choose among their own units."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Activity
        fields = [
            "kind",
            "organizing_unit",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "is_required",
            "registration_deadline",
            "checkin_opens_at",
            "checkin_closes_at",
            "agenda",
        ]
        widgets = {
            "starts_at": _datetime_widget(),
            "ends_at": _datetime_widget(),
            "registration_deadline": _datetime_widget(),
            "checkin_opens_at": _datetime_widget(),
            "checkin_closes_at": _datetime_widget(),
            "agenda": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["kind"].choices = [("", _("Choose a kind")), *Activity.Kind.choices]
        unit_field = self.fields["organizing_unit"]
        units = OrgUnit.objects.filter(committee_id=user.committee_id, is_active=True)
        if user.is_committee_wide:
            unit_field.required = False
            unit_field.empty_label = _("The office")
            # The office is the empty choice; an office-kind unit would only show it twice.
            units = units.exclude(kind=OrgUnit.Kind.OFFICE)
        else:
            units = units.filter(id__in=user.unit_ids())
            unit_field.required = True
            if len(user.unit_ids()) == 1:
                unit_field.empty_label = None  # nothing to choose: their one unit
            unit_field.help_text = _("You run the activities of your own units.")
        if self.instance.organizing_unit_id:
            # An inactive unit that already runs the activity stays selectable.
            units = units | OrgUnit.objects.filter(pk=self.instance.organizing_unit_id)
        unit_field.queryset = units.distinct()
        for field in self.fields.values():
            if isinstance(field.widget, forms.DateTimeInput):
                field.input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("The end must not be before the start."))
        opens, closes = data.get("checkin_opens_at"), data.get("checkin_closes_at")
        if opens and closes and closes < opens:
            self.add_error("checkin_closes_at", _("Check-in must not close before it opens."))
        deadline = data.get("registration_deadline")
        if deadline and ends and deadline > ends:
            self.add_error("registration_deadline", _("The registration deadline must be before the end."))
        return data


class InviteeRulesForm(StyledFormMixin, forms.Form):
    """Who is invited: everyone, the 常委, whole units, and members named one by one."""

    all_members = forms.BooleanField(label=gettext_lazy("All members of the current term"), required=False)
    standing = forms.BooleanField(label=gettext_lazy("All standing committee members"), required=False)
    units = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Sectors, town committees and special committees"),
        coerce=int,
        required=False,
        help_text=gettext_lazy("Every serving member of the chosen units. Hold Ctrl to choose several."),
    )
    names = forms.CharField(
        label=gettext_lazy("Named members"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 9}),
        help_text=gettext_lazy("Names separated by 、，, or new lines."),
    )

    def __init__(self, *args, committee_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee_id = committee_id
        units = OrgUnit.objects.filter(committee_id=committee_id, kind__in=INVITEE_UNIT_KINDS, is_active=True)
        grouped = {kind: [] for kind in INVITEE_UNIT_KINDS}
        for unit in units.order_by("sort_order", "name"):
            grouped[unit.kind].append((unit.pk, unit.name))
        self.fields["units"].choices = [
            (OrgUnit.Kind(kind).label, choices) for kind, choices in grouped.items() if choices
        ]
        self.fields["units"].widget.attrs["size"] = 10

    @classmethod
    def initial_for(cls, activity):
        rules = selectors.normalize_rules(activity.invitee_rules)
        names = Member.objects.filter(
            committee_id=activity.committee_id, pk__in=rules[selectors.RULE_MEMBERS]
        ).values_list("name", flat=True)
        return {
            "all_members": rules[selectors.RULE_ALL],
            "standing": rules[selectors.RULE_STANDING],
            "units": rules[selectors.RULE_UNITS],
            "names": "、".join(names),
        }

    def clean_names(self):
        names = [n.strip() for n in NAME_SEPARATORS.split(self.cleaned_data.get("names") or "")]
        names = list(dict.fromkeys(n for n in names if n))
        self.member_ids, errors = resolve_names(self.committee_id, names)
        if errors:
            raise forms.ValidationError(errors)
        return "、".join(names)

    def rules(self):
        data = self.cleaned_data
        return selectors.normalize_rules(
            {
                selectors.RULE_ALL: data.get("all_members"),
                selectors.RULE_STANDING: data.get("standing"),
                selectors.RULE_UNITS: data.get("units") or [],
                selectors.RULE_MEMBERS: getattr(self, "member_ids", []),
            }
        )


def resolve_names(committee_id, names):
    """Member ids for the names, and an error for each name that is unknown, shared by several serving
    members, or not serving in the current term. One query however many names."""
    if not names:
        return [], []
    serving = MemberTerm.objects.filter(
        member=OuterRef("pk"), term__is_current=True, status=MemberTerm.Status.SERVING
    )
    found = {}
    for member in (
        Member.objects.filter(committee_id=committee_id, name__in=names)
        .annotate(serving=Exists(serving))
        .only("pk", "name")
    ):
        found.setdefault(member.name, []).append(member)
    ids, unknown, ambiguous, not_serving = [], [], [], []
    for name in names:
        matches = found.get(name, [])
        current = [m for m in matches if m.serving]
        if len(current) == 1:
            ids.append(current[0].pk)
        elif len(current) > 1:
            ambiguous.append(name)
        elif matches:
            not_serving.append(name)
        else:
            unknown.append(name)
    errors = []
    if unknown:
        errors.append(_("No member is called %(names)s.") % {"names": "、".join(unknown)})
    if ambiguous:
        errors.append(
            _("Several serving members are called %(names)s; invite them through their units instead.")
            % {"names": "、".join(ambiguous)}
        )
    if not_serving:
        errors.append(
            _("%(names)s: not serving in the current term, so cannot be invited.")
            % {"names": "、".join(not_serving)}
        )
    return ids, errors


class ActivityFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=gettext_lazy("Title"), required=False, max_length=100)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Organizing unit"), queryset=OrgUnit.objects.none(), required=False
    )

    def __init__(self, *args, activities, user, **kwargs):
        super().__init__(*args, **kwargs)
        years = activities.dates("starts_at", "year", order="DESC")
        self.fields["year"].choices = [("", _("All years"))] + [(d.year, str(d.year)) for d in years]
        self.fields["kind"].choices = [("", _("All kinds")), *Activity.Kind.choices]
        self.fields["status"].choices = [("", _("All statuses")), *Activity.Status.choices]
        units = OrgUnit.objects.filter(committee_id=user.committee_id)
        if not user.is_committee_wide:
            units = units.filter(id__in=user.unit_ids())
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = _("All units")

    def filter(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data.get("q"):
            qs = qs.filter(title__icontains=data["q"].strip())
        if data.get("year"):
            qs = qs.filter(starts_at__year=data["year"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("unit"):
            qs = qs.filter(organizing_unit=data["unit"])
        return qs


class CorrectionForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Attendance"),
        choices=[(s.value, s.label) for s in Participation.Status if s in Participation.FINAL],
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=1000)


class AddParticipantForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Member"), max_length=50)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=1000)


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
