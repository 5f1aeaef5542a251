"""Delivery channels beyond the in-app inbox: email through Django's mail framework, and SMS through a
gateway class that the deployment names in settings (LVZHI_SMS_GATEWAY). The gateway interface lives in
lvzhi.core.sms (accounts texts activation codes through it too); it is re-exported here for the callers
of this module."""

import logging

from django.conf import settings
from django.core.mail import get_connection, send_mail

from lvzhi.core.sms import SmsGateway, sms_available, sms_gateway

logger = logging.getLogger(__name__)

__all__ = ["EmailChannel", "SmsGateway", "phone_for", "send_sms", "sms_available", "sms_gateway"]


def _member_file(user):
    # A missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
    return getattr(user, "member", None)


class EmailChannel:
    """Sends plain-text email over one connection (EMAIL_BACKEND and friends from settings)."""

    def __init__(self):
        self.connection = get_connection(fail_silently=False)

    @staticmethod
    def address_for(user):
        """The account's email, else (for a member's account) the email in the member file."""
        if user.email:
            return user.email
        member = _member_file(user)
        return member.email if member is not None else ""

    def send(self, user, *, subject, body):
        """True when the message was handed to the mail backend; a failure is logged, not raised, so
        that one bad address or a mail server outage never undoes the act that caused the notice."""
        address = self.address_for(user)
        if not address:
            return False
        try:
            send_mail(
                subject,
                body,
                settings.DEFAULT_FROM_EMAIL,
                [address],
                connection=self.connection,
            )
        except Exception:
            logger.exception("Email to user %s failed", user.pk)
            return False
        return True


def phone_for(user):
    """SMS goes to the mobile phone in the member file; accounts without a file have no phone."""
    member = _member_file(user)
    return member.phone if member is not None else ""


def send_sms(gateway, user, text):
    phone = phone_for(user)
    if not phone:
        return False
    try:
        gateway.send(phone, text)
    except Exception:
        logger.exception("SMS to user %s failed", user.pk)
        return False
    return True
