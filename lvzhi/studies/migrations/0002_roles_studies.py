from django.db import migrations

from lvzhi.accounts.roles import sync_roles


def update_roles(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_roles_plenary_leave"), ("studies", "0001_initial")]

    operations = [migrations.RunPython(update_roles, migrations.RunPython.noop)]
