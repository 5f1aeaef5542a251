from django import template

from lvzhi.ledger import kinds

register = template.Library()


@register.filter
def role_label(role):
    """A ledger role code (lead, co…) as people read it (第一提案人…)."""
    return kinds.role_label(role)
