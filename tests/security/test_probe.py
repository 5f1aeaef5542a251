"""The walk's checks can fail: each is shown a response with the fault it looks for."""

import logging

from django.http import HttpResponse

from . import probe
from .hostile import IMG, SCRIPT

SECRET = "990101197503010011"


def outcome(content="<p>ok</p>", content_type="text/html; charset=utf-8", headers=None, records=(), sql=()):
    response = HttpResponse(content, content_type=content_type, headers=headers)
    capture = probe.Capture([])
    capture.records = list(records)
    return probe.Outcome("GET", "/x/", response, response.content.decode(), list(sql), capture)


def record(message, name="django.request"):
    return logging.LogRecord(name, logging.WARNING, __file__, 1, message, (), None)


def test_a_clean_response_passes():
    assert probe.problems(outcome(), secrets=[SECRET]) == []


def test_a_server_error_is_reported():
    response = outcome()
    response.response.status_code = 500
    assert probe.problems(response, secrets=[])[0].startswith("server error")


def test_unescaped_markup_in_a_page_is_reported():
    for payload in (SCRIPT, IMG):
        assert probe.problems(outcome(f"<p>{payload}</p>"), secrets=[])


def test_markup_in_a_download_is_not_markup():
    assert probe.problems(outcome(SCRIPT, content_type="text/csv"), secrets=[]) == []


def test_full_numbers_in_body_header_or_log_are_reported():
    assert probe.problems(outcome(f"<p>{SECRET}</p>"), secrets=[SECRET])
    assert probe.problems(
        outcome(headers={"Content-Disposition": f"attachment; filename={SECRET}.xlsx"}), secrets=[SECRET]
    )
    assert probe.problems(outcome(records=[record(f"Not Found: /members/?q={SECRET}")]), secrets=[SECRET])


def test_a_number_the_log_filters_mask_is_not_reported():
    from lvzhi.core.log_filters import RedactPersonalData

    masked = outcome(records=[record(f"lookup {SECRET}")])
    masked.capture.redactors = [RedactPersonalData()]
    assert probe.problems(masked, secrets=[SECRET]) == []


def test_a_page_whose_purpose_is_the_number_may_show_it():
    assert probe.problems(outcome(f"<p>{SECRET}</p>"), secrets=[SECRET], personal_data_allowed=True) == []


def test_writes_of_a_refused_request_are_reported_but_not_bookkeeping():
    writes = outcome(
        sql=['INSERT INTO "members_member" ("name") VALUES (%s)', 'UPDATE "django_session" SET x']
    )
    assert probe.refusal_problems(writes) == ["refused request wrote to members_member"]
    bookkeeping = outcome(sql=['INSERT INTO "core_auditevent" ("action") VALUES (%s)', "SELECT 1"])
    assert probe.refusal_problems(bookkeeping) == []
