import re
import unicodedata

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lvzhi.core import idcard
from lvzhi.core.forms import BIRTH_DATE_BOUNDS, StyledFormMixin
from lvzhi.organization.models import OrgUnit

from .models import ContactUpdateRequest, Member, MemberTerm, normalize_phone
from .services import OWN_UNITS

ID_ERRORS = {
    "format": gettext_lazy("An ID number has 17 digits followed by a digit or X."),
    "birth_date": gettext_lazy("The birth date inside the ID number is not a real date."),
    "check_digit": gettext_lazy("The check digit of this ID number is wrong; please check each digit."),
}
MOBILE = re.compile(r"^1[3-9]\d{9}$")
PHOTO_FORMATS = {"JPEG": ".jpg", "PNG": ".png"}


class CheckboxSelectSome(forms.CheckboxSelectMultiple):
    """Checkboxes of which those in `locked_values` are shown but cannot be ticked or unticked."""

    locked_values = frozenset()

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if getattr(value, "value", value) in self.locked_values:
            option["attrs"]["disabled"] = True
        return option


class ReadOnlyFieldsMixin:
    """Shows the fields a user may not change as disabled inputs, from `access` ({field: scope}, as
    services.field_access returns it; None: every field editable) with `access_prefix` before each name.

    A browser does not send a disabled input, so a bound form takes the value it showed. A value posted
    for such a field anyway (a hand-made request) is kept on purpose: the service then sees the change,
    refuses it and audits the attempt, where a silently ignored field would hide it.
    """

    access_prefix = ""

    def lock_fields(self, access, *, current):
        """Disable the fields not in `access`; `current` gives a field's value as the form shows it."""
        if access is None:
            return
        locked = [
            name for name in self.fields if name != "version" and f"{self.access_prefix}{name}" not in access
        ]
        for name in locked:
            self.fields[name].widget.attrs["disabled"] = True
            self.fields[name].required = False
        if not self.is_bound:
            return
        self.data = self.data.copy()
        for name in locked:
            key = self.add_prefix(name)
            if key in self.data or key in self.files:
                continue
            if isinstance(self.fields[name], forms.FileField):
                continue  # no file posted: the file stays as it is
            value = current(name)
            if isinstance(self.fields[name].widget, forms.CheckboxInput):
                if value:
                    self.data[key] = "on"
            elif value is not None:
                self.data[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)


def clean_mobile(value):
    value = normalize_phone(value or "")
    if value and not MOBILE.match(value):
        raise forms.ValidationError(_("A mobile number has 11 digits and starts with 1."))
    return value


