"""Issue 2's 'done means': office browses units and members, edits a member and sees the change in
history; the member signs in and sees only their own file, on a phone-sized screen too."""

import pytest
from playwright.sync_api import expect

from lvzhi.accounts.models import User
from lvzhi.core import audit
from lvzhi.core.models import AuditEvent
from lvzhi.demo.builder import DemoBuilder
from lvzhi.members.models import Member, MemberChange

from .conftest import password_step, second_factor_step, sign_in

# serialized_rollback: the flush between journeys would otherwise delete the role groups that a data
# migration created.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo(transactional_db):
    return DemoBuilder(members=40, standing=8).build()


def test_office_edits_a_member_and_the_member_sees_only_their_file(demo, live_server, browser, screenshot):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()

    page.goto(f"{base}/")
    assert "/accounts/login/" in page.url
    screenshot(page, "01-login")
    sign_in(page, base, "office")
    assert page.locator("text=委员档案").first.is_visible()
    screenshot(page, "02-office-home")

    # The organization tree at a glance, then one special committee.
    page.click("nav >> text=组织机构")
    tree = page.locator("#org-tree")
    for expected in ("专门委员会", "界别", "镇区政协工委", "经济委员会", "城关镇政协工委"):
        assert tree.get_by_text(expected).first.is_visible(), expected
    screenshot(page, "03-org-tree")
    tree.get_by_role("link", name="经济委员会").click()
    assert page.locator("h1").inner_text().startswith("经济委员会")
    assert page.get_by_text("对口联络").first.is_visible()
    screenshot(page, "04-unit-detail")

    # The member list, searched by pinyin initials.
    target = Member.objects.exclude(user__isnull=False).order_by("name_stroke_key")[3]
    page.click("nav >> text=委员管理")
    total = Member.objects.count()
    page.fill("#id_q", target.name_initials)
    # The list narrows as the user types (htmx), without a page load.
    # (A locator, not wait_for_function: the page's Content-Security-Policy forbids evaluating strings.)
    expect(page.locator("#member-results")).not_to_contain_text(f"共{total}名")
    rows = page.locator("#member-table tbody tr")
    assert 1 <= rows.count() < total
    assert rows.filter(has_text=target.name).count() == 1
    screenshot(page, "05-member-search")
    page.click(f"#member-table >> text={target.name}")
    assert target.name in page.locator("h1").inner_text()
    # Personal data is masked on the page.
    assert target.id_number not in page.content()
    assert target.masked_id_number in page.content()
    screenshot(page, "06-member-detail")

    # 显示完整信息（操作留痕）: the button asks the server for the full number, which is shown in its place
    # and leaves an audit row with where it came from (issue 10, defect 1: the button used to be removed
    # before htmx could send anything).
    id_number = page.locator("dt:text-is('身份证号码') + dd")
    with page.expect_response(lambda response: "/unmask/" in response.url):
        id_number.get_by_role("button", name="显示完整信息（操作留痕）").click()
    expect(id_number).to_have_text(target.id_number)
    expect(id_number.get_by_role("button")).to_have_count(0)
    unmasked = AuditEvent.objects.get(action=AuditEvent.Action.UNMASK, actor__username="office")
    assert unmasked.object_id == str(target.pk) and unmasked.ip_address == "127.0.0.1"
    screenshot(page, "06a-member-unmasked")

    page.click("text=编辑")
    new_post = "青溪县第二中学副校长"
    page.fill("#id_employer_post", new_post)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("委员档案已保存").is_visible()
    assert page.get_by_text(new_post).is_visible()
    change = MemberChange.objects.filter(member=target).first()
    assert [c["field"] for c in change.changes] == ["employer_post"]

    page.click("text=修改记录")
    diff = page.locator(".history-diff").first
    assert new_post in diff.inner_text()
    assert target.employer_post in diff.inner_text()
    screenshot(page, "07-member-history")

    # The office looks a member up by ID number: the number is posted, never part of an address.
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.click("nav >> text=委员管理")
    page.click("#member-lookup-link")
    page.fill("#id_number", target.id_number)
    page.click("#member-lookup button[type=submit]")
    result = page.locator("#lookup-result")
    result.wait_for()
    assert result.get_by_role("link", name=target.name).is_visible()
    assert target.masked_id_number in result.inner_text()
    assert target.id_number not in page.content()
    screenshot(page, "07a-member-lookup")
    assert requested and not [url for url in requested if target.id_number in url]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOOKUP, actor__username="office").exists()
    # Typed into the list's search, the number finds nobody and the page says where to go instead.
    page.click("nav >> text=委员管理")
    page.fill("#id_q", target.id_number)
    page.locator("#member-lookup-notice").wait_for()
    assert page.locator("#member-table tbody tr").count() == 1  # "no member matches"
    assert target.id_number not in page.url
    screenshot(page, "07b-member-search-by-number")
    # Not even while typing: lvzhi.js keeps the number out of the search request.
    assert not [url for url in requested if target.id_number in url]

    page.click("nav >> text=退出登录")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" in page.url
    context.close()

    # Staff of a special committee edit a member of their unit: only their fields can be changed.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, base, "unitstaff")
    staffed = Member.objects.visible_to(User.objects.get(username="unitstaff")).exclude(pk=target.pk).first()
    page.goto(f"{base}/members/{staffed.pk}/edit/")
    assert page.locator("#read-only-note").is_visible()
    for read_only in ("#id_name", "#id_id_number", "#id_gender", "#id_term-sector", "#id_term-is_standing"):
        assert page.locator(read_only).is_disabled(), read_only
    page.fill("#id_employer_post", "县农业农村局副局长")
    screenshot(page, "07c-unit-staff-edit")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("委员档案已保存").is_visible()
    staffed.refresh_from_db()
    assert staffed.employer_post == "县农业农村局副局长"
    context.close()

    # The member, on a phone.
    me = Member.objects.get(user__username="member")
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    sign_in(page, base, "member")
    # A member starts on the start page (their activities first); their file is in the menu.
    assert page.locator("#home-my-activities").count() == 1
    page.goto(f"{base}/members/me/")
    assert me.name in page.locator("main").inner_text()
    assert me.masked_phone in page.content()
    # Nothing spills sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "08-member-own-file-phone")

    other = Member.objects.exclude(pk=me.pk).first()
    response = page.goto(f"{base}/members/{other.pk}/")
    assert response.status == 404
    assert other.name not in page.content()
    response = page.goto(f"{base}/members/")
    assert response.status == 403
    screenshot(page, "09-member-list-forbidden")

    # The member proposes a new phone number; staff will approve it.
    page.goto(f"{base}/members/me/")
    page.fill("#id_phone", "13812345678")
    page.click("text=提交审批")
    page.wait_for_load_state("networkidle")
    assert "正在等待办公室审批" in page.content()
    assert Member.objects.get(pk=me.pk).phone != "13812345678"
    screenshot(page, "10-member-contact-update")
    phone.close()


