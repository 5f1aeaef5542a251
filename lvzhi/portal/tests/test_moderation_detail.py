"""A public message's page for the office (portal:message_detail) and its steps as the moderator takes
them: the forms each status allows, the held words, the masked telephone and its audited display, the
reply template without JavaScript, publish / answer / hide / restore / convert through the views (status
move, history row, audit row with the client's address, the success message), stale and illegal steps as
messages, and the links between a message and the report it became."""

import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import body
from lvzhi.opinions.models import OpinionReport
from lvzhi.portal.models import PublicMessage, PublicMessageStatusChange, ReplyTemplate
from lvzhi.portal.services import moderation as services

from .conftest import PHONE

pytestmark = pytest.mark.usefixtures("english")

Status = PublicMessage.Status
CLIENT = "203.0.113.9"
FORMS = ["publish-form", "answer-form", "hide-form", "convert-form", "restore-submit"]
ALLOWED = {
    Status.RECEIVED: {"publish-form", "answer-form", "hide-form", "convert-form"},
    Status.ANSWERED: {"publish-form", "hide-form"},
    Status.PUBLISHED: {"hide-form"},
    Status.HIDDEN: {"restore-submit"},
    Status.CONVERTED: {"publish-form", "answer-form"},
}


@pytest.fixture
def staff(client, office):
    client.force_login(office)
    return client


def page(client, message, **params):
    response = client.get(reverse("portal:message_detail", args=[message.pk]), params)
    assert response.status_code == 200
    return body(response)


def post(client, name, message, data=None, **extra):
    return client.post(
        reverse(f"portal:{name}", args=[message.pk]),
        {"version": str(message.version), **(data or {})},
        REMOTE_ADDR=CLIENT,
        **extra,
    )


def audit_row(code):
    return AuditEvent.objects.filter(event=code).get()


@pytest.mark.parametrize("status", list(ALLOWED))
def test_the_page_offers_the_steps_its_status_allows(staff, make_message, status):
    message, _code = make_message(status=status)
    text = page(staff, message)
    shown = {form for form in FORMS if f'id="{form}"' in text}
    assert shown == ALLOWED[status]
    assert 'id="phone-show"' in text and "139****5678" in text and PHONE not in text


def test_the_page_shows_the_message_with_line_breaks_address_and_history(staff, office, make_message):
    message, _code = make_message(content="第一行\n第二行<b>粗</b>", client_ip="198.51.100.7")
    services.answer_privately(message, actor=office, reply="私下答复。", expected_version=1)
    text = page(staff, message)
    assert "第一行<br>第二行&lt;b&gt;粗&lt;/b&gt;" in text
    assert "198.51.100.7" in text and "张女士" in text and "Urban and rural construction" in text
    history = text.split('id="message-history"')[1].split("</ol>")[0]
    assert "Awaiting moderation" in history and "Answered privately" in history and "office" in history
    assert "私下答复。" in text


