"""The moderation queue (portal:moderation): its tabs with their counts, the held and overdue badges, the
filters, the order, the page size and the query count; the Excel export of the filtered list (the
telephone masked, formula-escaped cells, audited)."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, body, capture_queries
from lvzhi.portal.models import Category, PortalSettings, PublicMessage

from .conftest import PHONE

pytestmark = pytest.mark.usefixtures("english")

Status = PublicMessage.Status


def days_ago(n):
    return timezone.now() - datetime.timedelta(days=n)


@pytest.fixture
def board(make_message, committee):
    """One message of each kind the tabs sort; overdue after 7 days (the default)."""
    made = {
        "fresh": make_message(title="新留言", submitted_at=days_ago(1))[0],
        "held": make_message(title="含敏感词", sensitive_hits="赌博", submitted_at=days_ago(2))[0],
        "old": make_message(title="超期留言", category=Category.HEALTH, submitted_at=days_ago(9))[0],
        "converted_old": make_message(title="已转未答", status=Status.CONVERTED, submitted_at=days_ago(20))[
            0
        ],
        "answered": make_message(title="私下答复", status=Status.ANSWERED, submitted_at=days_ago(30))[0],
        "published": make_message(title="已公开", status=Status.PUBLISHED, submitted_at=days_ago(30))[0],
        "hidden": make_message(title="已隐藏", status=Status.HIDDEN, submitted_at=days_ago(30))[0],
    }
    return made


def ids(response):
    return [m.pk for m in response.context["page"]]


def test_the_tabs_show_their_counts_and_rows(client, office, board):
    client.force_login(office)
    response = client.get(reverse("portal:moderation"))
    assert response.status_code == 200
    counts = {key: count for key, _label, count in response.context["tabs"]}
    assert counts == {
        "received": 3,
        "held": 1,
        "overdue": 2,
        "answered": 1,
        "published": 1,
        "converted": 1,
        "hidden": 1,
    }
    # received: the longest waiting first
    assert ids(response) == [board["old"].pk, board["held"].pk, board["fresh"].pk]
    expected = {
        "held": [board["held"].pk],
        "overdue": [board["converted_old"].pk, board["old"].pk],
        "answered": [board["answered"].pk],
        "published": [board["published"].pk],
        "converted": [board["converted_old"].pk],
        "hidden": [board["hidden"].pk],
    }
    for tab, rows in expected.items():
        assert ids(client.get(reverse("portal:moderation"), {"tab": tab})) == rows, tab


def test_rows_carry_held_and_overdue_badges_and_days_waiting(client, office, board):
    client.force_login(office)
    text = body(client.get(reverse("portal:moderation")))
    assert f'class="message-row" data-message-id="{board["held"].pk}"' in text
    row = text.split(f'data-message-id="{board["held"].pk}"')[1].split("</tr>")[0]
    assert 'data-badge="held"' in row and "Flagged words" in row and "2 days" in row
    row = text.split(f'data-message-id="{board["old"].pk}"')[1].split("</tr>")[0]
    assert 'data-badge="overdue"' in row and "Overdue" in row and "9 days" in row
    assert reverse("portal:message_detail", args=[board["old"].pk]) in row
    row = text.split(f'data-message-id="{board["fresh"].pk}"')[1].split("</tr>")[0]
    assert "data-badge" not in row


def test_overdue_follows_the_committees_days(client, office, board, committee):
    PortalSettings.objects.create(committee=committee, overdue_days=2)
    client.force_login(office)
    response = client.get(reverse("portal:moderation"), {"tab": "overdue"})
    assert set(ids(response)) == {board["held"].pk, board["old"].pk, board["converted_old"].pk}


def test_filters_by_category_and_search(client, office, board):
    client.force_login(office)
    response = client.get(reverse("portal:moderation"), {"category": Category.HEALTH})
    assert ids(response) == [board["old"].pk]
    assert {k: c for k, _l, c in response.context["tabs"]}["received"] == 1
    assert ids(client.get(reverse("portal:moderation"), {"q": "敏感"})) == [board["held"].pk]
    # content is searched too
    assert len(ids(client.get(reverse("portal:moderation"), {"q": "幸福小区"}))) == 3
    # a bad filter is dropped, the others apply
    response = client.get(reverse("portal:moderation"), {"tab": "nonsense", "category": "nope", "q": "超期"})
    assert response.status_code == 200 and ids(response) == [board["old"].pk]


def test_the_queue_pages_by_fifty(client, office, make_message):
    for i in range(52):
        make_message(title=f"留言{i}", submitted_at=days_ago(1))
    client.force_login(office)
    assert len(ids(client.get(reverse("portal:moderation")))) == 50
    assert len(ids(client.get(reverse("portal:moderation"), {"page": 2}))) == 2


def test_the_queue_costs_the_same_queries_for_few_and_many_messages(client, office, make_message):
    client.force_login(office)
    url = reverse("portal:moderation")
    make_message(title="一", sensitive_hits="赌博")
    client.get(url)
    with capture_queries() as small:
        client.get(url)
    for i in range(30):
        make_message(title=f"留言{i}", sensitive_hits="赌博" if i % 3 else "", submitted_at=days_ago(i))
    with capture_queries() as large:
        client.get(url)
    assert_same_query_count(small, large)


def test_hostile_text_in_a_row_is_inert(client, office, make_message):
    make_message(title='<script>alert("x")</script>')
    client.force_login(office)
    text = body(client.get(reverse("portal:moderation")))
    assert '<script>alert("x")</script>' not in text and "&lt;script&gt;" in text


# --- the export ---------------------------------------------------------------------------------------


def workbook_of(response):
    return load_workbook(io.BytesIO(response.content)).active


def test_the_export_is_the_filtered_list_with_the_phone_masked(client, office, board, make_message):
    make_message(title='=HYPERLINK("http://evil/","点击")', content="+cmd|' /C calc'!A0", name="@张")
    client.force_login(office)
    response = client.get(reverse("portal:message_export"), {"tab": "received"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in response["Cache-Control"]
    sheet = workbook_of(response)
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert len(values) == 4
    flat = " ".join(str(v) for row in values for v in row if v is not None)
    assert PHONE not in flat and "139****5678" in flat
    titles = [row[2] for row in values]
    assert '\'=HYPERLINK("http://evil/","点击")' in titles
    hostile = next(row for row in values if row[2].startswith("'="))
    assert hostile[3] == "'+cmd|' /C calc'!A0" and hostile[4] == "'@张"
    assert all(row[2] != "已公开" for row in values)
    [event] = AuditEvent.objects.filter(event="portal.messages_exported")
    assert event.action == AuditEvent.Action.EXPORT and event.params == {"count": 4}
    assert event.actor == office


def test_the_export_follows_the_tab_and_filters(client, office, board):
    client.force_login(office)
    sheet = workbook_of(client.get(reverse("portal:message_export"), {"tab": "hidden"}))
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in rows] == ["已隐藏"] and rows[0][12] == "广告"
    sheet = workbook_of(client.get(reverse("portal:message_export"), {"category": Category.HEALTH}))
    assert [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["超期留言"]
