"""Small helpers the permission-matrix tests share (role × URL × someone else's object)."""

from django.conf import settings
from django.shortcuts import resolve_url


def body(response):
    """The response's text, streamed or not, for "this secret must not show" checks."""
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def snapshot(models):
    """Every row of `models`, to compare before and after a request that must change nothing."""
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


def assert_sent_to_login(response):
    assert response.status_code == 302, response.status_code
    assert response.url.startswith(resolve_url(settings.LOGIN_URL)), response.url
