"""The office types in paper reports in a member's name: the permission, and the role groups' opinions
permissions with it (TABLE: a frozen copy of the opinions part of lvzhi.accounts.roles as this migration
was written)."""


from django.db import migrations

APPS = {"opinions"}
TABLE = {
    "系统管理员": [],
    "安全保密管理员": [],
    "安全审计员": [],
    "办公室工作人员": [
        "opinions.view_opinionreport",
        "opinions.manage_officers",
        "opinions.record_paper_report",
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

    dependencies = [
        ('opinions', '0002_roles_categories_search'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='opinionreport',
            options={'ordering': ['-year', '-serial', '-pk'], 'permissions': [('process_opinionreport', 'Can register, verify, edit and report public-opinion reports'), ('sign_opinionreport', 'Can sign public-opinion reports off'), ('manage_officers', 'Can appoint information officers'), ('record_paper_report', "Can type in a paper report in a member's name")], 'verbose_name': 'public-opinion report', 'verbose_name_plural': 'public-opinion reports'},
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
