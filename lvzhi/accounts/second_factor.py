"""TOTP second factor (RFC 6238, 30-second steps, 6 digits) for the administrator roles and for the
holders of rights to full personal data (DESIGN §8)."""

import pyotp
import segno
from django.db import transaction
from django.utils import timezone

from lvzhi.core import audit

from .models import TOTPDevice
from .roles import PERSONAL_DATA_PERMISSIONS

ISSUER = "lvzhi"
# One step either side absorbs a phone clock that is up to 30 s off.
VALID_WINDOW = 1


def required_for(user):
    return user.is_authenticated and (
        user.has_perm("accounts.requires_second_factor")
        or any(user.has_perm(perm) for perm in PERSONAL_DATA_PERMISSIONS)
    )


def enrolled(user):
    return TOTPDevice.objects.filter(user=user).exists()


def new_secret():
    return pyotp.random_base32()


def provisioning_uri(user, secret):
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)


def qr_svg(uri):
    """The enrolment QR code as an inline SVG string, drawn on the server."""
    return segno.make(uri, error="m").svg_inline(scale=5)


def code_matches(secret, code, *, after_step=0):
    """The time step that `code` belongs to, or None. Steps at or before `after_step` are refused."""
    code = (code or "").strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    step_now = totp.timecode(now)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = step_now + offset
        if step > after_step and totp.generate_otp(step) == code:
            return step
    return None


@transaction.atomic
def verify(user, code):
    """Check a code against the user's enrolled device and burn its step; True when it is good."""
    device = TOTPDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        return False
    step = code_matches(device.secret, code, after_step=device.last_step)
    if step is None:
        return False
    device.last_step = step
    device.save(update_fields=["last_step"])
    return True


@transaction.atomic
def enroll(user, secret, code, *, request=None):
    """Enrol `user`'s authenticator app when `code` matches `secret`: the new device replaces any
    earlier one, and the enrolment is audited in the same transaction. None when the code is wrong."""
    step = code_matches(secret, code)
    if step is None:
        return None
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, secret=secret, last_step=step)
    audit.record(
        audit.Action.UPDATE, actor=user, request=request, obj=user, event="accounts.second_factor_enrolled"
    )
    return device
