"""The reader's display choices (适老化): larger text and high contrast, set with plain form buttons as
cookies (a year, HttpOnly, SameSite=Lax, Secure on https), shown as classes on the page, and back to the
page the reader was on — never to another site."""

import lxml.html
import pytest
from django.urls import reverse

from lvzhi.core.testing import body
from lvzhi.portal import public_site

pytestmark = pytest.mark.usefixtures("english")


def display(client, committee, **data):
    return client.post(reverse("public:display", args=[committee.code]), data)


def classes(response):
    page = lxml.html.fromstring(body(response))
    return set(page.xpath("//body/@class")[0].split()), set((page.xpath("/html/@class") or [""])[0].split())


def test_larger_text_is_a_cookie_for_a_year(client, committee):
    response = display(
        client, committee, text="large", next=reverse("public:messages", args=[committee.code])
    )
    assert response.status_code == 302
    assert response.url == reverse("public:messages", args=[committee.code])
    cookie = response.cookies[public_site.TEXT_COOKIE]
    assert cookie.value == "large"
    assert int(cookie["max-age"]) == public_site.DISPLAY_COOKIE_AGE
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]
    assert public_site.CONTRAST_COOKIE not in response.cookies


def test_high_contrast_is_a_cookie_too_and_secure_on_https(client, committee):
    response = client.post(
        reverse("public:display", args=[committee.code]), {"contrast": "high"}, secure=True
    )
    cookie = response.cookies[public_site.CONTRAST_COOKIE]
    assert cookie.value == "high"
    assert cookie["secure"]
    assert cookie["httponly"]
    assert public_site.TEXT_COOKIE not in response.cookies


def test_the_choices_show_as_classes_and_the_buttons_turn_back(client, committee):
    home = reverse("public:home", args=[committee.code])
    page = lxml.html.fromstring(body(client.get(home)))
    assert page.xpath("//button[@id='display-text']/@value") == ["large"]
    assert page.xpath("//button[@id='display-contrast']/@value") == ["high"]
    assert page.xpath("//form[.//button[@id='display-text']]//input[@name='csrfmiddlewaretoken']")

    display(client, committee, text="large")
    display(client, committee, contrast="high")
    response = client.get(home)
    on_body, on_html = classes(response)
    assert {"text-large", "contrast-high"} <= on_body
    assert {"text-large", "contrast-high"} <= on_html
    page = lxml.html.fromstring(body(response))
    assert page.xpath("//button[@id='display-text']/@value") == ["standard"]
    assert page.xpath("//button[@id='display-contrast']/@value") == ["standard"]

    display(client, committee, text="standard", contrast="standard")
    on_body, _on_html = classes(client.get(home))
    assert not {"text-large", "contrast-high"} & on_body


def test_the_buttons_come_back_to_the_same_page(client, committee):
    address = reverse("public:suggestions", args=[committee.code]) + "?category=health&page=2"
    page = lxml.html.fromstring(body(client.get(address)))
    assert page.xpath("//form[.//button[@id='display-text']]//input[@name='next']/@value") == [address]


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "http://evil.example/public/",
        "javascript:alert(1)",
        "\\\\evil.example",
        "",
    ],
)
def test_an_unsafe_next_goes_home(client, committee, target):
    response = display(client, committee, text="large", next=target)
    assert response.status_code == 302
    assert response.url == reverse("public:home", args=[committee.code])


def test_unknown_values_set_nothing(client, committee):
    response = display(client, committee, text="huge", contrast="<script>")
    assert response.status_code == 302
    assert not response.cookies


def test_it_needs_post_and_csrf(committee):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.get(reverse("public:display", args=[committee.code])).status_code == 405
    assert client.post(reverse("public:display", args=[committee.code]), {"text": "large"}).status_code == 403


def test_an_unknown_committee_is_a_404(client, committee):
    assert client.post(reverse("public:display", args=["nowhere"]), {"text": "large"}).status_code == 404


def test_a_cookie_with_another_value_changes_nothing(client, committee):
    client.cookies[public_site.TEXT_COOKIE] = '"><script>'
    response = client.get(reverse("public:home", args=[committee.code]))
    on_body, _ = classes(response)
    assert on_body == {"portal"}
