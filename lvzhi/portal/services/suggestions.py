"""委员建言: a member writes a suggestion in their workspace; the office reviews it and publishes it in the
public column with the official answer (DESIGN §6.4).

    draft ─submit→ submitted ─publish→ published ─withdraw (reason)→ withdrawn ─publish→ published
                       │   ↑
           return (reason) └─submit (changed)─ returned

The member writes, changes (while a draft or returned), submits and deletes a draft of their own; a
reviewer of the committee (portal.review_membersuggestion) publishes with or without the official answer
(an answer can follow later: `save_answer`), returns for revision with a reason, or takes a published
one off the site with a reason. Nobody reviews a suggestion of their own.

Every step: rights → lock the row with the version the page showed (core.workflow.lock) → move through
MemberSuggestion.TRANSITIONS with history and audit (core.workflow.move) → notify → make the ledger match
(facts.sync_suggestion_ledger: a published suggestion is one duty record of its member)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from lvzhi.core import audit, workflow
from lvzhi.notifications.services import notify

from .. import permissions_suggestions as rights
from ..facts import sync_suggestion_ledger
from ..models import TITLE_MAX, Category, MemberSuggestion, MemberSuggestionStatusChange

if TYPE_CHECKING:
    from lvzhi.accounts.models import User

Status = MemberSuggestion.Status
UNIT_MAX: int = MemberSuggestion._meta.get_field("answered_by_unit").max_length or 100
# The reason for returning or taking off the site: the member reads it.
REASON_MAX = 1000


class SuggestionError(ValidationError):
    """An illegal step or bad input: shown to the user as a message, never a 500."""


# --- what the public sees ------------------------------------------------------------------------------


def public_author(suggestion: MemberSuggestion) -> str:
    """The author as the public column shows them: the member's name, or "委员" (Member) when the member
    chose to publish without it (show_name False). Public pages, feeds and the JSON use this and nothing
    else of the member."""
    if suggestion.show_name:
        return suggestion.member.name
    return pgettext("public author", "Member")


def public_url(suggestion: MemberSuggestion) -> str:
    """The suggestion's page on the public site (found there while it is published)."""
    return reverse("public:suggestion", args=[suggestion.committee.code, suggestion.pk])


# --- checks ------------------------------------------------------------------------------------------


def _text_max() -> int:
    return int(settings.LVZHI_PUBLIC_TEXT_MAX)


def _no_nul(value: str, field: str) -> None:
    if "\x00" in value:
        # zh: %(field)s：不能包含字符 \0。
        raise SuggestionError(
            _("%(field)s: it cannot hold the character \\0.") % {"field": field}, code="nul"
        )


def _clean(*, category: str, title: str | None, content: str | None) -> tuple[str, str, str]:
    problems = []
    if category not in Category.values:
        # zh: 类别：请从列表中选择。
        problems.append(_("Category: choose one from the list."))
    title = (title or "").strip()
    if not title:
        # zh: 标题：请填写。
        problems.append(_("Title: write it."))
    elif len(title) > TITLE_MAX:
        problems.append(_("Title: at most %(n)s characters.") % {"n": TITLE_MAX})
    content = (content or "").strip()
    if not content:
        # zh: 内容：请填写您的建言。
        problems.append(_("Content: write your suggestion."))
    elif len(content) > _text_max():
        problems.append(_("Content: at most %(n)s characters.") % {"n": _text_max()})
    if "\x00" in title + content:
        problems.append(_("Title and content cannot hold the character \\0."))
    if problems:
        raise SuggestionError(problems)
    return category, title, content


def _reason(value: str | None, *, missing: str) -> str:
    reason = (value or "").strip()
    if not reason:
        raise SuggestionError(missing, code="reason_required")
    if len(reason) > REASON_MAX:
        # zh: 理由：最多 %(n)s 个字。
        raise SuggestionError(_("Reason: at most %(n)s characters.") % {"n": REASON_MAX}, code="too_long")
    _no_nul(reason, _("Reason"))
    return reason


def _answer(answer: str | None, unit: str | None) -> tuple[str, str]:
    answer, unit = (answer or "").strip(), (unit or "").strip()
    if len(answer) > _text_max():
        # zh: 官方答复：最多 %(n)s 个字。
        raise SuggestionError(
            _("Official answer: at most %(n)s characters.") % {"n": _text_max()}, code="too_long"
        )
    if len(unit) > UNIT_MAX:
        # zh: 答复单位：最多 %(n)s 个字。
        raise SuggestionError(_("Answered by: at most %(n)s characters.") % {"n": UNIT_MAX}, code="too_long")
    if unit and not answer:
        # zh: 答复单位：请同时填写官方答复，或两项都不填。
        raise SuggestionError(
            _("Answered by: write the official answer with it, or leave both empty."), code="unit_alone"
        )
    _no_nul(answer, _("Official answer"))
    _no_nul(unit, _("Answered by"))
    return answer, unit


