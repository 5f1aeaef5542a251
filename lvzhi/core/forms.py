import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Every date a form takes lies between these, unless the form says otherwise (`date_bounds`): a year 1
# or 9999 overflows when it is turned into UTC or a period's end, and no activity, report or status
# change of a CPPCC committee falls outside them.
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
# Dates of the committee's own history (terms, sessions, posts, documents) go back to the founding of
# the CPPCC; birth dates further.
HISTORY_BOUNDS = (datetime.date(1949, 1, 1), LATEST_DATE)
BIRTH_DATE_BOUNDS = (datetime.date(1900, 1, 1), LATEST_DATE)


class DateBoundsValidator:
    """Refuses a date (or date-time) outside [earliest, latest]. The message goes under the field, whose
    label the form's template puts in front of it."""

    def __init__(self, earliest, latest):
        self.earliest, self.latest = earliest, latest

    def __call__(self, value):
        day = value.date() if isinstance(value, datetime.datetime) else value
        if self.earliest is not None and day < self.earliest:
            raise ValidationError(
                _("Give a date from %(limit_value)s on."),
                code="date_too_early",
                params={"limit_value": self.earliest.isoformat()},
            )
        if self.latest is not None and day > self.latest:
            raise ValidationError(
                _("Give a date up to %(limit_value)s."),
                code="date_too_late",
                params={"limit_value": self.latest.isoformat()},
            )


# The largest id a database integer column holds: a bigger number in a choice field is an unknown
# choice, not an OverflowError from the database driver (SQLite cannot even bind it).
MAX_ID = 2**63 - 1


def _refusing_impossible_ids(field):
    clean = field.clean

    def bounded_clean(value):
        for item in value if isinstance(value, list | tuple) else [value]:
            text = str(item).strip()
            if text.lstrip("-").isdecimal() and abs(int(text)) > MAX_ID:
                raise ValidationError(
                    field.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
                )
        return clean(value)

    return bounded_clean


class StyledFormMixin:
    """Gives every widget its Bootstrap class, so templates render `{{ field }}` and nothing more, bounds
    every date field (EARLIEST_DATE…LATEST_DATE, or the form's own `date_bounds`, a dict of field name →
    (earliest or None, latest or None)), and makes model choice fields treat ids beyond MAX_ID as
    unknown choices."""

    date_bounds = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                earliest, latest = self.date_bounds.get(name, (EARLIEST_DATE, LATEST_DATE))
                field.validators.append(DateBoundsValidator(earliest, latest))
                # The browser's date picker keeps to the same range.
                if getattr(field.widget, "input_type", "") == "date":
                    field.widget.attrs.setdefault("min", earliest.isoformat() if earliest else "")
                    field.widget.attrs.setdefault("max", latest.isoformat() if latest else "")
            if isinstance(field, forms.ModelChoiceField):  # ModelMultipleChoiceField too
                field.clean = _refusing_impossible_ids(field)
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def show_errors(request, error):
    """Each message of a ValidationError (a refused act of a service) as an error message on the next
    page."""
    for message in error.messages:
        messages.error(request, message)


class SpreadsheetUploadForm(StyledFormMixin, forms.Form):
    """The upload step of an import from a spreadsheet (the roster, the duty records): one file; the
    caller names what the file holds (`label`)."""

    file = forms.FileField(
        help_text=_("Excel (.xlsx, .xls) or CSV, at most 10 MB. Nothing is written before you confirm."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )

    def __init__(self, *args, label, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = label


class ImportModeForm(StyledFormMixin, forms.Form):
    """The confirmation step of an import: the valid rows alone, or all or nothing."""

    mode = forms.ChoiceField(
        label=_("What to import"),
        choices=[
            ("valid", _("Import the valid rows; leave the rows with errors out")),
            ("all", _("Import only if no row has an error (otherwise nothing)")),
        ],
        initial="valid",
        widget=forms.RadioSelect,
    )
