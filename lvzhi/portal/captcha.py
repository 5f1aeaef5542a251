"""The public message form's captcha, self-hosted: no outside service, no network (DESIGN §2.6).

A challenge is four characters drawn from an alphabet without look-alikes (no 0/O/Q/D, 1/I/L, 2/Z, 5/S,
8/B, 6/G, U/V, A/4), kept in Django's default cache for ten minutes under a random key; the form carries
only the key. Four characters rather than a small sum ("7+5"): a sum has some seventeen possible answers,
so a script answering at random passes one time in seventeen, while four of these eighteen characters
make 104,976 answers; the rate limit on posting then makes guessing hopeless. Case and spaces do not
matter when checking, so an older reader on a phone need not find the shift key.

A challenge is single-use: the first check deletes it whatever the answer, so a solved image cannot be
replayed, and a form sent twice (double click, back and send again) creates one message. The image is
drawn from the key with a seeded generator, so fetching it again gives the same picture (nothing to
average out over many fetches).

Not everyone can read a picture (WCAG 1.1.1): the form offers a new image without JavaScript and names
the office telephone as another way to leave a message."""

from __future__ import annotations

import hashlib
import math
import random
import re
import secrets
from io import BytesIO

from django.core.cache import cache
from PIL import Image, ImageDraw, ImageFont

ALPHABET = "CEFHJKMNPRTWXY3479"
LENGTH = 4
TIMEOUT = 10 * 60
WIDTH, HEIGHT = 160, 56
_PREFIX = "lvzhi:portal:captcha:"
_SENT_PREFIX = "lvzhi:portal:captcha-sent:"
# secrets.token_urlsafe(18): 24 characters; anything else is no key of ours (and never a cache key).
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
_BACKGROUND = (247, 246, 240)


def _cache_key(key: str) -> str | None:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        return None
    return _PREFIX + key


def new_challenge() -> str:
    """A new challenge: its key (url-safe), for the form's hidden field and the image's address."""
    key = secrets.token_urlsafe(18)
    answer = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    cache.set(_PREFIX + key, answer, TIMEOUT)
    return key


def answer_for(key: str) -> str | None:
    """The answer of a live challenge (for the image, and for tests and scripted browser runs, which
    read it as a person reads the picture); None when unknown or expired. No page ever shows it."""
    cache_key = _cache_key(key)
    answer = cache.get(cache_key) if cache_key else None
    return str(answer) if answer else None


def _normalized(answer: str) -> str:
    return "".join((answer or "").split()).upper()


def check(key: str, answer: str) -> bool:
    """Whether `answer` is the challenge's (ignoring case and spaces). Single use: the challenge is gone
    after this call, whatever the outcome. Of two requests racing with the same key only the one whose
    delete removed it can pass."""
    cache_key = _cache_key(key)
    if cache_key is None:
        return False
    expected = cache.get(cache_key)
    removed = cache.delete(cache_key)
    if not expected or not removed:
        return False
    return secrets.compare_digest(_normalized(answer).encode(), str(expected).encode())


def image_png(key: str) -> bytes | None:
    """The challenge's picture (PNG, WIDTH × HEIGHT), or None for an unknown or expired key."""
    answer = answer_for(key)
    if not answer:
        return None
    # Seeded by the key: the same picture on every fetch (not a secret; the answer is in the cache).
    rng = random.Random(hashlib.sha256(key.encode()).digest())
    image = Image.new("RGB", (WIDTH, HEIGHT), _BACKGROUND)
    _noise_dots(image, rng)
    _characters(image, str(answer), rng)
    image = _waved(image, rng)
    _noise_lines(image, rng)
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _dark(rng: random.Random) -> tuple[int, int, int]:
    # Dark enough on the light background for a contrast well above 7:1.
    return (rng.randint(0, 70), rng.randint(0, 60), rng.randint(40, 110))


def _characters(image: Image.Image, answer: str, rng: random.Random) -> None:
    font = ImageFont.load_default(size=34)
    slot = (WIDTH - 16) // len(answer)
    for index, char in enumerate(answer):
        tile = Image.new("RGBA", (48, 52), (0, 0, 0, 0))
        # Centred on its own ink, not on the font's line: capitals and digits sit alike.
        left, top, right, bottom = font.getbbox(char, stroke_width=1)
        origin = (24 - (left + right) / 2, 26 - (top + bottom) / 2)
        ImageDraw.Draw(tile).text(
            origin, char, font=font, fill=_dark(rng), stroke_width=1, stroke_fill=_dark(rng)
        )
        tile = tile.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC, expand=False)
        x = 8 + index * slot + rng.randint(-3, 3) + (slot - 48) // 2
        y = (HEIGHT - 52) // 2 + rng.randint(-2, 2)
        image.paste(tile, (x, y), tile)


def _waved(image: Image.Image, rng: random.Random) -> Image.Image:
    """Each column shifted up or down along a sine: the letters' baseline no longer straight."""
    amplitude = rng.uniform(2.0, 3.5)
    period = rng.uniform(40, 70)
    phase = rng.uniform(0, 2 * math.pi)
    waved = Image.new("RGB", image.size, _BACKGROUND)
    for x in range(WIDTH):
        shift = round(amplitude * math.sin(2 * math.pi * x / period + phase))
        column = image.crop((x, 0, x + 1, HEIGHT))
        waved.paste(column, (x, shift))
    return waved


def _noise_lines(image: Image.Image, rng: random.Random) -> None:
    # Thinner and lighter than the letters' strokes: they cross the letters without hiding them.
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        start = (rng.randint(0, WIDTH // 3), rng.randint(4, HEIGHT - 4))
        end = (rng.randint(2 * WIDTH // 3, WIDTH), rng.randint(4, HEIGHT - 4))
        shade = rng.randint(90, 150)
        draw.line([start, end], fill=(shade, shade + 10, shade - 20), width=1)


def _noise_dots(image: Image.Image, rng: random.Random) -> None:
    draw = ImageDraw.Draw(image)
    for _ in range(180):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        shade = rng.randint(150, 215)
        draw.point((x, y), fill=(shade, shade, shade - 10))


def discard(key: str) -> None:
    """Forget a challenge the visitor replaced with a new image."""
    cache_key = _cache_key(key)
    if cache_key is not None:
        cache.delete(cache_key)


def mark_sent(key: str) -> None:
    """The challenge `key` let a message through: a second sending of the same form (double click,
    back and send again) is then told so instead of being asked for a new code."""
    cache_key = _cache_key(key)
    if cache_key is not None:
        cache.set(_SENT_PREFIX + key, True, TIMEOUT)


def was_sent(key: str) -> bool:
    cache_key = _cache_key(key)
    return cache_key is not None and bool(cache.get(_SENT_PREFIX + key))
