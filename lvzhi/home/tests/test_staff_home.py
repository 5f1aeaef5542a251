"""Office and unit staff's start page: what is open (activities to close, study notes to acknowledge,
roster imports waiting), counted in their scope; and the administrators' and the auditor's cards."""

import datetime
import re

import pytest
from django.utils import timezone, translation

from lvzhi.accounts.models import Lockout
from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity
from lvzhi.core.models import AuditVerification
from lvzhi.factories import UserFactory
from lvzhi.members.models import RosterImport
from lvzhi.studies.models import StudySubmission

from .test_member_home import section

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def figure(client, user, div_id):
    """The text of one figure of the start page's row, or None when the page has none such."""
    client.force_login(user)
    with translation.override("en"):
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    match = re.search(rf'<div class="card card-body h-100" id="{div_id}">(.*?)</div></div>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()) if match else None


def test_activities_to_close_in_each_ones_scope(
    client, office, make_user, make_activity, my_unit, other_unit
):
    make_activity(title="进行中的常委会", in_hours=-1, status=Activity.Status.IN_PROGRESS)
    make_activity(title="过期未开始", in_hours=-30, kind=Activity.Kind.RESEARCH, organizing_unit=my_unit)
    make_activity(title="别的专委会", in_hours=-30, kind=Activity.Kind.RESEARCH, organizing_unit=other_unit)
    make_activity(title="已关闭", in_hours=-30, status=Activity.Status.CLOSED)
    make_activity(title="还没开始", in_hours=5)
    make_activity(title="正在开的", in_hours=-1, hours=3)  # started, published, not over: not yet

    assert figure(client, office, "home-to-close").startswith("Activities to close 3")
    unit_text = figure(client, make_user(Role.UNIT_STAFF, units=[my_unit]), "home-to-close")
    # Unit staff do not run the committee's meetings, even those under way.
    assert unit_text == "Activities to close 1 过期未开始"
    assert figure(client, make_user(Role.LEADER), "home-to-close") is None


def test_study_notes_to_acknowledge_in_scope(client, office, make_user, make_member, my_unit, other_unit):
    mine, theirs = make_member(specials=[my_unit]), make_member(specials=[other_unit])
    for member, status in ((mine, "submitted"), (theirs, "submitted"), (mine, "acknowledged")):
        StudySubmission.objects.create(
            committee=member.committee,
            member=member,
            kind="notes",
            title="笔记",
            body="x",
            submitted_at=timezone.now(),
            status=status,
        )
    assert figure(client, office, "home-to-acknowledge") == "Study notes to acknowledge 2"
    assert figure(client, make_user(Role.UNIT_STAFF, units=[my_unit]), "home-to-acknowledge") == (
        "Study notes to acknowledge 1"
    )
    assert figure(client, make_user(Role.LEADER), "home-to-acknowledge") is None


def test_roster_imports_waiting(client, office, make_user, other_committee):
    for status in ("checking", "preview", "done", "expired"):
        RosterImport.objects.create(
            committee=office.committee, created_by=office, original_name="x.xlsx", status=status
        )
    other = UserFactory(committee=other_committee, role=Role.OFFICE)
    RosterImport.objects.create(
        committee=other_committee, created_by=other, original_name="y.xlsx", status="preview"
    )
    assert figure(client, office, "home-imports") == "Roster imports waiting 2"
    assert figure(client, make_user(Role.UNIT_STAFF), "home-imports") is None


def test_the_system_administrator_sees_accounts(client, make_user, make_member, other_committee):
    sysadmin = make_user(Role.SYSADMIN, username="sysadmin")
    make_member(login=True)
    make_member()
    make_member()
    make_user(Role.OFFICE, is_active=False)
    UserFactory(committee=other_committee, role=Role.OFFICE)
    Lockout.objects.create(username=sysadmin.username, until=timezone.now() + datetime.timedelta(minutes=5))
    Lockout.objects.create(username="gone", until=timezone.now() - datetime.timedelta(minutes=5))

    assert figure(client, sysadmin, "home-accounts") == "Accounts 3 2 active"
    assert figure(client, sysadmin, "home-without-account").startswith("Serving members without an account 2")
    assert figure(client, sysadmin, "home-locked") == "Locked accounts 1"
    client.force_login(sysadmin)
    assert 'href="/accounts/onboarding/"' in client.get("/").content.decode()
    assert figure(client, make_user(Role.SECADMIN), "home-accounts") is None


def test_the_security_administrator_sees_lockouts_and_roles(client, make_user, other_committee):
    secadmin = make_user(Role.SECADMIN, username="secadmin")
    make_user(Role.OFFICE)
    make_user(Role.OFFICE)
    make_user(Role.OFFICE, is_active=False)
    UserFactory(committee=other_committee, role=Role.OFFICE)
    text = section(client, secadmin, "home-security")
    assert text.startswith("Accounts and roles Locked accounts： 0 Role Active accounts")
    assert "Office staff 2" in text
    assert "Security administrator 1" in text
    client.force_login(secadmin)
    assert 'href="/accounts/member-policy/"' in client.get("/").content.decode()
    assert section(client, make_user(Role.SYSADMIN), "home-security") is None


def test_the_auditor_sees_the_last_verification(client, make_user):
    auditor = make_user(Role.AUDITOR)
    AuditVerification.objects.create(status="broken", first_bad_id=42, started_by="auditor")
    AuditVerification.objects.create(status="intact", started_by="verify_audit")
    text = section(client, auditor, "home-audit")
    assert text.startswith("Audit log Last verification of the chain: Intact")
    assert "verify_audit" in text
    assert section(client, make_user(Role.OFFICE), "home-audit") is None


def titles_behind_the_card(client, user):
    """The titles the staff list shows when the card's count is clicked (one page: 30 rows)."""
    client.force_login(user)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    card = re.search(r'id="home-to-close">(.*?)</div></div>', html, re.S).group(1)
    href = re.search(r'<a href="([^"]+)">\d+</a>', card).group(1).replace("&amp;", "&")
    listing = client.get(href).content.decode()
    table = re.search(r'id="activity-table">(.*?)</table>', listing, re.S).group(1)
    return sorted(re.findall(r'/manage/">([^<]+)</a>', table))


def test_the_count_to_close_and_the_list_behind_it_agree(
    client, office, make_user, make_activity, my_unit, other_unit
):
    """Staff who click "3" see those 3: published activities past their end as well as those in
    progress, and for unit staff not the committee's meetings they may see but not run."""
    make_activity(title="进行中的常委会", in_hours=-1, status=Activity.Status.IN_PROGRESS)
    make_activity(title="过期未开始", in_hours=-30, kind=Activity.Kind.RESEARCH, organizing_unit=my_unit)
    make_activity(title="过期的专委会会议", in_hours=-30, organizing_unit=my_unit)
    make_activity(title="别的专委会", in_hours=-30, kind=Activity.Kind.RESEARCH, organizing_unit=other_unit)
    make_activity(title="已关闭", in_hours=-30, status=Activity.Status.CLOSED)
    make_activity(title="还没开始", in_hours=5)
    make_activity(title="正在开的", in_hours=-1, hours=3)

    assert figure(client, office, "home-to-close").startswith("Activities to close 4")
    assert titles_behind_the_card(client, office) == sorted(
        ["进行中的常委会", "过期未开始", "过期的专委会会议", "别的专委会"]
    )
    unit_staff = make_user(Role.UNIT_STAFF, units=[my_unit])
    assert figure(client, unit_staff, "home-to-close") == "Activities to close 1 过期未开始"
    assert titles_behind_the_card(client, unit_staff) == ["过期未开始"]
