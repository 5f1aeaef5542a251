"""Issue 10's 'done means': a county goes live with its members.

The security administrator sets the rule for members' accounts; the office creates the accounts of every
serving member without one and downloads the 开通通知书; a member scans tonight's check-in code on a phone
while signed out, activates the account with the code on the letter (typing the mobile number, the
password rules ticking as they type), lands back on the check-in and is checked in, then finds tonight's
meeting on the start page and opens 我的履职档案 from the menu; a leader's start page shows the leave
request waiting for them and they refuse it with a reason that the member is told.

Elements are found by URL (form actions, links), ids and data-* hooks; the assertions are on data."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from lvzhi.accounts.models import ActivationCode, MemberAccountPolicy, User
from lvzhi.accounts.roles import Role
from lvzhi.activities import services as activity_services
from lvzhi.activities.models import Activity, Participation
from lvzhi.core.models import AuditEvent
from lvzhi.demo.builder import DemoBuilder
from lvzhi.members.models import Member, MemberTerm
from lvzhi.notifications.models import Notification

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
TITLE = "政协青溪县第九届委员会第三次全体会议（旅程测试）"
PASSWORD = "Qingxi-2026"
P = Participation.Status


@pytest.fixture
def tonight(transactional_db):
    """The demo committee and tonight's plenary meeting, published to every serving member; the demo
    member (who has an account) has asked for leave."""
    committee = DemoBuilder(members=24, standing=6).build()
    office = User.objects.get(username="office")
    starts = timezone.localtime() + datetime.timedelta(minutes=10)
    activity = activity_services.create_activity(
        actor=office,
        kind=Activity.Kind.PLENARY,
        title=TITLE,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="县政协机关三楼会议室",
        invitee_rules={"all_members": True},
    )
    activity_services.publish_activity(activity=activity, actor=office)
    asker = User.objects.get(username="member")
    leave = Participation.objects.get(activity=activity, member=asker.member)
    activity_services.respond(participation=leave, action="leave", actor=asker, reason="赴市里参加培训")
    return {"committee": committee, "activity": activity, "leave": leave}


def phone(browser):
    return browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def letters(data):
    """[(name, login name, code)] of the notices, one per page."""
    document = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    pages = [page for page in re.split(r"开通通知书", text) if page.strip()]
    found = []
    for page in pages:
        name = re.search(r"^(\S+?)委员[:：]", page, re.MULTILINE).group(1)
        username = re.search(r"登录名[:：]\s*([a-z0-9]+)", page).group(1)
        code = re.search(r"激活码[:：]\s*([0-9 ]+)", page).group(1).strip()
        found.append((name, username, code))
    return found


def test_members_go_live_from_letters_to_tonights_check_in(
    tonight, live_server, browser, screenshot, tmp_path
):
    base = live_server.url
    activity = tonight["activity"]
    serving_without_account = set(
        MemberTerm.objects.filter(
            term__committee=tonight["committee"],
            term__is_current=True,
            status=MemberTerm.Status.SERVING,
            member__user__isnull=True,
        ).values_list("member_id", flat=True)
    )
    assert len(serving_without_account) > 10

    # 1. The security administrator sets the rule once: members' accounts get the 委员 role, and the
    # office may create them.
    secadmin_ctx = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    secadmin = secadmin_ctx.new_page()
    sign_in(secadmin, base, "secadmin")
    secadmin.goto(base + reverse("accounts:member_policy"))
    secadmin.check("#id_grant_member_role")
    secadmin.check("#id_office_may_onboard")
    with secadmin.expect_navigation():
        secadmin.click("#member-policy-form button[type=submit]")
    policy = MemberAccountPolicy.objects.get(committee=tonight["committee"])
    assert policy.grant_member_role and policy.office_may_onboard
    secadmin_ctx.close()

    # 2. The office creates the accounts from the member list, after a confirmation, and downloads the
    # letters.
    office_ctx = browser.new_context(locale="zh-CN", viewport=DESKTOP, accept_downloads=True)
    office = office_ctx.new_page()
    sign_in(office, base, "office")
    office.goto(base + reverse("members:list"))
    with office.expect_navigation():
        office.click(f"main a[href='{reverse('accounts:onboarding')}']")
    to_create = int(office.inner_text("#onboarding-to-create"))
    assert to_create == len(serving_without_account)
    screenshot(office, "80-onboarding-confirm")
    office.once("dialog", lambda dialog: dialog.accept())
    with office.expect_navigation():
        office.click("#onboarding-run button[type=submit]")
    office.wait_for_selector("#onboarding-result")
    created = Member.objects.filter(pk__in=serving_without_account, user__isnull=False)
    assert created.count() == to_create
    for member in created.select_related("user"):
        assert list(member.user.groups.values_list("name", flat=True)) == [Role.MEMBER.value]
    screenshot(office, "81-onboarding-result")
    with office.expect_download() as download_info:
        office.click("#onboarding-letters")
    path = tmp_path / "letters.docx"
    download_info.value.save_as(path)
    notices = letters(path.read_bytes())
    assert sorted(name for name, _, _ in notices) == sorted(created.values_list("name", flat=True))

    # 3. One member scans tonight's code on their phone, signed out: the sign-in page sends them to
    # activate their account, which they do with their mobile number and the letter's code.
    office.goto(base + reverse("activities:kiosk", args=[activity.pk]))
    office.wait_for_selector("#kiosk-code svg")
    scan_url = office.get_attribute("#kiosk-code", "data-checkin-url")
    name, username, code = notices[0]
    member = created.get(name=name)
    assert member.user.username == username
    member_ctx = phone(browser)
    page = member_ctx.new_page()
    page.goto(scan_url)
    assert reverse("accounts:login") in page.url
    with page.expect_navigation():
        page.click(f"main a[href^='{reverse('accounts:activate')}']")
    page.fill("#id_login", member.phone)
    page.fill("#id_code", code)
    screenshot(page, "82-activate-phone")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.click("#activate-form button[type=submit]")
    assert page.url.startswith(base + reverse("accounts:activate_password"))
    checklist = page.locator("#password-checklist")
    page.fill("#id_new_password1", "abc")
    assert checklist.locator("[data-rule=length]").get_attribute("data-met") != "true"
    page.fill("#id_new_password1", PASSWORD)
    page.fill("#id_new_password2", PASSWORD)
    for rule in ("length", "classes", "match"):
        assert checklist.locator(f"[data-rule={rule}]").get_attribute("data-met") == "true", rule
    screenshot(page, "83-activate-password-phone")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.click("#activate-password-form button[type=submit]")
    page.wait_for_load_state("networkidle")

    # Back on the scan: one tap checks them in.
    assert f"/activities/{activity.pk}/checkin/" in page.url
    assert member.name in page.locator("main").inner_text()
    with page.expect_navigation():
        page.click("main form[method=post] button[type=submit]")
    assert Participation.objects.get(activity=activity, member=member).status == P.PRESENT
    assert not ActivationCode.objects.get(user=member.user).is_valid()
    screenshot(page, "84-checked-in-after-activation-phone")

    # 4. Their start page shows tonight's meeting; 我的履职档案 is in the menu.
    page.goto(base + reverse("home:index"))
    mine = page.locator("#home-my-activities")
    assert TITLE in mine.inner_text()
    screenshot(page, "85-member-home-phone")
    no_sideways_scroll(page)
    page.click(".navbar-toggler")
    with page.expect_navigation():
        page.click(f"nav a[href='{reverse('ledger:mine')}']")
    assert page.url.startswith(base + reverse("ledger:mine"))
    assert member.name in page.locator("main").inner_text()
    screenshot(page, "86-my-duty-record-phone")
    member_ctx.close()
    office_ctx.close()

    # 5. The leader's start page shows the leave request waiting; they refuse it with a reason, which
    # the member is told.
    leave = tonight["leave"]
    leader_ctx = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    leader = leader_ctx.new_page()
    sign_in(leader, base, "leader")
    leader.goto(base + reverse("home:index"))
    waiting = leader.locator("#home-leave-to-decide")
    assert leave.member.name in waiting.inner_text()
    screenshot(leader, "87-leader-home")
    with leader.expect_navigation():
        leader.click(f"#home-leave-to-decide a[href^='{reverse('activities:leave_requests')}']")
    refuse = reverse("activities:leave_decide", args=[leave.pk, "refuse"])
    leader.fill(f"#leave-note-{leave.pk}", "全体会议须全员出席，请调整培训时间")
    with leader.expect_navigation():
        leader.click(f"button[formaction='{refuse}']")
    leave.refresh_from_db()
    assert leave.status == P.LEAVE_DENIED
    told = Notification.objects.filter(recipient=leave.member.user).order_by("-id").first()
    assert "全体会议须全员出席，请调整培训时间" in told.body
    screenshot(leader, "88-leader-refused-leave")
    leader_ctx.close()

    # Everything above was audited with the browser's address.
    assert AuditEvent.objects.filter(actor=member.user, ip_address="127.0.0.1").exists()
