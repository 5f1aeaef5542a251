"""Role groups' opinions permissions, the default report categories of the committees that exist, and
the full-text index on PostgreSQL.

TABLE is a frozen copy of the opinions part of lvzhi.accounts.roles as this migration was written: a
migration must give the same result whatever the code is today."""

from django.db import migrations

APPS = {"opinions"}
TABLE = {
    "系统管理员": [],
    "安全保密管理员": [],
    "安全审计员": [],
    "办公室工作人员": [
        "opinions.view_opinionreport",
        "opinions.manage_officers",
        "opinions.view_inspectionreport",
        "opinions.add_inspectionreport",
        "opinions.change_inspectionreport",
    ],
    "专委会/工委工作人员": [
        "opinions.add_opinionreport",
        "opinions.view_inspectionreport",
        "opinions.add_inspectionreport",
        "opinions.change_inspectionreport",
    ],
    "社情民意编辑": [
        "opinions.view_opinionreport",
        "opinions.process_opinionreport",
        "opinions.manage_officers",
        "opinions.view_inspectionreport",
    ],
    "领导": [
        "opinions.view_opinionreport",
        "opinions.sign_opinionreport",
        "opinions.view_inspectionreport",
    ],
    "委员": ["opinions.add_opinionreport"],
    "信息员": ["opinions.add_opinionreport"],
    "承办单位": [],
}
CATEGORIES = ["经济", "城市建设与管理", "教科文卫体", "人力资源和社会保障", "农业农村", "生态环境", "社会治理", "其他"]
# The expression Django's SearchVector("search_document", config="simple") compiles to, so that the
# planner uses this index for lvzhi.opinions.search.
SEARCH_INDEX = (
    "CREATE INDEX opinion_report_search ON opinions_opinionreport "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_document, '')))"
)


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


def default_categories(apps, schema_editor):
    Committee = apps.get_model("organization", "Committee")
    Category = apps.get_model("opinions", "Category")
    Category.objects.bulk_create(
        [
            Category(committee=committee, name=name, order=order)
            for committee in Committee.objects.all()
            for order, name in enumerate(CATEGORIES, start=1)
        ],
        ignore_conflicts=True,
    )


def search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_INDEX)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS opinion_report_search")


class Migration(migrations.Migration):
    dependencies = [
        ("opinions", "0001_initial"),
        ("accounts", "0009_member_onboarding"),
        ("organization", "0002_membership_by_rank"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
        migrations.RunPython(default_categories, migrations.RunPython.noop),
        migrations.RunPython(search_index, drop_search_index),
    ]