def test_held_words_are_marked_and_need_the_check(staff, make_message):
    message, _code = make_message(
        title="赌 博问题", content="附近有人聚众赌博。", sensitive_hits="赌博, 代开发票"
    )
    text = page(staff, message)
    warning = text.split('id="message-held"')[1].split("</div>")[0]
    assert "赌博" in warning and "代开发票" in warning
    assert "<mark>赌博</mark>" in text.split('id="message-content"')[1]
    assert "<mark>赌 博</mark>" in text.split('id="message-title"')[1]
    assert 'id="id_words_checked"' in text and "I have checked the flagged words" in text
    response = post(staff, "message_publish", message, {"reply": "已转公安机关。"})
    assert response.status_code == 400
    message.refresh_from_db()
    assert message.status == Status.RECEIVED
    response = post(staff, "message_publish", message, {"reply": "已转公安机关。", "words_checked": "on"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.PUBLISHED


def test_a_message_without_held_words_has_no_check(staff, make_message):
    message, _code = make_message()
    text = page(staff, message)
    assert 'id="id_words_checked"' not in text and 'id="message-held"' not in text


def test_the_phone_is_shown_once_and_audited_with_the_address(staff, office, make_message):
    message, _code = make_message()
    response = post(staff, "message_phone", message)
    assert response.status_code == 200
    assert f'id="message-phone-full">{PHONE}<' in body(response)
    assert "no-store" in response["Cache-Control"]
    event = audit_row("portal.message_phone_shown")
    assert event.actor == office and event.ip_address == CLIENT and event.object_id == str(message.pk)
    # the next visit shows it masked again
    assert PHONE not in page(staff, message)


def test_a_reply_template_fills_the_reply_without_javascript(staff, make_message, committee, other_committee):
    message, _code = make_message()
    mine = ReplyTemplate.objects.create(
        committee=committee, title="转交", text="您反映的问题已转交相关部门。"
    )
    theirs = ReplyTemplate.objects.create(committee=other_committee, title="邻县", text="邻县的模板文字")
    text = page(staff, message)
    assert 'id="reply-template"' in text and f'value="{mine.pk}"' in text and "邻县" not in text
    assert 'data-fill="#id_reply, #id_answer_reply"' in text
    filled = page(staff, message, template=mine.pk)
    reply = filled.split('id="id_reply"')[1].split("</textarea>")[0]
    assert "您反映的问题已转交相关部门。" in reply
    answer = filled.split('id="id_answer_reply"')[1].split("</textarea>")[0]
    assert "您反映的问题已转交相关部门。" in answer
    assert "邻县的模板文字" not in page(staff, message, template=theirs.pk)
    assert page(staff, message, template="x" * 30)  # garbage is ignored


def test_publish_from_the_page(staff, office, make_message):
    message, _code = make_message()
    response = post(staff, "message_publish", message, {"reply": "已转交城关镇。"}, follow=True)
    assert "The message is published with your reply on the public site." in body(response)
    message.refresh_from_db()
    assert message.status == Status.PUBLISHED and message.reply == "已转交城关镇。"
    change = PublicMessageStatusChange.objects.get(message=message)
    assert (change.from_status, change.to_status, change.actor) == (Status.RECEIVED, Status.PUBLISHED, office)
    event = audit_row("portal.message_published")
    assert event.ip_address == CLIENT and event.actor == office


def test_answer_privately_from_the_page(staff, make_message):
    message, _code = make_message()
    response = post(staff, "message_answer", message, {"reply": "请拨打12345。"}, follow=True)
    assert "The writer is answered" in body(response)
    message.refresh_from_db()
    assert message.status == Status.ANSWERED and message.published_at is None
    assert audit_row("portal.message_answered").ip_address == CLIENT
    assert PublicMessageStatusChange.objects.get(message=message).to_status == Status.ANSWERED


def test_hide_needs_a_reason_and_keeps_the_row(staff, make_message):
    message, _code = make_message()
    response = post(staff, "message_hide", message, {"hide_reason": ""})
    assert response.status_code == 400 and "Reason for hiding" in body(response)
    response = post(staff, "message_hide", message, {"hide_reason": "广告"}, follow=True)
    assert "The message is hidden" in body(response)
    message.refresh_from_db()
    assert message.status == Status.HIDDEN and message.hidden_reason == "广告"
    assert audit_row("portal.message_hidden").ip_address == CLIENT
    change = PublicMessageStatusChange.objects.get(message=message)
    assert change.reason == "广告"
    response = post(staff, "message_restore", message, follow=True)
    assert "The message is back in the queue." in body(response)
    message.refresh_from_db()
    assert message.status == Status.RECEIVED
    assert audit_row("portal.message_restored").ip_address == CLIENT


def test_a_stale_page_saves_nothing(staff, office, make_message):
    message, _code = make_message()
    stale_version = message.version
    services.answer_privately(message, actor=office, reply="同事已答复。", expected_version=1)
    response = staff.post(
        reverse("portal:message_publish", args=[message.pk]),
        {"reply": "我的答复", "version": str(stale_version)},
        follow=True,
    )
    assert response.status_code == 200 and "Someone else saved this" in body(response)
    message.refresh_from_db()
    assert message.status == Status.ANSWERED and message.reply == "同事已答复。"
    # a missing version is never the current one
    response = staff.post(
        reverse("portal:message_hide", args=[message.pk]), {"hide_reason": "广告"}, follow=True
    )
    assert "Someone else saved this" in body(response)
    message.refresh_from_db()
    assert message.status == Status.ANSWERED


@pytest.mark.parametrize(
    ("status", "name", "data"),
    [
        (Status.HIDDEN, "message_publish", {"reply": "答复"}),
        (Status.PUBLISHED, "message_answer", {"reply": "答复"}),
        (Status.CONVERTED, "message_hide", {"hide_reason": "广告"}),
        (Status.PUBLISHED, "message_convert", {"report_title": "标题", "report_body": "正文"}),
        (Status.RECEIVED, "message_restore", {}),
        (Status.HIDDEN, "message_publish", {}),
    ],
)
def test_an_illegal_step_is_a_message_not_a_500(staff, make_message, status, name, data):
    message, _code = make_message(status=status)
    response = post(staff, name, message, data, follow=True)
    assert response.status_code == 200
    assert "A message that is" in body(response)
    message.refresh_from_db()
    assert message.status == status and message.version == 1


def test_hostile_values_give_no_500(staff, make_message):
    message, _code = make_message()
    for name, data in [
        ("message_publish", {"reply": "x" * 6000}),
        ("message_publish", {"reply": "a\x00b"}),
        ("message_hide", {"hide_reason": "\x00"}),
        ("message_convert", {"report_title": "t" * 300, "report_body": "b"}),
        ("message_convert", {"report_title": "t", "report_body": "b", "version": "abc"}),
    ]:
        response = post(staff, name, message, data)
        assert response.status_code in (302, 400), name
    message.refresh_from_db()
    assert message.status == Status.RECEIVED


# --- turning a message into a report --------------------------------------------------------------------


def test_the_convert_form_is_filled_from_the_message_and_leaves_the_contact_out(staff, make_message):
    message, _code = make_message()
    text = page(staff, message)
    form = text.split('id="convert-form"')[1].split("</form>")[0]
    assert 'value="小区门口路灯不亮"' in form and "城关镇幸福小区门口的路灯坏了两个月" in form
    contact = form.split('id="id_include_contact"')[0].rsplit("<input", 1)[1]
    assert "checked" not in contact
    assert "data-confirm" in text.split('id="convert-form"')[1].split(">")[0]


def test_convert_from_the_page_links_both_ways(client, office, editor, make_message):
    message, _code = make_message()
    client.force_login(office)
    response = post(
        client,
        "message_convert",
        message,
        {"report_title": "关于路灯的建议", "report_body": "路灯坏了两个月。"},
        follow=True,
    )
    assert "The message is now a public-opinion report" in body(response)
    report = OpinionReport.objects.get()
    assert report.status == OpinionReport.Status.SUBMITTED and report.source == OpinionReport.Source.PUBLIC
    for text in [report.title, report.body, *report.authors.values_list("name", flat=True)]:
        assert PHONE not in text and "张女士" not in text
    message.refresh_from_db()
    assert message.status == Status.CONVERTED and message.report == report
    assert audit_row("portal.message_converted").ip_address == CLIENT
    text = page(client, message)
    link = text.split('id="message-report-link"')[0].rsplit("<a", 1)[1]
    assert f'href="{reverse("opinions:detail", args=[report.pk])}"' in link
    # the report's page names the message: a link for the office, plain text for an editor
    office_view = body(client.get(reverse("opinions:detail", args=[report.pk])))
    origin = office_view.split('id="report-public-message"')[1].split("</p>")[0]
    assert reverse("portal:message_detail", args=[message.pk]) in origin and "小区门口路灯不亮" in origin
    client.force_login(editor)
    editor_view = body(client.get(reverse("opinions:detail", args=[report.pk])))
    origin = editor_view.split('id="report-public-message"')[1].split("</p>")[0]
    assert "小区门口路灯不亮" in origin and "href" not in origin


def test_convert_with_the_contact_ticked(staff, make_message):
    message, _code = make_message()
    post(
        staff,
        "message_convert",
        message,
        {"report_title": "路灯", "report_body": "路灯坏了。", "include_contact": "on"},
    )
    report = OpinionReport.objects.get()
    assert PHONE in report.body and "张女士" in report.body


def test_the_report_page_of_a_report_not_from_a_message_says_nothing(client, make_user, committee):
    from lvzhi.opinions.services import reports

    office = make_user(Role.OFFICE, username="typist")
    report = reports.record_public_message(actor=office, title="别的信息", body="正文", writer_name="")
    client.force_login(office)
    assert 'id="report-public-message"' not in body(client.get(reverse("opinions:detail", args=[report.pk])))
