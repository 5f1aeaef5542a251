"""The office's moderation of public messages (公众留言, DESIGN §6.4), its reply templates and the public
site's settings.

    received ─publish (reply)→ published ─hide→ hidden ─restore→ received
        │  ─answer privately→ answered ─publish / hide
        │  ─hide (reason)→ hidden
        └─convert→ converted (a 社情民意 report) ─publish / answer privately

Every step: the right (portal.moderate_publicmessage, in the message's committee) → lock the row with
the version the page showed (core.workflow.lock) → check the input → move it through the transition
table with its history row and audit row (core.workflow.move; the audit row carries the request's client
address from the audit middleware). A message is never deleted: hiding keeps it with its reason.

The writer's telephone is shown to staff masked; `reveal_phone` gives the full number, audited. A message
turned into a report carries the writer's name and telephone into the report only when the moderator
asks for it (include_contact): the report's readers do not otherwise need them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit, workflow
from lvzhi.opinions.services import reports as opinion_reports

from ..models import PortalSettings, PublicMessage, PublicMessageStatusChange, ReplyTemplate
from ..permissions import CHANGE_SETTINGS, MODERATE

if TYPE_CHECKING:
    from lvzhi.accounts.models import User
    from lvzhi.opinions.models import OpinionReport
    from lvzhi.organization.models import Committee

Status = PublicMessage.Status

REPLY_MAX = 5000
REASON_MAX = 500
TEMPLATE_TITLE_MAX: int = ReplyTemplate._meta.get_field("title").max_length or 100
TEMPLATE_TEXT_MAX = 5000
REPORT_TITLE_MAX = 200
REPORT_BODY_MAX = 20000
WORD_MAX = 50
WORDS_MAX = 1000
OVERDUE_DAYS_MIN = 1
OVERDUE_DAYS_MAX = 90
OFFICE_PHONE_MAX: int = PortalSettings._meta.get_field("office_phone").max_length or 40
# An audit row names the sensitive words added or removed when they are this few; past that, counts.
WORDS_NAMED_MAX = 10


class ModerationError(ValidationError):
    """A refused step or bad input: shown to the moderator as a message, never a 500."""


# --- rights -------------------------------------------------------------------------------------------


def _require_committee(actor: User, committee_id: int) -> None:
    if actor.committee_id is None or actor.committee_id != committee_id:
        raise PermissionDenied("another committee's public site")


def _require_moderator(actor: User, committee_id: int) -> None:
    _require_committee(actor, committee_id)
    if not actor.has_perm(MODERATE):
        raise PermissionDenied(MODERATE)


# --- input --------------------------------------------------------------------------------------------


def _text(value: str | None, *, limit: int, required: str, too_long: str, code: str) -> str:
    """`value` stripped; ModerationError with `required` when empty, `too_long` past `limit` characters.
    Line breaks typed in a textarea (CRLF) count as one character, as the page's counter counts them."""
    text = (value or "").replace("\r\n", "\n").strip()
    if not text and required:
        raise ModerationError(required, code=f"{code}_required")
    if len(text) > limit:
        raise ModerationError(too_long, code=f"{code}_too_long", params={"limit": limit})
    if "\x00" in text:
        # zh: 不能包含字符 \0。
        raise ModerationError(_("The text cannot hold the character \\0."), code="nul")
    return text


# A blank of a reply template ({部门}, {date}) that the moderator has not filled in yet.
_TEMPLATE_BLANK = re.compile(r"\{[^{}\s]{1,20}\}")


def _reply(reply: str | None) -> str:
    text = _text(
        reply,
        limit=REPLY_MAX,
        # zh: 答复：请填写答复内容。
        required=_("Reply: write the reply."),
        # zh: 答复：最多 %(limit)s 字。
        too_long=_("Reply: at most %(limit)s characters."),
        code="reply",
    )
    blank = _TEMPLATE_BLANK.search(text)
    if blank:
        # The writer (and, published, everyone) would read the template's blank as it is.
        raise ModerationError(
            _("Reply: fill in the template's blank %(blank)s before sending."),
            code="reply_blank",
            params={"blank": blank.group()},
        )
    return text


# --- the steps ----------------------------------------------------------------------------------------


def _lock(message: PublicMessage, expected_version: int | None) -> PublicMessage:
    return workflow.lock(PublicMessage, message.pk, expected_version)


