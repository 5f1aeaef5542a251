"""Roles as groups with named permissions (lvzhi.accounts.roles, created by data migration)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from lvzhi.accounts.roles import ADMIN_ROLES, ROLE_PERMISSIONS, Role, sync_roles


def migration_apps():
    # sync_roles is written for a migration's historical apps (it toggles models_module on each app
    # config), so give it those rather than the global registry.
    return MigrationLoader(connection).project_state().apps


def group_perms(role):
    group = Group.objects.get(name=Role(role).value)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def test_every_role_has_a_row_in_the_table():
    assert set(ROLE_PERMISSIONS) == set(Role)


@pytest.mark.parametrize("role", list(Role), ids=[r.name for r in Role])
def test_every_role_exists_as_a_group_with_exactly_its_permissions(db, role):
    assert group_perms(role) == set(ROLE_PERMISSIONS[role])


def test_the_table_names_no_permission_twice():
    for role, perms in ROLE_PERMISSIONS.items():
        assert len(perms) == len(set(perms)), role


def test_the_admin_roles_are_the_three_administrators():
    assert {Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR} == ADMIN_ROLES


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES), ids=lambda r: Role(r).name)
def test_administrators_hold_no_member_permission(db, role):
    assert not any(p.startswith("members.") for p in ROLE_PERMISSIONS[role])
    assert not any(p.startswith("members.") for p in group_perms(role))


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES), ids=lambda r: Role(r).name)
def test_an_administrator_cannot_see_personal_data(make_user, role):
    user = make_user(role)

    assert not user.has_perm("members.view_member")
    assert not user.has_perm("members.unmask_personal_data")
    assert not user.is_committee_wide


def test_the_three_administrators_share_no_power():
    # 三员分立: user management, role assignment and audit reading sit with three different roles.
    holders = {
        perm: {role for role in ADMIN_ROLES if perm in ROLE_PERMISSIONS[role]}
        for perm in ["accounts.manage_users", "accounts.assign_roles", "core.view_audit_log"]
    }
    assert holders == {
        "accounts.manage_users": {Role.SYSADMIN},
        "accounts.assign_roles": {Role.SECADMIN},
        "core.view_audit_log": {Role.AUDITOR},
    }


def test_only_office_staff_may_unmask_personal_data(db):
    unmaskers = {
        role
        for role in Role
        if "members.unmask_personal_data" in group_perms(role)
        or "members.unmask_personal_data" in ROLE_PERMISSIONS[role]
    }
    assert unmaskers == {Role.OFFICE}


def test_unit_staff_are_not_committee_wide(make_user):
    assert not make_user(Role.UNIT_STAFF).is_committee_wide
    assert make_user(Role.OFFICE).is_committee_wide


def test_sync_roles_restores_a_tampered_group(db):
    office = Group.objects.get(name=Role.OFFICE.value)
    office.permissions.remove(Permission.objects.get(codename="unmask_personal_data"))
    Group.objects.get(name=Role.MEMBER.value).permissions.add(
        Permission.objects.get(codename="view_audit_log")
    )

    sync_roles(migration_apps())

    assert group_perms(Role.OFFICE) == set(ROLE_PERMISSIONS[Role.OFFICE])
    assert group_perms(Role.MEMBER) == set(ROLE_PERMISSIONS[Role.MEMBER])


def test_sync_roles_twice_changes_nothing(db):
    before = {role: group_perms(role) for role in Role}
    groups = Group.objects.count()

    sync_roles(migration_apps())

    assert {role: group_perms(role) for role in Role} == before
    assert Group.objects.count() == groups
