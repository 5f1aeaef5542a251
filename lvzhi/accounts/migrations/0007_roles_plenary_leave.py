from django.db import migrations

from lvzhi.accounts.roles import sync_roles


def update_roles(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_roles_activities"), ("activities", "0002_attachments_speeches")]

    operations = [migrations.RunPython(update_roles, migrations.RunPython.noop)]