def _illegal() -> str:
    # zh: 状态为“%(from)s”的留言不能改为“%(to)s”。
    return _("A message that is “%(from)s” cannot become “%(to)s”.")


def _move(message: PublicMessage, to_status: str, *, actor: User, event: str, reason: str = "") -> None:
    """The move through the transition table (history and audit rows); the caller saves the row."""
    workflow.move(
        message,
        to_status,
        actor=actor,
        history=(PublicMessageStatusChange, "message"),
        error=ModerationError,
        illegal=_illegal(),
        event=event,
        reason=reason,
        save=False,
    )
    message.status_changed_at = timezone.now()


def check_move(message: PublicMessage, to_status: str) -> None:
    """Refuse an illegal move before the input is checked: "already published" says more than "write a
    reply" to a moderator whose page is out of date."""
    if to_status not in PublicMessage.TRANSITIONS[Status(message.status)]:
        raise ModerationError(
            _illegal(),
            code="illegal_transition",
            params={"from": Status(message.status).label, "to": Status(to_status).label},
        )


def _save(message: PublicMessage, *fields: str) -> None:
    message.save(update_fields=["status", "version", "status_changed_at", *fields])


@transaction.atomic
def publish(
    message: PublicMessage,
    *,
    actor: User,
    reply: str,
    expected_version: int | None,
    words_checked: bool = False,
) -> PublicMessage:
    """Answer the message publicly: it shows on the public board with the reply. A message held for
    sensitive words needs the moderator's explicit `words_checked`."""
    _require_moderator(actor, message.committee_id)
    message = _lock(message, expected_version)
    check_move(message, Status.PUBLISHED)
    reply = _reply(reply)
    if message.held and not words_checked:
        raise ModerationError(
            # zh: 该留言含敏感词（%(words)s）：请先核对，再勾选“已核对敏感词”后公开。
            _(
                "The message holds flagged words (%(words)s): check them, then tick "
                "“I have checked the flagged words” to publish it."
            ),
            code="words_not_checked",
            params={"words": message.sensitive_hits},
        )
    _move(message, Status.PUBLISHED, actor=actor, event="portal.message_published")
    now = timezone.now()
    message.reply, message.replied_at, message.replied_by = reply, now, actor
    message.published_at = now
    _save(message, "reply", "replied_at", "replied_by", "published_at")
    return message


@transaction.atomic
def answer_privately(
    message: PublicMessage, *, actor: User, reply: str, expected_version: int | None
) -> PublicMessage:
    """Answer the writer only: they read the reply with their query code; the public never sees it."""
    _require_moderator(actor, message.committee_id)
    message = _lock(message, expected_version)
    check_move(message, Status.ANSWERED)
    reply = _reply(reply)
    _move(message, Status.ANSWERED, actor=actor, event="portal.message_answered")
    message.reply, message.replied_at, message.replied_by = reply, timezone.now(), actor
    _save(message, "reply", "replied_at", "replied_by")
    return message


@transaction.atomic
def hide(message: PublicMessage, *, actor: User, reason: str, expected_version: int | None) -> PublicMessage:
    """Take the message off the board and out of the queue (spam, abuse), with the reason. The row is
    kept; `restore` brings it back to the queue."""
    _require_moderator(actor, message.committee_id)
    message = _lock(message, expected_version)
    check_move(message, Status.HIDDEN)
    reason = _text(
        reason,
        limit=REASON_MAX,
        # zh: 隐藏原因：请填写，例如“广告”“辱骂”。
        required=_("Reason for hiding: write it, for example “advertising” or “abuse”."),
        # zh: 隐藏原因：最多 %(limit)s 字。
        too_long=_("Reason for hiding: at most %(limit)s characters."),
        code="reason",
    )
    _move(message, Status.HIDDEN, actor=actor, event="portal.message_hidden", reason=reason)
    message.hidden_reason = reason
    _save(message, "hidden_reason")
    return message


@transaction.atomic
def restore(message: PublicMessage, *, actor: User, expected_version: int | None) -> PublicMessage:
    """A message hidden by mistake goes back to the queue (its reply, if any, is kept as a draft)."""
    _require_moderator(actor, message.committee_id)
    message = _lock(message, expected_version)
    _move(message, Status.RECEIVED, actor=actor, event="portal.message_restored")
    message.hidden_reason = ""
    _save(message, "hidden_reason")
    return message