class MemberForm(ReadOnlyFieldsMixin, StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Members are born long before the dates the other forms deal in.
    date_bounds = {"birth_date": BIRTH_DATE_BOUNDS}

    class Meta:
        model = Member
        fields = Member.FILE_FIELDS
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "maxlength": 18}),
            "phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel", "maxlength": 13}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "address": forms.TextInput(),
        }

    def __init__(self, *args, access=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        if self.instance.pk:
            # The edit form never shows personal data in clear (that would be an unaudited unmask):
            # the editor sees the masked value and may type a replacement.
            for name, masked in (
                ("id_number", self.instance.masked_id_number),
                ("phone", self.instance.masked_phone),
            ):
                self.fields[name].required = False
                self.initial[name] = ""
                self.fields[name].widget.attrs["placeholder"] = masked + " " + _("(leave empty to keep)")
        self.lock_fields(access, current=lambda name: self.initial.get(name))

    def clean_name(self):
        # Names typed with spaces between characters ("张  三") are the same name.
        name = self.cleaned_data["name"]
        if re.fullmatch(r"[\u3400-\u9fff\s]+", name):
            name = re.sub(r"\s+", "", name)
        return name.strip()

    def clean_id_number(self):
        value = idcard.normalize(self.cleaned_data.get("id_number"))
        if not value:
            return self.instance.id_number if self.instance.pk else ""
        try:
            idcard.parse(value)
        except idcard.InvalidIdNumber as exc:
            raise forms.ValidationError(ID_ERRORS[str(exc)]) from exc
        duplicates = Member.objects.filter(committee_id=self.instance.committee_id).find_by_id_number(value)
        if self.instance.pk:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            raise forms.ValidationError(_("Another member file already has this ID number."))
        return value

    def clean_phone(self):
        value = self.cleaned_data.get("phone")
        if not value and self.instance.pk:
            return self.instance.phone
        return clean_mobile(value)

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo or not hasattr(photo, "image"):
            return photo  # unchanged: the stored file was checked when it was uploaded
        if photo.size > settings.MEMBER_PHOTO_MAX_BYTES:
            raise forms.ValidationError(
                _("The photo is larger than %(mb)d MB.")
                % {"mb": settings.MEMBER_PHOTO_MAX_BYTES // (1024 * 1024)}
            )
        # The type comes from the decoded content (Pillow), not from the name the browser sent.
        if photo.image.format not in PHOTO_FORMATS:
            raise forms.ValidationError(_("The photo must be a JPEG or PNG image."))
        photo.name = f"photo{PHOTO_FORMATS[photo.image.format]}"
        return photo

    def clean(self):
        data = super().clean()
        id_number = data.get("id_number")
        if id_number and not self.errors.get("id_number"):
            parsed = idcard.parse(id_number)
            birth = data.get("birth_date")
            if birth is None:
                data["birth_date"] = parsed.birth_date
            elif birth != parsed.birth_date:
                self.add_error(
                    "birth_date",
                    _("The birth date %(birth)s does not match the ID number, which says %(id_birth)s.")
                    % {"birth": birth.isoformat(), "id_birth": parsed.birth_date.isoformat()},
                )
            gender = data.get("gender")
            id_gender = Member.Gender.MALE if parsed.is_male else Member.Gender.FEMALE
            if gender and gender != id_gender:
                self.add_error(
                    "gender",
                    _("The gender does not match the ID number, which says %(gender)s.")
                    % {"gender": Member.Gender(id_gender).label},
                )
        return data


class MemberTermForm(ReadOnlyFieldsMixin, StyledFormMixin, forms.ModelForm):
    access_prefix = "term."

    class Meta:
        model = MemberTerm
        fields = [
            "sector",
            "town_committee",
            "special_committees",
            "is_standing",
            "status",
            "status_date",
            "status_reason",
        ]
        widgets = {
            "status_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "special_committees": CheckboxSelectSome,
        }

    def __init__(self, *args, committee, access=None, unit_ids=(), **kwargs):
        """`access` and `unit_ids`: what the user may change (services.field_access) and the units they
        staff, for a role that changes special-committee membership only in its own units."""
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.filter(committee=committee, is_active=True)
        self.fields["sector"].queryset = units.filter(kind=OrgUnit.Kind.SECTOR)
        self.fields["town_committee"].queryset = units.filter(kind=OrgUnit.Kind.TOWN_COMMITTEE)
        specials = self.fields["special_committees"]
        specials.queryset = units.filter(kind=OrgUnit.Kind.SPECIAL_COMMITTEE)
        self.lock_fields(access, current=self._current_value)
        if access is not None and access.get("term.special_committees") == OWN_UNITS:
            # Only the boxes of the units this user staffs can change; a box of another unit that is
            # ticked stays ticked although the browser does not send it.
            locked = set(specials.queryset.exclude(pk__in=unit_ids).values_list("pk", flat=True))
            specials.widget.locked_values = locked
            if self.is_bound:
                key = self.add_prefix("special_committees")
                kept = [str(pk) for pk in self._current_value("special_committees") if pk in locked]
                self.data.setlist(key, [*self.data.getlist(key), *kept])

    def _current_value(self, name):
        if name == "special_committees":
            if not self.instance.pk:
                return []
            return list(self.instance.special_committees.values_list("pk", flat=True))
        field = MemberTerm._meta.get_field(name)
        return getattr(self.instance, field.attname)

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status and status != MemberTerm.Status.SERVING and not data.get("status_date"):
            self.add_error("status_date", _("Give the date of this status change."))
        return data


class MemberSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=50)
    sector = forms.ModelChoiceField(
        label=gettext_lazy("Sector"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=gettext_lazy("All sectors"),
    )
    town_committee = forms.ModelChoiceField(
        label=gettext_lazy("Town committee"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=gettext_lazy("All town committees"),
    )
    special_committee = forms.ModelChoiceField(
        label=gettext_lazy("Special committee"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=gettext_lazy("All special committees"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All statuses")), *MemberTerm.Status.choices],
        required=False,
    )
    standing = forms.TypedChoiceField(
        label=gettext_lazy("Standing committee member"),
        choices=[
            ("", gettext_lazy("All")),
            ("1", gettext_lazy("Standing committee members")),
            ("0", gettext_lazy("Others")),
        ],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
    party = forms.ChoiceField(
        label=gettext_lazy("Party"),
        choices=[("", gettext_lazy("All parties")), *Member.Party.choices],
        required=False,
    )
    order = forms.ChoiceField(
        label=gettext_lazy("Order"),
        choices=[
            ("stroke", gettext_lazy("By surname strokes")),
            ("pinyin", gettext_lazy("By pinyin")),
            ("-updated", gettext_lazy("Recently updated")),
        ],
        required=False,
    )

    UNIT_FILTERS = {
        "sector": OrgUnit.Kind.SECTOR,
        "town_committee": OrgUnit.Kind.TOWN_COMMITTEE,
        "special_committee": OrgUnit.Kind.SPECIAL_COMMITTEE,
    }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The units the user may see: every unit of the committee for committee-wide roles, the units
        # they staff for unit staff, who would otherwise pick among 25 sectors whose members they
        # cannot see. A filter with nothing to offer them is left out.
        units = OrgUnit.objects.visible_to(user).filter(is_active=True).order_by("sort_order", "name")
        scoped = not user.is_committee_wide
        for name, kind in self.UNIT_FILTERS.items():
            queryset = units.filter(kind=kind)
            if scoped and not queryset.exists():
                del self.fields[name]
            else:
                self.fields[name].queryset = queryset


class LookupForm(StyledFormMixin, forms.Form):
    """A full ID or mobile number to look a member up by; sent by POST so that it stays out of URLs."""

    number = forms.CharField(
        label=gettext_lazy("ID number or mobile number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=gettext_lazy("The whole number: 18 characters of an ID number, or 11 digits of a mobile."),
    )

    def clean_number(self):
        """→ (field, value): which field of the member file the number is, and the number itself."""
        text = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", self.cleaned_data["number"]))
        id_number = idcard.normalize(text)
        if idcard.PATTERN.match(id_number):
            return ("id_number", id_number)
        phone = normalize_phone(text)
        if phone == text and MOBILE.match(phone):
            return ("phone", phone)
        raise forms.ValidationError(
            _("Give a whole ID number (18 characters) or a whole mobile number (11 digits starting with 1).")
        )


class ContactUpdateForm(StyledFormMixin, forms.ModelForm):
    """The member's own contact data. The phone is never shown in clear: an empty field keeps it."""

    class Meta:
        model = ContactUpdateRequest
        fields = ["phone", "email", "address"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "maxlength": 13})}

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, initial={"email": member.email, "address": member.address}, **kwargs)
        self.member = member
        if member.phone:
            self.fields["phone"].widget.attrs["placeholder"] = (
                member.masked_phone + " " + _("(leave empty to keep)")
            )

    def clean_phone(self):
        return clean_mobile(self.cleaned_data.get("phone")) or self.member.phone


class DecisionForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)
