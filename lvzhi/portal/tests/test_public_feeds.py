"""The JSON feeds the county's own website embeds: the latest published messages and suggestions of one
committee, with an explicit list of fields — nothing about a writer but the name shown on the page, never
a telephone, an address, a moderator's note or a member's id."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.core.masking import mask_phone
from lvzhi.core.testing import assert_same_query_count, body, capture_queries
from lvzhi.portal.models import MemberSuggestion, PublicMessage

pytestmark = pytest.mark.usefixtures("english")

Status = PublicMessage.Status
SStatus = MemberSuggestion.Status
MESSAGE_FIELDS = {
    "id",
    "title",
    "category",
    "content",
    "author",
    "published_at",
    "reply",
    "replied_at",
    "url",
}
SUGGESTION_FIELDS = {
    "id",
    "title",
    "category",
    "content",
    "author",
    "published_at",
    "answer",
    "answered_by",
    "answered_at",
    "url",
}
PHONE = "13987650123"
PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


def feed(client, name, committee):
    response = client.get(reverse(f"public:api_{name}", args=[committee.code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response, json.loads(body(response))


def test_the_message_feed_lists_the_latest_twenty_published_of_the_committee(
    client, committee, other_committee, make_message
):
    start = timezone.now() - timedelta(days=30)
    for n in range(23):
        make_message(status=Status.PUBLISHED, title=f"m{n:02d}", published_at=start + timedelta(hours=n))
    for status in Status:
        if status != Status.PUBLISHED:
            make_message(status=status, title=f"not public {status}")
    make_message(status=Status.PUBLISHED, committee=other_committee, title="not public other committee")

    _response, data = feed(client, "messages", committee)
    titles = [item["title"] for item in data["items"]]
    assert titles == [f"m{n:02d}" for n in range(22, 2, -1)]
    assert data["committee"] == committee.name
    assert data["url"] == "http://testserver" + reverse("public:messages", args=[committee.code])


def test_a_message_row_has_only_the_public_fields(client, committee, make_message):
    message, _code = make_message(status=Status.PUBLISHED, name="", phone=PHONE, client_ip="203.0.113.9")
    _response, data = feed(client, "messages", committee)
    (item,) = data["items"]
    assert set(item) == MESSAGE_FIELDS
    assert item["id"] == message.pk
    assert item["author"] == "Anonymous"
    assert item["category"] == "Urban and rural construction"
    assert item["reply"] == message.reply
    assert item["published_at"] == message.published_at.isoformat()
    assert item["replied_at"] == message.replied_at.isoformat()
    assert item["url"] == "http://testserver" + reverse("public:message", args=[committee.code, message.pk])


def test_the_suggestion_feed_lists_published_suggestions_with_the_public_author(
    client, committee, other_committee, member, make_suggestion
):
    named = make_suggestion(status=SStatus.PUBLISHED, title="named", published_at=timezone.now())
    unnamed = make_suggestion(
        status=SStatus.PUBLISHED,
        title="unnamed",
        show_name=False,
        published_at=timezone.now() - timedelta(hours=1),
    )
    for status in SStatus:
        if status != SStatus.PUBLISHED:
            make_suggestion(status=status, title=f"not public {status}")

    _response, data = feed(client, "suggestions", committee)
    assert [item["title"] for item in data["items"]] == ["named", "unnamed"]
    for item in data["items"]:
        assert set(item) == SUGGESTION_FIELDS
    assert data["items"][0]["author"] == member.name
    assert data["items"][1]["author"] == "Member"
    assert member.name not in json.dumps(data["items"][1], ensure_ascii=False)
    assert data["items"][0]["answer"] == named.answer
    assert data["items"][1]["url"].endswith(reverse("public:suggestion", args=[committee.code, unnamed.pk]))
    assert str(member.pk) not in {str(v) for item in data["items"] for v in item.values()} - {
        str(named.pk),
        str(unnamed.pk),
    }


def test_no_private_field_ever_leaves_in_a_feed(client, committee, make_message):
    message, code = make_message(
        status=Status.PUBLISHED, phone=PHONE, client_ip="203.0.113.77", sensitive_hits="secretword"
    )
    PublicMessage.objects.filter(pk=message.pk).update(hidden_reason="moderator note")
    response, _data = feed(client, "messages", committee)
    text = body(response)
    for secret in (
        PHONE,
        mask_phone(PHONE),
        "203.0.113.77",
        "secretword",
        "moderator note",
        message.code_digest,
        code,
    ):
        assert secret not in text, secret
    for key in ("phone", "client_ip", "sensitive_hits", "hidden_reason", "code_digest", "member"):
        assert f'"{key}"' not in text, key


def test_the_feeds_write_chinese_as_it_is_and_no_markup(client, committee, make_message, make_suggestion):
    make_message(
        status=Status.PUBLISHED,
        title=PAYLOAD,
        content=PAYLOAD,
        name="<script>alert(1)</script>",
        reply=PAYLOAD,
    )
    make_suggestion(
        status=SStatus.PUBLISHED, title=PAYLOAD, content=PAYLOAD, answer=PAYLOAD, answered_by_unit=PAYLOAD
    )
    for name in ("messages", "suggestions"):
        response, data = feed(client, name, committee)
        text = body(response)
        assert "<" not in text and ">" not in text, name
        assert committee.name in text  # not \\u escapes
        (item,) = data["items"]
        assert item["title"] == PAYLOAD
        assert response["Access-Control-Allow-Origin"] == "*"


def test_an_unknown_committee_has_no_feed(client, committee):
    for name in ("messages", "suggestions"):
        assert client.get(reverse(f"public:api_{name}", args=["nowhere"])).status_code == 404


@pytest.mark.parametrize("name", ["messages", "suggestions"])
def test_a_feed_costs_the_same_queries_at_any_size(client, committee, make_message, make_suggestion, name):
    def add(n):
        for _ in range(n):
            make_message(status=Status.PUBLISHED)
            make_suggestion(status=SStatus.PUBLISHED)

    add(2)
    client.get(reverse(f"public:api_{name}", args=[committee.code]))
    with capture_queries() as small:
        client.get(reverse(f"public:api_{name}", args=[committee.code]))
    add(25)
    with capture_queries() as large:
        client.get(reverse(f"public:api_{name}", args=[committee.code]))
    assert_same_query_count(small, large)


def test_a_feed_refuses_post(client, committee):
    assert client.post(reverse("public:api_messages", args=[committee.code])).status_code == 405
