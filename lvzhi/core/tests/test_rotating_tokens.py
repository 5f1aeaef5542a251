"""Rotating signed tokens for kiosk QR codes (lvzhi.core.rotating_tokens)."""

from datetime import UTC, datetime, timedelta

import pytest

from lvzhi.core import rotating_tokens
from lvzhi.core.rotating_tokens import make_token, qr_svg, seconds_left, verify_token

PURPOSE = "activity-checkin"
# 2025-03-01 09:00:00 UTC, a multiple of 30 s: the start of a window.
START = datetime(2025, 3, 1, 9, 0, 0, tzinfo=UTC)


def at(seconds):
    return START + timedelta(seconds=seconds)


def verify(token, *, purpose=PURPOSE, object_id=7, now=START, **kwargs):
    return verify_token(token, purpose=purpose, object_id=object_id, now=now, **kwargs)


def test_it_round_trips():
    token = make_token(purpose=PURPOSE, object_id=7, now=START)
    assert verify(token)


def test_it_is_the_same_within_a_window_and_changes_with_the_next():
    first = make_token(purpose=PURPOSE, object_id=7, now=at(0))
    assert make_token(purpose=PURPOSE, object_id=7, now=at(29.9)) == first
    assert make_token(purpose=PURPOSE, object_id=7, now=at(30)) != first


def test_it_accepts_a_unix_timestamp_as_now():
    token = make_token(purpose=PURPOSE, object_id=7, now=START.timestamp())
    assert token == make_token(purpose=PURPOSE, object_id=7, now=START)
    assert verify(token, now=START.timestamp() + 10)


def test_it_is_short_and_url_safe():
    token = make_token(purpose=PURPOSE, object_id=2_147_483_647, now=datetime(2099, 12, 31, tzinfo=UTC))
    assert len(token) <= 60
    assert all(c.isascii() and (c.isalnum() or c in "-_.") for c in token)


@pytest.mark.parametrize("age", [0, 29, 30, 59])
def test_it_accepts_a_token_within_the_grace_window(age):
    token = make_token(purpose=PURPOSE, object_id=7, now=START)
    assert verify(token, now=at(age))


@pytest.mark.parametrize("age", [60, 61, 3600])
def test_it_expires_after_period_times_grace_plus_one(age):
    token = make_token(purpose=PURPOSE, object_id=7, now=START)
    assert not verify(token, now=at(age))


def test_grace_windows_and_period_are_honoured():
    token = make_token(purpose=PURPOSE, object_id=7, now=START, period=10)
    assert verify(token, now=at(9), period=10, grace_windows=0)
    assert not verify(token, now=at(10), period=10, grace_windows=0)
    assert verify(token, now=at(29), period=10, grace_windows=2)
    assert not verify(token, now=at(30), period=10, grace_windows=2)


def test_it_refuses_a_token_from_the_future():
    token = make_token(purpose=PURPOSE, object_id=7, now=at(30))
    assert not verify(token, now=at(29))
    assert verify(token, now=at(30))


def test_it_refuses_a_forged_signature():
    token = make_token(purpose=PURPOSE, object_id=7, now=START)
    window, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert not verify(f"{window}.{flipped}")


def test_it_refuses_a_signature_moved_to_another_window():
    """Re-labelling an old code with the current window must not revive it."""
    old = make_token(purpose=PURPOSE, object_id=7, now=START)
    current = make_token(purpose=PURPOSE, object_id=7, now=at(120))
    forged = current.split(".")[0] + "." + old.split(".")[1]
    assert not verify(forged, now=at(120))


def test_it_refuses_a_token_for_another_object():
    token = make_token(purpose=PURPOSE, object_id=7, now=START)
    assert not verify(token, object_id=8)


def test_it_refuses_a_token_for_another_purpose():
    token = make_token(purpose="meeting-checkin", object_id=7, now=START)
    assert not verify(token)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        ".",
        "abc",
        "abc.",
        ".abc",
        "x" * 500,
        "zzzzzzzzzzzzzzzzzzzz.AAAAAAAAAAAAAAAAAAAAAA",
        None,
        42,
        b"x.y",
    ],
)
def test_it_refuses_garbage_without_raising(garbage):
    assert verify_token(garbage, purpose=PURPOSE, object_id=7, now=START) is False


def test_it_refuses_a_truncated_token():
    token = make_token(purpose=PURPOSE, object_id=7, now=START)
    for cut in (1, 2, len(token) // 2):
        assert not verify(token[:-cut])
    assert not verify(token + "A")
    assert not verify(" " + token)


def test_another_secret_key_gives_another_token(settings):
    token = make_token(purpose=PURPOSE, object_id=7, now=START)
    settings.SECRET_KEY = "another-secret-key-for-this-test-" + "x" * 40
    other = make_token(purpose=PURPOSE, object_id=7, now=START)
    assert other != token
    assert not verify(token)
    assert verify(other)


@pytest.mark.parametrize(("offset", "expected"), [(0, 30), (0.2, 30), (1, 29), (29, 1), (29.5, 1), (30, 30)])
def test_seconds_left_counts_to_the_next_window(offset, expected):
    assert seconds_left(now=at(offset)) == expected


def test_seconds_left_without_now_is_within_the_period():
    assert 1 <= seconds_left() <= 30


def test_qr_svg_draws_an_inline_svg():
    svg = qr_svg("https://example.org/activities/7/check-in/?t=" + make_token(purpose=PURPOSE, object_id=7))
    assert svg.lstrip().startswith("<svg")
    assert "</svg>" in svg
    # Scalable: a viewBox and no fixed size, or the kiosk draws it small in a corner of a big box.
    opening = svg[: svg.index(">")]
    assert "viewBox" in opening
    assert "width=" not in opening


@pytest.mark.parametrize(("period", "grace"), [(30, 1), (10, 0), (10, 2)])
def test_expires_at_is_the_first_moment_verify_refuses(period, grace):
    token = make_token(purpose=PURPOSE, object_id=7, now=START, period=period)
    end = rotating_tokens.expires_at(token, period=period, grace_windows=grace)

    assert verify(token, now=end - 0.001, period=period, grace_windows=grace)
    assert not verify(token, now=end, period=period, grace_windows=grace)
