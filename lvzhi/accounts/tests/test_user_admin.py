import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from lvzhi.accounts import services
from lvzhi.accounts.models import User
from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.factories import DepartmentFactory, MemberFactory, OrgUnitFactory, UserFactory

GOOD_PASSWORD = "Qingxi#2026x"
HOME = reverse("home:index")


@pytest.fixture
def sysadmin(make_user):
    return make_user(Role.SYSADMIN, username="sysadmin")


@pytest.fixture
def secadmin(make_user):
    return make_user(Role.SECADMIN, username="secadmin")


@pytest.fixture
def account(make_user):
    return make_user(Role.MEMBER, username="someone")


def test_it_creates_an_account_that_must_change_its_password(client, sysadmin, committee):
    client.force_login(sysadmin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "newcomer",
            "display_name": "新人",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        },
    )
    user = User.objects.get(username="newcomer")
    assert response.status_code == 302
    assert user.committee == committee
    assert user.must_change_password
    assert AuditEvent.objects.filter(action="create", object_id=str(user.pk), actor=sysadmin).exists()


def test_it_refuses_a_weak_initial_password(client, sysadmin):
    client.force_login(sysadmin)
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "newcomer", "display_name": "", "password1": "abcdefgh", "password2": "abcdefgh"},
    )
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(username="newcomer").exists()


def test_the_security_administrator_assigns_roles_and_it_is_audited(client, secadmin, account):
    client.force_login(secadmin)
    client.post(reverse("accounts:user_roles", args=[account.pk]), {"roles": [Role.MEMBER, Role.OFFICER]})
    assert set(account.groups.values_list("name", flat=True)) == {Role.MEMBER.value, Role.OFFICER.value}
    event = AuditEvent.objects.get(action="role_change", object_id=str(account.pk))
    assert event.detail == {
        "before": [Role.MEMBER.value],
        "after": sorted([Role.MEMBER.value, Role.OFFICER.value]),
    }


def test_an_administrator_role_cannot_be_combined(client, secadmin, account):
    client.force_login(secadmin)
    client.post(reverse("accounts:user_roles", args=[account.pk]), {"roles": [Role.AUDITOR, Role.SYSADMIN]})
    client.post(reverse("accounts:user_roles", args=[account.pk]), {"roles": [Role.AUDITOR, Role.OFFICE]})
    assert list(account.groups.values_list("name", flat=True)) == [Role.MEMBER.value]


def test_nobody_changes_their_own_roles(client, secadmin):
    client.force_login(secadmin)
    client.post(reverse("accounts:user_roles", args=[secadmin.pk]), {"roles": [Role.OFFICE]})
    assert list(secadmin.groups.values_list("name", flat=True)) == [Role.SECADMIN.value]


def test_the_system_administrator_cannot_assign_roles(client, sysadmin, account):
    client.force_login(sysadmin)
    response = client.post(reverse("accounts:user_roles", args=[account.pk]), {"roles": [Role.OFFICE]})
    assert response.status_code == 403
    assert list(account.groups.values_list("name", flat=True)) == [Role.MEMBER.value]


def test_the_security_administrator_cannot_create_accounts(client, secadmin):
    client.force_login(secadmin)
    assert client.get(reverse("accounts:user_create")).status_code == 403


def test_it_links_an_account_to_a_member_file(client, sysadmin, account, committee):
    member = MemberFactory(committee=committee)
    client.force_login(sysadmin)
    client.post(
        reverse("accounts:user_edit", args=[account.pk]),
        {"display_name": "张三", "is_active": "on", "member": member.pk},
    )
    member.refresh_from_db()
    assert member.user == account


