"""Following a message with its query code (public:lookup, services.messages.find_by_code): a code shows
its own message of the committee in the address and nothing else, the status in the writer's words, the
reply (private ones too), never the telephone or the office's internal fields; the code only in POST
bodies; lookups rate-limited."""

import pytest
from django.test import Client
from django.urls import reverse

from lvzhi.core.testing import body
from lvzhi.portal import query_codes
from lvzhi.portal.models import PublicMessage
from lvzhi.portal.services import messages as services
from lvzhi.portal.tests.conftest import PHONE

pytestmark = pytest.mark.usefixtures("english")
Status = PublicMessage.Status
XSS = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
NOT_FOUND = "No message with this code was found."


@pytest.fixture(autouse=True)
def _empty_cache(memory_cache):
    """A cache of the test's own: clearing the shared one (Redis, in the PostgreSQL stage) would wipe
    the captchas of tests running beside this one."""


@pytest.fixture
def lookup_url(committee):
    return reverse("public:lookup", args=[committee.code])


@pytest.fixture
def look_up(client, lookup_url):
    def post(code, *, url=lookup_url, client=client, **extra):
        return client.post(url, {"code": code}, **extra)

    return post


def test_the_form(client, lookup_url):
    page = body(client.get(lookup_url))
    assert 'id="id_code"' in page
    assert 'id="lookup-submit"' in page
    assert 'method="post"' in page
    assert 'autocomplete="off"' in page


def test_each_code_shows_its_own_message_only(make_message, look_up):
    first, first_code = make_message(title="小区门口路灯不亮", content="路灯坏了两个月")
    second, second_code = make_message(title="公交站台没有雨棚", content="下雨天候车淋雨")
    page = body(look_up(first_code))
    assert "小区门口路灯不亮" in page and "路灯坏了两个月" in page
    assert "公交站台没有雨棚" not in page and "下雨天候车淋雨" not in page
    page = body(look_up(second_code))
    assert "公交站台没有雨棚" in page
    assert "小区门口路灯不亮" not in page


def test_the_code_may_be_typed_in_small_letters_and_with_spaces(make_message, look_up):
    _message, code = make_message()
    typed = " " + code.lower().replace("-", " ") + " "
    assert 'id="message-status"' in body(look_up(typed))


@pytest.mark.parametrize(
    "code",
    [
        "ABCD-EFGH-JKMN",  # well-formed, nobody's
        "ABCD-EFGH-JKM0",  # a character codes never have
        "ABCD",
        "' OR 1=1 --",
        "\x00" * 12,
        "长" * 12,
    ],
)
def test_a_wrong_or_garbled_code_shows_no_message(make_message, look_up, code):
    make_message(title="小区门口路灯不亮")
    response = look_up(code)
    assert response.status_code == 200
    page = body(response)
    assert "小区门口路灯不亮" not in page
    assert 'id="message-status"' not in page
    if code.strip("\x00"):
        assert NOT_FOUND in page


def test_an_empty_code_asks_for_one(look_up):
    page = body(look_up(""))
    assert "Query code: type the code you were given." in page
    assert NOT_FOUND not in page


def test_another_committees_code_shows_nothing_under_this_committees_address(
    make_message, look_up, other_committee
):
    _message, code = make_message(committee=other_committee, title="邻县的留言")
    page = body(look_up(code))
    assert "邻县的留言" not in page
    assert NOT_FOUND in page
    # Under its own committee's address it is found.
    own = reverse("public:lookup", args=[other_committee.code])
    assert "邻县的留言" in body(look_up(code, url=own))


def test_the_service_finds_by_code_within_the_committee(make_message, committee, other_committee):
    message, code = make_message()
    assert services.find_by_code(committee, code) == message
    assert services.find_by_code(committee, code.lower()) == message
    assert services.find_by_code(other_committee, code) is None
    assert services.find_by_code(committee, "") is None
    assert services.find_by_code(committee, query_codes.new_code()) is None


def test_an_empty_digest_never_matches(make_message, committee):
    make_message(code_digest="")
    assert services.find_by_code(committee, "") is None
    assert services.find_by_code(committee, "garbled") is None


def test_a_code_in_the_address_is_ignored(client, lookup_url, make_message):
    _message, code = make_message(title="小区门口路灯不亮")
    page = body(client.get(lookup_url, {"code": code}))
    assert "小区门口路灯不亮" not in page
    assert 'id="message-status"' not in page
    assert 'name="code" value=' not in page


