"""Forms of the duty claims (views/claims.py): the claim a member (or the office for a member) puts in,
the office's rejection with its reason, and the office queue's filters. The services check everything
again (services_claims)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvzhi.core import uploads
from lvzhi.core.forms import EARLIEST_DATE, StyledFormMixin
from lvzhi.members.models import Member

from . import services_claims
from .models import CLAIM_KINDS, DutyClaim


class EvidenceField(forms.FileField):
    """The evidence, checked early (by content: PDF, Word, JPEG or PNG) so that a refusal shows next to
    the field and nothing else typed is lost."""

    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        if not file:
            return None
        try:
            services_claims.check_evidence(file)
        except uploads.UploadRefused as refused:
            raise forms.ValidationError(str(refused), code="upload_refused") from refused
        return file


def _kind_choices():
    # zh: 请选择
    return [("", _("Choose…")), *CLAIM_KINDS.items()]


class ClaimForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=_kind_choices)
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        # zh: 表彰文件的日期，或服务、帮扶的日期。
        help_text=_("The date of the commendation, or of the service or help."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=services_claims.TITLE_LIMIT,
        # zh: 例如：获评全省优秀政协委员
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 获评全省优秀政协委员")}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=services_claims.DESCRIPTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        # zh: 可填写颁发单位、文号、服务内容等。
        help_text=_("Who awarded it, the document number, what the service was…"),
    )
    evidence = EvidenceField(
        label=_("Evidence"),
        # zh: 获奖证书、表彰文件或服务证明的照片或扫描件：PDF、Word、JPEG 或 PNG，最大 20 MB。
        help_text=_(
            "A photo or scan of the certificate, the commendation or a proof of the service: PDF, Word, JPEG or PNG."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx,.jpg,.jpeg,.png,image/*"}),
    )
    # The version of a rejected claim the page showed (resubmission only).
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    date_bounds = {"date": (EARLIEST_DATE, None)}

    def __init__(self, *args, resubmit=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        # Members are often older and on a phone: large fields.
        for field in self.fields.values():
            css = field.widget.attrs.get("class", "")
            if "form-select" in css:
                field.widget.attrs["class"] = f"{css} form-select-lg"
            elif "form-control" in css:
                field.widget.attrs["class"] = f"{css} form-control-lg"
        if resubmit:
            self.fields["evidence"].required = False
            # zh: 不上传则保留原来的证明材料。
            self.fields["evidence"].help_text = _("Leave it empty to keep the evidence already sent.")
        else:
            del self.fields["version"]

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "date": data["date"],
            "title": data["title"],
            "description": data["description"],
            "evidence": data["evidence"],
        }

    @classmethod
    def for_claim(cls, claim):
        return cls(
            initial={
                "kind": claim.kind,
                "date": claim.date,
                "title": claim.title,
                "description": claim.description,
                "version": claim.version,
            },
            resubmit=True,
        )


class OfficeClaimForm(ClaimForm):
    """The office records a claim for a member, found by name (views.claims.member_search)."""

    member = forms.ModelChoiceField(
        label=_("Member"),
        queryset=Member.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            # zh: 请搜索委员姓名，并从列表中选择。
            "required": _("Search for the member by name and choose them from the list."),
            "invalid_choice": _("Choose the member from the search results of your committee."),
        },
    )
    field_order = ["member"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(committee_id=user.committee_id)

    def service_kwargs(self):
        return {**super().service_kwargs(), "member": self.cleaned_data["member"]}


class RejectForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        # zh: 不通过的理由
        label=_("Reason for the rejection"),
        max_length=services_claims.NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        # zh: 委员会看到这段话。
        help_text=_("The member reads it."),
    )


class MemberSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=50)


class ClaimFilterForm(forms.Form):
    """The office queue's filters; an invalid value is dropped (the other filters still apply)."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *DutyClaim.Status.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=lambda: [("", _("All kinds")), *CLAIM_KINDS.items()]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )

    def filters(self):
        """The valid filters only."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in self.fields if name not in self.errors and data.get(name)}
