"""Issue 12's 'done means': a member writes a joint proposal on a phone (the three parts, a co-signer
found by name, a suggested unit) and submits it; the co-signer signs in and confirms; proposal staff
accept it (第N号) and assign it to a lead unit and a co-unit; the lead unit's account signs for it and
records a contact with the proposer; the co-unit signs for it and gives its views; the lead unit
replies with result code B and a reply document and sends the reply; the proposer evaluates 基本满意;
staff close the case. Screenshots 100–111 kept.

As the other journeys, it finds elements by URL (form actions, links), ids and data-* hooks and asserts
on data (titles, names) and on the database; every date is the one the pages offer (today)."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.models import User
from lvzhi.accounts.roles import Role
from lvzhi.demo.builder import DemoBuilder
from lvzhi.members.models import Member
from lvzhi.organization.models import Department
from lvzhi.proposals.models import Assignment, Evaluation, Proposal, ProposalAuthor, ProposalCategory, Reply

from .conftest import click_and_wait, desktop, menu, no_error_message, no_sideways_scroll, phone, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

S = Proposal.Status
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

TITLE = "关于完善白沙镇农村客运班线的提案（旅程测试）"
CASE = "白沙镇偏远村组至今没有客运班线，群众到镇上赶集、就医只能搭乘摩托车或步行。"
ANALYSIS = (
    "一是班线经营亏损，原有承包人退出后无人接手；二是村道窄、会车难，客车不敢开进去；"
    "三是镇村两级缺少对农村客运的补贴机制。"
)
SUGGESTIONS = "一、县交通运输部门牵头开通镇村公交；二、县财政对偏远班线给予运营补贴；三、拓宽主要村道会车点。"
LEAD_UNIT = "县农业农村局"  # the demo's handling-unit account answers for it
CO_UNIT = "县财政局"
REPLY_TEXT = "我局已会同交通运输部门制定镇村公交开通方案，计划年内分两批开通，补贴列入明年预算。"


def _account(committee, username, role, *, display_name="", department=None, member=None):
    """An account with the demo password, as the demo makes its own."""
    user = User.objects.create(
        username=username,
        password=make_password(settings.LVZHI_DEMO_PASSWORD),
        password_changed_at=timezone.now(),
        committee=committee,
        display_name=display_name,
        department=department,
    )
    user.groups.add(Group.objects.get(name=role.value))
    if member is not None:
        member.user = user
        member.save(update_fields=["user"])
    return user


@pytest.fixture
def demo(transactional_db):
    committee = DemoBuilder(members=40, standing=8).build()
    member_user = User.objects.get(username="member")
    # The co-signer: a member of the demo without an account gets one (as the office would open it).
    co_signer = (
        Member.objects.filter(committee=committee, user__isnull=True)
        .exclude(pk=member_user.member.pk)
        .first()
    )
    _account(committee, "cosigner", Role.MEMBER, member=co_signer)
    lead_unit = Department.objects.get(committee=committee, name=LEAD_UNIT)
    co_unit = Department.objects.get(committee=committee, name=CO_UNIT)
    _account(committee, "caizheng", Role.HANDLING_UNIT, display_name="县财政局经办人", department=co_unit)
    return {
        "committee": committee,
        "member": member_user.member,
        "co_signer": co_signer,
        "lead_unit": lead_unit,
        "co_unit": co_unit,
        "category": ProposalCategory.objects.filter(committee=committee, is_active=True).order_by("order")[0],
    }


def test_joint_proposal_from_filing_to_closing(demo, live_server, browser, screenshot, tmp_path):
    base = live_server.url
    member, co_signer = demo["member"], demo["co_signer"]

    # 1. The member writes a joint proposal on a phone: the three parts, a co-signer found by name, a
    # suggested unit; then submits it (asking first).
    member_ctx = phone(browser)
    page = member_ctx.new_page()
    sign_in(page, base, "member")
    page.goto(base + reverse("proposals:mine"))
    click_and_wait(page, "#new-proposal")
    assert page.url.endswith(reverse("proposals:new"))
    page.fill("#id_title", TITLE)
    page.fill("#id_case", CASE)
    page.fill("#id_analysis", ANALYSIS)
    page.fill("#id_suggestions", SUGGESTIONS)
    assert str(len(CASE) + len(ANALYSIS) + len(SUGGESTIONS)) in page.inner_text("#body-counter")
    page.select_option("#id_category", str(demo["category"].pk))
    page.fill("#co-signer-search", co_signer.name)
    pick = page.locator(f"#co-signer-results [data-member-pick='{co_signer.pk}']")
    pick.click()
    assert co_signer.name in page.inner_text("#co-signers-chosen")
    page.check(f"#suggested-departments input[value='{demo['lead_unit'].pk}']")
    no_sideways_scroll(page)
    screenshot(page, "100-member-writes-joint-proposal-phone")
    click_and_wait(page, "#submit-now", confirm="")
    proposal = Proposal.objects.get(title=TITLE)
    assert page.url.endswith(reverse("proposals:detail", args=[proposal.pk]))
    assert proposal.status == S.SUBMITTED and proposal.kind == Proposal.Kind.JOINT
    assert proposal.case == CASE and proposal.cosign_deadline is not None
    invited = proposal.authors.get(role=ProposalAuthor.Role.CO)
    assert invited.member == co_signer and invited.consent == ProposalAuthor.Consent.PENDING
    assert list(proposal.suggested_departments.all()) == [demo["lead_unit"]]
    no_error_message(page)
    no_sideways_scroll(page)
    screenshot(page, "101-member-submitted-phone")
    member_ctx.close()
    detail_url = reverse("proposals:detail", args=[proposal.pk])

    # 2. The co-signer signs in on a phone, finds the invitation on 我的提案, reads the proposal and
    # confirms.
    co_ctx = phone(browser)
    page = co_ctx.new_page()
    sign_in(page, base, "cosigner")
    page.goto(base + reverse("proposals:mine"))
    assert TITLE in page.inner_text(f"#invitation-{proposal.pk}")
    no_sideways_scroll(page)
    screenshot(page, "102-cosigner-invitation-phone")
    page.goto(base + detail_url)
    assert CASE in page.inner_text("main")
    click_and_wait(page, "#cosign-confirm", confirm="")
    invited.refresh_from_db()
    assert invited.consent == ProposalAuthor.Consent.CONFIRMED
    assert co_signer.name in page.inner_text("#proposal-authors")
    no_error_message(page)
    no_sideways_scroll(page)
    screenshot(page, "103-cosigner-confirmed-phone")
    co_ctx.close()

    # 3. Proposal staff open 提案工作, accept the proposal (it gets the session's next number) and assign
    # it to the lead unit and a co-unit with the default deadline.
    office_ctx = desktop(browser)
    office = office_ctx.new_page()
    sign_in(office, base, "office")
    menu(office, reverse("proposals:work"))
    click_and_wait(office, f"main a[href='{detail_url}']")
    screenshot(office, "104-office-reviews-proposal")
    office.select_option("#accept-form select[name=category]", str(demo["category"].pk))
    click_and_wait(office, "#accept-button")
    proposal.refresh_from_db()
    assert proposal.status == S.ACCEPTED and proposal.serial
    assert proposal.serial_label in office.inner_text("#proposal-title")
    office.select_option("#assign-form select[name=lead]", str(demo["lead_unit"].pk))
    office.select_option("#assign-form select[name=co_units]", [str(demo["co_unit"].pk)])
    assert office.input_value("#assign-form input[name=deadline]")  # the session's default, offered
    screenshot(office, "105-office-accepted-assigns")
    click_and_wait(office, "#assign-button", confirm="")
    proposal.refresh_from_db()
    assert proposal.status == S.ASSIGNED and proposal.deadline
    lead = proposal.assignments.get(role=Assignment.Role.LEAD)
    co = proposal.assignments.get(role=Assignment.Role.CO)
    assert (lead.department, co.department) == (demo["lead_unit"], demo["co_unit"])
    no_error_message(office)

    # 4. The lead unit's account finds it on its list, signs for it and records a phone call with the
    # proposer.
    unit_ctx = desktop(browser)
    unit = unit_ctx.new_page()
    sign_in(unit, base, "unit")
    menu(unit, reverse("proposals:unit"))
    assert TITLE in unit.inner_text("#unit-to-sign")
    screenshot(unit, "106-lead-unit-list")
    click_and_wait(unit, f"#unit-to-sign a[href='{detail_url}']")
    click_and_wait(unit, "#sign-for-button")
    lead.refresh_from_db()
    proposal.refresh_from_db()
    assert lead.status == Assignment.Status.SIGNED and proposal.status == S.HANDLING
    unit.locator("details:has(#contact-form) > summary").click()
    assert unit.input_value("#contact-form input[type=date]")  # today, offered
    unit.select_option("#contact-form select", "phone")
    unit.fill("#contact-form textarea", "电话联系提案人，介绍镇村公交开通方案，提案人同意分批开通。")
    click_and_wait(unit, "#contact-save")
    assert proposal.contacts.count() == 1
    no_error_message(unit)
    # The reply waits for the co-unit's views.
    assert unit.locator("#reply-send").is_disabled()
    screenshot(unit, "107-lead-unit-contact-recorded")

    # 5. The co-unit's account signs for it and gives its views to the lead unit.
    co_unit_ctx = desktop(browser)
    co_page = co_unit_ctx.new_page()
    sign_in(co_page, base, "caizheng")
    co_page.goto(base + detail_url)
    click_and_wait(co_page, "#sign-for-button")
    co_page.fill("#views-form textarea", "县财政将镇村公交运营补贴列入明年预算，按实际运营里程核拨。")
    click_and_wait(co_page, "#views-save")
    co.refresh_from_db()
    assert co.status == Assignment.Status.SIGNED and co.views_given_at is not None
    no_error_message(co_page)
    screenshot(co_page, "108-co-unit-gave-views")
    co_unit_ctx.close()

    # 6. The lead unit writes its reply (result B, the reply document), saves the draft and sends it.
    unit.goto(base + detail_url)
    unit.check("#reply-form input[name='reply-result'][value='B']")
    unit.fill("#reply-form textarea", REPLY_TEXT)
    document = tmp_path / "答复函.pdf"
    document.write_bytes(PDF)
    unit.set_input_files("#reply-form input[type=file]", str(document))
    click_and_wait(unit, "#reply-save")
    no_error_message(unit)
    assert not unit.locator("#reply-send").is_disabled()
    click_and_wait(unit, "#reply-send", confirm="")
    proposal.refresh_from_db()
    reply = proposal.replies.get()
    assert proposal.status == S.REPLIED and reply.result == Reply.Result.B and reply.sent_at
    assert reply.file and reply.original_name == "答复函.pdf"
    no_error_message(unit)
    screenshot(unit, "109-lead-unit-replied")
    unit_ctx.close()

    # 7. The proposer reads the reply on a phone and evaluates it 基本满意.
    member_ctx = phone(browser)
    page = member_ctx.new_page()
    sign_in(page, base, "member")
    page.goto(base + detail_url)
    assert REPLY_TEXT in page.inner_text("#replies")
    assert page.locator(
        f"#replies a[href='{reverse('proposals:reply_document', args=[proposal.pk, reply.pk])}']"
    )
    page.check("#evaluation-form input[value='basic']")
    page.fill("#evaluation-form textarea", "答复具体，希望尽快开通。")
    no_sideways_scroll(page)
    screenshot(page, "110-member-evaluates-phone")
    click_and_wait(page, "#evaluate", confirm="")
    proposal.refresh_from_db()
    assert proposal.status == S.EVALUATED
    assert Evaluation.objects.get(reply=reply).rating == Evaluation.Rating.BASIC
    no_error_message(page)
    member_ctx.close()

    # 8. Staff close the case.
    office.goto(base + detail_url)
    click_and_wait(office, "#close-button", confirm="")
    proposal.refresh_from_db()
    assert proposal.status == S.CLOSED and proposal.closed_on == timezone.localdate()
    no_error_message(office)
    screenshot(office, "111-office-closed-case")
    office_ctx.close()
    assert member.pk in proposal.authors.values_list("member_id", flat=True)
