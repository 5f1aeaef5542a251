"""ID and mobile numbers never reach the logs (issue 8, finding 7): the filter masks them in any line,
every configured handler carries it, and a walk through the pages that take such numbers leaves none in
what the handlers wrote."""

import io
import logging

import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.log_filters import RedactPersonalData, redact
from lvzhi.factories import MemberFactory

ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f'"GET /members/?q={ID_NUMBER} HTTP/1.1" 200', '"GET /members/?q=110105********002X HTTP/1.1" 200'),
        (f"q={ID_NUMBER.lower()}", "q=110105********002X"),
        ("q=110105+19491231+002X", "q=110105********002X"),
        ("q=110105%2019491231%20002X", "q=110105********002X"),
        (f"phone={PHONE}&x=1", "phone=139****5678&x=1"),
        ("phone=139-1234-5678", "phone=139****5678"),
        ("tel 139 1234 5678.", "tel 139****5678."),
    ],
)
def test_it_masks_numbers_however_they_are_written(line, expected):
    assert redact(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "member 12345 saved in 13 ms",
        "timestamp 1733150000000",  # 13 digits: not a mobile number
        "activity 2026120216083000",
        "hash 3f5a91c0e4b2d8f6a7c9e1b3d5f7a9c1",
    ],
)
def test_it_leaves_other_numbers_alone(line):
    assert redact(line) == line


def test_a_formatted_record_and_its_traceback_are_masked():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPersonalData())
    logger = logging.getLogger("lvzhi.test.redaction")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError(f"bad value {ID_NUMBER}")
        except ValueError:
            logger.exception("lookup of %s failed", PHONE)
    finally:
        logger.removeHandler(handler)

    written = stream.getvalue()
    assert ID_NUMBER not in written and PHONE not in written
    assert "110105********002X" in written and "139****5678" in written


def all_handlers():
    """Every handler on any logger, but pytest's own (its capture and its /dev/null log file)."""
    loggers = [logging.getLogger()] + [
        logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    return {
        handler
        for logger in loggers
        for handler in logger.handlers
        if not type(handler).__module__.startswith("_pytest")
    }


def test_every_configured_handler_masks():
    handlers = all_handlers()

    assert handlers  # root's console, django.server's
    for handler in handlers:
        assert any(isinstance(f, RedactPersonalData) for f in handler.filters), handler


def test_a_walk_through_the_pages_that_take_numbers_logs_none_of_them(
    request, client, make_user, committee, caplog
):
    """Search by number, the exact lookup, a page that is not found and a refused one, written at DEBUG
    through every configured handler."""
    member = MemberFactory(committee=committee, id_number=ID_NUMBER, phone=PHONE)
    stream = io.StringIO()
    streams = {}
    for handler in all_handlers():
        if isinstance(handler, logging.StreamHandler):
            streams[handler] = handler.setStream(stream)
    request.addfinalizer(lambda: [handler.setStream(old) for handler, old in streams.items()])
    caplog.set_level(logging.DEBUG)
    logging.getLogger("django.server").info('"GET /members/?q=%s HTTP/1.1" 200 5120', ID_NUMBER)
    client.force_login(make_user(Role.OFFICE))

    client.get(reverse("members:list"), {"q": ID_NUMBER})
    client.get(reverse("members:list"), {"q": PHONE})
    client.get(f"/members/{ID_NUMBER}/")
    client.get(reverse("members:detail", args=[member.pk]))
    client.post(reverse("members:unmask", args=[member.pk, "id_number"]))
    client.force_login(make_user(Role.MEMBER))
    client.get(reverse("members:list"), {"q": PHONE})

    written = stream.getvalue()
    assert "Not Found: /members/110105********002X/" in written  # the walk was logged, masked
    assert ID_NUMBER not in written and PHONE not in written
