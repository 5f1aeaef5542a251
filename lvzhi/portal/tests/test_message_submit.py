"""Writing a public message (public:message_new → public:message_sent) and the service behind it
(services.messages.submit_message): the captcha, the rate limit per client address, CSRF, every field's
check with a message naming it, sensitive words, the query code shown once, the audit row without the
writer's personal data, and hostile text rendered inert."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import body
from lvzhi.portal import captcha, query_codes
from lvzhi.portal.models import Category, PortalSettings, PublicMessage
from lvzhi.portal.services import messages as services

pytestmark = pytest.mark.usefixtures("english")

XSS = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
VALID = {
    "category": Category.URBAN_RURAL,
    "title": "小区门口路灯不亮",
    "content": "城关镇幸福小区门口的路灯坏了两个月，晚上出行不便。\n希望尽快修好。",
    "name": "张女士",
    "phone": "139 1234 5678",
}


@pytest.fixture(autouse=True)
def _empty_cache(memory_cache):
    """A cache of the test's own: clearing the shared one (Redis, in the PostgreSQL stage) would wipe
    the captchas of tests running beside this one."""


@pytest.fixture
def new_url(committee):
    return reverse("public:message_new", args=[committee.code])


@pytest.fixture
def sent_url(committee):
    return reverse("public:message_sent", args=[committee.code])


def form_key(response):
    """The captcha key of the form a page shows."""
    return re.search(r'name="captcha_key" value="([^"]+)"', body(response)).group(1)


@pytest.fixture
def send(client, new_url):
    """send(**fields) → the response to posting the form as a person would: the page's captcha key and
    its answer (read from the cache, as the person reads the image) unless given."""

    def post(*, client=client, answer=None, **fields):
        # Request headers (REMOTE_ADDR, HTTP_…) go with the requests, the rest is the form.
        extra = {k: fields.pop(k) for k in list(fields) if k == "REMOTE_ADDR" or k.startswith("HTTP_")}
        data = {**VALID, **fields}
        if "captcha_key" not in data:
            data["captcha_key"] = form_key(client.get(new_url, **extra))
        if answer is None:
            answer = captcha.answer_for(data["captcha_key"]) or ""
        data.setdefault("captcha", answer)
        return client.post(new_url, data, **extra)

    return post


# --- the form -----------------------------------------------------------------------------------------


def test_the_form_has_every_field_the_captcha_and_the_ways_around_it(client, new_url, committee):
    PortalSettings.objects.create(committee=committee, office_phone="0551-6512345")
    response = client.get(new_url)
    assert response.status_code == 200
    page = body(response)
    for element in (
        "id_category",
        "id_title",
        "id_content",
        "id_name",
        "id_phone",
        "id_captcha",
        "message-submit",
    ):
        assert f'id="{element}"' in page
    key = form_key(response)
    assert captcha.answer_for(key)
    assert f'src="{reverse("public:captcha", args=[committee.code, key])}"' in page
    assert 'id="captcha-image"' in page
    assert 'alt="Verification code image: type the characters shown"' in page
    assert 'name="new_captcha"' in page
    # Another way to leave a message than reading the image.
    assert "leave your message by telephone" in page
    assert "0551-6512345" in page
    assert "never shown publicly" in page
    assert "Optional. Shown with your message when it is published." in page
    assert "no-store" in response["Cache-Control"]


def test_a_closed_board_shows_a_notice_instead_of_the_form(client, new_url, committee, send):
    PortalSettings.objects.create(committee=committee, accepting_messages=False, office_phone="0551-6512345")
    response = client.get(new_url)
    page = body(response)
    assert 'id="board-closed"' in page
    assert "0551-6512345" in page
    assert 'id="message-submit"' not in page
    response = send(captcha_key=captcha.new_challenge())
    assert response.status_code == 403
    assert not PublicMessage.objects.exists()


def test_the_service_refuses_a_closed_board(committee):
    PortalSettings.objects.create(committee=committee, accepting_messages=False)
    with pytest.raises(services.MessageError) as refused:
        services.submit_message(committee=committee, **VALID, client_ip=None)
    assert refused.value.code == "closed"
    assert not PublicMessage.objects.exists()


# --- sending ------------------------------------------------------------------------------------------


def test_it_saves_the_message_and_shows_its_code_once(client, send, sent_url, committee):
    response = send()
    assert response.status_code == 302
    assert response.url == sent_url
    message = PublicMessage.objects.get()
    assert message.committee == committee
    assert (message.category, message.title, message.name) == (
        VALID["category"],
        VALID["title"],
        VALID["name"],
    )
    assert message.content == VALID["content"]
    assert message.phone == "13912345678"
    assert message.status == PublicMessage.Status.RECEIVED
    assert message.client_ip == "127.0.0.1"
    assert message.sensitive_hits == ""

    page = body(client.get(sent_url))
    code = re.search(r'id="query-code">([^<]+)<', page).group(1)
    assert message.code_digest == query_codes.digest(code)
    assert "it is shown only this once" in page
    assert reverse("public:lookup", args=[committee.code]) in page

    again = body(client.get(sent_url))
    assert 'id="query-code"' not in again
    assert code not in again
    assert "shown only once" in again


def test_the_code_is_not_shown_under_another_committees_address(client, send, other_committee, sent_url):
    send()
    other = body(client.get(reverse("public:message_sent", args=[other_committee.code])))
    assert 'id="query-code"' not in other
    # Still there for the committee it was sent to.
    assert 'id="query-code"' in body(client.get(sent_url))


def test_a_new_image_keeps_everything_typed_and_replaces_the_challenge(client, new_url):
    old_key = form_key(client.get(new_url))
    data = {**VALID, "captcha_key": old_key, "captcha": "XX", "new_captcha": "1"}
    response = client.post(new_url, data)
    assert response.status_code == 200
    page = body(response)
    new_key = form_key(response)
    assert new_key != old_key
    assert captcha.answer_for(new_key)
    assert captcha.answer_for(old_key) is None
    for value in (VALID["title"], VALID["name"], VALID["phone"], "城关镇幸福小区门口的路灯坏了两个月"):
        assert value in page
    assert 'name="captcha" value="XX"' not in page
    assert "was not sent" not in page
    assert not PublicMessage.objects.exists()


def test_new_images_do_not_count_against_the_sending_limit(client, new_url, send, settings):
    settings.LVZHI_PUBLIC_MESSAGE_RATE = "2/10m"
    key = form_key(client.get(new_url))
    for _ in range(4):
        response = client.post(new_url, {**VALID, "captcha_key": key, "new_captcha": "1"})
        key = form_key(response)
    assert send(captcha_key=key).status_code == 302


def test_the_same_form_sent_twice_makes_one_message(client, new_url, send, sent_url):
    key = form_key(client.get(new_url))
    answer = captcha.answer_for(key)
    assert send(captcha_key=key, answer=answer).status_code == 302
    again = send(captcha_key=key, answer=answer)
    assert again.status_code == 302
    assert again.url == sent_url
    assert PublicMessage.objects.count() == 1


# --- the captcha --------------------------------------------------------------------------------------


def test_a_wrong_answer_saves_nothing_and_keeps_what_was_typed(send):
    response = send(answer="WRONG")
    assert response.status_code == 400
    page = body(response)
    assert "Verification code: it does not match the image" in page
    assert VALID["title"] in page and VALID["name"] in page
    assert captcha.answer_for(form_key(response))
    assert not PublicMessage.objects.exists()


@pytest.mark.parametrize("key", ["", "no-such-key-at-all-here", "../etc"])
def test_a_missing_or_unknown_challenge_saves_nothing(send, key):
    response = send(captcha_key=key, answer="ABCD")
    assert response.status_code == 400
    assert "Verification code:" in body(response)
    assert not PublicMessage.objects.exists()


def test_a_missing_answer_saves_nothing(send, client, new_url):
    response = send(answer="")
    assert response.status_code == 400
    assert "Verification code: type the characters shown in the image." in body(response)
    # No captcha fields at all.
    response = client.post(new_url, VALID)
    assert response.status_code == 400
    assert not PublicMessage.objects.exists()


def test_a_challenge_answered_wrong_cannot_be_answered_again(client, new_url, send):
    key = form_key(client.get(new_url))
    answer = captcha.answer_for(key)
    assert send(captcha_key=key, answer="WRONG").status_code == 400
    assert send(captcha_key=key, answer=answer).status_code == 400
    assert not PublicMessage.objects.exists()


def test_an_expired_challenge_saves_nothing(client, new_url, send, monkeypatch, memory_cache):
    import time

    key = form_key(client.get(new_url))
    answer = captcha.answer_for(key)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 10 * 60 + 1)
    response = send(captcha_key=key, answer=answer)
    assert response.status_code == 400
    assert not PublicMessage.objects.exists()


def test_the_answer_ignores_case_and_spaces(client, new_url, send):
    key = form_key(client.get(new_url))
    answer = captcha.answer_for(key)
    assert send(captcha_key=key, answer=f" {answer[:2].lower()} {answer[2:].lower()}").status_code == 302


def test_a_wrong_captcha_is_the_only_error_shown(send):
    """Checked first: the service is not asked, so the fields' own problems come after a right answer."""
    response = send(answer="WRONG", title="")
    page = body(response)
    assert "Verification code:" in page
    assert "Title: write one" not in page


