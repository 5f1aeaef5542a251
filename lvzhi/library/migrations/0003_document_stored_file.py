# The document's file becomes a core.models.StoredFile: the attachment columns are renamed (their data
# kept); who uploaded the file and when are new, and empty for the files stored before.

import django.db.models.deletion
import lvzhi.core.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('library', '0002_roles'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(
            model_name='document',
            old_name='attachment',
            new_name='file',
        ),
        migrations.RenameField(
            model_name='document',
            old_name='attachment_name',
            new_name='original_name',
        ),
        migrations.RenameField(
            model_name='document',
            old_name='attachment_content_type',
            new_name='content_type',
        ),
        migrations.RenameField(
            model_name='document',
            old_name='attachment_size',
            new_name='size',
        ),
        migrations.AlterField(
            model_name='document',
            name='file',
            field=models.FileField(blank=True, max_length=200, upload_to=lvzhi.core.models.stored_file_path, verbose_name='file'),
        ),
        migrations.AddField(
            model_name='document',
            name='uploaded_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='uploaded at'),
        ),
        migrations.AddField(
            model_name='document',
            name='uploaded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by'),
        ),
    ]
