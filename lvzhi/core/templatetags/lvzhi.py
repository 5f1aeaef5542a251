from django import template
from django.utils.html import format_html

from lvzhi.core import submission

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_token(context):
    """A hidden one-time token; a re-rendered form (after a validation error) keeps the token it was
    first given, so correcting a mistake is not mistaken for a second submission."""
    request = context.get("request")
    token = (
        request.POST.get(submission.FIELD) if request is not None and request.method == "POST" else None
    ) or (submission.new_token())
    return format_html('<input type="hidden" name="{}" value="{}">', submission.FIELD, token)