# --- the rate limit -----------------------------------------------------------------------------------


def test_the_sixth_post_within_the_window_is_refused(client, new_url, send):
    for _ in range(5):
        assert send(answer="WRONG").status_code == 400
    response = send()
    assert response.status_code == 429
    assert not PublicMessage.objects.exists()
    # Another address is not limited.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert send(client=other).status_code == 302


def test_a_forwarded_for_header_from_an_untrusted_address_changes_nothing(new_url, send):
    client = Client(REMOTE_ADDR="192.0.2.10")
    for n in range(5):
        assert send(client=client, answer="WRONG", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code == 400
    key = form_key(client.get(new_url))
    response = client.post(
        new_url,
        {**VALID, "captcha_key": key, "captcha": captcha.answer_for(key)},
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(new_url, settings):
    settings.LVZHI_TRUSTED_PROXIES = ["192.0.2.1"]
    proxy = Client(REMOTE_ADDR="192.0.2.1")

    def post(forwarded, answer=None):
        key = form_key(proxy.get(new_url, HTTP_X_FORWARDED_FOR=forwarded))
        data = {**VALID, "captcha_key": key, "captcha": answer or captcha.answer_for(key)}
        return proxy.post(new_url, data, HTTP_X_FORWARDED_FOR=forwarded)

    for _ in range(5):
        assert post("203.0.113.5", answer="WRONG").status_code == 400
    assert post("203.0.113.5").status_code == 429
    # Another client behind the same proxy has its own count, and is the address saved.
    assert post("203.0.113.6").status_code == 302
    assert PublicMessage.objects.get().client_ip == "203.0.113.6"


# --- CSRF ---------------------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(new_url):
    client = Client(enforce_csrf_checks=True)
    response = client.get(new_url)
    key = form_key(response)
    data = {**VALID, "captcha_key": key, "captcha": captcha.answer_for(key)}
    assert client.post(new_url, data).status_code == 403
    assert not PublicMessage.objects.exists()
    # The same form with the page's token goes through (the refusal above is the token's doing, and came
    # before the captcha was looked at).
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body(response)).group(1)
    assert client.post(new_url, {**data, "csrfmiddlewaretoken": token}).status_code == 302


# --- each field ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("category", "", "Category: choose from the list"),
        ("category", "lottery", "Category: choose from the list"),
        ("title", "", "Title: write one"),
        ("title", "   ", "Title: write one"),
        ("title", "长" * 101, "Title: at most 100 characters; it has 101."),
        ("content", "", "Content: write the situation"),
        ("content", "长" * 2001, "Content: at most 2000 characters; it has 2001."),
        ("name", "名" * 51, "Name: at most 50 characters."),
        ("phone", "", "Telephone: write a number the office can call you back on"),
        ("phone", "12345678901", "Telephone: write an 11-digit mobile number"),
        ("phone", "139123456", "Telephone: write an 11-digit mobile number"),
        ("phone", "0551-0123456", "Telephone: write an 11-digit mobile number"),
        ("phone", "abc", "Telephone: write an 11-digit mobile number"),
    ],
)
def test_each_problem_names_its_field_and_keeps_what_was_typed(send, field, value, message):
    response = send(**{field: value})
    assert response.status_code == 400
    page = body(response)
    assert message in page
    # Shown next to the field, which points to it, and in the summary linking to the field.
    assert f'id="id_{field}_error"' in page
    assert f'href="#id_{field}"' in page
    assert re.search(
        rf'id="id_{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="id_{field}"', page
    )
    for other, typed in VALID.items():
        if other not in (field, "category", "content"):
            assert typed in page
    assert "城关镇幸福小区门口的路灯坏了两个月" in page or field == "content"
    assert not PublicMessage.objects.exists()


