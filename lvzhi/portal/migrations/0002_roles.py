"""Role groups' public-site permissions: the office moderates public messages, reviews and publishes
members' suggestions, writes the announcements and sets the site up; members write suggestions.

TABLE is a frozen copy of the portal part of lvzhi.accounts.roles as this migration was written: a
migration must give the same result whatever the code is today."""

from django.db import migrations

APPS = {"portal"}
TABLE = {
    "系统管理员": [],
    "安全保密管理员": [],
    "安全审计员": [],
    "办公室工作人员": [
        "portal.view_publicmessage",
        "portal.moderate_publicmessage",
        "portal.review_membersuggestion",
        "portal.view_announcement",
        "portal.add_announcement",
        "portal.change_announcement",
        "portal.change_portalsettings",
    ],
    "专委会/工委工作人员": [],
    "社情民意编辑": [],
    "领导": [],
    "委员": ["portal.add_membersuggestion"],
    "信息员": [],
    "承办单位": [],
}


def sync_roles(apps, schema_editor):
    """Give each role group exactly the permissions of TABLE among those of the apps in APPS; what a
    group holds of other apps stays."""
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
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
    dependencies = [("accounts", "0007_roles_plenary_leave"), ("portal", "0001_initial")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
