"""Role groups' proposals permissions, and the default categories and reasons for not accepting of the
committees that exist.

TABLE is a frozen copy of the proposals part of lvzhi.accounts.roles as this migration was written: a
migration must give the same result whatever the code is today."""

from django.db import migrations

APPS = {"proposals"}
TABLE = {
    "系统管理员": [],
    "安全保密管理员": [],
    "安全审计员": [],
    "办公室工作人员": ["proposals.view_proposal", "proposals.review_proposal"],
    "专委会/工委工作人员": ["proposals.add_proposal"],
    "社情民意编辑": [],
    "领导": ["proposals.view_proposal"],
    "委员": ["proposals.add_proposal"],
    "信息员": [],
    "承办单位": ["proposals.handle_proposal"],
}
CATEGORIES = ["经济", "政治", "文化", "社会", "生态文明"]
REASONS = [
    "不属于政协提案受理范围",
    "属于个人或少数人利益的问题",
    "涉及党和国家秘密",
    "属于司法、检察机关正在处理的诉讼案件",
    "内容空泛，没有具体建议",
    "已经解决或正在解决的问题",
]


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


def defaults(apps, schema_editor):
    Committee = apps.get_model("organization", "Committee")
    Category = apps.get_model("proposals", "ProposalCategory")
    Reason = apps.get_model("proposals", "RejectionReason")
    committees = list(Committee.objects.all())
    Category.objects.bulk_create(
        [Category(committee=c, name=name, order=n) for c in committees for n, name in enumerate(CATEGORIES, 1)],
        ignore_conflicts=True,
    )
    Reason.objects.bulk_create(
        [Reason(committee=c, text=text, order=n) for c in committees for n, text in enumerate(REASONS, 1)],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0001_initial"),
        ("accounts", "0010_user_department"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
        migrations.RunPython(defaults, migrations.RunPython.noop),
    ]
