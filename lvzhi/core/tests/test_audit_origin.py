"""Where an audited act came from: the client address (X-Forwarded-For only from trusted proxies) and
user agent, on every row — also those written by services that were never handed the request, and by
the task worker on someone's behalf."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from lvzhi.core import audit
from lvzhi.core.models import AuditEvent

PHONE_BROWSER = "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36"


def request_from(remote, forwarded=None, user_agent=PHONE_BROWSER):
    headers = {"REMOTE_ADDR": remote, "HTTP_USER_AGENT": user_agent}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


# --- the client address ------------------------------------------------------------------------


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.LVZHI_TRUSTED_PROXIES = []

    assert audit.client_ip(request_from("203.0.113.7", forwarded="10.9.9.9")) == "203.0.113.7"


def test_a_trusted_proxy_passes_on_the_client_address(settings):
    settings.LVZHI_TRUSTED_PROXIES = ["127.0.0.1"]

    assert audit.client_ip(request_from("127.0.0.1", forwarded="198.51.100.23")) == "198.51.100.23"


def test_an_address_the_client_wrote_itself_is_not_believed(settings):
    # The client sent "X-Forwarded-For: 10.0.0.1"; nginx appended the address it saw.
    settings.LVZHI_TRUSTED_PROXIES = ["127.0.0.1"]

    assert audit.client_ip(request_from("127.0.0.1", forwarded="10.0.0.1, 198.51.100.23")) == "198.51.100.23"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    settings.LVZHI_TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]

    request = request_from("127.0.0.1", forwarded="198.51.100.23, 10.1.2.3")

    assert audit.client_ip(request) == "198.51.100.23"


def test_an_untrusted_peer_cannot_pretend_to_be_a_proxy(settings):
    settings.LVZHI_TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert audit.client_ip(request_from("198.51.100.99", forwarded="10.1.1.1")) == "198.51.100.99"


@pytest.mark.parametrize("garbage", ["not-an-ip", "<script>", "1.2.3.4.5", "", " , ,"])
def test_garbage_in_the_header_falls_back_to_the_proxy(settings, garbage):
    settings.LVZHI_TRUSTED_PROXIES = ["127.0.0.1"]

    assert audit.client_ip(request_from("127.0.0.1", forwarded=garbage)) == "127.0.0.1"


def test_ipv6_proxies_and_clients(settings):
    settings.LVZHI_TRUSTED_PROXIES = ["::1"]

    assert audit.client_ip(request_from("::1", forwarded="2001:db8::5")) == "2001:db8::5"


def test_a_malformed_trusted_proxy_setting_is_a_system_check_error(settings):
    from lvzhi.core.checks import check_trusted_proxies

    settings.LVZHI_TRUSTED_PROXIES = ["10.0.0.0/33"]

    errors = check_trusted_proxies(None)

    assert [e.id for e in errors] == ["lvzhi.E003"]


# --- rows carry the origin -----------------------------------------------------------------------


def test_a_row_written_without_the_request_still_carries_its_origin(db):
    def view(request):
        audit.record(audit.Action.UPDATE, summary="deep in a service")
        return HttpResponse()

    audit.AuditContextMiddleware(view)(request_from("198.51.100.23"))

    row = AuditEvent.objects.get()
    assert row.ip_address == "198.51.100.23"
    assert row.user_agent == PHONE_BROWSER


def test_the_origin_ends_with_the_request(db):
    audit.AuditContextMiddleware(lambda request: HttpResponse())(request_from("198.51.100.23"))

    audit.record(audit.Action.UPDATE, summary="later, elsewhere")

    assert AuditEvent.objects.get().ip_address is None


def test_a_very_long_user_agent_is_cut(db):
    audit.record(audit.Action.LOGIN, request=request_from("198.51.100.23", user_agent="x" * 5000))

    assert len(AuditEvent.objects.get().user_agent) == 255


def test_work_done_on_someones_behalf_carries_their_origin(db):
    with audit.acting_from(ip="198.51.100.40", user_agent="Firefox"):
        audit.record(audit.Action.IMPORT, summary="in the worker")
    audit.record(audit.Action.IMPORT, summary="after")

    inside, after = AuditEvent.objects.order_by("id")
    assert (inside.ip_address, inside.user_agent) == ("198.51.100.40", "Firefox")
    assert (after.ip_address, after.user_agent) == (None, "")


def test_a_service_row_from_a_page_carries_the_address_and_browser(client, office, settings, tmp_path):
    """The library's create_document is handed no request: the row gets the origin all the same."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.LVZHI_TRUSTED_PROXIES = ["127.0.0.1"]
    client.force_login(office)

    response = client.post(
        reverse("library:create"),
        {
            "title": "委员履职工作规则",
            "category": "rules",
            "audience": "members_and_staff",
            "published_on": "2026-03-01",
            "body": "第一条 委员应当按时参加会议。",
        },
        headers={"user-agent": PHONE_BROWSER, "x-forwarded-for": "198.51.100.77"},
    )

    assert response.status_code == 302
    row = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="library.Document")
    assert row.ip_address == "198.51.100.77"
    assert row.user_agent == PHONE_BROWSER
