"""No full ID or phone number leaves the server where it need not: a number typed into the member search
is not echoed into the page, the address it is sent on to or a log line, and the answer is the same for
a member's number and for nobody's (the list search is no oracle; staff who may see full numbers use the
audited lookup). The walk checks every other response and log record."""

import datetime

import pytest
from django.urls import reverse

from lvzhi.core import idcard

from . import probe
from .routes import ORG_VIEWERS

NOBODYS = {
    "id_number": idcard.make("990199", datetime.date(1960, 1, 1), 7),
    "phone": "13599990000",
}


def search(walk, client, number):
    outcome = walk.send(client, "GET", reverse("members:list"), query={"q": number})
    errors = probe.problems(outcome, secrets=[*walk.world.secrets, number])
    location = outcome.response.get("Location", "")
    if outcome.status == 302:
        followed = walk.send(client, "GET", location)
        errors += probe.problems(followed, secrets=[*walk.world.secrets, number])
        outcome = followed
    return (outcome.status, location, walk.world.own.member.name in outcome.text), errors


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("kind", ["id_number", "phone"])
@pytest.mark.parametrize("role", sorted(ORG_VIEWERS))
def test_a_number_typed_into_the_member_search(walk, role, kind, htmx):
    client = walk.client(role, headers={"HX-Request": "true"} if htmx else {})
    found, errors = search(walk, client, getattr(walk.world.own.member, kind))
    nothing, more = search(walk, client, NOBODYS[kind])
    assert not errors + more, errors + more
    assert found == nothing, "the answer tells whether the number belongs to a member"
