"""Chinese full-text search over 社情民意 reports.

PostgreSQL cannot cut Chinese into words, so the words are cut here with jieba and stored, separated
by spaces, in a text column (``OpinionReport.search_document``, from ``search_text``). PostgreSQL's
``simple`` configuration then only splits at the spaces, and a GIN index on
``to_tsvector('simple'::regconfig, COALESCE(search_document, ''))`` (the expression
``SearchVector("search_document", config="simple")`` compiles to) answers ``filter_search``. SQLite has
no such index: there every word of the query must occur in the column (``LIKE``), which is fine for
the few thousand reports of a development database.
"""

from __future__ import annotations

import re
from typing import TypeVar

from django.db import connections
from django.db.models import Model, Q, QuerySet

from .similarity import _segmenter

_M = TypeVar("_M", bound=Model)

# A token worth storing: letters, digits or CJK characters (punctuation and spaces are dropped).
_TOKEN = re.compile(r"^[\w\u4e00-\u9fff]+$")


def _tokens(text: str) -> list[str]:
    """jieba's search-engine mode: words and the dictionary words inside long ones, lower-cased."""
    jieba = _segmenter()
    return [token.lower() for token in jieba.cut_for_search(text) if _TOKEN.match(token.strip() or "-")]


def search_text(*parts: object) -> str:
    """The text to store for search: every part (title, bodies, authors, serial) cut into words.

    ``None`` and empty parts are skipped. 关于青石镇中心小学 → "关于 青石 镇 中心 小学 …"; the serial
    〔2026〕12号 keeps 2026 and 12.
    """
    words: list[str] = []
    for part in parts:
        if part is None or part == "":
            continue
        words.extend(_tokens(str(part)))
    return " ".join(words)


def query_words(query: str) -> list[str]:
    """The words a document must all contain to match ``query``.

    A query word may be cut differently inside a longer text (中心小学 alone, 中心/小学校 inside
    青石镇中心小学校门口); the finest pieces jieba gives (中心, 小学) occur in both, so a word that
    contains another of the query's words is left out. Order kept, duplicates dropped.
    """
    words = list(dict.fromkeys(_tokens(query)))
    return [w for w in words if not any(other != w and other in w for other in words)]


def filter_search(queryset: QuerySet[_M], query: str, field: str = "search_document") -> QuerySet[_M]:
    """The rows whose segmented ``field`` holds every word of ``query`` (all rows for an empty query).

    PostgreSQL: ``to_tsvector('simple', field) @@ (w1 & w2 …)`` through the GIN index; other
    databases: ``field LIKE %w%`` for every word.
    """
    words = query_words(query or "")
    if not words:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        search = SearchQuery(words[0], config="simple", search_type="plain")
        for word in words[1:]:
            search &= SearchQuery(word, config="simple", search_type="plain")
        return queryset.alias(_search_vector=SearchVector(field, config="simple")).filter(
            _search_vector=search
        )
    condition = Q()
    for word in words:
        condition &= Q(**{f"{field}__icontains": word})
    return queryset.filter(condition)
