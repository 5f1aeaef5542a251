"""The batch that creates members' accounts, the policy that gates it, and one member's new code."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lvzhi.accounts import onboarding
from lvzhi.accounts.models import ActivationCode, MemberAccountPolicy, User
from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberFactory, MemberTermFactory, TermFactory, UserFactory
from lvzhi.members.models import Member, MemberTerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(committee):
    return MemberAccountPolicy.objects.create(committee=committee, grant_member_role=True)


@pytest.fixture
def sysadmin(make_user):
    return make_user(Role.SYSADMIN, username="sysadmin")


def serving(committee, term, name="张三", **kwargs):
    member = MemberFactory(committee=committee, name=name, **kwargs)
    MemberTermFactory(member=member, term=term)
    return member


@pytest.fixture
def roster(committee, term):
    """Two serving members without an account, one with an account, one resigned, one only in an earlier
    term, and a member of another committee."""
    old_term = TermFactory(committee=committee, number=8, name="第八届", is_current=False)
    members = {
        "zhang": serving(committee, term, "张三"),
        "li": serving(committee, term, "李四"),
        "has_account": serving(
            committee, term, "王五", user=UserFactory(committee=committee, role=Role.MEMBER)
        ),
        "resigned": MemberFactory(committee=committee, name="赵六"),
        "former": MemberFactory(committee=committee, name="刘一"),
    }
    MemberTermFactory(member=members["resigned"], term=term, status=MemberTerm.Status.RESIGNED)
    MemberTermFactory(member=members["former"], term=old_term)
    return members


def test_it_creates_an_account_for_each_serving_member_without_one(committee, roster, policy, sysadmin):
    result = onboarding.create_member_accounts(committee, sysadmin)
    assert len(result.created) == 2
    assert result.skipped == 3
    for key in ("zhang", "li"):
        member = Member.objects.get(pk=roster[key].pk)
        user = member.user
        assert user is not None
        assert user.committee == committee
        assert user.display_name == member.name
        assert not user.has_usable_password()
        assert user.must_change_password
        assert [g.name for g in user.groups.all()] == [Role.MEMBER.value]
        code = ActivationCode.objects.get(user=user)
        assert code.is_valid() and len(code.code) == 8 and code.code.isdigit()
        assert code.created_by == sysadmin
    assert {u.username for u in result.created} == {"zhangsan", "lisi"}
    for key in ("resigned", "former"):
        assert Member.objects.get(pk=roster[key].pk).user is None


def test_it_grants_only_the_member_role(committee, roster, policy, sysadmin):
    result = onboarding.create_member_accounts(committee, sysadmin)
    granted = set(
        User.groups.through.objects.filter(user__in=result.created).values_list("group__name", flat=True)
    )
    assert granted == {Role.MEMBER.value}
    for user in result.created:
        assert not user.is_staff and not user.is_superuser
        assert not user.user_permissions.exists()


def test_running_it_again_skips_everyone(committee, roster, policy, sysadmin):
    onboarding.create_member_accounts(committee, sysadmin)
    again = onboarding.create_member_accounts(committee, sysadmin)
    assert again.created == []
    assert again.skipped == 5


def test_members_of_another_committee_are_never_touched(
    committee, other_committee, term, roster, policy, sysadmin
):
    other_term = TermFactory(committee=other_committee)
    stranger = serving(other_committee, other_term, "张三")
    onboarding.create_member_accounts(committee, sysadmin)
    stranger.refresh_from_db()
    assert stranger.user is None
    assert not User.objects.filter(committee=other_committee).exists()


def test_a_member_with_the_same_name_gets_the_next_login_name(committee, term, policy, sysadmin):
    UserFactory(committee=committee, username="zhangsan")
    serving(committee, term, "张三")
    serving(committee, term, "张三")
    result = onboarding.create_member_accounts(committee, sysadmin)
    assert sorted(u.username for u in result.created) == ["zhangsan2", "zhangsan3"]


def test_one_audit_row_names_every_account_but_no_code(committee, roster, policy, sysadmin):
    before = AuditEvent.objects.count()
    result = onboarding.create_member_accounts(committee, sysadmin)
    rows = AuditEvent.objects.order_by("id")[before:]
    assert len(rows) == 1
    row = rows[0]
    assert row.action == AuditEvent.Action.CREATE
    assert row.detail["created"] == 2 and row.detail["skipped"] == 3
    assert set(row.detail["accounts"].values()) == {u.username for u in result.created}
    for code in ActivationCode.objects.all():
        assert code.code not in str(row.detail) and code.code not in row.summary


def test_without_the_policy_no_batch_runs(committee, roster, sysadmin):
    with pytest.raises(ValidationError) as caught:
        onboarding.create_member_accounts(committee, sysadmin)
    assert caught.value.code == "policy_off"
    assert not ActivationCode.objects.exists()
    assert Member.objects.get(pk=roster["zhang"].pk).user is None


def test_the_policy_switched_off_stops_the_command_line_too(committee, roster):
    MemberAccountPolicy.objects.create(committee=committee, grant_member_role=False, office_may_onboard=True)
    with pytest.raises(ValidationError):
        onboarding.create_member_accounts(committee, None)


@pytest.mark.parametrize(
    ("role", "office_allowed", "allowed"),
    [
        (Role.SYSADMIN, False, True),
        (Role.OFFICE, True, True),
        (Role.OFFICE, False, False),
        (Role.SECADMIN, True, False),
        (Role.AUDITOR, True, False),
        (Role.UNIT_STAFF, True, False),
        (Role.LEADER, True, False),
        (Role.EDITOR, True, False),
        (Role.MEMBER, True, False),
    ],
)
def test_the_policy_gates_who_may_run_it(committee, roster, role_user, role, office_allowed, allowed):
    MemberAccountPolicy.objects.create(
        committee=committee, grant_member_role=True, office_may_onboard=office_allowed
    )
    actor = role_user(role)
    assert onboarding.may_onboard(actor) is allowed
    if allowed:
        assert len(onboarding.create_member_accounts(committee, actor).created) == 2
    else:
        with pytest.raises(PermissionDenied):
            onboarding.create_member_accounts(committee, actor)
        assert not ActivationCode.objects.exists()


def test_a_sysadmin_of_another_committee_may_not_run_it(committee, other_committee, roster, policy):
    stranger = UserFactory(committee=other_committee, role=Role.SYSADMIN)
    with pytest.raises(PermissionDenied):
        onboarding.create_member_accounts(committee, stranger)


def test_only_the_security_administrator_sets_the_policy(committee, make_user, sysadmin):
    with pytest.raises(PermissionDenied):
        onboarding.set_policy(
            committee=committee, grant_member_role=True, office_may_onboard=True, actor=sysadmin
        )
    secadmin = make_user(Role.SECADMIN)
    policy = onboarding.set_policy(
        committee=committee, grant_member_role=True, office_may_onboard=False, actor=secadmin
    )
    assert policy.grant_member_role and not policy.office_may_onboard
    assert policy.updated_by == secadmin
    row = AuditEvent.objects.filter(object_type="accounts.MemberAccountPolicy").get()
    assert row.detail["after"] == {"grant_member_role": True, "office_may_onboard": False}


def test_280_members_take_a_constant_number_of_queries(committee, term, policy, sysadmin):
    from lvzhi.core.testing import assert_same_query_count, capture_queries

    def run(n):
        for i in range(n):
            serving(committee, term, f"委员{i}", phone="")
        with capture_queries() as captured:
            onboarding.create_member_accounts(committee, sysadmin)
        return captured

    assert_same_query_count(run(3), run(30))


# --- one member's code -----------------------------------------------------------------------------


@pytest.fixture
def member_account(committee, term, policy, sysadmin):
    serving(committee, term, "张三")
    return onboarding.create_member_accounts(committee, sysadmin).created[0]


def test_a_new_code_voids_the_old_one_and_ends_the_sessions(member_account, sysadmin):
    member_account.set_password("Old-pass-2026!")
    member_account.save()
    old = ActivationCode.objects.get(user=member_account)
    epoch = member_account.session_epoch
    new = onboarding.issue_activation_code(user=member_account, actor=sysadmin)
    old.refresh_from_db()
    member_account.refresh_from_db()
    assert old.voided_at is not None and not old.is_valid()
    assert new.is_valid() and new.code != "" and new.batch is None
    assert not member_account.has_usable_password()
    assert member_account.must_change_password
    assert member_account.session_epoch == epoch + 1
    row = AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_RESET).get()
    assert new.code not in str(row.detail) and new.code not in row.summary


def test_codes_expire_after_the_setting(settings, member_account):
    settings.LVZHI_ACTIVATION_CODE_DAYS = 3
    code = onboarding.issue_activation_code(
        user=member_account, actor=UserFactory(committee=member_account.committee, role=Role.SYSADMIN)
    )
    assert code.expires_at - code.created_at == datetime.timedelta(days=3)


def test_no_code_for_a_privileged_account(committee, make_user, sysadmin, policy):
    office = make_user(Role.OFFICE)
    MemberFactory(committee=committee, user=office)
    with pytest.raises(ValidationError):
        onboarding.issue_activation_code(user=office, actor=sysadmin)
    assert not ActivationCode.objects.filter(user=office).exists()


def test_no_code_for_an_account_without_a_member_file(make_user, sysadmin, policy):
    with pytest.raises(ValidationError):
        onboarding.issue_activation_code(user=make_user(Role.LEADER), actor=sysadmin)


def test_office_issues_codes_only_when_the_policy_allows(member_account, make_user, policy):
    office = make_user(Role.OFFICE)
    with pytest.raises(PermissionDenied):
        onboarding.issue_activation_code(user=member_account, actor=office)
    policy.office_may_onboard = True
    policy.save()
    assert onboarding.issue_activation_code(user=member_account, actor=office).is_valid()


def test_no_code_for_an_account_of_another_committee(member_account, other_committee, policy):
    stranger = UserFactory(committee=other_committee, role=Role.SYSADMIN)
    with pytest.raises(PermissionDenied):
        onboarding.issue_activation_code(user=member_account, actor=stranger)


def test_check_code_tells_used_expired_and_voided_codes(member_account, sysadmin):
    first = ActivationCode.objects.get(user=member_account)
    assert onboarding.check_code(member_account, first.code)[0] == onboarding.CodeCheck.OK
    spaced = f"{first.code[:4]} {first.code[4:]}"
    assert onboarding.check_code(member_account, spaced)[0] == onboarding.CodeCheck.OK
    wrong = f"{(int(first.code) + 1) % 10**8:08d}"
    assert onboarding.check_code(member_account, wrong)[0] == onboarding.CodeCheck.WRONG
    second = onboarding.issue_activation_code(user=member_account, actor=sysadmin)
    assert onboarding.check_code(member_account, first.code)[0] == onboarding.CodeCheck.VOIDED
    ActivationCode.objects.filter(pk=second.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert onboarding.check_code(member_account, second.code)[0] == onboarding.CodeCheck.EXPIRED
    third = onboarding.issue_activation_code(user=member_account, actor=sysadmin)
    onboarding.activate(code_id=third.pk, password="Neu-Pass-2026!")
    assert onboarding.check_code(member_account, third.code)[0] == onboarding.CodeCheck.USED


def test_a_code_is_used_once(member_account):
    code = ActivationCode.objects.get(user=member_account)
    onboarding.activate(code_id=code.pk, password="Neu-Pass-2026!")
    with pytest.raises(ValidationError):
        onboarding.activate(code_id=code.pk, password="Other-Pass-2026!")
    member_account.refresh_from_db()
    assert member_account.check_password("Neu-Pass-2026!")
    assert not member_account.must_change_password


def test_spent_codes_are_purged_after_a_month(member_account, sysadmin):
    from lvzhi.core import retention

    first = ActivationCode.objects.get(user=member_account)
    second = onboarding.issue_activation_code(user=member_account, actor=sysadmin)
    later = timezone.now() + datetime.timedelta(days=31)
    ActivationCode.objects.filter(pk=second.pk).update(expires_at=later + datetime.timedelta(days=1))
    removed = retention.purge_all(now=later)
    assert removed["spent_activation_codes"] == 1
    assert list(ActivationCode.objects.values_list("pk", flat=True)) == [second.pk]
    assert not ActivationCode.objects.filter(pk=first.pk).exists()


# --- codes only for accounts that hold the member role and nothing else --------------------------------


@pytest.mark.parametrize(
    ("role", "also_member"),
    [
        (Role.LEADER, False),
        (Role.LEADER, True),
        (Role.UNIT_STAFF, True),
        (Role.EDITOR, True),
        (Role.OFFICER, True),
    ],
)
def test_the_office_issues_no_code_for_a_staff_account_linked_to_a_member_file(
    committee, make_user, policy, role, also_member
):
    # A leader who is also a member: with a code the office could choose the leader's password.
    policy.office_may_onboard = True
    policy.save()
    office = make_user(Role.OFFICE)
    staff = make_user(role)
    if also_member:
        staff.groups.add(Group.objects.get(name=Role.MEMBER.value))
    MemberFactory(committee=committee, user=staff)
    assert onboarding.code_refusal(staff) is not None
    with pytest.raises(ValidationError):
        onboarding.issue_activation_code(user=staff, actor=office)
    assert not ActivationCode.objects.filter(user=staff).exists()
    staff.refresh_from_db()
    assert staff.has_usable_password()


def test_no_code_for_an_account_with_permissions_of_its_own(member_account, sysadmin):
    from django.contrib.auth.models import Permission

    member_account.user_permissions.add(Permission.objects.get(codename="view_activity"))
    assert onboarding.code_refusal(member_account) is not None
    with pytest.raises(ValidationError):
        onboarding.issue_activation_code(user=member_account, actor=sysadmin)


def test_a_code_issued_before_the_account_gained_a_staff_role_no_longer_works(member_account):
    code = ActivationCode.objects.get(user=member_account)
    member_account.groups.add(Group.objects.get(name=Role.LEADER.value))
    assert onboarding.check_code(member_account, code.code) == (onboarding.CodeCheck.WRONG, None)
    with pytest.raises(ValidationError):
        onboarding.activate(code_id=code.pk, password="Neu-Pass-2026!")
    member_account.refresh_from_db()
    assert not member_account.has_usable_password()
    code.refresh_from_db()
    assert code.used_at is None
