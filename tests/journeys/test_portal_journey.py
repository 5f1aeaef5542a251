"""Issue 14's 'done means': a visitor on a phone leaves a message with the keyboard alone and gets its
query code; the office answers it publicly from a reply template; the visitor follows it with the code and
finds it on the message board; another message becomes a 社情民意 report (without the writer's contact)
that waits in the editors' queue; a member's suggestion is submitted on a phone and published with its
official answer. axe-core checks every public page (WCAG 2.1 A and AA: no serious or critical
violation), also in the larger-text and high-contrast display; the home and a message read without
JavaScript; the writer's telephone is on no page but the office's. Screenshots 130–146 kept.

It runs on the demo committee (seed_demo builds the public site's announcements, answered messages,
published suggestions and reply templates)."""

import re

import pytest
from django.urls import reverse

from lvzhi.demo.builder import DemoBuilder
from lvzhi.opinions.models import OpinionReport
from lvzhi.portal import captcha, query_codes
from lvzhi.portal.models import Announcement, Category, MemberSuggestion, PublicMessage, ReplyTemplate
from lvzhi.portal.services.messages import submit_message

from .conftest import (
    PHONE,
    click_and_wait,
    desktop,
    menu,
    no_accessibility_violations,
    no_error_message,
    no_sideways_scroll,
    phone,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The visitor's message, typed on the phone.
TITLE = "城关镇幸福路公交站台缺少遮雨棚（旅程测试）"
CONTENT = "幸福路公交站台没有遮雨棚，下雨天老人和学生只能站在雨里等车，希望有关部门加装遮雨棚。"
WRITER = "李先生"
WRITER_PHONE = "13755550123"
DEPARTMENT = "县交通运输局"
REPLY_ADDED = "县交通运输局已将该站台列入今年的改造计划。"
# A blank in a reply template that the office fills in ({部门}: the department).
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# The message the office turns into a report.
SECOND_TITLE = "青溪河下游发现不明排污口（旅程测试）"
SECOND_CONTENT = "青溪河下游石桥村段近来有一处排污口夜间排放浑水，河面常有异味，希望尽快查明来源。"
SECOND_PHONE = "15955550456"
# The member's suggestion.
SUGGESTION_TITLE = "关于在乡镇卫生院推广远程会诊的建议（旅程测试）"
SUGGESTION_CONTENT = "建议由县人民医院牵头，与各乡镇卫生院建立远程会诊平台，让群众在家门口看上专家门诊。"
ANSWER = "县卫生健康局已将远程会诊平台建设列入明年的重点工作。"
ANSWER_UNIT = "县卫生健康局"

# The message form in the order a keyboard reaches it: its fields, the captcha, the send button.
FORM_ORDER = ["id_category", "id_title", "id_content", "id_name", "id_phone", "id_captcha", "message-submit"]


@pytest.fixture
def demo(transactional_db):
    return DemoBuilder(members=40, standing=8).build()


def test_visitor_office_editor_and_member_on_the_public_site(demo, live_server, browser, screenshot):
    base, committee = live_server.url, demo
    code = committee.code

    def public(name, *args):
        return reverse(f"public:{name}", args=[code, *args])

    def nav(page, name):
        """Follow the public site's section link, as a reader would."""
        click_and_wait(page, f".portal-nav a[href='{public(name)}']")

    # 1. A visitor opens the public home on a phone: the first Tab reaches the skip link, which moves
    # to the main content.
    visitor_ctx = phone(browser)
    visitor = visitor_ctx.new_page()
    visitor.goto(base + public("home"))
    visitor.keyboard.press("Tab")
    assert visitor.evaluate("document.activeElement.classList.contains('skip-link')")
    visitor.keyboard.press("Enter")
    assert visitor.evaluate("document.activeElement.id") == "main"
    for section in ("#home-announcements", "#home-suggestions", "#home-messages"):
        assert visitor.locator(section).is_visible(), section
    no_sideways_scroll(visitor)
    no_accessibility_violations(visitor)
    screenshot(visitor, "130-public-home-phone")

    # The message form, filled and sent with the keyboard alone; the captcha's answer read on the
    # server as a person reads the picture.
    click_and_wait(visitor, f"#main a[href='{public('message_new')}']")
    no_sideways_scroll(visitor)
    no_accessibility_violations(visitor)
    typed = {"id_title": TITLE, "id_content": CONTENT, "id_name": WRITER, "id_phone": WRITER_PHONE}
    reached = []
    for _ in range(80):
        visitor.keyboard.press("Tab")
        focused = visitor.evaluate("document.activeElement.id")
        if focused not in FORM_ORDER:
            continue
        reached.append(focused)
        if focused == "id_category":
            while visitor.input_value("#id_category") != Category.URBAN_RURAL:
                visitor.keyboard.press("ArrowDown")
        elif focused == "id_captcha":
            visitor.keyboard.type(captcha.answer_for(visitor.input_value("input[name=captcha_key]")))
        elif focused in typed:
            visitor.keyboard.type(typed[focused])
        else:
            break
    assert reached == FORM_ORDER
    screenshot(visitor, "131-message-form-phone")
    with visitor.expect_navigation():
        visitor.keyboard.press("Enter")
    visitor.wait_for_load_state("networkidle")
    no_error_message(visitor)
    query_code = visitor.inner_text("#query-code").strip()
    message = PublicMessage.objects.get(code_digest=query_codes.digest(query_code))
    assert (message.status, message.title, message.phone) == (
        PublicMessage.Status.RECEIVED,
        TITLE,
        WRITER_PHONE,
    )
    assert WRITER_PHONE not in visitor.content()
    no_sideways_scroll(visitor)
    no_accessibility_violations(visitor)
    screenshot(visitor, "132-message-sent-phone")
    # Looked up at once, the message waits for the office: no reply yet.
    nav(visitor, "lookup")
    no_sideways_scroll(visitor)
    no_accessibility_violations(visitor)
    visitor.fill("#id_code", query_code)
    click_and_wait(visitor, "#lookup-submit")
    no_error_message(visitor)
    waiting_status = visitor.inner_text("#message-status").strip()
    assert TITLE in visitor.inner_text("#main") and visitor.locator("#message-reply").count() == 0

    # 2. The office opens the message from the queue, starts from a reply template, adds a sentence and
    # publishes it.
    office_ctx = desktop(browser)
    office = office_ctx.new_page()
    sign_in(office, base, "office")
    menu(office, reverse("portal:moderation"))
    detail = reverse("portal:message_detail", args=[message.pk])
    screenshot(office, "133-moderation-queue")
    click_and_wait(office, f".message-row[data-message-id='{message.pk}'] a[href='{detail}']")
    assert WRITER_PHONE not in office.content()
    template = ReplyTemplate.objects.filter(committee=committee).first()
    office.select_option("#reply-template", str(template.pk))
    assert office.input_value("#id_reply").strip() == template.text.strip()
    # The office names the department where the template leaves a blank ({部门}), and adds a sentence.
    reply = PLACEHOLDER.sub(DEPARTMENT, office.input_value("#id_reply").strip()) + "\n" + REPLY_ADDED
    office.fill("#id_reply", reply)
    screenshot(office, "134-moderation-publish")
    click_and_wait(office, "#publish-submit", confirm="")
    no_error_message(office)
    message.refresh_from_db()
    assert message.status == PublicMessage.Status.PUBLISHED
    assert REPLY_ADDED in message.reply and not PLACEHOLDER.search(message.reply)

    # 3. The visitor follows the message with the code again: answered, with the reply; then finds it on
    # the message board.
    nav(visitor, "lookup")
    visitor.fill("#id_code", query_code)
    click_and_wait(visitor, "#lookup-submit")
    no_error_message(visitor)
    assert visitor.inner_text("#message-status").strip() not in ("", waiting_status)
    assert REPLY_ADDED in visitor.inner_text("#message-reply")
    assert WRITER_PHONE not in visitor.content()
    no_sideways_scroll(visitor)
    no_accessibility_violations(visitor)
    screenshot(visitor, "135-lookup-result-phone")
    nav(visitor, "messages")
    item = visitor.locator(f".message-item[data-message-id='{message.pk}']")
    assert TITLE in item.inner_text()
    no_sideways_scroll(visitor)
    no_accessibility_violations(visitor)
    click_and_wait(
        visitor, f".message-item[data-message-id='{message.pk}'] a[href='{public('message', message.pk)}']"
    )
    assert REPLY_ADDED in visitor.inner_text("#main")
    assert WRITER_PHONE not in visitor.content()
    no_sideways_scroll(visitor)
    no_accessibility_violations(visitor)
    screenshot(visitor, "136-public-message-phone")

    # 4. Another message becomes a 社情民意 report without the writer's contact; it waits in the editors'
    # queue.
    second, _code = submit_message(
        committee=committee,
        category=Category.ENVIRONMENT,
        title=SECOND_TITLE,
        content=SECOND_CONTENT,
        name="赵女士",
        phone=SECOND_PHONE,
        client_ip=None,
    )
    menu(office, reverse("portal:moderation"))
    second_detail = reverse("portal:message_detail", args=[second.pk])
    click_and_wait(office, f".message-row[data-message-id='{second.pk}'] a[href='{second_detail}']")
    assert not office.is_checked("#id_include_contact")
    if not office.input_value("#id_report_title"):
        office.fill("#id_report_title", SECOND_TITLE)
    if not office.input_value("#id_report_body"):
        office.fill("#id_report_body", SECOND_CONTENT)
    click_and_wait(office, "#convert-submit", confirm="")
    no_error_message(office)
    second.refresh_from_db()
    report = second.report
    assert second.status == PublicMessage.Status.CONVERTED
    assert (report.source, report.status) == (OpinionReport.Source.PUBLIC, OpinionReport.Status.SUBMITTED)
    report_url = reverse("opinions:detail", args=[report.pk])
    assert office.get_attribute("#message-report-link", "href") == report_url
    screenshot(office, "137-message-converted")

    editor_ctx = desktop(browser)
    editor = editor_ctx.new_page()
    sign_in(editor, base, "editor")
    menu(editor, reverse("opinions:work"))
    click_and_wait(editor, f"#queue-list a[href='{report_url}']")
    assert SECOND_TITLE in editor.inner_text("main")
    assert SECOND_PHONE not in editor.content()
    screenshot(editor, "138-editor-report-from-message")
    editor_ctx.close()

    # 5. A member writes a suggestion on a phone and submits it; the office publishes it with the
    # official answer; the visitor reads both.
    member_ctx = phone(browser)
    mobile = member_ctx.new_page()
    sign_in(mobile, base, "member")
    mobile.goto(base + reverse("portal:suggestion_new"))
    mobile.select_option("#id_category", Category.HEALTH)
    mobile.fill("#id_title", SUGGESTION_TITLE)
    mobile.fill("#id_content", SUGGESTION_CONTENT)
    mobile.check("#id_show_name")
    no_sideways_scroll(mobile)
    screenshot(mobile, "139-suggestion-new-phone")
    click_and_wait(mobile, "#suggestion-save")
    no_error_message(mobile)
    suggestion = MemberSuggestion.objects.get(title=SUGGESTION_TITLE)
    click_and_wait(mobile, "#suggestion-submit", confirm="")
    no_error_message(mobile)
    suggestion.refresh_from_db()
    assert suggestion.status == MemberSuggestion.Status.SUBMITTED
    screenshot(mobile, "140-suggestion-submitted-phone")
    member_ctx.close()

    menu(office, reverse("portal:suggestion_queue"))
    suggestion_detail = reverse("portal:suggestion_detail", args=[suggestion.pk])
    click_and_wait(
        office, f".suggestion-row[data-suggestion-id='{suggestion.pk}'] a[href='{suggestion_detail}']"
    )
    office.fill("#id_answer", ANSWER)
    office.fill("#id_answered_by_unit", ANSWER_UNIT)
    screenshot(office, "141-suggestion-publish")
    click_and_wait(office, "#suggestion-publish", confirm="")
    no_error_message(office)
    suggestion.refresh_from_db()
    assert suggestion.status == MemberSuggestion.Status.PUBLISHED
    office_ctx.close()

    nav(visitor, "suggestions")
    assert SUGGESTION_TITLE in visitor.inner_text(f".suggestion-item[data-suggestion-id='{suggestion.pk}']")
    no_sideways_scroll(visitor)
    no_accessibility_violations(visitor)
    click_and_wait(
        visitor,
        f".suggestion-item[data-suggestion-id='{suggestion.pk}'] a[href='{public('suggestion', suggestion.pk)}']",
    )
    assert ANSWER in visitor.inner_text("#main")
    no_sideways_scroll(visitor)
    no_accessibility_violations(visitor)
    screenshot(visitor, "142-public-suggestion-phone")

    # 6. The announcements, the list and one.
    announcement = Announcement.objects.public(committee).first()
    nav(visitor, "announcements")
    no_sideways_scroll(visitor)
    no_accessibility_violations(visitor)
    click_and_wait(visitor, f"#main a[href='{public('announcement', announcement.pk)}']")
    assert announcement.title in visitor.inner_text("#main")
    no_sideways_scroll(visitor)
    no_accessibility_violations(visitor)
    screenshot(visitor, "143-announcement-phone")

    # Larger text and high contrast (适老化): the home and the message form pass again.
    nav(visitor, "home")
    click_and_wait(visitor, "#display-text")
    click_and_wait(visitor, "#display-contrast")
    classes = visitor.get_attribute("body", "class").split()
    assert "text-large" in classes and "contrast-high" in classes, classes
    no_sideways_scroll(visitor)
    no_accessibility_violations(visitor)
    screenshot(visitor, "144-home-large-contrast-phone")
    nav(visitor, "message_new")
    no_sideways_scroll(visitor)
    no_accessibility_violations(visitor)
    screenshot(visitor, "145-message-form-large-contrast-phone")
    visitor_ctx.close()

    # 7. Without JavaScript the home and a message read the same.
    plain_ctx = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    plain = plain_ctx.new_page()
    plain.goto(base + public("home"))
    assert TITLE in plain.inner_text("#home-messages")
    assert SUGGESTION_TITLE in plain.inner_text("#home-suggestions")
    plain.goto(base + public("message", message.pk))
    assert CONTENT in plain.inner_text("#main") and REPLY_ADDED in plain.inner_text("#main")
    screenshot(plain, "146-message-without-javascript")
    plain_ctx.close()