def contact_lines(message: PublicMessage) -> str:
    """The writer's contact as it is appended to a report's body when the moderator includes it."""
    # zh: 留言人：%(name)s；联系电话：%(phone)s
    return _("Writer: %(name)s; telephone: %(phone)s") % {
        # zh: 未留姓名
        "name": message.name or _("no name given"),
        "phone": message.phone,
    }


@transaction.atomic
def convert(
    message: PublicMessage,
    *,
    actor: User,
    title: str,
    body: str,
    include_contact: bool,
    expected_version: int | None,
) -> OpinionReport:
    """Turn the message into a 社情民意 report (lvzhi.opinions' own service): handed in at once, it waits
    in the editors' queue to be registered, and the message keeps the link. The writer's name and
    telephone go into the report only with `include_contact` (appended to the body); otherwise the
    report's author is "a member of the public"."""
    _require_moderator(actor, message.committee_id)
    message = _lock(message, expected_version)
    check_move(message, Status.CONVERTED)
    title = _text(
        title,
        limit=REPORT_TITLE_MAX,
        # zh: 信息标题：请填写。
        required=_("Report title: write it."),
        # zh: 信息标题：最多 %(limit)s 字。
        too_long=_("Report title: at most %(limit)s characters."),
        code="report_title",
    )
    body = _text(
        body,
        limit=REPORT_BODY_MAX,
        # zh: 信息正文：请填写。
        required=_("Report text: write it."),
        # zh: 信息正文：最多 %(limit)s 字。
        too_long=_("Report text: at most %(limit)s characters."),
        code="report_body",
    )
    if include_contact:
        body = f"{body}\n\n{contact_lines(message)}"
    report = opinion_reports.record_public_message(
        actor=actor, title=title, body=body, writer_name=message.name if include_contact else ""
    )
    _move(message, Status.CONVERTED, actor=actor, event="portal.message_converted")
    message.report = report
    _save(message, "report")
    return report


def reveal_phone(message: PublicMessage, *, actor: User) -> str:
    """The writer's full telephone number, for a moderator about to call them back; audited."""
    _require_moderator(actor, message.committee_id)
    audit.record(
        audit.Action.UNMASK,
        actor=actor,
        committee=message.committee_id,
        obj=message,
        event="portal.message_phone_shown",
        params={"title": message.title},
        detail={"field": "phone"},
    )
    return message.phone


# --- reply templates ----------------------------------------------------------------------------------


@transaction.atomic
def save_reply_template(
    *,
    actor: User,
    committee: Committee,
    title: str,
    text: str,
    order: int = 0,
    template: ReplyTemplate | None = None,
) -> ReplyTemplate:
    """A new reply template of the committee, or `template` changed."""
    _require_moderator(actor, committee.pk)
    if template is not None and template.committee_id != committee.pk:
        raise PermissionDenied("another committee's reply template")
    title = _text(
        title,
        limit=TEMPLATE_TITLE_MAX,
        # zh: 名称：请填写，例如“感谢来信”。
        required=_("Title: write it, for example “Thank you for writing”."),
        # zh: 名称：最多 %(limit)s 字。
        too_long=_("Title: at most %(limit)s characters."),
        code="title",
    )
    text = _text(
        text,
        limit=TEMPLATE_TEXT_MAX,
        # zh: 内容：请填写答复的文字。
        required=_("Text: write the reply's text."),
        too_long=_("Text: at most %(limit)s characters."),
        code="text",
    )
    if not 0 <= order <= 32767:
        # zh: 排序：请填写 0 到 32767 之间的数字。
        raise ModerationError(_("Order: give a number from 0 to 32767."), code="bad_order")
    created = template is None
    if template is None:
        template = ReplyTemplate(committee=committee)
    else:
        template = ReplyTemplate.objects.select_for_update().get(pk=template.pk)
    template.title, template.text, template.order = title, text, order
    template.save()
    audit.record(
        audit.Action.CREATE if created else audit.Action.UPDATE,
        actor=actor,
        committee=committee.pk,
        obj=template,
        event="portal.reply_template_saved",
        params={"title": title},
    )
    return template


