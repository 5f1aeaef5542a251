"""Issue 4's 'done means': staff publishes a 常委会议 inviting all 常委; one member asks for leave and is
approved; others check in through the QR page; staff closes it; the 通报 .docx opens and lists the right
names; screenshots kept.

The UI is being translated while this is written, so the journey finds elements by URL (form actions,
links), ids and data-* hooks, never by their visible labels; it asserts on data (names, titles)."""

import datetime
import io

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from lvzhi.accounts.models import User
from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity, Participation
from lvzhi.core import docx_official
from lvzhi.demo.builder import DemoBuilder
from lvzhi.ledger.models import DutyRecord
from lvzhi.members.models import Member, MemberTerm
from lvzhi.organization.models import OrgUnit

from .conftest import fill_sign_in, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
TITLE = "政协青溪县第九届委员会常务委员会第十二次会议（旅程测试）"
P = Participation.Status


@pytest.fixture
def demo(transactional_db):
    committee = DemoBuilder(members=40, standing=8).build()
    standing = list(
        MemberTerm.objects.filter(
            term__committee=committee,
            term__is_current=True,
            status=MemberTerm.Status.SERVING,
            is_standing=True,
        )
        .select_related("member")
        .order_by("member__name_stroke_key", "member_id")
    )
    # Three 常委 get accounts of their own (the demo's `member` account is one more 常委).
    password = make_password(settings.LVZHI_DEMO_PASSWORD)
    group = Group.objects.get(name=Role.MEMBER.value)
    accounts = []
    for n, term in enumerate(t for t in standing if t.member.user_id is None):
        if n == 3:
            break
        user = User.objects.create(
            username=f"changwei{n + 1}",
            password=password,
            password_changed_at=timezone.now(),
            committee=committee,
            display_name=term.member.name,
        )
        user.groups.add(group)
        term.member.user = user
        term.member.save(update_fields=["user"])
        accounts.append(term.member)
    assert len(accounts) == 3
    return {"committee": committee, "standing": [t.member for t in standing], "accounts": accounts}


def submit(page, action):
    """Click the submit button of the form posting to `action` and wait for the next page."""
    with page.expect_navigation():
        page.click(f"form[action='{action}'] button[type=submit]")
    page.wait_for_load_state("networkidle")


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def phone(browser):
    return browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)


def docx_sections(data):
    """{heading text: [names]} of the notice: headings are the 黑体 paragraphs, names the lines below
    them up to the next heading or blank line (names padded and separated by full-width spaces)."""
    document = Document(io.BytesIO(data))
    sections, current = {}, None
    for paragraph in document.paragraphs:
        runs = paragraph.runs
        if runs and runs[0].font.name == docx_official.HEADING_FONT:
            current = sections.setdefault(paragraph.text, [])
        elif not paragraph.text.strip():
            current = None
        elif current is not None:
            for name in paragraph.text.split(docx_official.NAME_SEPARATOR):
                name = name.replace(docx_official.FULL_WIDTH_SPACE, "").strip()
                if name:
                    current.append(name)
    return sections, "\n".join(p.text for p in document.paragraphs)


