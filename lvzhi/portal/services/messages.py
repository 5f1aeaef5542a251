"""公众留言 from the writer's side: a message sent from the public site, and the lookup by its query code.

There is no account and no actor: the writer is known by the telephone they leave (for the office only,
encrypted at rest, never in an audit row or a public page) and follows the message with the query code
this service issues, of which only a keyed digest is stored (query_codes). Every field is checked here,
whoever calls (the public form, the demo), with a message naming the field; a message holding one of the
committee's sensitive words is taken in but held for a moderator's explicit check (sensitive)."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lvzhi.core import audit

from .. import query_codes, sensitive
from ..models import TITLE_MAX, Category, PublicMessage
from ..public_site import settings_for

if TYPE_CHECKING:
    from lvzhi.organization.models import Committee

NAME_MAX = 50
HITS_MAX: int = PublicMessage._meta.get_field("sensitive_hits").max_length or 500

# The fields' names, as the form labels them and the messages name them.
LABELS = {
    # zh: 类别 / 标题 / 内容 / 姓名 / 联系电话
    "category": gettext_lazy("Category"),
    "title": gettext_lazy("Title"),
    "content": gettext_lazy("Content"),
    "name": gettext_lazy("Name"),
    "phone": gettext_lazy("Telephone"),
}

MOBILE = re.compile(r"1[3-9]\d{9}")
# Area codes: 010 and 02x have three digits, every other one four (0551 合肥, 0311 石家庄); the local
# number seven or eight digits, never starting with 0 or 1. Without a dash the split is still certain.
LANDLINE = re.compile(r"(010|02\d|0[3-9]\d\d)([2-9]\d{6,7})")
# Between the digits people write spaces, dashes and brackets around the area code; NFKC has already
# made full-width ones (（０５５１）) plain.
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")
# Characters that reorder the text around them (right-to-left overrides and isolates): in a title they
# can make the moderation list show something else than what was written.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class MessageError(ValidationError):
    """A message refused: a field's problem (keyed by the field) or the board closed. Shown on the form,
    never a 500."""


def text_max() -> int:
    return int(settings.LVZHI_PUBLIC_TEXT_MAX)


def _cleaned(value: str | None, *, multiline: bool) -> str:
    """The text without control characters (the invisible debris of copying and pasting) and without
    text-direction overrides; a one-line field's tabs and line breaks become spaces. Line breaks are
    counted as one character, as the browser's maxlength counts them."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for ch in text:
        if ch in "\n\t":
            kept.append(ch if multiline else " ")
        elif unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI_CONTROLS:
            continue
        else:
            kept.append(ch)
    return "".join(kept).strip()


def normalize_phone(value: str | None) -> str | None:
    """A mainland mobile number as its 11 digits (a leading +86 dropped), a landline as 0551-6512345;
    None when it is neither."""
    text = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", value or ""))
    if text.startswith("+86"):
        text = text[3:]
    if MOBILE.fullmatch(text):
        return text
    landline = LANDLINE.fullmatch(text)
    if landline:
        return f"{landline.group(1)}-{landline.group(2)}"
    return None


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _held_words(words: list[str]) -> str:
    """The words found, comma-separated, as many whole words as the column holds."""
    shown = ""
    for word in words:
        candidate = f"{shown}, {word}" if shown else word
        if len(candidate) > HITS_MAX:
            break
        shown = candidate
    return shown


