"""No inline script can run: every response carries a Content-Security-Policy that allows scripts only
from our own static files, and no template relies on inline script or event-handler attributes (lvzhi.js
wires data-* attributes instead). The browser journeys check that no page reports a violation."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


@pytest.mark.parametrize("url", [reverse("accounts:login"), "/no-such-page/"])
def test_every_response_carries_the_policy(client, db, url):
    policy = client.get(url).headers["Content-Security-Policy"]

    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy


def template_files():
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_script(path):
    text = path.read_text(encoding="utf-8")

    assert not INLINE_SCRIPT.search(text), "inline <script>: move it into static/lvzhi/lvzhi.js"
    assert not EVENT_HANDLER.search(text), "on…= attribute: use a data-* attribute that lvzhi.js handles"
    assert not JAVASCRIPT_URL.search(text), "javascript: URL: use a real link (data-history-back)"
