"""Issue 11's 'done means': the office types in a member's paper report; a member writes and submits a
社情民意 report on a phone; the editor registers it (seeing the similar earlier report with its shared
passages marked), has it verified, edits it (the diff shown) and sends it for sign-off; the leader signs
it; the editor compiles a bulletin, sends it (after a confirmation) and downloads the Word file; records
a city-level adoption and a county leader's instruction; the member sees both on the report and in
我的履职档案; screenshots 89–99 kept.

As the other journeys, it finds elements by URL (form actions, links), ids and data-* hooks and asserts
on data (titles, names) and on the database; every date is the one the pages offer (today)."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation
from docx import Document

from lvzhi.accounts.models import User
from lvzhi.demo.builder import DemoBuilder
from lvzhi.ledger import kinds
from lvzhi.ledger.models import DutyRecord
from lvzhi.members.models import Member
from lvzhi.opinions.models import Bulletin, Category, OpinionReport
from lvzhi.opinions.services import reports as pipeline

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
S = OpinionReport.Status

# The earlier report on the same river, written by another member in other words.
EARLIER_TITLE = "关于整治白沙河夜间非法采砂的建议"
EARLIER_BODY = (
    "白沙镇境内白沙河段近来夜间采砂船作业频繁，群众反映河堤被掏空，沿岸农田和桥墩安全受到威胁。"
    "采砂点多在镇界交界处，白天停工、夜里开工，巡查难以发现。"
    "建议由水利、公安、自然资源部门联合开展白沙河夜间巡查，依法取缔非法采砂点，尽快加固受损河堤。"
)
TITLE = "关于加强白沙河采砂监管的建议（旅程测试）"
BODY = (
    "情况：白沙河流经白沙镇的河段，夜里常有采砂船偷偷作业，河堤被掏空，桥墩附近河床下切。\n"
    "分析：采砂点设在镇界交界处，白天停工夜里开工，部门之间巡查衔接不够。\n"
    "建议：水利、公安、自然资源部门对白沙河开展联合夜间巡查，取缔非法采砂点，加固受损河堤。"
)
EDITED_TITLE = "关于加强白沙河河道采砂监管、保护河堤安全的建议"
FINDINGS = "经白沙镇水利站现场核实，白沙河下游三处河堤存在掏空，情况属实。"


@pytest.fixture
def demo(transactional_db):
    committee = DemoBuilder(members=40, standing=8).build()
    member_user = User.objects.get(username="member")
    office = User.objects.get(username="office")
    # The earlier report is another member's, handed in on paper: the office types it in (step 0).
    others = Member.objects.filter(committee=committee, user__isnull=True).order_by("pk")
    earlier_author, co_author = others[0], others[1]
    category = Category.objects.get(committee=committee, name="生态环境")
    return {
        "committee": committee,
        "member": member_user.member,
        "co_author": co_author,
        "earlier_author": earlier_author,
        "office": office,
        "category": category,
    }


def phone(browser):
    return browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)


def desktop(browser):
    return browser.new_context(locale="zh-CN", viewport=DESKTOP, accept_downloads=True)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def menu(page, url):
    """Open the menu entry with this address (in its dropdown section, as a person would)."""
    page.click(f".navbar .dropdown:has(a[href='{url}']) > .dropdown-toggle")
    click_and_wait(page, f".navbar .dropdown-menu a[href='{url}']")


def click_and_wait(page, selector, *, confirm=None):
    """Click a submit button or link that loads the next page; with `confirm`, accept the browser's
    confirmation, whose text must contain it (data-confirm buttons)."""
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    if confirm is not None:
        page.once("dialog", answer)
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("networkidle")
    if confirm is not None:
        assert asked and confirm in asked[0], asked


def test_report_from_member_to_leaders_and_back(demo, live_server, browser, screenshot, tmp_path):
    base = live_server.url
    member = demo["member"]
    co_author = demo["co_author"]

    # 0. The office types in the earlier report another member handed in on paper: the member is found
    # by name and chosen, the report is submitted in their name; the editor registers it.
    office_ctx = desktop(browser)
    office_page = office_ctx.new_page()
    sign_in(office_page, base, "office")
    office_page.goto(base + reverse("opinions:work"))
    click_and_wait(office_page, "#paper-new")
    earlier_author = demo["earlier_author"]
    office_page.fill("#lead-member-search", earlier_author.name)
    office_page.check(f"#lead-member-results input[name=member][value='{earlier_author.pk}']")
    office_page.fill("#id_title", EARLIER_TITLE)
    office_page.fill("#id_body", EARLIER_BODY)
    office_page.select_option("#id_category", str(demo["category"].pk))
    screenshot(office_page, "89-office-types-in-a-paper-report")
    click_and_wait(office_page, "#paper-form button[type=submit]", confirm="以该委员名义提交")
    earlier = OpinionReport.objects.get(title=EARLIER_TITLE)
    assert office_page.url.endswith(reverse("opinions:detail", args=[earlier.pk]))
    assert earlier.status == S.SUBMITTED and earlier.authors.get().member == earlier_author
    office_ctx.close()
    earlier = pipeline.register(earlier, actor=User.objects.get(username="editor"), category=demo["category"])

    # 1. The member writes the report on a phone: the counter follows the text, the draft saves itself.
    member_ctx = phone(browser)
    page = member_ctx.new_page()
    sign_in(page, base, "member")
    page.goto(base + reverse("opinions:mine"))
    click_and_wait(page, "#write-report")
    assert page.url.endswith(reverse("opinions:new"))
    # Leaving the title (a change) saves the draft; leaving the body saves it again.
    page.fill("#id_title", TITLE)
    with page.expect_response(lambda r: r.url.endswith(reverse("opinions:autosave_new")) and r.ok):
        page.focus("#id_body")
    page.wait_for_selector("#autosave-status:has-text('已自动保存')")
    report = OpinionReport.objects.get(title=TITLE)
    assert report.status == S.DRAFT
    page.fill("#id_body", BODY)
    counter = page.locator("#body-counter")
    assert f"已写 {len(BODY)} 字" in counter.inner_text()
    autosave = reverse("opinions:autosave", args=[report.pk])
    with page.expect_response(lambda r: r.url.endswith(autosave) and r.ok):
        page.locator("#id_body").blur()
    report.refresh_from_db()
    assert report.body == BODY
    edit_url = reverse("opinions:edit", args=[report.pk])
    assert page.url.endswith(edit_url)  # the page became the draft's own
    # A co-author, found by name.
    page.fill("#co-author-search", co_author.name)
    pick = page.locator(f"#co-author-results [data-co-author-pick='{co_author.pk}']")
    pick.wait_for()
    # Leaving the search box saves first; the pick is saved right after that save, not 20 s later.
    with page.expect_response(
        lambda r: r.url.endswith(autosave) and r.ok and "co_authors" in (r.request.post_data or "")
    ):
        pick.click()
    assert co_author.name in page.inner_text("#co-authors-chosen")
    assert set(report.authors.values_list("member_id", "role")) == {(member.pk, "lead"), (co_author.pk, "co")}
    no_sideways_scroll(page)
    screenshot(page, "90-member-writes-report-phone")

    # The autosaved draft is submitted from the write page itself (asking first), with what was typed.
    click_and_wait(page, "#submit-now", confirm="提交后不能再修改")
    detail_url = reverse("opinions:detail", args=[report.pk])
    assert page.url.endswith(detail_url)
    report.refresh_from_db()
    assert report.status == S.SUBMITTED
    no_sideways_scroll(page)
    screenshot(page, "91-member-submitted-phone")
    member_ctx.close()

    # 2. The editor opens 社情民意工作 and the report: the earlier report on the same river is listed
    # with the shared passages marked.
    editor_ctx = desktop(browser)
    editor = editor_ctx.new_page()
    sign_in(editor, base, "editor")
    menu(editor, reverse("opinions:work"))
    click_and_wait(editor, f"#queue-list a[href='{detail_url}']")
    similar = editor.locator(
        "#similar-reports .similar-report",
        has=editor.locator(f"a[href='{reverse('opinions:detail', args=[earlier.pk])}']"),
    )
    assert similar.count() == 1
    assert similar.locator("a mark").count() > 0  # shared passages of the title marked
    similar.locator("summary").click()
    assert similar.locator("details mark").first.is_visible()
    assert "白沙河" in similar.locator("details mark").all_inner_texts()
    screenshot(editor, "92-editor-similar-reports")

    # Register with the category (numbered), ask a staff member to verify, record the findings.
    editor.select_option("#register-form #id_category", str(demo["category"].pk))
    click_and_wait(editor, "#register-form button[type=submit]")
    report.refresh_from_db()
    assert report.status == S.REGISTERED and report.serial and report.category == demo["category"]
    assert report.serial_label in editor.inner_text("#report-title")
    office = User.objects.get(username="office")
    editor.select_option("#verifier-form #id_verifier", str(office.pk))
    click_and_wait(editor, "#verifier-form button[type=submit]")
    report.refresh_from_db()
    assert report.status == S.VERIFYING and report.verifier == office
    editor.fill("#findings-form #id_findings", FINDINGS)
    click_and_wait(editor, "#findings-form button[type=submit]")
    report.refresh_from_db()
    assert report.findings == FINDINGS
    screenshot(editor, "93-editor-registered-verified")

    # Editing: the edited text is kept beside the author's, and the page shows the changes.
    click_and_wait(editor, f"form[action='{reverse('opinions:start_editing', args=[report.pk])}'] button")
    click_and_wait(editor, f"a[href='{reverse('opinions:edit_text', args=[report.pk])}']")
    editor.fill("#id_edited_title", EDITED_TITLE)
    edited_body = BODY.replace("偷偷作业", "违规作业").replace(
        "加固受损河堤。", "加固受损河堤，建立长效监管机制。"
    )
    editor.fill("#id_edited_body", edited_body)
    click_and_wait(editor, "#edit-text-form button[type=submit]")
    report.refresh_from_db()
    assert (report.status, report.edited_title, report.edited_body) == (S.EDITING, EDITED_TITLE, edited_body)
    assert report.title == TITLE and report.body == BODY  # the author's text stays
    diff = editor.locator("#report-diff")
    assert "偷偷" in diff.locator("del").all_inner_texts()
    assert "违规" in diff.locator("ins").all_inner_texts()
    assert "，建立长效监管机制" in diff.locator("ins").all_inner_texts()
    screenshot(editor, "94-editor-diff")
    click_and_wait(editor, f"form[action='{reverse('opinions:send_for_signoff', args=[report.pk])}'] button")
    report.refresh_from_db()
    assert report.status == S.AWAITING_SIGNOFF

    # 3. The leader signs it from their queue (what waits for sign-off), after a confirmation.
    leader_ctx = desktop(browser)
    leader = leader_ctx.new_page()
    sign_in(leader, base, "leader")
    menu(leader, reverse("opinions:work"))
    click_and_wait(leader, f"#queue-list a[href='{detail_url}']")
    assert EDITED_TITLE in leader.inner_text("#report-title")
    screenshot(leader, "95-leader-signs")
    click_and_wait(leader, "#sign-button", confirm="签发")
    report.refresh_from_db()
    assert report.status == S.SIGNED and report.signed_by.username == "leader"
    leader_ctx.close()

    # 4. The editor compiles a bulletin with the report, sends it (confirmed) and downloads it.
    menu(editor, reverse("opinions:bulletins"))
    click_and_wait(editor, f"main a[href='{reverse('opinions:bulletin_new')}']")
    editor.fill("#id_recipients", "县委、县政府主要领导，市政协办公室")
    click_and_wait(editor, "main form:has(#id_recipients) button[type=submit]")
    bulletin = Bulletin.objects.filter(committee=demo["committee"]).order_by("-pk").first()
    assert editor.url.endswith(reverse("opinions:bulletin", args=[bulletin.pk]))
    editor.check(f"#add-reports input[name=reports][value='{report.pk}']")
    click_and_wait(editor, "#add-reports button[type=submit]")
    assert list(bulletin.reports.values_list("pk", flat=True)) == [report.pk]
    assert EDITED_TITLE in editor.inner_text("#bulletin-reports")
    click_and_wait(editor, f"form[action='{reverse('opinions:bulletin_send', args=[bulletin.pk])}'] button")
    confirmation = editor.locator("#send-confirmation")
    assert EDITED_TITLE in confirmation.inner_text()
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.DRAFT  # nothing sent before the confirmation
    screenshot(editor, "96-bulletin-send-confirmation")
    click_and_wait(editor, "#send-confirmation button[type=submit]")
    bulletin.refresh_from_db()
    report.refresh_from_db()
    assert bulletin.status == Bulletin.Status.SENT
    assert report.status == S.REPORTED and report.bulletin == bulletin
    with editor.expect_download() as download_info:
        editor.click("#download")
    assert download_info.value.suggested_filename.endswith(".docx")
    docx_path = tmp_path / "bulletin.docx"
    download_info.value.save_as(docx_path)
    text = "\n".join(p.text for p in Document(io.BytesIO(docx_path.read_bytes())).paragraphs)
    assert EDITED_TITLE in text
    assert TITLE not in text  # the bulletin prints the edited text

    # 5. Feedback on the report page: a city-level adoption and a county leader's instruction.
    editor.goto(base + detail_url)
    editor.select_option("#id_adoption-level", "city")
    editor.fill("#id_adoption-adopted_by", "市政协《社情民意》第5期")
    click_and_wait(editor, f"form[action='{reverse('opinions:adoption_add', args=[report.pk])}'] button")
    editor.select_option("#id_instruction-level", "county")
    editor.fill("#id_instruction-leader_post", "县委书记")
    editor.fill("#id_instruction-text", "请县水利局牵头，会同公安、自然资源部门抓好落实。")
    click_and_wait(editor, f"form[action='{reverse('opinions:instruction_add', args=[report.pk])}'] button")
    assert list(report.adoptions.values_list("level", "adopted_by")) == [("city", "市政协《社情民意》第5期")]
    assert list(report.instructions.values_list("level", "leader_post")) == [("county", "县委书记")]
    screenshot(editor, "97-editor-feedback")
    editor_ctx.close()

    # 6. The member sees both on the report and in 我的履职档案.
    member_ctx = phone(browser)
    page = member_ctx.new_page()
    sign_in(page, base, "member")
    page.goto(base + reverse("opinions:mine"))
    click_and_wait(page, f"#my-reports a[href='{detail_url}']")
    assert EDITED_TITLE in page.inner_text("#report-title")
    assert "市政协《社情民意》第5期" in page.inner_text("#adoptions")
    assert "县委书记" in page.inner_text("#instructions")
    assert "请县水利局牵头" in page.inner_text("#instructions")
    assert page.locator("#feedback-forms").count() == 0  # the author reads, never records
    no_sideways_scroll(page)
    screenshot(page, "98-member-sees-feedback-phone")

    page.goto(base + reverse("ledger:mine"))
    rows = page.locator("tr", has=page.locator(f"a[href='{detail_url}']"))
    shown = " ".join(rows.all_inner_texts())
    with translation.override("zh-hans"):
        labels = {
            kind: str(kinds.label(kind)) for kind in ("opinion.adopted.city", "opinion.instructed.county")
        }
    for label in labels.values():
        assert label in shown, (label, shown)
    records = DutyRecord.objects.filter(
        source_type=ContentType.objects.get_for_model(OpinionReport), source_id=report.pk, member=member
    )
    assert {"opinion.adopted.city", "opinion.instructed.county"} <= set(
        records.values_list("kind", flat=True)
    )
    no_sideways_scroll(page)
    screenshot(page, "99-member-duty-record-phone")
    member_ctx.close()
