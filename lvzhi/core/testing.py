"""Helpers the tests of every app share: what a response shows, what a request changed, and how many
queries a page or a service costs.

Query counts compare sizes (DESIGN.md §7, STYLE.md "query counts that compare sizes"): run the same work
with few rows and with many, each inside `capture_queries()`, and `assert_same_query_count(small, large)`.
Run it once before measuring when the first run fills a cache (session, content types, translations).
A count that must be exactly n uses pytest-django's `django_assert_num_queries(n)`. Tests that read the
English wording use the `english` fixture of the root conftest.py."""

import contextlib
import time

from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext


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


@contextlib.contextmanager
def capture_queries():
    """The SQL statements the block runs: `with capture_queries() as queries:`, then `len(queries)`;
    iterating gives Django's {"sql": ..., "time": ...} of each."""
    with CaptureQueriesContext(connection) as queries:
        yield queries


def assert_same_query_count(small, large):
    """The same work with few rows (`small`) and with many (`large`) ran as many queries: no query per row.

    Each is a `capture_queries()` or a list of its queries (to leave some out). Fewer queries at the larger
    size fail too: the small run most likely paid for a cold cache. The failure lists both runs."""
    small, large = list(small), list(large)
    if len(small) != len(large):
        raise AssertionError(
            f"Queries: {len(small)} with few rows but {len(large)} with many.\n"
            f"With few rows:\n{_numbered(small)}\nWith many rows:\n{_numbered(large)}"
        )


def _numbered(queries):
    return "\n".join(f"{n:>4}. {query['sql']}" for n, query in enumerate(queries, 1))


def someone_waits_for_a_lock(timeout: float = 20) -> bool:
    """Whether another connection of this test database waits on a row lock (PostgreSQL; polled until
    `timeout`): the race tests hold one transaction open until the other is seen blocked on it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False
