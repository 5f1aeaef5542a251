"""A member hands in a 心得体会 on a phone (a PDF is kept, an HTML page named .pdf is refused), the office
acknowledges it and it shows in the member's 履职档案; the office publishes two library documents and
the member reads only the one meant for everyone, and downloads its PDF.

Elements are found by URL (form actions, links), ids and data-* hooks, never by their visible labels;
the journey asserts on data (titles, statuses, bytes)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from lvzhi.demo.builder import DemoBuilder
from lvzhi.ledger.models import DutyRecord
from lvzhi.library.models import Document
from lvzhi.members.models import Member
from lvzhi.studies.models import StudySubmission

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ESSAY_TITLE = "学习全国政协十四届常委会会议精神心得体会（旅程测试）"
PUBLIC_TITLE = "青溪县政协委员履职工作规则（旅程测试）"
STAFF_TITLE = "机关内部工作分工安排（旅程测试）"


def tiny_pdf(text="lvzhi journey"):
    """A small but well-formed one-page PDF (header, objects, cross-reference table, trailer)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def demo(transactional_db):
    return DemoBuilder(members=40, standing=8).build()


def submit(page, selector):
    """Click the submit button of the form matched by `selector` and wait for the next page."""
    with page.expect_navigation():
        page.click(f"{selector} button[type=submit]")
    page.wait_for_load_state("networkidle")


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def phone(browser, **kwargs):
    return browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, **kwargs)