def test_every_problem_is_shown_at_once(send):
    page = body(send(category="", title="", content="", phone=""))
    for message in ("Category:", "Title:", "Content:", "Telephone:"):
        assert message in page


def test_the_length_cap_follows_the_setting(send, settings):
    settings.LVZHI_PUBLIC_TEXT_MAX = 30
    assert "Content: at most 30 characters; it has 31." in body(send(content="长" * 31))
    assert send(content="长" * 30).status_code == 302
    assert 'maxlength="30"' in body(send(content="长" * 31))


@pytest.mark.parametrize("field", ["title", "content", "name", "phone"])
def test_a_nul_character_is_refused_with_the_field_named(send, field):
    """PostgreSQL cannot store \\0: refused before the database sees it (run on PostgreSQL too)."""
    value = "13912345678\x00" if field == "phone" else f"{VALID[field]}\x00x"
    response = send(**{field: value})
    assert response.status_code == 400
    label = {"title": "Title", "content": "Content", "name": "Name", "phone": "Telephone"}[field]
    assert f"{label}: it holds a character that cannot be stored" in body(response)
    assert not PublicMessage.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("139-1234-5678", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),
        ("0551-6512345", "0551-6512345"),
        ("05516512345", "0551-6512345"),
        ("0551 65123456", "0551-65123456"),
        ("(010) 8765 4321", "010-87654321"),
        ("（０２１）６２３４５６７８", "021-62345678"),
    ],
)
def test_phones_are_stored_normalised(committee, typed, stored):
    message, _code = services.submit_message(committee=committee, **{**VALID, "phone": typed}, client_ip=None)
    message.refresh_from_db()
    assert message.phone == stored