def test_standing_meeting_from_invitation_to_attendance_notice(
    demo, live_server, browser, screenshot, tmp_path
):
    base = live_server.url
    standing = demo["standing"]
    on_leave, *checkers = demo["accounts"]
    assert len(standing) >= 6

    # 1. The office publishes the meeting, inviting all 常委.
    office_ctx = browser.new_context(locale="zh-CN", viewport=DESKTOP, accept_downloads=True)
    office = office_ctx.new_page()
    sign_in(office, base, "office")
    office.goto(base + reverse("activities:staff_list"))
    office.click(f"main a[href='{reverse('activities:new')}']")
    office.wait_for_selector("#id_title")
    starts = timezone.localtime() + datetime.timedelta(minutes=10)
    office.select_option("#id_kind", Activity.Kind.STANDING.value)
    office.fill("#id_title", TITLE)
    office.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    office.fill("#id_ends_at", (starts + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    office.fill("#id_place", "县政协机关三楼会议室")
    assert office.is_checked("#id_is_required")
    office.check("#invitee-rules #id_standing")
    # The live count (htmx) shows every serving 常委.
    office.wait_for_selector(f"#invitee-count [data-count='{len(standing)}']")
    screenshot(office, "41-activity-form")
    with office.expect_navigation():
        office.click("main form:has(#id_title) button[type=submit]")
    activity = Activity.objects.get(title=TITLE)
    assert office.url.endswith(reverse("activities:manage", args=[activity.pk]))
    assert activity.status == Activity.Status.DRAFT
    submit(office, reverse("activities:publish", args=[activity.pk]))
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLISHED
    assert set(activity.participations.values_list("member_id", flat=True)) == {m.pk for m in standing}
    rows = office.locator("#participant-table tbody tr")
    assert rows.count() == len(standing)
    for member in standing:
        assert rows.filter(has_text=member.name).count() == 1, member.name
    screenshot(office, "42-activity-manage-published")

    # 1b. Unit staff may not do the same: their form offers only their units' kinds, their units and no
    # "all members" or "all 常委"; a member outside their units, named anyway, is refused on the field.
    unit_staff = User.objects.get(username="unitstaff")
    unit_ctx = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    unit_page = unit_ctx.new_page()
    sign_in(unit_page, base, unit_staff.username)
    unit_page.goto(base + reverse("activities:new"))
    unit_page.wait_for_selector("#id_title")
    kinds = unit_page.eval_on_selector_all("#id_kind option", "options => options.map(o => o.value)")
    assert Activity.Kind.RESEARCH.value in kinds
    assert not set(kinds) & set(Activity.COMMITTEE_KINDS)
    assert unit_page.locator("#invitee-rules #id_all_members, #invitee-rules #id_standing").count() == 0
    offered = unit_page.eval_on_selector_all(
        "#id_units option", "options => options.map(o => Number(o.value))"
    )
    assert offered and set(offered) <= unit_staff.unit_ids()
    visible = Member.objects.visible_to(unit_staff)
    outsider = next(
        m
        for m in standing
        if not visible.filter(pk=m.pk).exists() and Member.objects.filter(name=m.name).count() == 1
    )
    unit_page.select_option("#id_kind", Activity.Kind.RESEARCH.value)
    unit_page.select_option("#id_organizing_unit", str(OrgUnit.objects.get(name="经济委员会").pk))
    unit_page.fill("#id_title", "赴开发区调研营商环境（旅程测试）")
    unit_page.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    unit_page.fill("#id_ends_at", (starts + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    unit_page.fill("#invitee-rules #id_names", outsider.name)
    with unit_page.expect_navigation():
        unit_page.click("main form:has(#id_title) button[type=submit]")
    refusal = unit_page.locator("#invitee-rules .invalid-feedback").inner_text()
    assert outsider.name in refusal and "不是本单位的委员" in refusal
    assert not Activity.objects.filter(title="赴开发区调研营商环境（旅程测试）").exists()
    screenshot(unit_page, "42b-unit-staff-form-refused")
    unit_ctx.close()

    # 2. One 常委 asks for leave on a phone.
    member_ctx = phone(browser)
    page = member_ctx.new_page()
    sign_in(page, base, on_leave.user.username)
    page.goto(base + reverse("activities:mine"))
    leave_url = reverse("activities:leave", args=[activity.pk])
    page.click(f"details:has(form[action='{leave_url}']) > summary")
    page.fill(f"form[action='{leave_url}'] textarea[name=reason]", "赴省城参加行业培训，时间冲突")
    screenshot(page, "43-member-asks-for-leave-phone")
    no_sideways_scroll(page)
    submit(page, leave_url)
    participation = Participation.objects.get(activity=activity, member=on_leave)
    assert participation.status == P.LEAVE_REQUESTED
    no_sideways_scroll(page)
    member_ctx.close()

    # 3. The leader approves it.
    leader_ctx = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    leader = leader_ctx.new_page()
    sign_in(leader, base, "leader")
    leader.goto(base + reverse("activities:leave_requests"))
    approve = reverse("activities:leave_decide", args=[participation.pk, "approve"])
    card = leader.locator(f".card:has(button[formaction='{approve}'])")
    assert on_leave.name in card.inner_text()
    assert TITLE in card.inner_text()
    with leader.expect_navigation():
        leader.click(f"button[formaction='{approve}']")
    leader.wait_for_load_state("networkidle")
    participation.refresh_from_db()
    assert participation.status == P.LEAVE_APPROVED
    assert participation.decided_by.username == "leader"
    screenshot(leader, "44-leader-approves-leave")
    leader_ctx.close()

    # 4. The kiosk shows the QR code; two 常委 scan it before signing in, sign in, and check in.
    office.goto(base + reverse("activities:kiosk", args=[activity.pk]))
    office.wait_for_selector("#kiosk-code svg")
    scan_url = office.get_attribute("#kiosk-code", "data-checkin-url")
    assert f"/activities/{activity.pk}/checkin/" in scan_url
    screenshot(office, "45-kiosk-qr")
    for n, member in enumerate(checkers, 1):
        ctx = phone(browser)
        page = ctx.new_page()
        page.goto(scan_url)
        assert reverse("accounts:login") in page.url  # not signed in: sign in first
        fill_sign_in(page, member.user.username)
        # Back on the scan page, the scan remembered across the sign-in.
        assert f"/activities/{activity.pk}/checkin/" in page.url
        assert member.name in page.locator("main").inner_text()
        no_sideways_scroll(page)
        if n == 1:
            screenshot(page, "46-scan-confirm-phone")
        with page.expect_navigation():
            page.click("main form[method=post] button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(reverse("activities:detail", args=[activity.pk]))
        assert Participation.objects.get(activity=activity, member=member).status == P.PRESENT
        no_sideways_scroll(page)
        if n == 1:
            screenshot(page, "47-checked-in-phone")
        ctx.close()

    # 5. The office starts and closes the meeting: present, leave, absent.
    manage_url = base + reverse("activities:manage", args=[activity.pk])
    office.goto(manage_url)
    submit(office, reverse("activities:start", args=[activity.pk]))
    # Closing asks first: how many will be marked absent, then (before the scheduled end) a second time.
    close = reverse("activities:close", args=[activity.pk])
    absent_count = len(standing) - 1 - len(checkers)
    submit(office, close)
    assert office.get_attribute("#close-confirmation", "data-step") == "absent"
    assert office.get_attribute("#absent-count", "data-count") == str(absent_count)
    assert f"{absent_count} 名委员将记为缺席" in office.inner_text("#absent-count")
    screenshot(office, "48a-close-confirm-absent")
    submit(office, close)
    assert office.get_attribute("#close-confirmation", "data-step") == "early"
    end = timezone.localtime(activity.ends_at).strftime("%H:%M")
    assert end in office.inner_text("#close-early") and "现在结束吗？" in office.inner_text("#close-early")
    screenshot(office, "48b-close-confirm-early")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.IN_PROGRESS
    submit(office, close)
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CLOSED
    statuses = dict(activity.participations.values_list("member_id", "status"))
    absent = [m for m in standing if m != on_leave and m not in checkers]
    assert statuses == {
        on_leave.pk: P.LEAVE_APPROVED,
        **{m.pk: P.PRESENT for m in checkers},
        **{m.pk: P.ABSENT for m in absent},
    }
    # Each row shows its member's final status.
    shown = {}
    for row in office.locator("#participant-table tbody tr").all():
        name = row.locator("td").first.inner_text().strip()
        shown[name] = row.locator("[data-status]").get_attribute("data-status")
    assert shown == {m.name: statuses[m.pk] for m in standing}
    screenshot(office, "48-activity-closed")

    records = DutyRecord.objects.filter(
        source_type=ContentType.objects.get_for_model(Activity), source_id=activity.pk
    )
    assert sorted(records.values_list("member_id", "kind")) == sorted(
        [(on_leave.pk, "attendance.standing.leave")]
        + [(m.pk, "attendance.standing.present") for m in checkers]
        + [(m.pk, "attendance.standing.absent") for m in absent]
    )

    # 6. The attendance notice: preview, Word and Excel.
    report_url = reverse("activities:standing_report")
    office.goto(base + report_url)
    office.select_option("#id_meeting", str(activity.pk))
    with office.expect_navigation():
        office.click(f"form[action='{report_url}'] button[type=submit]")
    notice = office.locator("#notice")
    assert TITLE in notice.inner_text()
    leave_section = notice.locator("section[data-section=leave]")
    absent_section = notice.locator("section[data-section=absent]")
    assert on_leave.name in leave_section.inner_text()
    for member in absent:
        assert member.name in absent_section.inner_text()
    for member in checkers:
        assert member.name not in leave_section.inner_text() + absent_section.inner_text()
    leave_heading = leave_section.locator("h3").inner_text().strip()
    absent_heading = absent_section.locator("h3").inner_text().strip()
    screenshot(office, "49-standing-report")

    with office.expect_download() as download_info:
        office.click(f"a[href^='{reverse('activities:standing_report_docx')}']")
    docx_path = tmp_path / "notice.docx"
    download_info.value.save_as(docx_path)
    assert download_info.value.suggested_filename.endswith(".docx")
    sections, text = docx_sections(docx_path.read_bytes())
    assert TITLE in text
    assert sections[leave_heading] == [on_leave.name]
    assert sorted(sections[absent_heading]) == sorted(m.name for m in absent)
    for member in checkers:
        assert member.name not in text  # listed nowhere: they attended

    with office.expect_download() as download_info:
        office.click(f"a[href^='{reverse('activities:standing_report_xlsx')}']")
    xlsx_path = tmp_path / "notice.xlsx"
    download_info.value.save_as(xlsx_path)
    workbook = load_workbook(xlsx_path)
    by_member, meetings = workbook.worksheets
    # Row 1 the title, row 2 the headers; then name, sector, what the member did.
    attendance = {row[0]: row[2] for row in by_member.iter_rows(min_row=3, values_only=True)}
    assert set(attendance) == {m.name for m in standing}
    leave_label = attendance[on_leave.name]
    present_labels = {attendance[m.name] for m in checkers}
    absent_labels = {attendance[m.name] for m in absent}
    assert len(present_labels) == 1 and len(absent_labels) == 1
    assert len({leave_label, *present_labels, *absent_labels}) == 3
    assert leave_label in leave_heading  # the same words as the notice's leave heading
    meeting_rows = list(meetings.iter_rows(min_row=2, values_only=True))
    assert len(meeting_rows) == 1
    # Date, meeting, invited, present, late, left early, leave, absent, rate.
    assert meeting_rows[0][1] == TITLE
    assert meeting_rows[0][2:8] == (len(standing), 2, 0, 0, 1, len(absent))

    # 7. A 常委 came but never scanned: the office corrects the closed meeting's attendance with a
    # reason, which the row shows; the duty record follows.
    came = absent[0]
    corrected = Participation.objects.get(activity=activity, member=came)
    correct_url = reverse("activities:correct", args=[activity.pk, corrected.pk])
    office.goto(manage_url)
    office.select_option(f"form[action='{correct_url}'] select[name=status]", P.PRESENT.value)
    office.fill(f"form[action='{correct_url}'] input[name=reason]", "到会未扫码，以签到表为准")
    submit(office, correct_url)
    corrected.refresh_from_db()
    assert corrected.status == P.PRESENT
    row = office.locator("#participant-table tbody tr", has_text=came.name)
    assert row.locator("[data-status]").get_attribute("data-status") == P.PRESENT
    assert "到会未扫码，以签到表为准" in row.inner_text()
    assert records.get(member=came).kind == "attendance.standing.present"
    screenshot(office, "50-attendance-corrected")
    office_ctx.close()