# --- what the page shows ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (Status.RECEIVED, "Received: being handled."),
        (Status.PUBLISHED, "Answered: the reply is published on the message board."),
        (Status.ANSWERED, "Answered: the reply below is for you; it is not published."),
        (Status.HIDDEN, "Handled, not published."),
        (Status.CONVERTED, "Forwarded as a social-conditions report (社情民意) to the relevant bodies."),
    ],
)
def test_the_status_in_the_writers_words(make_message, look_up, status, text):
    _message, code = make_message(status=status)
    page = body(look_up(code))
    assert f'<span id="message-status">{text}</span>' in page


def test_a_published_message_links_to_its_public_page(make_message, look_up, committee):
    message, code = make_message(status=Status.PUBLISHED)
    page = body(look_up(code))
    assert reverse("public:message", args=[committee.code, message.pk]) in page
    assert 'id="message-reply"' in page
    assert "已转交城关镇人民政府处理。" in page


def test_a_private_reply_is_shown_to_its_writer(make_message, look_up, committee):
    message, code = make_message(status=Status.ANSWERED, reply="您反映的问题已转交县住建局，预计本月修复。")
    page = body(look_up(code))
    assert "您反映的问题已转交县住建局，预计本月修复。" in page
    assert 'id="message-reply"' in page
    assert reverse("public:message", args=[committee.code, message.pk]) not in page


def test_a_message_awaiting_moderation_shows_no_reply(make_message, look_up):
    _message, code = make_message(reply="草稿答复")
    page = body(look_up(code))
    assert 'id="message-reply"' not in page
    assert "草稿答复" not in page


def test_a_hidden_message_does_not_show_why(make_message, look_up):
    _message, code = make_message(status=Status.HIDDEN, hidden_reason="疑似广告，内部备注", reply="")
    page = body(look_up(code))
    assert "Handled, not published." in page
    assert "疑似广告" not in page


def test_the_telephone_and_the_internal_fields_are_never_shown(make_message, look_up):
    _message, code = make_message(
        status=Status.PUBLISHED,
        name="张女士",
        client_ip="203.0.113.77",
        sensitive_hits="赌博",
        hidden_reason="内部原因",
    )
    page = body(look_up(code))
    for secret in (PHONE, "139****5678", "139 1234 5678", "203.0.113.77", "赌博", "内部原因"):
        assert secret not in page


def test_a_landline_is_never_shown_either(make_message, look_up):
    _message, code = make_message(phone="0551-6512345")
    page = body(look_up(code))
    assert "6512345" not in page
    assert "0551" not in page


def test_hostile_text_is_inert(make_message, look_up):
    _message, code = make_message(status=Status.ANSWERED, title=XSS, content=XSS, name=XSS[:50], reply=XSS)
    page = body(look_up(code))
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3
    # A hostile code typed in the form is inert too.
    page = body(look_up(XSS[:40]))
    assert "<script>alert(1)" not in page


def test_the_pages_are_not_cached(client, lookup_url, make_message, look_up):
    _message, code = make_message()
    assert "no-store" in client.get(lookup_url)["Cache-Control"]
    assert "no-store" in look_up(code)["Cache-Control"]


# --- the rate limit -----------------------------------------------------------------------------------


def test_lookups_are_rate_limited_per_address(make_message, look_up, settings):
    settings.LVZHI_PUBLIC_LOOKUP_RATE = "3/10m"
    _message, code = make_message()
    for _ in range(3):
        assert look_up("ABCD-EFGH-JKMN").status_code == 200
    response = look_up(code)
    assert response.status_code == 429
    assert 'id="message-status"' not in body(response)
    # Another address is not limited; a forged X-Forwarded-For from an untrusted address does not help.
    assert look_up(code, client=Client(REMOTE_ADDR="198.51.100.20")).status_code == 200
    assert look_up(code, HTTP_X_FORWARDED_FOR="198.51.100.21").status_code == 429


def test_the_default_limit_is_twenty_lookups(make_message, look_up):
    for _ in range(20):
        assert look_up("ABCD-EFGH-JKMN").status_code == 200
    assert look_up("ABCD-EFGH-JKMN").status_code == 429