def test_essay_is_acknowledged_into_the_ledger_and_the_library_respects_audiences(
    demo, live_server, browser, screenshot, tmp_path
):
    base = live_server.url
    me = Member.objects.get(user__username="member")
    pdf = tiny_pdf()
    submit_form = "main form:has(#id_body)[enctype='multipart/form-data']"

    # 1. The member hands in an essay with a PDF on a phone.
    member_ctx = phone(browser, accept_downloads=True)
    page = member_ctx.new_page()
    sign_in(page, base, "member")
    page.goto(base + reverse("studies:home"))
    no_sideways_scroll(page)
    page.click(f"main a[href='{reverse('studies:submit')}']")
    page.wait_for_selector("#id_body")
    page.select_option("#id_kind", StudySubmission.Kind.ESSAY.value)
    page.fill("#id_title", ESSAY_TITLE)
    page.fill("#id_body", "通过学习，进一步增强了履职尽责的政治自觉。\n结合界别实际，提出三点体会。")
    page.set_input_files(
        "#id_attachment", files=[{"name": "心得体会.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    no_sideways_scroll(page)
    submit(page, submit_form)
    essay = StudySubmission.objects.get(title=ESSAY_TITLE)
    assert (essay.member_id, essay.kind, essay.status) == (
        me.pk,
        StudySubmission.Kind.ESSAY,
        StudySubmission.Status.SUBMITTED,
    )
    assert essay.content_type == "application/pdf"
    assert essay.file.name.endswith(".pdf") and "心得体会" not in essay.file.name
    essay.file.open("rb")
    try:
        assert essay.file.read() == pdf
    finally:
        essay.file.close()
    essay_url = reverse("studies:submission_detail", args=[essay.pk])
    assert page.url.endswith(essay_url)
    assert page.locator("main [data-status]").first.get_attribute("data-status") == "submitted"
    assert page.locator(f"main a[href='{reverse('studies:attachment', args=[essay.pk])}']").count() == 1
    no_sideways_scroll(page)

    # The member's study page lists it as submitted.
    page.goto(base + reverse("studies:home"))
    card = page.locator(f"main .card:has(a[href='{essay_url}'])")
    assert ESSAY_TITLE in card.inner_text()
    assert card.locator("[data-status]").get_attribute("data-status") == "submitted"
    no_sideways_scroll(page)
    screenshot(page, "61-essay-submitted-phone")

    # An HTML page renamed .pdf is refused on the form; nothing is saved.
    count = StudySubmission.objects.count()
    page.goto(base + reverse("studies:submit"))
    page.select_option("#id_kind", StudySubmission.Kind.NOTES.value)
    page.fill("#id_title", "伪装的附件（旅程测试）")
    page.fill("#id_body", "这份附件其实是网页。")
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    page.set_input_files(
        "#id_attachment", files=[{"name": "notes.pdf", "mimeType": "application/pdf", "buffer": html}]
    )
    submit(page, submit_form)
    assert page.url.endswith(reverse("studies:submit"))
    error = page.locator("#id_attachment ~ .invalid-feedback")
    assert error.count() == 1
    assert "notes.pdf" in error.inner_text()
    assert page.input_value("#id_title") == "伪装的附件（旅程测试）"  # what was typed is kept
    assert StudySubmission.objects.count() == count
    assert not StudySubmission.objects.filter(title="伪装的附件（旅程测试）").exists()
    no_sideways_scroll(page)
    screenshot(page, "62-disguised-attachment-refused-phone")

    # 2. The office acknowledges it from the queue.
    office_ctx = browser.new_context(locale="zh-CN", viewport=DESKTOP, accept_downloads=True)
    office = office_ctx.new_page()
    sign_in(office, base, "office")
    office.goto(base + reverse("studies:queue"))
    with office.expect_navigation():
        office.click(f"main table a[href='{essay_url}']")
    assert office.url.endswith(essay_url)
    ack_url = reverse("studies:acknowledge", args=[essay.pk])
    office.fill(f"form[action='{ack_url}'] #id_note", "体会深刻，已登记。")
    submit(office, f"form[action='{ack_url}']")
    essay.refresh_from_db()
    assert essay.status == StudySubmission.Status.ACKNOWLEDGED
    assert essay.reviewed_by.username == "office"
    assert office.locator("main [data-status]").first.get_attribute("data-status") == "acknowledged"
    assert office.locator(f"form[action='{ack_url}']").count() == 0
    screenshot(office, "63-essay-acknowledged")
    records = DutyRecord.objects.filter(
        source_type=ContentType.objects.get_for_model(StudySubmission), source_id=essay.pk
    )
    assert list(records.values_list("member_id", "kind", "committee_id")) == [
        (me.pk, "study.essay", essay.committee_id)
    ]

    # 3. The essay is in the member's 履职档案, linked to the submission.
    page.goto(base + reverse("ledger:me", args=[timezone.localdate().year]))
    link = page.locator(f"main table a[href='{essay_url}']")
    assert link.count() == 1
    assert ESSAY_TITLE in link.inner_text()
    no_sideways_scroll(page)
    screenshot(page, "64-ledger-with-essay-phone")
    with page.expect_navigation():
        link.click()
    assert page.url.endswith(essay_url)
    assert page.locator("main [data-status]").first.get_attribute("data-status") == "acknowledged"

    # 4. The office adds two library documents, unpublished, then publishes each on its page.
    documents = {}
    for title, audience, attachment in (
        (STAFF_TITLE, Document.Audience.STAFF, None),
        (PUBLIC_TITLE, Document.Audience.EVERYONE, pdf),
    ):
        office.goto(base + reverse("library:list"))
        office.click(f"main a[href='{reverse('library:create')}']")
        office.wait_for_selector("#id_title")
        office.fill("#id_title", title)
        office.select_option("#id_category", Document.Category.RULES.value)
        office.select_option("#id_audience", audience.value)
        office.fill("#id_summary", "旅程测试用文件。")
        office.fill("#id_body", "第一条 为规范履职，制定本规则。")
        office.uncheck("#id_is_published")
        if attachment:
            office.set_input_files(
                "#id_upload",
                files=[{"name": "履职工作规则.pdf", "mimeType": "application/pdf", "buffer": attachment}],
            )
        submit(office, "main form:has(#id_title)")
        document = Document.objects.get(title=title)
        assert office.url.endswith(reverse("library:detail", args=[document.pk]))
        assert not document.is_published
        submit(office, f"form[action='{reverse('library:publish', args=[document.pk])}']")
        document.refresh_from_db()
        assert document.is_published and document.audience == audience
        assert office.locator(f"form[action='{reverse('library:unpublish', args=[document.pk])}']").count()
        documents[audience] = document
    public, staff_only = documents[Document.Audience.EVERYONE], documents[Document.Audience.STAFF]
    assert public.content_type == "application/pdf"
    office_ctx.close()

    # The member's library lists the document for everyone, not the staff-only one.
    page.goto(base + reverse("library:list"))
    public_url = reverse("library:detail", args=[public.pk])
    staff_url = reverse("library:detail", args=[staff_only.pk])
    assert page.locator(f"main a[href='{public_url}']").count() == 1
    assert page.locator(f"main a[href='{staff_url}']").count() == 0
    assert STAFF_TITLE not in page.content()
    no_sideways_scroll(page)
    screenshot(page, "65-library-list-phone")

    # Its PDF downloads as the same bytes.
    with page.expect_navigation():
        page.click(f"main a[href='{public_url}']")
    no_sideways_scroll(page)
    with page.expect_download() as download_info:
        page.click(f"main a[href='{reverse('library:download', args=[public.pk])}']")
    path = tmp_path / "document.pdf"
    download_info.value.save_as(path)
    assert download_info.value.suggested_filename.endswith(".pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data == pdf

    # The staff-only document's page is not found for the member (nothing about it shows).
    response = page.goto(base + staff_url)
    assert response.status == 404
    assert STAFF_TITLE not in page.content()
    response = page.goto(base + reverse("library:download", args=[staff_only.pk]))
    assert response.status == 404
    member_ctx.close()