def _require_committee(actor: User, suggestion: MemberSuggestion) -> None:
    if actor.committee_id is None or actor.committee_id != suggestion.committee_id:
        raise PermissionDenied("another committee's suggestion")


def _require_author(actor: User, suggestion: MemberSuggestion) -> None:
    _require_committee(actor, suggestion)
    if not actor.has_perm(rights.WRITE) or not rights.is_author(actor, suggestion):
        raise PermissionDenied("not the suggestion's author")


def _require_reviewer(actor: User, suggestion: MemberSuggestion) -> None:
    _require_committee(actor, suggestion)
    if not actor.has_perm(rights.REVIEW):
        raise PermissionDenied(rights.REVIEW)
    if rights.is_author(actor, suggestion):
        raise SuggestionError(
            # zh: 这是您本人的建言，不能由您审核，请由其他工作人员审核。
            _("This suggestion is yours, so a colleague reviews it."),
            code="own_suggestion",
        )


def _illegal(suggestion: MemberSuggestion, to_status: str) -> SuggestionError:
    return SuggestionError(
        # zh: 状态为“%(from)s”的建言不能改为“%(to)s”。
        _("A suggestion that is %(from)s cannot become %(to)s."),
        code="illegal_transition",
        params={"from": Status(suggestion.status).label, "to": Status(to_status).label},
    )


def _lock(suggestion: MemberSuggestion, expected_version: int | None) -> MemberSuggestion:
    """The row, locked, with the version the page showed. No select_related: FOR UPDATE would lock the
    member's and the committee's rows too; the locked copy takes them from `suggestion` (read for the
    notices and the ledger)."""
    locked = workflow.lock(MemberSuggestion, suggestion.pk, expected_version)
    locked.member, locked.committee = suggestion.member, suggestion.committee
    return locked


def _move(
    suggestion: MemberSuggestion,
    to_status: str,
    *,
    actor: User,
    event: str,
    reason: str = "",
    fields: Iterable[str] = (),
) -> MemberSuggestion:
    """Move the locked suggestion through the table with history and audit, stamping when it entered
    the step, and save `fields` changed with it."""
    workflow.move(
        suggestion,
        to_status,
        actor=actor,
        reason=reason,
        history=(MemberSuggestionStatusChange, "suggestion"),
        error=SuggestionError,
        illegal=_("A suggestion that is %(from)s cannot become %(to)s."),
        event=event,
        save=False,
    )
    suggestion.status_changed_at = timezone.now()
    suggestion.save(update_fields=["status", "version", "status_changed_at", *fields])
    return suggestion


def _finish(suggestion: MemberSuggestion, *, actor: User) -> MemberSuggestion:
    """The ledger after a status change (facts.py)."""
    sync_suggestion_ledger(suggestion, actor=actor)
    return suggestion


# --- notices ------------------------------------------------------------------------------------------


def _send(
    suggestion: MemberSuggestion,
    user_ids: Iterable[int | None],
    *,
    kind: str,
    title: str,
    body: str,
    url: str,
) -> None:
    ids = {pk for pk in user_ids if pk}
    if not ids:
        return
    User = get_user_model()
    notify(
        recipients=[User(pk=pk) for pk in ids],
        kind=kind,
        title=title,
        body=body,
        url=url,
        committee=suggestion.committee,
    )


def _reviewer_ids(suggestion: MemberSuggestion) -> set[int]:
    """Active accounts of the committee that review suggestions, but not the author."""
    codename = "review_membersuggestion"
    ids = set(
        get_user_model()
        .objects.filter(
            Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label="portal")
            | Q(user_permissions__codename=codename, user_permissions__content_type__app_label="portal"),
            committee_id=suggestion.committee_id,
            is_active=True,
        )
        .values_list("pk", flat=True)
    )
    return ids - {suggestion.member.user_id, suggestion.created_by_id}


def _tell_member(
    suggestion: MemberSuggestion, *, kind: str, title: str, body: str = "", url: str = ""
) -> None:
    _send(
        suggestion,
        [suggestion.member.user_id],
        kind=kind,
        title=title,
        body=body,
        url=url or reverse("portal:suggestion_detail", args=[suggestion.pk]),
    )


def _named(suggestion: MemberSuggestion) -> dict[str, str]:
    return {"title": suggestion.title}


# --- the member ---------------------------------------------------------------------------------------


