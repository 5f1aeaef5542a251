"""Information officers: who may appoint and see them, the quota progress, the account of an officer who
is not a member (role, activation code, letter) and that such a code opens no staff account."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from lvzhi.accounts import onboarding
from lvzhi.accounts.models import ActivationCode, MemberAccountPolicy, User
from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import CommitteeFactory, MemberFactory, UserFactory
from lvzhi.opinions import stats
from lvzhi.opinions.models import InformationOfficer, OpinionReport
from lvzhi.opinions.services import officers as services

from .factories import ReportFactory

Status = OpinionReport.Status
TZ = datetime.timezone(datetime.timedelta(hours=8))
YEAR = 2026


def at(month, day=10):
    return datetime.datetime(YEAR, month, day, 10, 0, tzinfo=TZ)


@pytest.fixture
def editor(make_user):
    return make_user(Role.EDITOR, username="editor")


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADER, username="leader")


@pytest.fixture
def policy(committee):
    return MemberAccountPolicy.objects.create(
        committee=committee, grant_member_role=True, office_may_onboard=True
    )


def member_with_account(committee, name="张建国"):
    user = UserFactory(committee=committee, role=Role.MEMBER, display_name=name)
    return MemberFactory(committee=committee, name=name, user=user)


def officer_of(member, *, year=YEAR, quota=12, **kwargs):
    return InformationOfficer.objects.create(
        committee_id=member.committee_id,
        year=year,
        member=member,
        user_id=member.user_id,
        name=member.name,
        quota=quota,
        appointed_on=datetime.date(year, 1, 5),
        **kwargs,
    )


# --- rights ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [(Role.OFFICE, 200), (Role.EDITOR, 200), (Role.LEADER, 200)])
def test_staff_see_the_table(client, make_user, role, status, committee):
    officer_of(member_with_account(committee))
    client.force_login(make_user(role))
    response = client.get(reverse("opinions:officers"), {"year": YEAR})
    assert response.status_code == status
    assert "张建国" in response.content.decode()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OFFICER, Role.UNIT_STAFF, Role.HANDLING_UNIT])
def test_others_do_not_see_the_table(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(reverse("opinions:officers")).status_code == 403
    assert client.get(reverse("opinions:officers_export")).status_code == 403


@pytest.mark.parametrize("role", [Role.LEADER, Role.MEMBER])
def test_only_managers_appoint(client, make_user, committee, role):
    member = member_with_account(committee, "李秀英")
    client.force_login(make_user(role))
    url = reverse("opinions:officer_new_member")
    assert client.get(url).status_code == 403
    response = client.post(
        url, {"member": member.pk, "year": YEAR, "quota": 12, "appointed_on": "2026-01-05"}
    )
    assert response.status_code == 403
    assert not InformationOfficer.objects.exists()


@pytest.mark.parametrize("role", [Role.OFFICE, Role.EDITOR])
def test_office_and_editor_appoint_a_member(client, make_user, committee, role):
    member = member_with_account(committee, "李秀英")
    actor = make_user(role)
    client.force_login(actor)
    response = client.post(
        reverse("opinions:officer_new_member"),
        {"member": member.pk, "year": YEAR, "quota": 10, "appointed_on": "2026-01-05"},
    )
    officer = InformationOfficer.objects.get()
    assert response.status_code == 302
    assert (officer.member, officer.user, officer.quota, officer.year) == (member, member.user, 10, YEAR)
    # A member officer keeps a member-only account: no role is added.
    assert list(member.user.groups.values_list("name", flat=True)) == [Role.MEMBER.value]
    assert AuditEvent.objects.filter(event="opinions.officer_appointed", actor=actor).exists()


def test_a_member_of_another_committee_cannot_be_appointed(client, office):
    stranger = MemberFactory(committee=CommitteeFactory(), name="外县人")
    client.force_login(office)
    response = client.post(
        reverse("opinions:officer_new_member"),
        {"member": stranger.pk, "year": YEAR, "quota": 12, "appointed_on": "2026-01-05"},
    )
    assert response.status_code == 200
    assert not InformationOfficer.objects.exists()


def test_the_same_member_twice_a_year_is_refused(office, committee):
    member = member_with_account(committee)
    services.appoint_member(member=member, year=YEAR, actor=office)
    with pytest.raises(ValidationError):
        services.appoint_member(member=member, year=YEAR, actor=office)


def test_the_member_picker_finds_members_of_the_committee_only(client, office, committee):
    member_with_account(committee, "赵建华")
    MemberFactory(committee=CommitteeFactory(), name="赵建国")
    client.force_login(office)
    response = client.get(reverse("opinions:officer_member_search"), {"q": "赵"})
    text = response.content.decode()
    assert "赵建华" in text and "赵建国" not in text
    # A phone number finds nobody.
    response = client.get(reverse("opinions:officer_member_search"), {"q": "13912345678"})
    assert "data-member-pick" not in response.content.decode()


def test_an_officer_sees_their_own_page_and_nobody_elses(client, committee):
    mine = officer_of(member_with_account(committee, "张建国"))
    other = officer_of(member_with_account(committee, "李秀英"))
    client.force_login(mine.user)
    assert client.get(reverse("opinions:officer", args=[mine.pk])).status_code == 200
    assert client.get(reverse("opinions:officer", args=[other.pk])).status_code == 404
    # Nor may they act on their own appointment.
    assert client.post(reverse("opinions:officer_quota", args=[mine.pk]), {"quota": 1}).status_code == 404
    mine.refresh_from_db()
    assert mine.quota == 12


def test_another_committees_officer_is_404(client, make_user, committee):
    foreign = officer_of(member_with_account(CommitteeFactory(), "外县人"))
    client.force_login(make_user(Role.OFFICE))
    for name in ("opinions:officer", "opinions:officer_letter"):
        assert client.get(reverse(name, args=[foreign.pk])).status_code == 404
    for name in (
        "opinions:officer_quota",
        "opinions:officer_end",
        "opinions:officer_account",
        "opinions:officer_code",
    ):
        assert (
            client.post(reverse(name, args=[foreign.pk]), {"quota": 3, "ended_on": "2026-05-01"}).status_code
            == 404
        )
    foreign.refresh_from_db()
    assert foreign.quota == 12 and foreign.ended_on is None


# --- quota, end, copy -----------------------------------------------------------------------------------


def test_quota_and_end(client, editor, committee):
    officer = officer_of(member_with_account(committee))
    client.force_login(editor)
    client.post(reverse("opinions:officer_quota", args=[officer.pk]), {"quota": 6})
    client.post(reverse("opinions:officer_end", args=[officer.pk]), {"ended_on": "2026-06-30"})
    officer.refresh_from_db()
    assert officer.quota == 6 and officer.ended_on == datetime.date(2026, 6, 30)
    events = set(AuditEvent.objects.values_list("event", flat=True))
    assert {"opinions.officer_changed", "opinions.officer_ended"} <= events
    with pytest.raises(ValidationError):
        services.end_appointment(officer=officer, actor=editor)


def test_copy_last_year_in_one_step(client, office, committee):
    kept = officer_of(member_with_account(committee, "张建国"), year=YEAR - 1, quota=8)
    officer_of(
        member_with_account(committee, "李秀英"), year=YEAR - 1, ended_on=datetime.date(YEAR - 1, 6, 1)
    )
    already = officer_of(member_with_account(committee, "王志强"), year=YEAR - 1)
    officer_of(already.member, year=YEAR, quota=3)
    client.force_login(office)
    response = client.post(reverse("opinions:officers_copy"), {"from_year": YEAR - 1, "to_year": YEAR})
    assert response.status_code == 302
    this_year = InformationOfficer.objects.filter(year=YEAR)
    assert sorted(this_year.values_list("name", "quota")) == [("张建国", 8), ("王志强", 3)]
    assert this_year.get(name="张建国").member_id == kept.member_id
    # Twice changes nothing.
    client.post(reverse("opinions:officers_copy"), {"from_year": YEAR - 1, "to_year": YEAR})
    assert this_year.count() == 2


# --- progress -------------------------------------------------------------------------------------------


def test_progress_counts_reports_written_this_year_by_month(committee):
    member = member_with_account(committee)
    officer = officer_of(member, quota=12)
    ReportFactory(committee=committee, lead=member, submitted_at=at(3, 2))
    ReportFactory(committee=committee, co=[member], submitted_at=at(3, 20), status=Status.REPORTED)
    ReportFactory(committee=committee, co=[member], submitted_at=at(5), status=Status.RETURNED)
    # Not counted: a draft, a report of last year, someone else's report.
    ReportFactory(committee=committee, lead=member, status=Status.DRAFT)
    ReportFactory(
        committee=committee, lead=member, submitted_at=datetime.datetime(YEAR - 1, 12, 31, 12, tzinfo=TZ)
    )
    ReportFactory(committee=committee, lead=member_with_account(committee, "李秀英"), submitted_at=at(3))
    progress = stats.officer_progress([officer])[0]
    assert progress.by_month == [0, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert (progress.total, progress.quota, progress.share, progress.bar) == (3, 12, 25, 25)


def test_progress_months_are_beijing_months(committee):
    member = member_with_account(committee)
    officer = officer_of(member)
    # 1 April 00:30 in Beijing is still 31 March in UTC.
    ReportFactory(
        committee=committee, lead=member, submitted_at=datetime.datetime(YEAR, 4, 1, 0, 30, tzinfo=TZ)
    )
    assert stats.officer_progress([officer])[0].by_month[3] == 1


def test_progress_of_a_non_member_officer_counts_their_account(committee):
    user = UserFactory(committee=committee, role=Role.OFFICER, display_name="周信息")
    officer = InformationOfficer.objects.create(
        committee=committee,
        year=YEAR,
        user=user,
        name="周信息",
        quota=4,
        appointed_on=datetime.date(YEAR, 1, 1),
    )
    ReportFactory(committee=committee, lead=user, submitted_at=at(2), source=OpinionReport.Source.OFFICER)
    progress = stats.officer_progress([officer])[0]
    assert (progress.total, progress.share) == (1, 25)


def test_the_officer_sees_their_progress_on_the_start_page(client, committee):
    member = member_with_account(committee)
    officer = officer_of(member, year=datetime.date.today().year)
    client.force_login(member.user)
    text = client.get(reverse("home:index")).content.decode()
    assert 'id="home-officer"' in text
    other = member_with_account(committee, "李秀英")
    client.force_login(other.user)
    assert 'id="home-officer"' not in client.get(reverse("home:index")).content.decode()
    assert officer.pk


def test_the_table_costs_the_same_queries_for_few_and_many_officers(client, office, committee):
    def add(n, offset):
        for i in range(n):
            member = MemberFactory(committee=committee, name=f"信息员{offset + i}")
            officer_of(member)
            ReportFactory(committee=committee, lead=member, submitted_at=at(1 + i % 12))

    client.force_login(office)
    url = reverse("opinions:officers")
    add(2, 0)
    client.get(url, {"year": YEAR})
    with capture_queries() as small:
        client.get(url, {"year": YEAR})
    add(12, 100)
    with capture_queries() as large:
        response = client.get(url, {"year": YEAR})
    assert response.content.decode().count("progress-bar") == 14
    assert_same_query_count(small, large)


def test_the_export_reads_back(client, office, committee):
    member = member_with_account(committee)
    officer_of(member, quota=4)
    ReportFactory(committee=committee, lead=member, submitted_at=at(3))
    client.force_login(office)
    response = client.get(reverse("opinions:officers_export"), {"year": YEAR})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    row = next(r for r in values if r[0] == "张建国")
    assert row[3:6] == [4, 1, 25]
    assert row[6 + 2] == 1
    assert AuditEvent.objects.filter(event="opinions.exported", actor=office).exists()


# --- the account of an officer who is not a member ---------------------------------------------------


def appoint_person(client, actor, **extra):
    client.force_login(actor)
    data = {"name": "周信息", "workplace": "县融媒体中心", "mobile": "", "year": YEAR, "quota": 12}
    data.update(appointed_on="2026-01-05", open_account="on", **extra)
    return client.post(reverse("opinions:officer_new_person"), data)


def test_the_office_appoints_a_non_member_with_an_account_code_and_letter(client, office, policy):
    response = appoint_person(client, office)
    officer = InformationOfficer.objects.get()
    assert response.status_code == 302
    account = officer.user
    assert account is not None and account.committee_id == office.committee_id
    assert list(account.groups.values_list("name", flat=True)) == [Role.OFFICER.value]
    assert not account.has_usable_password() and account.must_change_password
    code = ActivationCode.objects.get(user=account)
    assert onboarding.code_refusal(account) is None
    assert AuditEvent.objects.filter(event="accounts.officer_account_created").exists()
    letter = client.get(reverse("opinions:officer_letter", args=[officer.pk]))
    assert letter.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(letter.content)).paragraphs)
    assert code.display_code in text and account.username in text and "周信息" in text
    # Only a member file's phone signs in by number: the officer's letter does not promise it.
    assert "手机号" not in text
    # The officer activates the account with the code as a member would.
    assert onboarding.check_code(account, code.code)[0] == onboarding.CodeCheck.OK
    onboarding.activate(code_id=code.pk, password="Xinxi-Yuan-2026!")
    account.refresh_from_db()
    assert account.check_password("Xinxi-Yuan-2026!")


def test_the_same_person_twice_a_year_is_refused(client, office, policy):
    appoint_person(client, office)
    response = appoint_person(client, office)
    assert response.status_code == 200
    assert InformationOfficer.objects.count() == 1
    assert User.objects.filter(groups__name=Role.OFFICER.value).count() == 1


def test_without_the_security_administrators_rule_no_account_is_opened(client, office, committee):
    MemberAccountPolicy.objects.create(committee=committee, grant_member_role=False, office_may_onboard=True)
    appoint_person(client, office)
    officer = InformationOfficer.objects.get()
    assert officer.user is None
    assert client.post(reverse("opinions:officer_account", args=[officer.pk])).status_code == 403
    assert not User.objects.filter(groups__name=Role.OFFICER.value).exists()


def test_an_editor_appoints_but_cannot_open_accounts(client, editor, policy):
    appoint_person(client, editor)
    officer = InformationOfficer.objects.get()
    assert officer.user is None
    assert client.post(reverse("opinions:officer_account", args=[officer.pk])).status_code == 403
    assert client.get(reverse("opinions:officer_letter", args=[officer.pk])).status_code == 403


def test_the_office_opens_the_account_later(client, editor, office, policy):
    appoint_person(client, editor)
    officer = InformationOfficer.objects.get()
    client.force_login(office)
    assert client.post(reverse("opinions:officer_account", args=[officer.pk])).status_code == 302
    officer.refresh_from_db()
    assert officer.user is not None and ActivationCode.objects.filter(user=officer.user).exists()
    # Once only.
    with pytest.raises(ValidationError):
        services.open_officer_account(officer=officer, actor=office)


def test_a_member_officer_gets_no_account_of_their_own(office, committee, policy):
    officer = officer_of(member_with_account(committee))
    with pytest.raises(ValidationError):
        services.open_officer_account(officer=officer, actor=office)


def test_a_code_of_an_officer_account_no_longer_works_once_it_gains_a_staff_role(client, office, policy):
    appoint_person(client, office)
    account = InformationOfficer.objects.get().user
    code = ActivationCode.objects.get(user=account)
    account.groups.add(Group.objects.get(name=Role.OFFICE.value))
    assert onboarding.code_refusal(account) is not None
    assert onboarding.check_code(account, code.code) == (onboarding.CodeCheck.WRONG, None)
    with pytest.raises(ValidationError):
        onboarding.activate(code_id=code.pk, password="Take-Over-2026!")
    with pytest.raises(ValidationError):
        onboarding.issue_activation_code(user=account, actor=office)
    account.refresh_from_db()
    assert not account.has_usable_password()


@pytest.mark.parametrize(
    "roles",
    [
        [Role.OFFICER, Role.EDITOR],
        [Role.OFFICER, Role.LEADER],
        [Role.OFFICE],
        [Role.SYSADMIN],
        [],
    ],
)
def test_no_code_for_a_staff_account_without_a_member_file(committee, office, policy, roles):
    account = UserFactory(committee=committee, enrol_second_factor=False)
    for role in roles:
        account.groups.add(Group.objects.get(name=role.value))
    assert onboarding.code_refusal(account) is not None
    assert not onboarding.accounts_for_codes(User.objects.filter(pk=account.pk)).exists()
    with pytest.raises(ValidationError):
        onboarding.issue_activation_code(user=account, actor=office)
    assert not ActivationCode.objects.filter(user=account).exists()


def test_no_code_for_an_officer_account_with_permissions_of_its_own(committee, office, policy):
    from django.contrib.auth.models import Permission

    account = UserFactory(committee=committee, role=Role.OFFICER)
    assert onboarding.code_refusal(account) is None
    account.user_permissions.add(Permission.objects.get(codename="view_member"))
    assert onboarding.code_refusal(account) is not None


def test_issue_code_refuses_a_member_officers_account(office, committee, policy):
    officer = officer_of(member_with_account(committee))
    with pytest.raises(ValidationError):
        services.issue_code(officer=officer, actor=office)


def test_services_refuse_without_the_right(committee, make_user):
    member = member_with_account(committee)
    with pytest.raises(PermissionDenied):
        services.appoint_member(member=member, year=YEAR, actor=make_user(Role.LEADER))
