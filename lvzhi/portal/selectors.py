"""Reads of the public site (DESIGN §6.4): what anyone may see of one committee. Every queryset starts from
the models' `public(committee)` (published rows of that committee only) and loads only the columns a
public page shows, so a writer's telephone, address, query-code digest or a moderator's note is never
even read into a public page's memory. Staff pages have their own reads in their views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Case, CharField, F, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf, Trim
from django.utils.translation import pgettext

from lvzhi.organization.models import Committee

from .models import Announcement, Category, MemberSuggestion, PublicMessage

HOME_LIMIT = 5
FEED_LIMIT = 20

# The columns of a public message that a public page or feed may show: never phone, client_ip,
# code_digest, sensitive_hits, hidden_reason.
MESSAGE_PUBLIC_FIELDS = (
    "id",
    "committee_id",
    "category",
    "title",
    "content",
    "name",
    "submitted_at",
    "status",
    "reply",
    "replied_at",
    "published_at",
)
SUGGESTION_PUBLIC_FIELDS = (
    "id",
    "committee_id",
    "category",
    "title",
    "content",
    "show_name",
    "status",
    "published_at",
    "answer",
    "answered_by_unit",
    "answered_at",
    "member",
    "member__name",
)
ANNOUNCEMENT_PUBLIC_FIELDS = ("id", "committee_id", "kind", "title", "body", "status", "published_at")


def _suggestion_author() -> Case:
    """The author as the public sees them: the member's name, or "委员" when the member asked for that."""
    return Case(
        When(show_name=True, then=F("member__name")),
        default=Value(pgettext("public author", "Member")),
        output_field=CharField(),
    )


def _message_author() -> Coalesce:
    """The writer as the public sees them: the name they gave, or an anonymous word when none."""
    return Coalesce(
        NullIf(Trim("name"), Value("")),
        Value(pgettext("public author", "Anonymous")),
        output_field=CharField(),
    )


def announcements(committee: Committee, *, kind: str = "") -> QuerySet[Announcement]:
    """Published announcements of `committee`, newest first; `kind` (notice / news) narrows them."""
    rows = Announcement.objects.public(committee).only(*ANNOUNCEMENT_PUBLIC_FIELDS)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-published_at", "-pk")


def suggestions(committee: Committee, *, category: str = "") -> QuerySet[MemberSuggestion]:
    """Published members' suggestions of `committee`, newest first, each with `public_author` (the
    member's name, or "委员"); nothing of the member's file but the name is read."""
    rows = (
        MemberSuggestion.objects.public(committee)
        .select_related("member")
        .only(*SUGGESTION_PUBLIC_FIELDS)
        .annotate(public_author=_suggestion_author())
    )
    if category:
        rows = rows.filter(category=category)
    return rows.order_by("-published_at", "-pk")


def messages(committee: Committee, *, category: str = "") -> QuerySet[PublicMessage]:
    """Publicly answered messages of `committee`, the latest published first, each with `public_author`
    (the name the writer gave, or "Anonymous")."""
    rows = (
        PublicMessage.objects.public(committee)
        .only(*MESSAGE_PUBLIC_FIELDS)
        .annotate(public_author=_message_author())
    )
    if category:
        rows = rows.filter(category=category)
    return rows.order_by("-published_at", "-pk")


def home(committee: Committee) -> dict[str, list[Any]]:
    """The home page's columns: the latest notices, work news, suggestions and answered messages."""
    return {
        "notices": list(announcements(committee, kind=Announcement.Kind.NOTICE)[:HOME_LIMIT]),
        "news": list(announcements(committee, kind=Announcement.Kind.NEWS)[:HOME_LIMIT]),
        "suggestions": list(suggestions(committee)[:HOME_LIMIT]),
        "messages": list(messages(committee)[:HOME_LIMIT]),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _category_label(value: str) -> str:
    return str(dict(Category.choices).get(value, value))


def message_feed(committee: Committee, *, absolute_url: Callable[[int], str]) -> list[dict[str, Any]]:
    """The latest publicly answered messages as rows for other sites: the columns are named one by one
    (nothing about the writer but the name they chose to show). `absolute_url(pk)` gives a message's page."""
    rows = messages(committee).values(
        "pk",
        "title",
        "category",
        "content",
        "published_at",
        "reply",
        "replied_at",
        author=_message_author(),
    )[:FEED_LIMIT]
    return [
        {
            "id": row["pk"],
            "title": row["title"],
            "category": _category_label(row["category"]),
            "content": row["content"],
            "author": row["author"],
            "published_at": _iso(row["published_at"]),
            "reply": row["reply"],
            "replied_at": _iso(row["replied_at"]),
            "url": absolute_url(row["pk"]),
        }
        for row in rows
    ]


def suggestion_feed(committee: Committee, *, absolute_url: Callable[[int], str]) -> list[dict[str, Any]]:
    """The latest published members' suggestions as rows for other sites, the columns named one by one:
    the member by name only when the member chose so, never by id."""
    rows = suggestions(committee).values(
        "pk",
        "title",
        "category",
        "content",
        "published_at",
        "answer",
        "answered_by_unit",
        "answered_at",
        author=_suggestion_author(),
    )[:FEED_LIMIT]
    return [
        {
            "id": row["pk"],
            "title": row["title"],
            "category": _category_label(row["category"]),
            "content": row["content"],
            "author": row["author"],
            "published_at": _iso(row["published_at"]),
            "answer": row["answer"],
            "answered_by": row["answered_by_unit"],
            "answered_at": _iso(row["answered_at"]),
            "url": absolute_url(row["pk"]),
        }
        for row in rows
    ]
