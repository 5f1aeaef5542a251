"""{% opinion_feedback report %}: the feedback section of a report's page (templates/opinions/
_feedback.html), with what it needs fetched here, so that the report page only names the report."""

from django import template

register = template.Library()


@register.inclusion_tag("opinions/_feedback.html", takes_context=True)
def opinion_feedback(context, report):
    from ..views.feedback import feedback_context

    request = context["request"]
    return {
        **feedback_context(request.user, report),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
