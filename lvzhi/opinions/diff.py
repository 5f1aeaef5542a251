"""The editors' changes made visible: the author's text against the edited one, character by character
(Chinese has no spaces between words), escaped, with <del> for what went and <ins> for what came."""

from __future__ import annotations

import difflib

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Beyond this many characters a character diff costs too much; the two texts are then shown whole.
MAX_DIFF_CHARS = 30000


def char_diff(original: str, edited: str) -> SafeString:
    """HTML of `edited` with the changes from `original` marked; every piece of text escaped."""
    original, edited = original or "", edited or ""
    if len(original) + len(edited) > MAX_DIFF_CHARS:
        return format_html("<del>{}</del><ins>{}</ins>", original, edited)
    matcher = difflib.SequenceMatcher(None, original, edited, autojunk=False)
    parts = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(original[a1:a2]))
            continue
        if a2 > a1:
            parts.append(format_html("<del>{}</del>", original[a1:a2]))
        if b2 > b1:
            parts.append(format_html("<ins>{}</ins>", edited[b1:b2]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped
