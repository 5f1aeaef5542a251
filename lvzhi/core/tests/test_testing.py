"""The shared test helpers fail when they should, with a message that shows why."""

import pytest
from django.utils.translation import gettext

from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries

pytestmark = pytest.mark.django_db


def test_capture_queries_counts_the_statements_of_the_block():
    with capture_queries() as queries:
        list(AuditEvent.objects.all())
        AuditEvent.objects.count()
    assert len(queries) == 2
    assert all("core_auditevent" in query["sql"] for query in queries)


def test_the_same_count_at_both_sizes_passes():
    with capture_queries() as small:
        list(AuditEvent.objects.all())
    with capture_queries() as large:
        list(AuditEvent.objects.all())
    assert_same_query_count(small, large)


def test_a_query_per_row_fails_and_lists_both_runs():
    with capture_queries() as small:
        list(AuditEvent.objects.all())
    with capture_queries() as large:
        list(AuditEvent.objects.all())
        AuditEvent.objects.filter(pk=1).exists()
    with pytest.raises(AssertionError) as failed:
        assert_same_query_count(small, large)
    message = str(failed.value)
    assert message.startswith("Queries: 1 with few rows but 2 with many.")
    few, many = message.split("With many rows:\n")
    assert few.count("   1. SELECT") == 1 and "   2." not in few
    assert many.startswith("   1. SELECT") and '\n   2. SELECT 1 AS "a" FROM "core_auditevent"' in many


def test_fewer_queries_at_the_larger_size_fail_too():
    with capture_queries() as small:
        AuditEvent.objects.count()
        AuditEvent.objects.count()
    with pytest.raises(AssertionError):
        assert_same_query_count(small, [])


def test_the_english_fixture_switches_the_wording_to_the_msgids(english):
    assert gettext("Password") == "Password"


def test_without_it_the_wording_is_chinese():
    assert gettext("Password") != "Password"
