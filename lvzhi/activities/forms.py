import re

from django import forms
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lvzhi.core.forms import StyledFormMixin
from lvzhi.members.models import Member, MemberTerm
from lvzhi.organization.models import OrgUnit

from . import selectors, stats
from .documents import date_text
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
        # Unit staff see only their units' kinds (the service refuses the others anyway).
        kinds = selectors.kinds_for(user)
        self.fields["kind"].choices = [("", _("Choose a kind")), *((k.value, k.label) for k in kinds)]
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
    """Who is invited: everyone, the 常委, whole units, and members named one by one. It offers `user`
    only what they may invite (selectors.invitees_beyond_scope), plus what the `stored` rules of the
    activity already hold, so that unit staff editing an activity the office widened lose nothing."""

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
        help_text=gettext_lazy(
            "Names separated by 、，, or new lines. Where several members share a name, add the sector or "
            "town committee in brackets: 王五（经济界）."
        ),
    )

    def __init__(self, *args, user, stored=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.committee_id = user.committee_id
        self.stored = selectors.normalize_rules(stored)
        units = OrgUnit.objects.filter(committee_id=self.committee_id, kind__in=INVITEE_UNIT_KINDS)
        units = units.filter(Q(is_active=True) | Q(pk__in=self.stored[selectors.RULE_UNITS]))
        if not user.is_committee_wide:
            units = units.filter(Q(pk__in=user.unit_ids()) | Q(pk__in=self.stored[selectors.RULE_UNITS]))
            # "All members" and "all 常委" are the office's, unless the office already chose them here.
            for key in (selectors.RULE_ALL, selectors.RULE_STANDING):
                if not self.stored[key]:
                    del self.fields[key]
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
        named = list(
            _with_current_units(
                Member.objects.filter(
                    committee_id=activity.committee_id, pk__in=rules[selectors.RULE_MEMBERS]
                )
            ).order_by("pk")
        )
        # Names that several serving members share are written with the sector or town committee.
        shared = set(
            _with_current_units(
                Member.objects.filter(committee_id=activity.committee_id, name__in={m.name for m in named})
            )
            .filter(serving=True)
            .values("name")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .values_list("name", flat=True)
        )
        return {
            "all_members": rules[selectors.RULE_ALL],
            "standing": rules[selectors.RULE_STANDING],
            "units": rules[selectors.RULE_UNITS],
            "names": "、".join(qualified_name(m) if m.name in shared else m.name for m in named),
        }

    def clean_names(self):
        names = [n.strip() for n in NAME_SEPARATORS.split(self.cleaned_data.get("names") or "")]
        names = list(dict.fromkeys(n for n in names if n))
        self.member_ids, errors = resolve_names(self.committee_id, names)
        if errors:
            raise forms.ValidationError(errors)
        _wide, _units, outside = selectors.invitees_beyond_scope(
            self.user, {selectors.RULE_MEMBERS: self.member_ids}, self.stored
        )
        if outside:
            outside_names = [name for name, pk in zip(names, self.member_ids, strict=True) if pk in outside]
            raise forms.ValidationError(
                _("%(names)s: not members of your units, so you cannot invite them; ask the office.")
                % {"names": "、".join(outside_names)}
            )
        return "、".join(names)

    def rules(self):
        data = self.cleaned_data
        return selectors.normalize_rules(
            {
                selectors.RULE_ALL: data.get(selectors.RULE_ALL),
                selectors.RULE_STANDING: data.get(selectors.RULE_STANDING),
                selectors.RULE_UNITS: data.get("units") or [],
                selectors.RULE_MEMBERS: getattr(self, "member_ids", []),
            }
        )


# "王五（经济界）" or "王五(城关镇)": a name with the member's sector or town committee in brackets, for
# names that several serving members share.
QUALIFIED_NAME = re.compile(r"^(?P<name>[^（(]+?)\s*[（(](?P<unit>[^）)]+)[）)]$")


def qualified_name(member):
    """The member's name as the named-members box writes it when the name alone is not enough."""
    unit = member.sector_name or member.town_name
    return f"{member.name}（{unit}）" if unit else member.name


def _with_current_units(members):
    current = MemberTerm.objects.filter(
        member=OuterRef("pk"), term__is_current=True, status=MemberTerm.Status.SERVING
    )
    return members.annotate(
        serving=Exists(current),
        sector_name=Subquery(current.values("sector__name")[:1]),
        town_name=Subquery(current.values("town_committee__name")[:1]),
    )


def resolve_names(committee_id, entries):
    """Member ids for the typed entries (names, or names qualified with a sector or town committee),
    and an error for each entry that is unknown, shared by several serving members, or not serving in
    the current term. One query however many entries."""
    if not entries:
        return [], []
    parsed = []
    for entry in entries:
        match = QUALIFIED_NAME.match(entry)
        parsed.append((entry, match["name"], match["unit"].strip()) if match else (entry, entry, None))
    found = {}
    members = Member.objects.filter(committee_id=committee_id, name__in={name for _e, name, _u in parsed})
    for member in _with_current_units(members).only("pk", "name"):
        found.setdefault(member.name, []).append(member)
    ids, unknown, not_serving, ambiguous = [], [], [], {}
    for entry, name, unit in parsed:
        matches = found.get(name, [])
        current = [m for m in matches if m.serving]
        if unit is not None:
            current = [m for m in current if unit in (m.sector_name, m.town_name)]
        if len(current) == 1:
            ids.append(current[0].pk)
        elif len(current) > 1:
            ambiguous[entry] = current
        elif matches and unit is None:
            not_serving.append(entry)
        else:
            unknown.append(entry)
    errors = []
    if unknown:
        errors.append(_("No member is called %(names)s.") % {"names": "、".join(unknown)})
    for entry, candidates in ambiguous.items():
        choices = sorted({qualified_name(m) for m in candidates})
        if len(choices) == len(candidates):
            errors.append(
                _("Several serving members are called %(name)s: write %(choices)s.")
                % {"name": entry, "choices": _(" or ").join(choices)}
            )
        else:
            errors.append(
                _(
                    "Several serving members are called %(name)s and their sector or town committee does not tell "
                    "them apart: invite them through their units."
                )
                % {"name": entry}
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
        self.fields["status"].choices = [
            ("", _("All statuses")),
            (selectors.TO_CLOSE, _("To close")),
            *Activity.Status.choices,
        ]
        self.user = user
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
        if data.get("status") == selectors.TO_CLOSE:
            qs = selectors.to_close(self.user, qs)
        elif data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("unit"):
            qs = qs.filter(organizing_unit=data["unit"])
        return qs


class ParticipantFilterForm(forms.Form):
    """The manage page's filters of the participant list (GET); a value that cannot match is ignored."""

    p = forms.ChoiceField(choices=[("", ""), *Participation.Status.choices], required=False)
    name = forms.CharField(max_length=50, required=False)

    def filter(self, participations):
        self.is_valid()
        data = self.cleaned_data
        if data.get("p"):
            participations = participations.filter(status=data["p"])
        if data.get("name"):
            participations = participations.filter(member__name__contains=data["name"])
        return participations


class ReasonForm(forms.Form):
    """The reason an act on the manage page may carry (cancelling, reopening, checking in by hand,
    leaving early): what the services store, checked like any other text (length, no NUL)."""

    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=1000)


class IdListField(forms.Field):
    """Ids posted as a list (checkboxes of the same name), as sorted distinct positive ints."""

    widget = forms.MultipleHiddenInput
    MAX_IDS = 2000

    def to_python(self, value):
        if not value:
            return []
        try:
            ids = {int(v) for v in value}
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose members from the list."), code="invalid") from None
        if len(ids) > self.MAX_IDS or any(not 0 < pk < 2**31 for pk in ids):
            raise forms.ValidationError(_("Choose members from the list."), code="invalid")
        return sorted(ids)


class BulkCheckInForm(forms.Form):
    """The members selected for checking in by hand at once (participation ids of the activity)."""

    participants = IdListField(
        label=gettext_lazy("Members"),
        error_messages={"required": gettext_lazy("Select the members to check in.")},
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=1000)


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


# --- report forms ----------------------------------------------------------------------------------

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatsForm(StyledFormMixin, forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), widget=DATE_INPUT)
    date_to = forms.DateField(label=gettext_lazy("To"), widget=DATE_INPUT)
    view = forms.ChoiceField(
        label=gettext_lazy("Count by"),
        choices=[
            (stats.VIEW_ACTIVITY, gettext_lazy("Activity")),
            (stats.VIEW_MEMBER, gettext_lazy("Member")),
            (stats.VIEW_SECTOR, gettext_lazy("Sector")),
            (stats.VIEW_TOWN, gettext_lazy("Town committee")),
        ],
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Kinds of activity"),
        choices=Activity.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every kind."),
    )

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


