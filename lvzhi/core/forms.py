from django import forms
from django.contrib import messages


class StyledFormMixin:
    """Gives every widget its Bootstrap class, so templates render `{{ field }}` and nothing more."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
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
