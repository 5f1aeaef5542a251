"""AuditEvent.committee, a foreign key to organization.Committee, becomes the plain integer committee_id:
core is the base layer and must not point at an app above it.

The column stays as it is, with its values and its index: the foreign-key constraint is dropped first
(db_constraint=False), then only Django's idea of the field changes. Existing rows keep their hashes,
since compute_hash has always read `committee_id`.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_hmac_anchors"),
        ("organization", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="committee",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=models.DO_NOTHING,
                to="organization.committee",
                verbose_name="committee",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="auditevent", name="committee"),
                migrations.AddField(
                    model_name="auditevent",
                    name="committee_id",
                    field=models.BigIntegerField(
                        blank=True, db_index=True, null=True, verbose_name="committee"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
