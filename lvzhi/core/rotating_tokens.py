"""Short signed tokens that change every `period` seconds, for QR codes shown on a kiosk or projector.

A token is "<window>.<signature>": the time window (floor(unix time / period)) in base 36, then an
HMAC-SHA256 (keyed from SECRET_KEY with a purpose-specific salt) over purpose, object id and window,
cut to 128 bits and base64url-encoded. About 30 characters, so the QR code stays small enough to scan
from the back of a hall. A photo of the code sent to a friend stops working once its window falls
out of the grace period.

The window is carried in the token, so verification needs one HMAC, can tell a future window from an
expired one, and does not depend on the kiosk and the phone being in the same window.
"""

import base64
import math
import re
import time
from datetime import datetime

import segno
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

DEFAULT_PERIOD = 30
SIGNATURE_BYTES = 16  # 128 bits: enough against forgery within a 30 s window, short enough for a QR code
_SALT_PREFIX = "lvzhi.core.rotating_tokens:"
_TOKEN_RE = re.compile(r"\A([0-9a-z]{1,13})\.([A-Za-z0-9_-]{22})\Z")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _timestamp(now) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        if timezone.is_naive(now):
            now = timezone.make_aware(now)
        return now.timestamp()
    return float(now)


def _window(now, period: int) -> int:
    if period <= 0:
        raise ValueError("period must be positive")
    return int(_timestamp(now) // period)


def _base36(number: int) -> str:
    if number == 0:
        return "0"
    digits = []
    while number:
        number, rest = divmod(number, 36)
        digits.append(_DIGITS[rest])
    return "".join(reversed(digits))


def _signature(purpose: str, object_id: int, window: int) -> str:
    mac = salted_hmac(
        _SALT_PREFIX + purpose, f"{purpose}:{int(object_id)}:{window}", algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(mac[:SIGNATURE_BYTES]).decode().rstrip("=")


def make_token(*, purpose: str, object_id: int, now=None, period: int = DEFAULT_PERIOD) -> str:
    """The token for `purpose` and `object_id` in the window that contains `now` (default: the clock).

    `now` may be an aware datetime (naive ones are read in the current time zone) or a unix timestamp.
    """
    window = _window(now, period)
    if window < 0:
        raise ValueError("times before 1970 are not supported")
    return f"{_base36(window)}.{_signature(purpose, object_id, window)}"


def verify_token(
    token,
    *,
    purpose: str,
    object_id: int,
    now=None,
    period: int = DEFAULT_PERIOD,
    grace_windows: int = 1,
) -> bool:
    """True when `token` was made for this purpose and object in the current window or up to
    `grace_windows` windows before it (a scan just as the code changes still works).

    Never raises on bad input: garbage, tampered, foreign, future and expired tokens all give False.
    """
    if not isinstance(token, str):
        return False
    match = _TOKEN_RE.match(token)
    if match is None:
        return False
    window = int(match.group(1), 36)
    current = _window(now, period)
    if not current - grace_windows <= window <= current:
        return False
    return constant_time_compare(match.group(2), _signature(purpose, object_id, window))


def expires_at(token: str, *, period: int = DEFAULT_PERIOD, grace_windows: int = 1) -> float:
    """The unix time at which `verify_token` stops accepting `token` (with the same period and grace):
    the end of the last grace window after the one the token names. For a token already verified."""
    match = _TOKEN_RE.match(token)
    if match is None:
        raise ValueError("not a rotating token")
    return (int(match.group(1), 36) + 1 + grace_windows) * period


def seconds_left(now=None, period: int = DEFAULT_PERIOD) -> int:
    """Whole seconds until the next window starts (1..period), for the kiosk page's refresh."""
    timestamp = _timestamp(now)
    remaining = period - (timestamp % period)
    return max(1, min(period, math.ceil(remaining)))


def qr_svg(text: str) -> str:
    """`text` as a QR code in an inline SVG string, drawn on the server. Without a fixed size (a viewBox
    only), so that the kiosk page's CSS scales it to the screen."""
    return segno.make(text, error="m").svg_inline(scale=8, omitsize=True)
