# The submission's file becomes a core.models.StoredFile: the attachment columns are renamed (their data
# kept); size, who uploaded the file and when are new, and empty for the files stored before.

import django.db.models.deletion
import lvzhi.core.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('studies', '0003_plan_history_reason'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(
            model_name='studysubmission',
            old_name='attachment',
            new_name='file',
        ),
        migrations.RenameField(
            model_name='studysubmission',
            old_name='attachment_name',
            new_name='original_name',
        ),
        migrations.RenameField(
            model_name='studysubmission',
            old_name='attachment_content_type',
            new_name='content_type',
        ),
        migrations.AlterField(
            model_name='studysubmission',
            name='file',
            field=models.FileField(blank=True, max_length=200, upload_to=lvzhi.core.models.stored_file_path, verbose_name='file'),
        ),
        migrations.AlterField(
            model_name='studysubmission',
            name='original_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='file name'),
        ),
        migrations.AlterField(
            model_name='studysubmission',
            name='content_type',
            field=models.CharField(blank=True, max_length=100, verbose_name='content type'),
        ),
        migrations.AddField(
            model_name='studysubmission',
            name='size',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='size'),
        ),
        migrations.AddField(
            model_name='studysubmission',
            name='uploaded_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='uploaded at'),
        ),
        migrations.AddField(
            model_name='studysubmission',
            name='uploaded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by'),
        ),
    ]
