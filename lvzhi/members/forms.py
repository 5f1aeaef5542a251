import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lvzhi.core import idcard
from lvzhi.core.forms import StyledFormMixin
from lvzhi.organization.models import OrgUnit

from .models import ContactUpdateRequest, Member, MemberTerm, normalize_phone

ID_ERRORS = {
    "format": gettext_lazy("An ID number has 17 digits followed by a digit or X."),
    "birth_date": gettext_lazy("The birth date inside the ID number is not a real date."),
    "check_digit": gettext_lazy("The check digit of this ID number is wrong; please check each digit."),
}
MOBILE = re.compile(r"^1[3-9]\d{9}$")
PHOTO_FORMATS = {"JPEG": ".jpg", "PNG": ".png"}


def clean_mobile(value):
    value = normalize_phone(value or "")
    if value and not MOBILE.match(value):
        raise forms.ValidationError(_("A mobile number has 11 digits and starts with 1."))
    return value


class MemberForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

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

    def __init__(self, *args, **kwargs):
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


class MemberTermForm(StyledFormMixin, forms.ModelForm):
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
            "special_committees": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.filter(committee=committee, is_active=True)
        self.fields["sector"].queryset = units.filter(kind=OrgUnit.Kind.SECTOR)
        self.fields["town_committee"].queryset = units.filter(kind=OrgUnit.Kind.TOWN_COMMITTEE)
        self.fields["special_committees"].queryset = units.filter(kind=OrgUnit.Kind.SPECIAL_COMMITTEE)

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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.filter(committee_id=user.committee_id, is_active=True).order_by(
            "sort_order", "name"
        )
        self.fields["sector"].queryset = units.filter(kind=OrgUnit.Kind.SECTOR)
        self.fields["town_committee"].queryset = units.filter(kind=OrgUnit.Kind.TOWN_COMMITTEE)
        self.fields["special_committee"].queryset = units.filter(kind=OrgUnit.Kind.SPECIAL_COMMITTEE)


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