def test_a_password_reset_forces_a_change_at_next_sign_in(client, sysadmin, account):
    client.force_login(sysadmin)
    client.post(
        reverse("accounts:user_password", args=[account.pk]),
        {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
    )
    account.refresh_from_db()
    assert account.check_password(GOOD_PASSWORD)
    assert account.must_change_password
    assert AuditEvent.objects.filter(action="password_reset", object_id=str(account.pk)).exists()


@pytest.mark.parametrize("role", [Role.OFFICE, Role.LEADER, Role.MEMBER, Role.AUDITOR])
def test_other_roles_cannot_administer_accounts(client, make_user, account, role):
    client.force_login(make_user(role))
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert client.get(reverse("accounts:user_edit", args=[account.pk])).status_code == 403
    assert client.post(reverse("accounts:user_password", args=[account.pk]), {}).status_code == 403


def test_accounts_of_another_committee_are_invisible(client, sysadmin, other_committee):
    stranger = UserFactory(committee=other_committee, username="stranger")
    client.force_login(sysadmin)
    assert client.get(reverse("accounts:user_edit", args=[stranger.pk])).status_code == 404
    assert "stranger" not in client.get(reverse("accounts:user_list")).content.decode()


def edit(client, account, **data):
    data = {"display_name": account.display_name, "is_active": "on", **data}
    return client.post(
        reverse("accounts:user_edit", args=[account.pk]), {k: v for k, v in data.items() if v is not None}
    )


def test_disabling_an_account_ends_its_sessions_for_good(client, sysadmin, account):
    old = Client()
    old.force_login(account)
    assert old.get(HOME).status_code == 200
    client.force_login(sysadmin)

    edit(client, account, is_active=None)
    edit(client, account, is_active="on")

    account.refresh_from_db()
    assert account.is_active
    # The old cookie does not come back to life with the account.
    assert old.get(HOME).status_code == 302
    assert "_auth_user_id" not in old.session


def test_an_edit_that_keeps_the_account_enabled_keeps_its_sessions(client, sysadmin, account):
    old = Client()
    old.force_login(account)
    client.force_login(sysadmin)

    edit(client, account, display_name="张三")

    account.refresh_from_db()
    assert account.display_name == "张三"
    assert old.get(HOME).status_code == 200


def test_an_edit_is_audited_with_the_fields_it_changed(client, sysadmin, account):
    client.force_login(sysadmin)

    edit(client, account, display_name="张三", is_active=None)

    event = AuditEvent.objects.get(action="update", object_id=str(account.pk))
    assert event.detail == {"fields": ["display_name", "is_active"]}
    assert event.actor == sysadmin


def test_the_service_refuses_a_unit_of_another_committee(sysadmin, account, other_committee):
    foreign = OrgUnitFactory(committee=other_committee)
    with pytest.raises(PermissionDenied):
        services.update_user(
            user=account,
            display_name="",
            is_active=True,
            units=[foreign],
            member=None,
            department=None,
            actor=sysadmin,
        )
    assert not account.units.exists()


def test_a_handling_units_account_names_its_department(client, sysadmin, account, other_committee):
    department = DepartmentFactory(committee=account.committee, name="县交通运输局")
    client.force_login(sysadmin)
    url = reverse("accounts:user_edit", args=[account.pk])
    assert "县交通运输局" in client.get(url).content.decode()
    client.post(url, {"display_name": account.display_name, "is_active": "on", "department": department.pk})
    account.refresh_from_db()
    assert account.department == department
    event = AuditEvent.objects.filter(event="accounts.user_edited").latest("pk")
    assert "department" in event.detail["fields"]
    with pytest.raises(PermissionDenied):
        services.update_user(
            user=account,
            display_name="",
            is_active=True,
            units=[],
            member=None,
            department=DepartmentFactory(committee=other_committee),
            actor=sysadmin,
        )
    account.refresh_from_db()
    assert account.department == department


def test_the_service_refuses_the_security_administrator(secadmin, account):
    with pytest.raises(PermissionDenied):
        services.update_user(
            user=account,
            display_name="x",
            is_active=False,
            units=[],
            member=None,
            department=None,
            actor=secadmin,
        )


def test_granting_an_administrator_role_makes_the_account_choose_a_new_password(client, secadmin, account):
    client.force_login(secadmin)

    client.post(reverse("accounts:user_roles", args=[account.pk]), {"roles": [Role.AUDITOR]})

    account.refresh_from_db()
    assert account.must_change_password


def test_granting_a_business_role_does_not(client, secadmin, account):
    client.force_login(secadmin)

    client.post(reverse("accounts:user_roles", args=[account.pk]), {"roles": [Role.MEMBER, Role.OFFICER]})

    account.refresh_from_db()
    assert not account.must_change_password


@pytest.mark.parametrize("field", ["units", "member"])
def test_an_id_no_table_can_hold_is_an_unknown_choice_not_a_500(client, sysadmin, account, field):
    client.force_login(sysadmin)

    response = edit(client, account, **{field: str(10**30)})

    assert response.status_code == 200
    assert field in response.context["form"].errors
