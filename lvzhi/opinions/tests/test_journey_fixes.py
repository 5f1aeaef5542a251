"""What the browser journey (tests/journeys/test_opinions_journey.py) found wrong, each pinned here:
line breaks posted by a textarea (CRLF) counted twice against the body limit and marked as changes in
the editors' diff; the register form offering the first category as if the author had chosen it."""

import json

import pytest
from django.urls import reverse

from lvzhi.core.testing import body
from lvzhi.opinions.models import OpinionPolicy, OpinionReport

from .pipeline_fixtures import *  # noqa: F403

Status = OpinionReport.Status
pytestmark = pytest.mark.usefixtures("english")


def test_a_line_break_is_one_character_as_the_counter_says(client, author, committee):
    """The page counts a line break as one character; the browser posts it as CRLF. A body exactly at
    the limit with line breaks is submitted, and the stored text has plain line breaks."""
    OpinionPolicy.objects.create(committee=committee, body_limit=10)
    client.force_login(author.user)
    saved = client.post(
        reverse("opinions:autosave_new"), {"title": "关于路灯的建议", "body": "情况：暗。\r\n建议：修"}
    )
    assert saved.status_code == 200, saved.content
    report = OpinionReport.objects.get()
    assert report.body == "情况：暗。\n建议：修" and len(report.body) == 10
    client.post(
        reverse("opinions:edit", args=[report.pk]),
        {
            "title": report.title,
            "body": "情况：暗。\r\n建议：修",
            "version": json.loads(saved.content)["version"],
        },
    )
    report.refresh_from_db()
    assert report.body == "情况：暗。\n建议：修"
    client.post(reverse("opinions:submit", args=[report.pk]), {"version": report.version})
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_the_editors_unchanged_line_breaks_are_no_change(client, editor, make_report):
    report = make_report(Status.EDITING, body="情况：暗。\n建议：修灯。")
    report.edited_title, report.edited_body = report.title, report.body
    report.save(update_fields=["edited_title", "edited_body"])
    client.force_login(editor)
    response = client.post(
        reverse("opinions:edit_text", args=[report.pk]),
        {
            "edited_title": report.title,
            "edited_body": "情况：暗。\r\n建议：修路灯。",
            "version": report.version,
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.edited_body == "情况：暗。\n建议：修路灯。"
    page = body(client.get(reverse("opinions:detail", args=[report.pk])))
    diff = page.split('id="report-diff"', 1)[1].split("</div></div>", 1)[0]
    assert diff.count("<ins>") == 1 and "<ins>路</ins>" in diff and "<del>" not in diff


def test_the_register_form_asks_for_a_category_the_author_left_open(client, editor, make_report):
    open_report = make_report(Status.SUBMITTED, category=None)
    client.force_login(editor)
    page = body(client.get(reverse("opinions:detail", args=[open_report.pk])))
    select = page.split('<select name="category" id="id_category"', 1)[1].split("</select>", 1)[0]
    assert '<option value="" selected>' in select  # nothing chosen for the editor
    chosen = make_report(Status.SUBMITTED)
    page = body(client.get(reverse("opinions:detail", args=[chosen.pk])))
    select = page.split('<select name="category" id="id_category"', 1)[1].split("</select>", 1)[0]
    assert 'value=""' not in select
    assert f'<option value="{chosen.category_id}" selected>' in select