@transaction.atomic
def save_suggestion(
    *,
    actor: User,
    category: str,
    title: str,
    content: str,
    show_name: bool,
    suggestion: MemberSuggestion | None = None,
    expected_version: int | None = None,
) -> MemberSuggestion:
    """A new draft of the actor's own (their member file), or changes to their draft or returned
    suggestion; saving never submits it."""
    member = rights.own_member(actor)
    if member is None or not actor.has_perm(rights.WRITE):
        raise PermissionDenied(rights.WRITE)
    category, title, content = _clean(category=category, title=title, content=content)
    if suggestion is None:
        suggestion = MemberSuggestion.objects.create(
            committee_id=member.committee_id,
            member=member,
            category=category,
            title=title,
            content=content,
            show_name=bool(show_name),
            created_by=actor,
        )
        action = audit.Action.CREATE
    else:
        _require_author(actor, suggestion)
        suggestion = _lock(suggestion, expected_version)
        if suggestion.status not in MemberSuggestion.AUTHOR_EDITABLE:
            raise SuggestionError(
                # zh: 建言已提交，不能再修改。
                _("This suggestion was handed in; it cannot be changed now."),
                code="not_editable",
            )
        suggestion.category, suggestion.title, suggestion.content = category, title, content
        suggestion.show_name = bool(show_name)
        suggestion.version += 1
        suggestion.save(update_fields=["category", "title", "content", "show_name", "version"])
        action = audit.Action.UPDATE
    audit.record(
        action,
        actor=actor,
        committee=suggestion.committee_id,
        obj=suggestion,
        event="portal.suggestion_saved",
        params=_named(suggestion),
        detail={"status": suggestion.status, "show_name": suggestion.show_name},
    )
    return suggestion


@transaction.atomic
def delete_draft(suggestion: MemberSuggestion, *, actor: User, expected_version: int | None = None) -> None:
    """The member deletes a draft of theirs (never one handed in: its history stays)."""
    _require_author(actor, suggestion)
    suggestion = _lock(suggestion, expected_version)
    if suggestion.status != Status.DRAFT:
        raise SuggestionError(
            # zh: 只能删除草稿；已提交的建言留有记录。
            _("Only a draft can be deleted; a suggestion handed in keeps its record."),
            code="not_a_draft",
        )
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        committee=suggestion.committee_id,
        obj=suggestion,
        event="portal.suggestion_deleted",
        params=_named(suggestion),
    )
    suggestion.delete()


@transaction.atomic
def submit(
    suggestion: MemberSuggestion, *, actor: User, expected_version: int | None = None
) -> MemberSuggestion:
    """The member hands in a draft, or a returned suggestion they changed, for the office's review."""
    _require_author(actor, suggestion)
    suggestion = _lock(suggestion, expected_version)
    if suggestion.status not in MemberSuggestion.AUTHOR_EDITABLE:
        raise _illegal(suggestion, Status.SUBMITTED)
    # Saved under an earlier, longer cap, or emptied by hand: checked again as it leaves the member.
    _clean(category=suggestion.category, title=suggestion.title, content=suggestion.content)
    suggestion.submitted_at = timezone.now()
    suggestion.return_reason = ""
    _move(
        suggestion,
        Status.SUBMITTED,
        actor=actor,
        event="portal.suggestion_submitted",
        fields=["submitted_at", "return_reason"],
    )
    _send(
        suggestion,
        _reviewer_ids(suggestion),
        kind="portal.suggestion_submitted",
        # zh: 待审核的委员建言：%(member)s，%(title)s
        title=_("A member's suggestion awaits review: %(member)s, %(title)s")
        % {"member": suggestion.member.name, "title": suggestion.title},
        body="",
        url=reverse("portal:suggestion_detail", args=[suggestion.pk]),
    )
    return _finish(suggestion, actor=actor)


# --- the office ---------------------------------------------------------------------------------------


def _locked_for_review(
    suggestion: MemberSuggestion, actor: User, expected_version: int | None
) -> MemberSuggestion:
    _require_reviewer(actor, suggestion)
    return _lock(suggestion, expected_version)