def test_control_characters_and_direction_overrides_are_taken_out(committee):
    message, _code = services.submit_message(
        committee=committee,
        **{
            **VALID,
            "title": "路灯\x07不亮\u202e",
            "content": "第一行\r\n第二行\x1b[31m\t完",
            "name": "张\x08女士\n",
        },
        client_ip="not an address",
    )
    message.refresh_from_db()
    assert message.title == "路灯不亮"
    assert message.content == "第一行\n第二行[31m\t完"
    assert message.name == "张女士"
    assert message.client_ip is None


def test_a_line_break_counts_as_one_character(committee, settings):
    settings.LVZHI_PUBLIC_TEXT_MAX = 5
    message, _code = services.submit_message(
        committee=committee, **{**VALID, "content": "ab\r\ncd"}, client_ip=None
    )
    assert message.content == "ab\ncd"


def test_the_name_is_optional(send):
    assert send(name="").status_code == 302
    assert PublicMessage.objects.get().name == ""


# --- sensitive words ----------------------------------------------------------------------------------


def test_a_message_with_sensitive_words_is_taken_in_and_held(send, committee):
    PortalSettings.objects.create(committee=committee, sensitive_words="赌博\n代开发票\n无关")
    response = send(title="有人聚众赌 博", content="还有人代开发票。", name="张女士")
    assert response.status_code == 302
    message = PublicMessage.objects.get()
    assert message.sensitive_hits == "赌博, 代开发票"
    assert message.held


def test_a_clean_message_is_not_held(send, committee):
    PortalSettings.objects.create(committee=committee, sensitive_words="赌博")
    send()
    assert not PublicMessage.objects.get().held


def test_the_words_found_fit_their_column(committee):
    words = [f"词{n:03d}" for n in range(200)]
    PortalSettings.objects.create(committee=committee, sensitive_words="\n".join(words))
    message, _code = services.submit_message(
        committee=committee, **{**VALID, "content": "".join(words)}, client_ip=None
    )
    message.refresh_from_db()
    assert len(message.sensitive_hits) <= 500
    assert message.sensitive_hits.startswith("词000, 词001")
    assert message.sensitive_hits.split(", ")[-1] in words


# --- the audit row ------------------------------------------------------------------------------------


def test_the_audit_row_names_the_title_and_never_the_phone_or_name(send, committee):
    send(REMOTE_ADDR="198.51.100.9")
    message = PublicMessage.objects.get()
    row = AuditEvent.objects.get(event="portal.message_received")
    assert row.actor is None
    assert row.committee_id == committee.pk
    assert row.object_id == str(message.pk)
    assert row.params == {"title": VALID["title"]}
    assert row.ip_address == "198.51.100.9"
    everything = json.dumps(
        {f.name: str(getattr(row, f.attname)) for f in AuditEvent._meta.concrete_fields}, ensure_ascii=False
    )
    for secret in ("13912345678", "139 1234 5678", "139****5678", "张女士"):
        assert secret not in everything


# --- hostile text -------------------------------------------------------------------------------------


def test_hostile_text_in_every_field_is_inert_on_the_form_and_the_sent_page(client, send, sent_url):
    response = send(title=XSS, content=XSS, name=XSS, phone=XSS, category=XSS, captcha=XSS, captcha_key=XSS)
    assert response.status_code == 400
    page = body(response)
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    assert send(title=XSS, content=XSS, name=XSS[:50]).status_code == 302
    page = body(client.get(sent_url))
    assert "<script>alert" not in page
    assert "onerror=alert" not in page
