"""Forms of the proposal settings page: the committee's limits and days, one entry of the categories or
of the reasons for not accepting, and a session's handling deadline. They check the input (ranges,
lengths, NUL characters, which Django's CharField refuses); services/settings.py checks the right and the
list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lvzhi.core.forms import StyledFormMixin

from .models import ProposalPolicy, SessionPolicy
from .services.settings import NAME_MAX, RANGES


def _range_field(model, name):
    low, high = RANGES[name]
    return forms.IntegerField(
        label=model._meta.get_field(name).verbose_name,
        min_value=low,
        max_value=high,
    )


class PolicyForm(StyledFormMixin, forms.Form):
    """The committee's length limit and days."""

    body_limit = _range_field(ProposalPolicy, "body_limit")
    cosign_days = _range_field(ProposalPolicy, "cosign_days")
    return_days = _range_field(ProposalPolicy, "return_days")
    remind_days = _range_field(ProposalPolicy, "remind_days")


class CategoryForm(forms.Form):
    """A category's name, added or renamed."""

    name = forms.CharField(label=_("Category name"), max_length=NAME_MAX["category"], required=False)


class ReasonForm(forms.Form):
    """A reason for not accepting, added or reworded."""

    text = forms.CharField(label=_("Reason"), max_length=NAME_MAX["reason"], required=False)


class SessionDeadlineForm(StyledFormMixin, forms.Form):
    handling_months = _range_field(SessionPolicy, "handling_months")