# What the standing committee attendance notice reports on.
MODE_MEETING = "meeting"
MODE_PERIOD = "period"


class StandingReportForm(StyledFormMixin, forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("Report on"),
        choices=[
            (MODE_MEETING, gettext_lazy("One meeting")),
            (MODE_PERIOD, gettext_lazy("All standing committee meetings of a period")),
        ],
        initial=MODE_MEETING,
        required=False,
    )
    meeting = forms.ModelChoiceField(
        label=gettext_lazy("Meeting"),
        queryset=Activity.objects.none(),
        required=False,
        empty_label=gettext_lazy("The latest closed meeting"),
    )
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Scoped: a meeting id from the query string is only accepted among the user's own meetings.
        self.fields["meeting"].queryset = stats.standing_meetings(user)
        # lvzhi.js shows only the fields of the chosen mode (all of them without JavaScript).
        self.fields["mode"].widget.attrs["data-switch"] = ""
        self.fields["meeting"].widget.attrs["data-shown-for"] = MODE_MEETING
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs["data-shown-for"] = MODE_PERIOD
        self.fields["meeting"].label_from_instance = lambda activity: (
            f"{date_text(timezone.localtime(activity.starts_at).date())} {activity.title}"
        )

    def clean(self):
        data = super().clean()
        if data.get("mode") == MODE_PERIOD:
            date_from, date_to = data.get("date_from"), data.get("date_to")
            # A date that was typed but refused already has its message.
            if not date_from and "date_from" not in self.errors:
                self.add_error("date_from", _("Give the first day of the period."))
            if not date_to and "date_to" not in self.errors:
                self.add_error("date_to", _("Give the last day of the period."))
            if date_from and date_to and date_from > date_to:
                self.add_error("date_to", _("The end date is before the start date."))
        return data
