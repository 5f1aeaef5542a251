"""Pages of member onboarding: the rule, the batch's confirmation and result, letters, SMS, one member's
code, and who may open each."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from lvzhi.accounts import onboarding
from lvzhi.accounts.models import ActivationCode, MemberAccountPolicy, OnboardingBatch
from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.core.sms import SmsGateway
from lvzhi.factories import MemberFactory, MemberTermFactory, UserFactory
from lvzhi.members.models import Member

pytestmark = pytest.mark.django_db

GATEWAY = "lvzhi.accounts.tests.test_onboarding_views.RecordingGateway"


class RecordingGateway(SmsGateway):
    sent: list = []

    def send(self, phone, text):
        self.sent.append((phone, text))


@pytest.fixture(autouse=True)
def _clear_gateway():
    RecordingGateway.sent = []


@pytest.fixture
def policy(committee):
    return MemberAccountPolicy.objects.create(committee=committee, grant_member_role=True)


@pytest.fixture
def sysadmin(make_user):
    return make_user(Role.SYSADMIN, username="sysadmin")


@pytest.fixture
def members(committee, term):
    made = []
    for name, phone in (("张三", "13812340001"), ("李四", "13812340002"), ("王五", "")):
        member = MemberFactory(committee=committee, name=name, phone=phone)
        MemberTermFactory(member=member, term=term)
        made.append(member)
    return made


def page_breaks(document):
    return sum(
        1
        for paragraph in document.paragraphs
        for run in paragraph.runs
        for br in run._r.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}br")
        if br.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}type") == "page"
    )


def text_of(document):
    return "\n".join(p.text for p in document.paragraphs)


# --- the rule ------------------------------------------------------------------------------------------


def test_the_security_administrator_sets_the_rule(client, make_user, committee):
    secadmin = make_user(Role.SECADMIN)
    client.force_login(secadmin)
    url = reverse("accounts:member_policy")
    assert client.get(url).status_code == 200
    response = client.post(url, {"grant_member_role": "on"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    policy = MemberAccountPolicy.objects.get(committee=committee)
    assert policy.grant_member_role and not policy.office_may_onboard
    row = AuditEvent.objects.get(object_type="accounts.MemberAccountPolicy")
    assert row.actor == secadmin and row.ip_address == "10.1.2.3"


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.OFFICE, Role.AUDITOR, Role.MEMBER])
def test_nobody_else_sets_the_rule(client, role_user, committee, role):
    client.force_login(role_user(role))
    assert client.post(reverse("accounts:member_policy"), {"grant_member_role": "on"}).status_code == 403
    assert not MemberAccountPolicy.objects.exists()


# --- the batch -----------------------------------------------------------------------------------------


def test_the_confirmation_says_how_many_and_that_only_the_member_role_is_granted(
    client, sysadmin, members, policy
):
    client.force_login(sysadmin)
    response = client.get(reverse("accounts:onboarding"))
    assert response.status_code == 200
    assert len(response.context["plan"].to_create) == 3
    assert b'id="onboarding-run"' in response.content
    assert "委员" in response.content.decode()
    assert not Member.objects.filter(user__isnull=False).exists()


def test_without_the_rule_the_page_says_the_security_administrator_must_enable_it(client, sysadmin, members):
    client.force_login(sysadmin)
    response = client.get(reverse("accounts:onboarding"))
    assert b'id="onboarding-policy-off"' in response.content
    assert b'id="onboarding-run"' not in response.content
    response = client.post(reverse("accounts:onboarding"), follow=True)
    assert "安全保密管理员" in response.content.decode()
    assert not ActivationCode.objects.exists()


def test_running_it_shows_the_result_with_the_letters(client, sysadmin, members, policy):
    client.force_login(sysadmin)
    response = client.post(reverse("accounts:onboarding"), {"submission_token": "tok-1"})
    batch = OnboardingBatch.objects.get()
    assert response["Location"] == reverse("accounts:onboarding_result", args=[batch.pk])
    response = client.get(response["Location"])
    assert response.context["valid"] == 3
    assert reverse("accounts:onboarding_letters", args=[batch.pk]).encode() in response.content
    again = client.post(reverse("accounts:onboarding"), {"submission_token": "tok-1"})
    assert again.status_code == 302
    assert OnboardingBatch.objects.count() == 1


def test_the_letters_have_one_page_per_member_with_name_and_code(client, sysadmin, members, policy, settings):
    settings.LVZHI_SITE_URL = "https://lvzhi.example.gov.cn"
    client.force_login(sysadmin)
    batch = onboarding.create_member_accounts(members[0].committee, sysadmin).batch
    response = client.get(reverse("accounts:onboarding_letters", args=[batch.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    document = Document(io.BytesIO(response.content))
    text = text_of(document)
    assert page_breaks(document) == 2
    for code in ActivationCode.objects.select_related("user", "user__member"):
        assert code.user.member.name in text
        assert code.user.username in text
        assert code.display_code in text
    assert "https://lvzhi.example.gov.cn/" in text
    assert "手机号" in text
    row = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).get()
    for code in ActivationCode.objects.all():
        assert code.code not in str(row.detail) and code.display_code not in str(row.detail)


def test_the_letters_leave_out_used_codes(client, sysadmin, members, policy):
    client.force_login(sysadmin)
    batch = onboarding.create_member_accounts(members[0].committee, sysadmin).batch
    used = ActivationCode.objects.first()
    onboarding.activate(code_id=used.pk, password="Neu-Pass-2026!")
    document = Document(
        io.BytesIO(client.get(reverse("accounts:onboarding_letters", args=[batch.pk])).content)
    )
    assert page_breaks(document) == 1
    assert used.display_code not in text_of(document)


@pytest.mark.parametrize("role", [Role.OFFICE, Role.SECADMIN, Role.LEADER, Role.MEMBER])
def test_only_those_allowed_download_the_letters(client, role_user, sysadmin, members, policy, role):
    batch = onboarding.create_member_accounts(members[0].committee, sysadmin).batch
    client.force_login(role_user(role))
    assert client.get(reverse("accounts:onboarding_letters", args=[batch.pk])).status_code == 403


def test_office_runs_it_when_the_rule_allows(client, office, members, policy):
    client.force_login(office)
    assert client.get(reverse("accounts:onboarding")).status_code == 403
    assert client.get(reverse("members:list")).content.count(b'id="onboarding-link"') == 0
    policy.office_may_onboard = True
    policy.save()
    assert b'id="onboarding-link"' in client.get(reverse("members:list")).content
    client.post(reverse("accounts:onboarding"))
    assert Member.objects.filter(user__isnull=False).count() == 3


def test_a_batch_of_another_committee_is_not_found(client, other_committee, sysadmin, policy):
    batch = OnboardingBatch.objects.create(committee=other_committee)
    client.force_login(sysadmin)
    assert client.get(reverse("accounts:onboarding_result", args=[batch.pk])).status_code == 404
    assert client.get(reverse("accounts:onboarding_letters", args=[batch.pk])).status_code == 404


def test_the_codes_are_texted_where_a_gateway_is_configured(client, settings, sysadmin, members, policy):
    settings.LVZHI_SMS_GATEWAY = GATEWAY
    client.force_login(sysadmin)
    batch = onboarding.create_member_accounts(members[0].committee, sysadmin).batch
    page = client.get(reverse("accounts:onboarding_result", args=[batch.pk]))
    assert b'id="onboarding-sms"' in page.content
    client.post(reverse("accounts:onboarding_sms", args=[batch.pk]))
    assert sorted(phone for phone, _text in RecordingGateway.sent) == ["13812340001", "13812340002"]
    for phone, text in RecordingGateway.sent:
        member = Member.objects.get(phone_index=Member._meta.get_field("phone_index").digest(phone))
        code = ActivationCode.objects.get(user=member.user)
        assert code.display_code in text and member.user.username in text
    row = AuditEvent.objects.filter(detail__sms=True).get()
    assert row.detail["sent"] == 2 and row.detail["not_sent"] == 1
    for code in ActivationCode.objects.all():
        assert code.code not in str(row.detail)


def test_without_a_gateway_sms_is_not_offered(client, settings, sysadmin, members, policy):
    settings.LVZHI_SMS_GATEWAY = ""
    client.force_login(sysadmin)
    batch = onboarding.create_member_accounts(members[0].committee, sysadmin).batch
    assert (
        b'id="onboarding-sms"'
        not in client.get(reverse("accounts:onboarding_result", args=[batch.pk])).content
    )
    client.post(reverse("accounts:onboarding_sms", args=[batch.pk]))
    assert RecordingGateway.sent == []


# --- one member's code ---------------------------------------------------------------------------------


def test_a_new_code_for_one_member_and_its_letter(client, sysadmin, members, policy):
    onboarding.create_member_accounts(members[0].committee, sysadmin)
    account = Member.objects.get(pk=members[0].pk).user
    client.force_login(sysadmin)
    page = client.get(reverse("accounts:user_activation", args=[account.pk]))
    assert page.status_code == 200
    first = ActivationCode.objects.get(user=account)
    assert first.code not in page.content.decode() and first.display_code not in page.content.decode()
    client.post(reverse("accounts:user_activation_issue", args=[account.pk]))
    new = onboarding.current_code(account)
    assert new is not None and new.pk != first.pk
    response = client.get(reverse("accounts:user_activation_letter", args=[account.pk]))
    document = Document(io.BytesIO(response.content))
    assert page_breaks(document) == 0
    assert new.display_code in text_of(document) and first.display_code not in text_of(document)


def test_the_member_file_links_to_the_code_page_for_the_office(client, office, sysadmin, members, policy):
    onboarding.create_member_accounts(members[0].committee, sysadmin)
    policy.office_may_onboard = True
    policy.save()
    client.force_login(office)
    member = Member.objects.get(pk=members[0].pk)
    page = client.get(reverse("members:detail", args=[member.pk]))
    assert reverse("accounts:user_activation", args=[member.user_id]).encode() in page.content


def test_no_code_page_action_for_a_privileged_account(client, sysadmin, make_user, committee, policy):
    office = make_user(Role.OFFICE)
    MemberFactory(committee=committee, user=office)
    client.force_login(sysadmin)
    client.post(reverse("accounts:user_activation_issue", args=[office.pk]))
    assert not ActivationCode.objects.filter(user=office).exists()
    page = client.get(reverse("accounts:user_activation", args=[office.pk]))
    assert b'id="activation-issue"' not in page.content


def test_an_account_of_another_committee_is_not_found(client, sysadmin, other_committee, policy):
    stranger = UserFactory(committee=other_committee, role=Role.MEMBER)
    MemberFactory(committee=other_committee, user=stranger)
    client.force_login(sysadmin)
    assert client.get(reverse("accounts:user_activation", args=[stranger.pk])).status_code == 404
    assert client.post(reverse("accounts:user_activation_issue", args=[stranger.pk])).status_code == 404
    assert not ActivationCode.objects.exists()


# --- the command ---------------------------------------------------------------------------------------


def test_the_command_prints_the_counts_and_writes_the_letters(committee, members, policy, tmp_path):
    MemberFactory(committee=committee, name="赵六", user=UserFactory(committee=committee))
    out = io.StringIO()
    path = tmp_path / "letters.docx"
    call_command(
        "create_member_accounts",
        "--committee",
        committee.code,
        "--letters",
        str(path),
        "--site-url",
        "https://lvzhi.example.gov.cn",
        stdout=out,
    )
    assert out.getvalue().strip() == "created 3, skipped 1"
    document = Document(str(path))
    assert page_breaks(document) == 2
    for code in ActivationCode.objects.all():
        assert code.display_code in text_of(document)
    row = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="accounts.OnboardingBatch")
    assert row.actor is None and row.detail["command_line"] is True
    out = io.StringIO()
    call_command("create_member_accounts", "--committee", committee.code, stdout=out)
    assert out.getvalue().strip() == "created 0, skipped 4"


def test_the_command_refuses_without_the_rule(committee, members):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="安全保密管理员|security administrator"):
        call_command("create_member_accounts", "--committee", committee.code, stdout=io.StringIO())
    assert not ActivationCode.objects.exists()


def test_the_finished_roster_import_links_to_onboarding(client, office, committee, policy):
    from lvzhi.members.models import RosterImport

    job = RosterImport.objects.create(
        committee=committee,
        created_by=office,
        original_name="名单.xlsx",
        status=RosterImport.Status.DONE,
        result={"created": 3, "updated": 0, "unchanged": 0, "errors": 0},
    )
    client.force_login(office)
    url = reverse("members:import_detail", args=[job.pk])
    assert b'id="import-onboarding-link"' not in client.get(url).content
    policy.office_may_onboard = True
    policy.save()
    assert b'id="import-onboarding-link"' in client.get(url).content


def test_the_account_list_offers_the_batch_and_the_rule(client, sysadmin, make_user):
    client.force_login(sysadmin)
    page = client.get(reverse("accounts:user_list")).content
    assert b'id="onboarding-link"' in page and b'id="member-policy-link"' not in page
    client.force_login(make_user(Role.SECADMIN))
    page = client.get(reverse("accounts:user_list")).content
    assert b'id="onboarding-link"' not in page and b'id="member-policy-link"' in page


def test_one_code_is_texted_from_the_account_page(client, settings, sysadmin, members, policy):
    settings.LVZHI_SMS_GATEWAY = GATEWAY
    onboarding.create_member_accounts(members[0].committee, sysadmin)
    account = Member.objects.get(pk=members[0].pk).user
    client.force_login(sysadmin)
    client.post(reverse("accounts:user_activation_sms", args=[account.pk]))
    code = onboarding.current_code(account)
    assert RecordingGateway.sent == [("13812340001", RecordingGateway.sent[0][1])]
    assert code.display_code in RecordingGateway.sent[0][1]


def test_the_sms_gateway_lives_in_core_and_notifications_keeps_its_names(settings):
    from lvzhi.core import sms
    from lvzhi.notifications import channels

    assert channels.SmsGateway is sms.SmsGateway
    settings.LVZHI_SMS_GATEWAY = "no.such.Gateway"
    assert sms.sms_available() and sms.sms_gateway() is None
    settings.LVZHI_SMS_GATEWAY = GATEWAY
    assert isinstance(channels.sms_gateway(), RecordingGateway)


# --- letters and messages only for accounts that may hold a code -------------------------------------


def test_letters_and_messages_leave_out_disabled_and_staff_accounts(
    client, settings, sysadmin, members, policy
):
    from django.contrib.auth.models import Group

    settings.LVZHI_SMS_GATEWAY = GATEWAY
    batch = onboarding.create_member_accounts(members[0].committee, sysadmin).batch
    zhang, li, wang = (Member.objects.get(pk=m.pk).user for m in members)
    zhang.is_active = False  # departed since the batch
    zhang.save()
    li.groups.add(Group.objects.get(name=Role.OFFICER.value))  # became an information officer

    assert [c.user for c in onboarding.valid_codes(batch)] == [wang]
    assert onboarding.current_code(li) is None
    client.force_login(sysadmin)
    document = Document(
        io.BytesIO(client.get(reverse("accounts:onboarding_letters", args=[batch.pk])).content)
    )
    assert page_breaks(document) == 0 and wang.username in text_of(document)
    assert zhang.username not in text_of(document) and li.username not in text_of(document)
    client.post(reverse("accounts:onboarding_sms", args=[batch.pk]))
    client.post(reverse("accounts:user_activation_sms", args=[li.pk]))
    assert RecordingGateway.sent == []  # 王五 has no mobile number; nobody else may receive a code


def test_a_double_click_texts_the_codes_once(client, settings, sysadmin, members, policy, english):
    settings.LVZHI_SMS_GATEWAY = GATEWAY
    batch = onboarding.create_member_accounts(members[0].committee, sysadmin).batch
    account = Member.objects.get(pk=members[0].pk).user
    client.force_login(sysadmin)
    for page, url in (
        (
            reverse("accounts:onboarding_result", args=[batch.pk]),
            reverse("accounts:onboarding_sms", args=[batch.pk]),
        ),
        (
            reverse("accounts:user_activation", args=[account.pk]),
            reverse("accounts:user_activation_sms", args=[account.pk]),
        ),
    ):
        RecordingGateway.sent = []
        html = client.get(page).content.decode()
        form = html[html.index(f'action="{url}"') :]
        token = form.split('name="submission_token" value="', 1)[1].split('"', 1)[0]
        assert token and form.index("submission_token") < form.index("</form>")
        first = client.post(url, {"submission_token": token})
        sent = len(RecordingGateway.sent)
        again = client.post(url, {"submission_token": token}, follow=True)
        assert sent > 0 and len(RecordingGateway.sent) == sent
        assert first.status_code == 302
        assert b"already submitted" in again.content
