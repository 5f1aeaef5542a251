"""Role groups: every role, with its permissions on accounts, the audit log, the organization and the members.

A frozen copy of the table in lvzhi.accounts.roles as it stood when this migration was written (commit
85901fe): a migration must give the same result whatever the code is today. A later change to the
table comes with a data migration of its own.
"""

from django.db import migrations

APPS = {"accounts", "core", "members", "organization"}
TABLE = {
    "系统管理员": [
        "accounts.password_expires",
        "accounts.manage_users",
        "organization.view_committee",
    ],
    "安全保密管理员": [
        "accounts.password_expires",
        "accounts.assign_roles",
    ],
    "安全审计员": [
        "accounts.password_expires",
        "core.view_audit_log",
    ],
    "办公室工作人员": [
        "accounts.password_expires",
        "accounts.committee_wide",
        "organization.view_committee",
        "organization.view_term",
        "organization.view_session",
        "organization.view_orgunit",
        "organization.view_membership",
        "organization.view_department",
        "organization.view_liaison",
        "organization.view_liaisoncontact",
        "organization.add_term",
        "organization.change_term",
        "organization.add_session",
        "organization.change_session",
        "organization.add_orgunit",
        "organization.change_orgunit",
        "organization.add_membership",
        "organization.change_membership",
        "organization.delete_membership",
        "organization.add_department",
        "organization.change_department",
        "organization.add_liaison",
        "organization.change_liaison",
        "organization.add_liaisoncontact",
        "members.view_member",
        "members.add_member",
        "members.change_member",
        "members.unmask_personal_data",
        "members.approve_contact_update",
    ],
    "专委会/工委工作人员": [
        "accounts.password_expires",
        "organization.view_committee",
        "organization.view_term",
        "organization.view_session",
        "organization.view_orgunit",
        "organization.view_membership",
        "organization.view_department",
        "organization.view_liaison",
        "organization.view_liaisoncontact",
        "organization.change_orgunit",
        "organization.add_membership",
        "organization.change_membership",
        "organization.delete_membership",
        "organization.add_liaisoncontact",
        "members.view_member",
        "members.change_member",
    ],
    "社情民意编辑": [
        "accounts.password_expires",
        "accounts.committee_wide",
        "organization.view_committee",
        "organization.view_term",
        "organization.view_session",
        "organization.view_orgunit",
        "organization.view_membership",
        "organization.view_department",
        "organization.view_liaison",
        "organization.view_liaisoncontact",
        "members.view_member",
    ],
    "领导": [
        "accounts.password_expires",
        "accounts.committee_wide",
        "organization.view_committee",
        "organization.view_term",
        "organization.view_session",
        "organization.view_orgunit",
        "organization.view_membership",
        "organization.view_department",
        "organization.view_liaison",
        "organization.view_liaisoncontact",
        "members.view_member",
    ],
    "委员": [],
    "信息员": [],
    "承办单位": [],
}


def sync_roles(apps, schema_editor):
    """Give each role group exactly the permissions of TABLE among those of the apps in APPS; what a
    group holds of other apps stays (so that the migrations of independent apps agree in any order)."""
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally created after migrate: make sure they exist before they are granted.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    for name, perms in TABLE.items():
        group, _created = Group.objects.get_or_create(name=name)
        kept = list(group.permissions.exclude(content_type__app_label__in=APPS))
        wanted = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in (perm.split(".") for perm in perms)
        ]
        group.permissions.set(kept + wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_initial"),
        ("members", "0002_initial"),
        ("organization", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
