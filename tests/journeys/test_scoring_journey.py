"""Issue 13's 'done means': the office raises one rule value (attending the plenary: 50 → 60 points, the
cap with it), previews the year with the new version and sees who changes grade, and activates it, which
computes the year; a member opens their score on a phone and follows one number down to the ledger
records that made it, then claims a provincial commendation with its certificate, which the office
approves into the ledger and the score; the office downloads the 履职情况通报 and reads it back.
Screenshots 120–129 kept.

It runs on the demo committee (seed_demo builds the year's assessment with the default rules active)."""

import io
import re
from decimal import Decimal

import docx
import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.models import User
from lvzhi.demo.builder import DemoBuilder
from lvzhi.ledger.models import DutyRecord
from lvzhi.scoring.explain import explain_member
from lvzhi.scoring.models import DutyClaim, MemberScore, RuleSet

from .conftest import click_and_wait, desktop, menu, no_error_message, no_sideways_scroll, phone, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CLAIM_TITLE = "获评全省优秀政协委员（旅程测试）"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def demo(transactional_db):
    committee = DemoBuilder(members=40, standing=8).build()
    return {"committee": committee, "member": User.objects.get(username="member").member}


def test_office_changes_a_rule_previews_activates_and_a_member_follows_a_number(
    demo, live_server, browser, screenshot, tmp_path
):
    base, committee, member = live_server.url, demo["committee"], demo["member"]
    year = timezone.localdate().year
    first = RuleSet.objects.get(committee=committee, year=year, status=RuleSet.Status.ACTIVE)
    attended = set(
        DutyRecord.objects.filter(committee=committee, kind="attendance.plenary.present").values_list(
            "member_id", flat=True
        )
    )
    before = dict(MemberScore.objects.filter(rule_set=first).values_list("member_id", "total"))

    # 1. The office opens the active rules from the menu and edits one value into a new version.
    office_ctx = desktop(browser)
    page = office_ctx.new_page()
    sign_in(page, base, "office")
    menu(page, reverse("scoring:rules"))
    click_and_wait(page, f"a[href='{reverse('scoring:rule_detail', args=[first.pk])}']")
    screenshot(page, "120-rules-active")
    click_and_wait(page, "#rule-values")
    page.fill("[name='points-attendance.plenary.present']", "60")
    page.fill("[name='cap-plenary']", "60")
    screenshot(page, "121-rules-values")
    click_and_wait(page, "#values-save")
    no_error_message(page)
    second = RuleSet.objects.get(committee=committee, year=year, version=first.version + 1)
    assert second.status == RuleSet.Status.DRAFT
    assert "points: 60" in second.text and first.text.count("\n") == second.text.count("\n")

    # 2. The preview computes the year with the draft and names who changes grade; nothing is stored.
    page.goto(base + reverse("scoring:rule_detail", args=[second.pk]))
    click_and_wait(page, "#rule-preview")
    page.wait_for_selector("[data-rule-chart][data-chart-drawn]")
    assert re.match(r"\d+", page.locator("#preview-totals-changed").inner_text()).group() == str(
        len(attended)
    )
    screenshot(page, "122-rules-preview")
    assert not MemberScore.objects.filter(rule_set=second).exists()

    # 3. Activating (confirmed on its own page) retires the first version and computes the year.
    click_and_wait(page, "#preview-activate")
    screenshot(page, "123-rules-activate")
    click_and_wait(page, "#activate-confirm")
    no_error_message(page)
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, second.status) == (RuleSet.Status.RETIRED, RuleSet.Status.ACTIVE)
    after = dict(MemberScore.objects.filter(rule_set=second).values_list("member_id", "total"))
    assert after.keys() == before.keys()
    for member_id, total in after.items():
        assert total - before[member_id] == (Decimal(10) if member_id in attended else 0), member_id

    # 4. The member opens their score on a phone from the start page and follows one number down.
    member_ctx = phone(browser)
    mobile = member_ctx.new_page()
    sign_in(mobile, base, "member")
    click_and_wait(mobile, "#home-score-open")
    score = MemberScore.objects.get(rule_set=second, member=member)
    shown_total = f"{score.total:.0f}" if score.total == score.total.to_integral() else f"{score.total:.2f}"
    assert mobile.locator("#score-total").inner_text() == shown_total
    no_sideways_scroll(mobile)
    screenshot(mobile, "124-score-phone")
    explanation = explain_member(member, year)
    category = next(c for c in explanation.categories if any(line.records for line in c.lines))
    mobile.click(f"#category-{category.code} > summary")
    shown = mobile.locator(f"#category-{category.code} .score-record")
    shown.first.wait_for()
    ids = {int(shown.nth(i).get_attribute("data-record-id")) for i in range(shown.count())}
    assert ids == {item.record.pk for line in category.lines for item in line.records}
    assert set(DutyRecord.objects.filter(pk__in=ids).values_list("member_id", flat=True)) == {member.pk}
    no_sideways_scroll(mobile)
    screenshot(mobile, "125-score-why-phone")

    # 5. A commendation only the member knows of: claimed on the phone with its certificate, approved by
    # the office, it reaches the ledger and the score.
    click_and_wait(mobile, "#score-claims-link")
    mobile.select_option("#id_kind", "commendation.provincial")
    mobile.fill("#id_date", f"{year}-05-20")
    mobile.fill("#id_title", CLAIM_TITLE)
    certificate = tmp_path / "证书.pdf"
    certificate.write_bytes(PDF)
    mobile.set_input_files("#id_evidence", str(certificate))
    no_sideways_scroll(mobile)
    click_and_wait(mobile, "#claim-submit")
    no_error_message(mobile)
    claim = DutyClaim.objects.get(member=member, title=CLAIM_TITLE)
    assert claim.status == DutyClaim.Status.SUBMITTED
    screenshot(mobile, "126-claim-sent-phone")
    menu(page, reverse("scoring:claims"))
    click_and_wait(page, f"a[href='{reverse('scoring:claim_detail', args=[claim.pk])}']")
    screenshot(page, "127-claim-office")
    click_and_wait(page, "#claim-approve button[type=submit]", confirm=member.name)
    no_error_message(page)
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.APPROVED
    assert DutyRecord.objects.filter(member=member, kind="commendation.provincial").exists()
    # the background recompute (run at once in tests) gave the member the commendation's 8 points
    assert (
        MemberScore.objects.get(rule_set=second, member=member).categories["commendations"]["score"] == "8.00"
    )
    member_ctx.close()

    # 6. The office downloads the year's bulletin and it reads as the office sends it.
    menu(page, reverse("scoring:reports"))
    screenshot(page, "128-reports")
    with page.expect_download() as download:
        page.click("#report-bulletin")
    path = tmp_path / "bulletin.docx"
    download.value.save_as(path)
    paragraphs = [p.text for p in docx.Document(io.BytesIO(path.read_bytes())).paragraphs if p.text.strip()]
    assert paragraphs[0] == f"关于{year}年度委员履职情况的通报"
    assert any(str(len(after)) in text for text in paragraphs), paragraphs[:8]
    screenshot(page, "129-reports-downloaded")
    office_ctx.close()