@transaction.atomic
def publish(
    suggestion: MemberSuggestion,
    *,
    actor: User,
    answer: str = "",
    answered_by_unit: str = "",
    expected_version: int | None,
) -> MemberSuggestion:
    """Put the suggestion on the public site (again, after it was taken off), with the official answer
    when there is one already; an answer given here replaces the one it had, an empty one keeps it. It
    becomes a duty record of its member dated today."""
    answer, answered_by_unit = _answer(answer, answered_by_unit)
    suggestion = _locked_for_review(suggestion, actor, expected_version)
    if suggestion.status not in (Status.SUBMITTED, Status.WITHDRAWN):
        raise _illegal(suggestion, Status.PUBLISHED)
    now = timezone.now()
    fields = ["published_at"]
    suggestion.published_at = now
    if answer:
        suggestion.answer, suggestion.answered_by_unit, suggestion.answered_at = answer, answered_by_unit, now
        fields += ["answer", "answered_by_unit", "answered_at"]
    _move(suggestion, Status.PUBLISHED, actor=actor, event="portal.suggestion_published", fields=fields)
    _tell_member(
        suggestion,
        kind="portal.suggestion_published",
        # zh: 您的建言已在网站发布：%(title)s
        title=_("Your suggestion is published on the website: %(title)s") % _named(suggestion),
        body=suggestion.answer,
        url=public_url(suggestion),
    )
    return _finish(suggestion, actor=actor)


@transaction.atomic
def return_for_revision(
    suggestion: MemberSuggestion, *, actor: User, reason: str, expected_version: int | None
) -> MemberSuggestion:
    """Send a suggestion awaiting review back to its member, with what to change."""
    # zh: 退回理由：请写明需要修改什么，委员会看到。
    reason = _reason(reason, missing=_("Reason for returning: write what to change; the member reads it."))
    suggestion = _locked_for_review(suggestion, actor, expected_version)
    if suggestion.status != Status.SUBMITTED:
        raise _illegal(suggestion, Status.RETURNED)
    suggestion.return_reason = reason
    _move(
        suggestion,
        Status.RETURNED,
        actor=actor,
        event="portal.suggestion_returned",
        reason=reason,
        fields=["return_reason"],
    )
    _tell_member(
        suggestion,
        kind="portal.suggestion_returned",
        # zh: 您的建言被退回修改：%(title)s
        title=_("Your suggestion was returned for revision: %(title)s") % _named(suggestion),
        body=reason,
    )
    return _finish(suggestion, actor=actor)


@transaction.atomic
def withdraw(
    suggestion: MemberSuggestion, *, actor: User, reason: str, expected_version: int | None
) -> MemberSuggestion:
    """Take a published suggestion off the site, with the reason its member reads; its duty record goes.
    It can be published again."""
    # zh: 撤下理由：请填写，委员会看到。
    reason = _reason(reason, missing=_("Reason for taking it off: write it; the member reads it."))
    suggestion = _locked_for_review(suggestion, actor, expected_version)
    if suggestion.status != Status.PUBLISHED:
        raise _illegal(suggestion, Status.WITHDRAWN)
    _move(suggestion, Status.WITHDRAWN, actor=actor, event="portal.suggestion_withdrawn", reason=reason)
    _tell_member(
        suggestion,
        kind="portal.suggestion_withdrawn",
        # zh: 您的建言已从网站撤下：%(title)s
        title=_("Your suggestion was taken off the website: %(title)s") % _named(suggestion),
        body=reason,
    )
    return _finish(suggestion, actor=actor)


@transaction.atomic
def save_answer(
    suggestion: MemberSuggestion,
    *,
    actor: User,
    answer: str,
    answered_by_unit: str,
    expected_version: int | None,
) -> MemberSuggestion:
    """Add, change or (empty) remove the official answer of a published suggestion."""
    answer, answered_by_unit = _answer(answer, answered_by_unit)
    suggestion = _locked_for_review(suggestion, actor, expected_version)
    if suggestion.status != Status.PUBLISHED:
        raise SuggestionError(
            # zh: 只有已发布的建言可以填写官方答复。
            _("Only a published suggestion gets its official answer here."),
            code="not_published",
        )
    if (answer, answered_by_unit) == (suggestion.answer, suggestion.answered_by_unit):
        return suggestion
    first = not suggestion.answer
    suggestion.answer, suggestion.answered_by_unit = answer, answered_by_unit
    suggestion.answered_at = timezone.now() if answer else None
    suggestion.version += 1
    suggestion.save(update_fields=["answer", "answered_by_unit", "answered_at", "version"])
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=suggestion.committee_id,
        obj=suggestion,
        event="portal.suggestion_answered",
        params=_named(suggestion),
        detail={"unit": answered_by_unit, "removed": not answer},
    )
    if answer:
        _tell_member(
            suggestion,
            kind="portal.suggestion_answered",
            # zh: 您的建言有了官方答复：%(title)s / 您的建言的官方答复已更新：%(title)s
            title=(
                _("Your suggestion has its official answer: %(title)s")
                if first
                else _("The official answer to your suggestion was changed: %(title)s")
            )
            % _named(suggestion),
            body=answer,
            url=public_url(suggestion),
        )
    return suggestion