@transaction.atomic
def delete_reply_template(template: ReplyTemplate, *, actor: User) -> None:
    """Delete a reply template (replies written from it keep their text)."""
    _require_moderator(actor, template.committee_id)
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        committee=template.committee_id,
        obj=template,
        event="portal.reply_template_deleted",
        params={"title": template.title},
    )
    template.delete()


# --- the site's settings ------------------------------------------------------------------------------


def word_lines(sensitive_words: str | None) -> list[str]:
    """The list as typed, one word or phrase a line: stripped, blank lines and repeats left out."""
    words: list[str] = []
    for line in (sensitive_words or "").splitlines():
        word = line.strip()
        if word and word not in words:
            words.append(word)
    return words


def _words_change(before: list[str], after: list[str]) -> dict[str, Any]:
    added = [w for w in after if w not in before]
    removed = [w for w in before if w not in after]
    change: dict[str, Any] = {"before": len(before), "after": len(after)}
    if len(added) + len(removed) <= WORDS_NAMED_MAX:
        change.update(added=added, removed=removed)
    else:
        change.update(added_count=len(added), removed_count=len(removed))
    return change


@transaction.atomic
def update_settings(
    *,
    actor: User,
    committee: Committee,
    accepting_messages: bool,
    sensitive_words: str,
    overdue_days: int,
    office_phone: str,
    expected_version: int | None,
) -> PortalSettings:
    """Save the committee's public-site settings (portal.change_portalsettings). The audit row says what
    changed; of the sensitive words, how many there are and, when few changed, which."""
    _require_committee(actor, committee.pk)
    if not actor.has_perm(CHANGE_SETTINGS):
        raise PermissionDenied(CHANGE_SETTINGS)
    words = word_lines(sensitive_words)
    problems = []
    if len(words) > WORDS_MAX:
        # zh: 敏感词：最多 %(limit)s 个（现有 %(count)s 个）。
        problems.append(
            _("Sensitive words: at most %(limit)s (there are %(count)s).")
            % {"limit": WORDS_MAX, "count": len(words)}
        )
    long_words = [w for w in words if len(w) > WORD_MAX]
    if long_words:
        # zh: 敏感词：每个最多 %(limit)s 字（“%(word)s…”过长）。
        problems.append(
            _("Sensitive words: at most %(limit)s characters each (“%(word)s…” is longer).")
            % {"limit": WORD_MAX, "word": long_words[0][:20]}
        )
    if not OVERDUE_DAYS_MIN <= overdue_days <= OVERDUE_DAYS_MAX:
        # zh: 超期天数：请填写 1 到 90 之间的天数。
        problems.append(
            _("Days before overdue: give a number from %(min)s to %(max)s.")
            % {"min": OVERDUE_DAYS_MIN, "max": OVERDUE_DAYS_MAX}
        )
    office_phone = (office_phone or "").strip()
    if len(office_phone) > OFFICE_PHONE_MAX:
        # zh: 办公室电话：最多 %(limit)s 个字符。
        problems.append(_("Office telephone: at most %(limit)s characters.") % {"limit": OFFICE_PHONE_MAX})
    if any("\x00" in w for w in words) or "\x00" in office_phone:
        problems.append(_("The text cannot hold the character \\0."))
    if problems:
        raise ModerationError(problems)
    site, _created = PortalSettings.objects.select_for_update().get_or_create(committee=committee)
    if expected_version is not None and site.version != expected_version:
        raise workflow.StaleEdit
    before = {
        "accepting_messages": site.accepting_messages,
        "overdue_days": site.overdue_days,
        "office_phone": site.office_phone,
    }
    after = {
        "accepting_messages": accepting_messages,
        "overdue_days": overdue_days,
        "office_phone": office_phone,
    }
    changes: dict[str, Any] = {
        field: {"before": before[field], "after": after[field]}
        for field in before
        if before[field] != after[field]
    }
    old_words = site.word_list()
    if old_words != words:
        changes["sensitive_words"] = _words_change(old_words, words)
    site.accepting_messages = accepting_messages
    site.sensitive_words = "\n".join(words)
    site.overdue_days = overdue_days
    site.office_phone = office_phone
    if changes:
        site.version += 1
        site.save()
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            committee=committee.pk,
            obj=site,
            event="portal.settings_changed",
            params={"fields": sorted(changes)},
            detail=changes,
        )
    return site
