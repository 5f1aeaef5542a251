from django import forms
from django.utils.translation import gettext_lazy as _


class LeaveRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for leave"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