def _check_fields(
    *, category: str, title: str, content: str, name: str, phone: str
) -> tuple[dict[str, list[str]], str | None]:
    """The problems of the (already cleaned) fields by field, and the normalised phone."""
    problems: dict[str, list[str]] = {}

    def problem(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if category not in Category.values:
        # zh: 类别：请从列表中选择留言涉及的方面。
        problem("category", _("Category: choose from the list what the message is about."))
    if not title:
        # zh: 标题：请填写，用一句话说明留言的事由。
        problem("title", _("Title: write one, a sentence saying what the message is about."))
    elif len(title) > TITLE_MAX:
        problem(
            "title",
            # zh: 标题：最多 %(limit)s 个字，现有 %(count)s 个字。
            _("Title: at most %(limit)s characters; it has %(count)s.")
            % {"limit": TITLE_MAX, "count": len(title)},
        )
    limit = text_max()
    if not content:
        # zh: 内容：请填写您要反映的情况或建议。
        problem("content", _("Content: write the situation or the suggestion you want to raise."))
    elif len(content) > limit:
        problem(
            "content",
            # zh: 内容：最多 %(limit)s 个字，现有 %(count)s 个字，请精简。
            _("Content: at most %(limit)s characters; it has %(count)s. Please shorten it.")
            % {"limit": limit, "count": len(content)},
        )
    if len(name) > NAME_MAX:
        problem(
            "name",
            # zh: 姓名：最多 %(limit)s 个字。
            _("Name: at most %(limit)s characters.") % {"limit": NAME_MAX},
        )
    normalized_phone = None
    if not phone:
        # zh: 联系电话：请填写，办公室需要时与您联系；电话不会公开。
        problem(
            "phone",
            _("Telephone: write a number the office can call you back on; it is never made public."),
        )
    else:
        normalized_phone = normalize_phone(phone)
        if normalized_phone is None:
            problem(
                "phone",
                # zh: 联系电话：请填写11位手机号码（如 13912345678）或带区号的固定电话（如 0551-6512345）。
                _(
                    "Telephone: write an 11-digit mobile number (e.g. 13912345678) or a landline with its "
                    "area code (e.g. 0551-6512345)."
                ),
            )
    return problems, normalized_phone


@transaction.atomic
def submit_message(
    *,
    committee: Committee,
    category: str,
    title: str,
    content: str,
    name: str,
    phone: str,
    client_ip: str | None,
) -> tuple[PublicMessage, str]:
    """Take in a message for `committee`'s board: the message and its query code, shown to the writer
    once and stored only as a digest. Refused (MessageError) when the board is closed or a field is
    wrong, with every field's problems at once, keyed by field."""
    site = settings_for(committee)
    if not site.accepting_messages:
        raise MessageError(
            # zh: 留言板暂停接收留言。如有急事，请拨打办公室电话。
            _(
                "The message board is not taking messages at the moment. For anything urgent, call the office."
            ),
            code="closed",
        )
    raw = {"title": title, "content": content, "name": name, "phone": phone}
    nul_problems = {
        # PostgreSQL cannot store the character; it has no business in a message anyway.
        # zh: %(field)s：含有无法保存的字符（\0），请删除后再提交。
        field: [
            _("%(field)s: it holds a character that cannot be stored (\\0); remove it.")
            % {"field": LABELS[field]}
        ]
        for field, value in raw.items()
        if "\x00" in (value or "")
    }
    category = (category or "").strip()
    title = _cleaned(title, multiline=False)
    content = _cleaned(content, multiline=True)
    name = _cleaned(name, multiline=False)
    phone = _cleaned(phone, multiline=False)
    problems, normalized_phone = _check_fields(
        category=category, title=title, content=content, name=name, phone=phone
    )
    for field, messages in nul_problems.items():
        problems[field] = messages  # the one problem to fix first
    if problems:
        raise MessageError(problems)
    assert normalized_phone is not None
    code = query_codes.new_code()
    message = PublicMessage.objects.create(
        committee=committee,
        category=category,
        title=title,
        content=content,
        name=name,
        phone=normalized_phone,
        code_digest=query_codes.digest(code),
        sensitive_hits=_held_words(sensitive.hits(site.word_list(), title, content, name)),
        client_ip=_valid_ip(client_ip),
    )
    # The writer's own words for the title; never the name or the telephone (the middleware adds the
    # client address).
    audit.record(
        audit.Action.CREATE,
        committee=committee,
        obj=message,
        event="portal.message_received",
        params={"title": title},
    )
    return message, code


def find_by_code(committee: Committee, code: str) -> PublicMessage | None:
    """The message of `committee` whose query code is `code`, or None (a garbled code, another
    committee's, or no such code). The telephone is not read: nothing on the lookup page needs it."""
    wanted = query_codes.digest(code or "")
    if not wanted:
        return None
    return PublicMessage.objects.filter(committee=committee, code_digest=wanted).defer("phone").first()
