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
from django.db.models import Model, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat

from .similarity import _segmenter

_M = TypeVar("_M", bound=Model)

# A token worth storing: letters, digits or CJK characters (punctuation and spaces are dropped).
_TOKEN = re.compile(r"^[\w\u4e00-\u9fff]+$")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _tokens(text: str) -> list[str]:
    """jieba's search-engine mode: words and the dictionary words inside long ones, lower-cased."""
    jieba = _segmenter()
    return [token.lower() for token in jieba.cut_for_search(text) if _TOKEN.match(token.strip() or "-")]


def _bigrams(text: str) -> list[str]:
    """Every pair of neighbouring Chinese characters: what finds 校门口 in 小学校门口, which jieba cuts
    into 小学校 / 门口 while it cuts the query into 校门 / 门口."""
    return [run[i : i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)]


def search_text(*parts: object) -> str:
    """The text to store for search: every part (title, bodies, authors, serial) cut into words, and
    the character pairs of its Chinese text.

    ``None`` and empty parts are skipped. 关于青石镇中心小学 → "关于 青石 镇 中心 小学 … 关于 于青 青石 …";
    the serial 〔2026〕12号 keeps 2026 and 12.
    """
    words: list[str] = []
    for part in parts:
        if part is None or part == "":
            continue
        words.extend(_tokens(str(part)))
        words.extend(_bigrams(str(part)))
    return " ".join(words)


def query_words(query: str) -> list[str]:
    """The words a document must all contain to match ``query``: the character pairs of its Chinese
    text (however jieba would cut it in a longer text), its other words (numbers, Latin letters) as they
    are, and a single Chinese character as a word of its own. Order kept, duplicates dropped."""
    words: list[str] = []
    for piece in query.split():
        for run in _CJK_RUN.findall(piece):
            words.extend(_bigrams(run) if len(run) > 1 else [run])
        words.extend(token for token in _tokens(_CJK_RUN.sub(" ", piece)) if token.strip())
    return list(dict.fromkeys(words))


def filter_search(queryset: QuerySet[_M], query: str, field: str = "search_document") -> QuerySet[_M]:
    """The rows whose segmented ``field`` holds every word of ``query`` (all rows for an empty query).

    PostgreSQL: ``to_tsvector('simple', field) @@ (w1 & w2 …)`` through the GIN index; other
    databases: ``' ' || field || ' ' LIKE '% w %'`` for every word.
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
    # Whole words, as PostgreSQL matches them: "2" must not find the serial 2026.
    condition = Q()
    for word in words:
        condition &= Q(_search_padded__contains=f" {word} ")
    return queryset.alias(
        _search_padded=Concat(Value(" "), field, Value(" "), output_field=TextField())
    ).filter(condition)
