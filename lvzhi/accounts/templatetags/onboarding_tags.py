"""For pages of other apps (the member list and file, the roster import) that offer member onboarding."""

from django import template

from lvzhi.accounts import onboarding

register = template.Library()


@register.simple_tag
def may_onboard(user):
    """Whether the user may create members' accounts and issue activation codes (onboarding.may_onboard)."""
    return onboarding.may_onboard(user)
