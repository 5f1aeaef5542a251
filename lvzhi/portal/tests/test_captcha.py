"""The self-hosted captcha: challenges in the cache for ten minutes, single-use checks that ignore case
and spaces, a readable PNG served without caching, 404 for unknown keys."""

import io
import re
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from PIL import Image

from lvzhi.portal import captcha

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def _empty_cache(memory_cache):
    """A cache of the test's own: clearing the shared one (Redis, in the PostgreSQL stage) would wipe
    the captchas of tests running beside this one."""


@pytest.fixture
def later(monkeypatch, memory_cache):
    """later(seconds): the clock (and so the cache's expiry) moved on."""

    def move(seconds):
        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() + seconds)

    return move


def test_a_challenge_is_a_url_safe_key_with_four_characters_of_the_alphabet():
    key = captcha.new_challenge()
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", key)
    answer = captcha.answer_for(key)
    assert len(answer) == 4
    assert set(answer) <= set(captcha.ALPHABET)
    assert captcha.new_challenge() != key


def test_the_alphabet_has_no_look_alikes():
    assert not set(captcha.ALPHABET) & set("0O1IL2Z5S8B6GUVQDA")


def test_the_answer_is_kept_under_a_namespaced_key():
    key = captcha.new_challenge()
    assert cache.get(key) is None
    assert cache.get(f"lvzhi:portal:captcha:{key}") == captcha.answer_for(key)


def test_the_right_answer_passes_ignoring_case_and_spaces():
    key = captcha.new_challenge()
    answer = captcha.answer_for(key)
    typed = f" {answer[:2].lower()} {answer[2:]} "
    assert captcha.check(key, typed)


def test_a_check_uses_the_challenge_up_whatever_the_outcome():
    key = captcha.new_challenge()
    answer = captcha.answer_for(key)
    assert not captcha.check(key, "WRONG")
    assert captcha.answer_for(key) is None
    assert not captcha.check(key, answer)

    key = captcha.new_challenge()
    answer = captcha.answer_for(key)
    assert captcha.check(key, answer)
    assert not captcha.check(key, answer)


def test_a_challenge_expires_after_ten_minutes(later):
    key = captcha.new_challenge()
    answer = captcha.answer_for(key)
    later(9 * 60)
    assert captcha.answer_for(key) == answer
    later(10 * 60 + 1)
    assert captcha.answer_for(key) is None
    assert not captcha.check(key, answer)
    assert captcha.image_png(key) is None


@pytest.mark.parametrize("key", ["", "short", "../../etc/passwd", "a" * 65, "space in key here!!", None, 123])
def test_unknown_or_malformed_keys_never_pass(key):
    assert not captcha.check(key, "ABCD")
    assert captcha.image_png(key) is None
    assert captcha.answer_for(key) is None


def test_an_empty_answer_does_not_pass():
    assert not captcha.check(captcha.new_challenge(), "")


def test_the_image_is_a_png_of_the_right_size_and_the_same_on_every_fetch():
    key = captcha.new_challenge()
    png = captcha.image_png(key)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (captcha.WIDTH, captcha.HEIGHT)
    assert captcha.image_png(key) == png
    assert captcha.image_png(captcha.new_challenge()) != png


def test_the_image_has_dark_characters_on_a_light_background():
    image = Image.open(io.BytesIO(captcha.image_png(captcha.new_challenge()))).convert("L")
    pixels = image.tobytes()
    dark = sum(1 for p in pixels if p < 80)
    light = sum(1 for p in pixels if p > 200)
    # Ink: a few hundred pixels at least; background: most of the picture.
    assert dark > 300
    assert light > len(pixels) // 2


def test_discarding_forgets_the_challenge():
    key = captcha.new_challenge()
    captcha.discard(key)
    assert captcha.answer_for(key) is None


def test_a_key_that_let_a_message_through_is_remembered_as_sent():
    key = captcha.new_challenge()
    assert not captcha.was_sent(key)
    captcha.mark_sent(key)
    assert captcha.was_sent(key)
    assert not captcha.was_sent("../x")


# --- the image's page ---------------------------------------------------------------------------------


def test_the_image_page_serves_the_png_uncached(client, committee):
    key = captcha.new_challenge()
    response = client.get(reverse("public:captcha", args=[committee.code, key]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert response.content == captcha.image_png(key)
    # Showing the image does not use the challenge up.
    assert captcha.answer_for(key)


def test_the_image_page_is_404_for_an_unknown_or_used_key(client, committee):
    assert client.get(reverse("public:captcha", args=[committee.code, "A" * 24])).status_code == 404
    key = captcha.new_challenge()
    captcha.check(key, "x")
    assert client.get(reverse("public:captcha", args=[committee.code, key])).status_code == 404


def test_the_image_page_is_404_for_an_unknown_committee(client, db):
    key = captcha.new_challenge()
    assert client.get(reverse("public:captcha", args=["nowhere", key])).status_code == 404
