"""Forms of the feedback section of a report and of the handling units' pages (views/feedback.py)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvzhi.core.forms import StyledFormMixin
from lvzhi.core.uploads import AttachmentField
from lvzhi.organization.models import Department

from .models import Adoption, Instruction, Transfer

TEXT_MAX = 5000


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AdoptionForm(StyledFormMixin, forms.ModelForm):
    prefix = "adoption"

    class Meta:
        model = Adoption
        fields = ["level", "form", "adopted_by", "adopted_on", "note"]
        widgets = {"adopted_on": _date_widget(), "note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"adopted_by": _("For example: 市政协《社情民意》第12期, 省委办公厅")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adopted_on"].initial = timezone.localdate
        self.fields["note"].max_length = TEXT_MAX


class InstructionForm(StyledFormMixin, forms.ModelForm):
    prefix = "instruction"

    class Meta:
        model = Instruction
        fields = ["level", "leader_post", "text", "instructed_on"]
        widgets = {"instructed_on": _date_widget(), "text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"leader_post": _("For example: 县委书记, 副市长")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instructed_on"].initial = timezone.localdate
        self.fields["text"].max_length = TEXT_MAX


class TransferForm(StyledFormMixin, forms.Form):
    prefix = "transfer"

    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    transferred_on = forms.DateField(
        label=_("Transferred on"), initial=timezone.localdate, widget=_date_widget()
    )
    note = forms.CharField(
        label=_("Note to the department"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, committee_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(
            committee_id=committee_id, is_active=True
        ).order_by("kind", "name")


class ReplyForm(StyledFormMixin, forms.Form):
    """The department's answer, with an optional reply document (checked by content, core.uploads)."""

    reply = forms.CharField(label=_("Reply"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    document = AttachmentField(label=_("Reply document (optional)"), required=False)


class PaperReplyForm(ReplyForm):
    prefix = "paper"

    replied_on = forms.DateField(label=_("Replied on"), initial=timezone.localdate, widget=_date_widget())
    field_order = ["replied_on", "reply", "document"]


TRANSFER_STATUS_CHOICES = [("", _("All")), *Transfer.Status.choices]


class TransferFilterForm(forms.Form):
    status = forms.ChoiceField(choices=TRANSFER_STATUS_CHOICES, required=False)
