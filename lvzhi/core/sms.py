"""The SMS gateway interface. lvzhi ships no SMS vendor: an intranet install chooses its own (a government
SMS platform, a modem, ...) and names its class in settings (LVZHI_SMS_GATEWAY); without one SMS is
simply not offered. In core so that both accounts (activation codes) and notifications (urgent notices)
can text without importing each other."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsGateway:
    """The interface a deployment implements and names in LVZHI_SMS_GATEWAY ("package.module.Class").
    The class is instantiated without arguments (read credentials from the environment)."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


def sms_available() -> bool:
    return bool(getattr(settings, "LVZHI_SMS_GATEWAY", ""))


def sms_gateway() -> SmsGateway | None:
    """The configured gateway, or None when SMS is not offered."""
    if not sms_available():
        return None
    try:
        gateway: SmsGateway = import_string(settings.LVZHI_SMS_GATEWAY)()
    except Exception:
        # A wrong path must not break the act being notified; the log says what to fix.
        logger.exception("Cannot load the SMS gateway %r", settings.LVZHI_SMS_GATEWAY)
        return None
    return gateway
