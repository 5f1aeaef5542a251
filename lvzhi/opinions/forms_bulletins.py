"""Forms of the bulletin pages (views/bulletins.py)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvzhi.core.forms import EARLIEST_DATE, LATEST_DATE, StyledFormMixin

from .models import OpinionReport
from .services.bulletins import DOWN, RECIPIENTS_MAX, UP

RECIPIENTS_HELP = _("For example: 县委、县政府主要领导，市政协办公室")


def _this_year():
    return timezone.localdate().year


class BulletinCreateForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(
        label=_("Year"), min_value=EARLIEST_DATE.year, max_value=LATEST_DATE.year, initial=_this_year
    )
    title = forms.CharField(label=_("Title (optional)"), max_length=200, required=False)
    recipients = forms.CharField(
        label=_("Recipients"), max_length=RECIPIENTS_MAX, required=False, help_text=RECIPIENTS_HELP
    )


class BulletinEditForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    title = forms.CharField(label=_("Title (optional)"), max_length=200, required=False)
    recipients = forms.CharField(
        label=_("Recipients"), max_length=RECIPIENTS_MAX, required=False, help_text=RECIPIENTS_HELP
    )


class AddReportsForm(StyledFormMixin, forms.Form):
    """The signed reports that no bulletin holds, to tick (an id no database column holds is an unknown
    choice, not an OverflowError: StyledFormMixin)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reports = forms.ModelMultipleChoiceField(
        label=_("Signed reports"), queryset=OpinionReport.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reports"].queryset = candidates


class MoveForm(forms.Form):
    version = forms.IntegerField(min_value=0)
    direction = forms.ChoiceField(choices=[(UP, UP), (DOWN, DOWN)])


class SendForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    sent_on = forms.DateField(
        label=_("Sent on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