def test_the_auditor_signs_in_with_a_second_factor_and_reads_the_audit_log(
    demo, live_server, browser, screenshot
):
    base = live_server.url
    page = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    sign_in(page, base, "office")  # leaves a login row for the auditor to find
    page.click("nav >> text=退出登录")

    page.goto(f"{base}/accounts/login/")
    password_step(page, "auditor")
    assert page.url.endswith("/accounts/second-factor/")
    screenshot(page, "11-auditor-second-factor")
    second_factor_step(page, "auditor")
    page.click("nav >> text=审计日志")
    table = page.locator("table")
    assert table.get_by_text("office").first.is_visible()
    assert table.get_by_text("登录").first.is_visible()
    screenshot(page, "12-audit-log")

    # What happened reads in Chinese, from the event and its parameters (issue 10, defect 10), and the
    # auditor narrows the log to one kind of event.
    auditor = User.objects.get(username="auditor")
    audit.record(
        audit.Action.CREATE,
        committee=auditor.committee_id,
        username="office",
        event="library.document_created",
        params={"title": "2026年学习资料汇编"},
    )
    page.reload()
    page.select_option("#id_event", "library.document_created")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("table tbody tr")
    expect(rows.filter(has_text="资料库新增资料：2026年学习资料汇编")).to_have_count(1)
    assert rows.count() == rows.filter(has_text="资料库新增资料：").count()
    assert page.locator("table").get_by_text("登录").count() == 0
    screenshot(page, "12a-audit-log-by-event")
