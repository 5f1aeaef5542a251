"""Forms of the proposal page's handling section (views/handling.py): the units' contacts and views,
the lead unit's reply, the staff's paper reply and the first proposer's evaluation. Lengths are checked
here (and again by the services); a NUL character is refused as an invalid character, never a 500."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvzhi.core.forms import EARLIEST_DATE, StyledFormMixin
from lvzhi.core.uploads import AttachmentField

from .models import ContactRecord, Evaluation, Reply
from .services.handling import COMMENTS_MAX, NOTE_MAX, REPLY_MAX, VIEWS_MAX


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _textarea(rows):
    return forms.Textarea(attrs={"rows": rows})


class _PastDates(StyledFormMixin):
    """Dates up to today (a contact or a paper reply has happened)."""

    past_dates: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        self.date_bounds = {name: (EARLIEST_DATE, today) for name in self.past_dates}
        super().__init__(*args, **kwargs)


class ContactForm(_PastDates, forms.Form):
    prefix = "contact"
    past_dates = ("date",)

    date = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=_date_widget())
    way = forms.ChoiceField(label=_("Way"), choices=ContactRecord.Way.choices)
    note = forms.CharField(label=_("What was discussed"), max_length=NOTE_MAX, widget=_textarea(3))


class ViewsForm(StyledFormMixin, forms.Form):
    prefix = "views"

    views = forms.CharField(
        label=_("Your views for the lead unit"), max_length=VIEWS_MAX, widget=_textarea(5)
    )


class ReplyForm(StyledFormMixin, forms.Form):
    """The lead unit's draft: the result may stay open until it sends the reply."""

    prefix = "reply"

    result = forms.ChoiceField(
        label=_("Result"), choices=Reply.Result.choices, widget=forms.RadioSelect, required=False
    )
    text = forms.CharField(label=_("Reply"), max_length=REPLY_MAX, required=False, widget=_textarea(10))
    document = AttachmentField(label=_("Reply document (optional)"), required=False)


class PaperReplyForm(_PastDates, forms.Form):
    prefix = "paper"
    past_dates = ("replied_on",)

    replied_on = forms.DateField(label=_("Replied on"), initial=timezone.localdate, widget=_date_widget())
    result = forms.ChoiceField(label=_("Result"), choices=Reply.Result.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Reply"), max_length=REPLY_MAX, required=False, widget=_textarea(8))
    document = AttachmentField(label=_("Scan of the paper reply (optional)"), required=False)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("text") or "").strip() and not cleaned.get("document") and not self.errors:
            raise forms.ValidationError(_("Write the reply or upload the reply document."))
        return cleaned


class EvaluationForm(StyledFormMixin, forms.Form):
    prefix = "evaluation"

    rating = forms.ChoiceField(
        label=_("How satisfied are you with the handling?"),
        choices=Evaluation.Rating.choices,
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=_("Comments"),
        max_length=COMMENTS_MAX,
        required=False,
        widget=_textarea(3),
        help_text=_("Required when you are not satisfied: the unit then handles the proposal again."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("rating") == Evaluation.Rating.UNSATISFIED
            and not (cleaned.get("comments") or "").strip()
        ):
            self.add_error("comments", _("Say why you are not satisfied."))
        return cleaned
