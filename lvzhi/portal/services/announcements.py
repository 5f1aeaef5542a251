"""Announcements (通知公告, 工作动态) the office writes for the public site's home page.

    draft ─publish→ published ─withdraw→ withdrawn ─publish→ published

Saving never moves the status: a draft stays a draft, a published announcement's public text changes at
once, a withdrawn one stays off the site. `published_at` is the first publication's moment, kept when a
withdrawn announcement comes back (its date on the site does not jump). Every act: rights (the
committee's office: portal.add_announcement to write one, portal.change_announcement for the rest) →
lock the row with the version the page showed (core.workflow.lock) → change → audit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit, workflow

from ..models import Announcement

if TYPE_CHECKING:
    from lvzhi.accounts.models import User
    from lvzhi.organization.models import Committee

ADD = "portal.add_announcement"
CHANGE = "portal.change_announcement"
Status = Announcement.Status
TITLE_LIMIT: int = Announcement._meta.get_field("title").max_length or 200
BODY_LIMIT = 20000
# The moves the office makes (Announcement has no history model: its audit rows are its history).
TRANSITIONS = {
    Status.DRAFT: {Status.PUBLISHED},
    Status.PUBLISHED: {Status.WITHDRAWN},
    Status.WITHDRAWN: {Status.PUBLISHED},
}


class AnnouncementError(ValidationError):
    """Bad input or a refused step: shown to the user as a message, never a 500."""


def may_write(user: User) -> bool:
    return bool(user.is_authenticated and user.committee_id is not None and user.has_perm(ADD))


def may_change(user: User) -> bool:
    return bool(user.is_authenticated and user.committee_id is not None and user.has_perm(CHANGE))


def _require(actor: User, perm: str, committee_id: int | None) -> None:
    if not actor.is_authenticated or not actor.has_perm(perm):
        raise PermissionDenied(perm)
    if actor.committee_id is None or actor.committee_id != committee_id:
        raise PermissionDenied("another committee's announcement")


def _clean(*, kind: str, title: str | None, body: str | None) -> tuple[str, str, str]:
    problems = []
    if kind not in Announcement.Kind.values:
        # zh: 栏目：请选择“通知公告”或“工作动态”。
        problems.append(_("Kind: choose notices or work news."))
    title = (title or "").strip()
    body = (body or "").replace("\r\n", "\n").strip()
    if not title:
        # zh: 标题：请填写。
        problems.append(_("Title: write it."))
    elif len(title) > TITLE_LIMIT:
        problems.append(_("Title: at most %(n)s characters.") % {"n": TITLE_LIMIT})
    if not body:
        # zh: 正文：请填写。
        problems.append(_("Text: write it."))
    elif len(body) > BODY_LIMIT:
        problems.append(_("Text: at most %(n)s characters.") % {"n": BODY_LIMIT})
    if "\x00" in title + body:
        problems.append(_("Title and text cannot hold the character \\0."))
    if problems:
        raise AnnouncementError(problems)
    return kind, title, body


def _audit(announcement: Announcement, action: str, event: str, actor: User, **detail: object) -> None:
    audit.record(
        action,
        actor=actor,
        committee=announcement.committee_id,
        obj=announcement,
        event=event,
        params={"title": announcement.title},
        detail={"kind": announcement.kind, "status": announcement.status, **detail},
    )


def _move(announcement: Announcement, to_status: str) -> None:
    if to_status not in TRANSITIONS[Status(announcement.status)]:
        raise AnnouncementError(
            # zh: 状态为“%(from)s”的公告不能改为“%(to)s”。
            _("An announcement that is %(from)s cannot become %(to)s."),
            code="illegal_transition",
            params={"from": Status(announcement.status).label, "to": Status(to_status).label},
        )
    announcement.status = to_status
    announcement.version += 1


@transaction.atomic
def save_announcement(
    *,
    actor: User,
    committee: Committee,
    kind: str,
    title: str,
    body: str,
    announcement: Announcement | None = None,
    expected_version: int | None = None,
) -> Announcement:
    """A new draft of `committee` (announcement None), or the changed text of `announcement` in its
    status (a published one's public page shows the change at once). StaleEdit when someone saved it
    after `expected_version`."""
    if announcement is None:
        _require(actor, ADD, committee.pk)
        kind, title, body = _clean(kind=kind, title=title, body=body)
        announcement = Announcement.objects.create(
            committee=committee, kind=kind, title=title, body=body, created_by=actor
        )
        _audit(announcement, audit.Action.CREATE, "portal.announcement_saved", actor)
        return announcement
    _require(actor, CHANGE, announcement.committee_id)
    if announcement.committee_id != committee.pk:
        raise PermissionDenied("another committee's announcement")
    kind, title, body = _clean(kind=kind, title=title, body=body)
    fresh = workflow.lock(Announcement, announcement.pk, expected_version)
    changed = [
        name
        for name, value in (("kind", kind), ("title", title), ("body", body))
        if getattr(fresh, name) != value
    ]
    if not changed:
        return fresh
    fresh.kind, fresh.title, fresh.body = kind, title, body
    fresh.version += 1
    fresh.save(update_fields=[*changed, "version"])
    _audit(fresh, audit.Action.UPDATE, "portal.announcement_saved", actor, fields=changed)
    return fresh


@transaction.atomic
def publish_announcement(
    announcement: Announcement, *, actor: User, expected_version: int | None = None
) -> Announcement:
    """On the public site from now on: a draft for the first time (dated now), a withdrawn one again
    (with its first date)."""
    _require(actor, CHANGE, announcement.committee_id)
    fresh = workflow.lock(Announcement, announcement.pk, expected_version)
    again = fresh.status == Status.WITHDRAWN
    _move(fresh, Status.PUBLISHED)
    if fresh.published_at is None:
        fresh.published_at = timezone.now()
    fresh.save(update_fields=["status", "version", "published_at"])
    _audit(fresh, audit.Action.UPDATE, "portal.announcement_published", actor, again=again)
    return fresh


@transaction.atomic
def withdraw_announcement(
    announcement: Announcement, *, actor: User, expected_version: int | None = None
) -> Announcement:
    """Off the public site (kept, and can be published again)."""
    _require(actor, CHANGE, announcement.committee_id)
    fresh = workflow.lock(Announcement, announcement.pk, expected_version)
    _move(fresh, Status.WITHDRAWN)
    fresh.save(update_fields=["status", "version"])
    _audit(fresh, audit.Action.UPDATE, "portal.announcement_withdrawn", actor)
    return fresh
