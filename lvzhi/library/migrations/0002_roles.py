"""Role groups: the library permissions of each role.

A frozen copy of the table in lvzhi.accounts.roles as it stood when this migration was written (commit
6dcf128): a migration must give the same result whatever the code is today. A later change to the
table comes with a data migration of its own.
"""

from django.db import migrations

APPS = {"library"}
TABLE = {
    "系统管理员": [],
    "安全保密管理员": [],
    "安全审计员": [],
    "办公室工作人员": [
        "library.view_document",
        "library.add_document",
        "library.change_document",
        "library.delete_document",
        "library.read_staff_documents",
    ],
    "专委会/工委工作人员": [
        "library.read_staff_documents",
    ],
    "社情民意编辑": [
        "library.read_staff_documents",
    ],
    "领导": [
        "library.read_staff_documents",
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
    dependencies = [("accounts", "0007_roles_plenary_leave"), ("library", "0001_initial")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
