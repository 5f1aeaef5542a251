from django import forms
from django.utils.translation import gettext_lazy as _

from lvzhi.core.forms import HISTORY_BOUNDS, StyledFormMixin
from lvzhi.core.uploads import AttachmentField

from .models import Document
from .services import EDITABLE_FIELDS


class DocumentSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Document.Category.choices, required=False)


class DocumentForm(StyledFormMixin, forms.ModelForm):
    date_bounds = {"published_on": HISTORY_BOUNDS}

    upload = AttachmentField(
        label=_("Attachment"),
        required=False,
        help_text=_("PDF, Word, Excel, PowerPoint, JPEG or PNG."),
    )
    remove_attachment = forms.BooleanField(label=_("Remove the attachment"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Document
        fields = EDITABLE_FIELDS
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 14}),
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["category"].choices = [("", _("Choose a category")), *Document.Category.choices]
        if not self.instance.file:
            del self.fields["remove_attachment"]
        else:
            self.fields["upload"].help_text = _("Current file: %(name)s. A new file replaces it.") % {
                "name": self.instance.original_name
            }

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("body", "").strip() and not cleaned.get("upload") and not self._keeps_attachment():
            raise forms.ValidationError(_("Give the text of the document, attach a file, or both."))
        return cleaned

    def _keeps_attachment(self):
        return bool(self.instance.file) and not self.cleaned_data.get("remove_attachment")

    def document_data(self):
        return {f: self.cleaned_data[f] for f in EDITABLE_FIELDS}
