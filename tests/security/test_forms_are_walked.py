"""The walk knows every field: each form of each page (the fields a browser would send, wherever the form
posts to) is compared with the fields routes.ROUTES lists for the URL it is sent to. A field added to a
form fails here until the hostile walk sends values to it."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from .routes import ROUTES, url_for

PAGES = sorted(name for name, route in ROUTES.items() if "GET" in route.methods)
IGNORED = {"csrfmiddlewaretoken"}


class Forms(HTMLParser):
    """(action, method, {field names}) of every form of a page."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self.current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = ([attrs.get("action") or ""], (attrs.get("method") or "get").upper(), set())
            self.forms.append(self.current)
            return
        if self.current is None:
            return
        if tag == "button" and attrs.get("formaction"):
            # Buttons that send the form elsewhere: the form's fields go to each of their URLs.
            if self.current[0] == [""]:
                self.current[0].clear()
            self.current[0].append(attrs["formaction"])
        if tag in {"input", "select", "textarea", "button"} and attrs.get("name"):
            self.current[2].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


@pytest.mark.parametrize("name", PAGES)
def test_every_form_field_is_walked(walk, name):
    route = ROUTES[name]
    url = url_for(name, walk.world.own)
    outcome = walk.send(walk.client(route.hostile_actor("GET")), "GET", url)
    if not outcome.response.get("Content-Type", "").startswith("text/html"):
        return
    parser = Forms()
    parser.feed(outcome.text)
    unknown = []
    for actions, method, fields in parser.forms:
        for action in actions:
            unknown += _unknown(action, method, fields, url, walk.world.own)
    assert not unknown, f"fields the walk does not send values to (add them to routes.py): {unknown}"


def _unknown(action, method, fields, url, side):
    unknown = []
    path = urlsplit(action).path or url
    try:
        match = resolve(path)
    except Resolver404:
        return [f"a form posts to {path}, which is no URL"]
    target = ROUTES.get(match.view_name)
    if target is None:
        return []  # test_every_route_is_covered reports it
    missing = sorted(fields - set(target.fields(method, side)) - IGNORED)
    if missing:
        unknown.append(f"{match.view_name} {method}: {missing}")
    return unknown
