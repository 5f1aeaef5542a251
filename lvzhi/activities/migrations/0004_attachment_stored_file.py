# The attachment becomes a core.models.StoredFile: `name` is renamed (its data kept), the other columns
# stay; size and upload time may be empty in the shared model (a row that may carry a file).

import lvzhi.core.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0003_calendarfeed'),
    ]

    operations = [
        migrations.RenameField(
            model_name='activityattachment',
            old_name='name',
            new_name='original_name',
        ),
        migrations.AlterField(
            model_name='activityattachment',
            name='original_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='file name'),
        ),
        migrations.AlterField(
            model_name='activityattachment',
            name='content_type',
            field=models.CharField(blank=True, max_length=100, verbose_name='content type'),
        ),
        migrations.AlterField(
            model_name='activityattachment',
            name='file',
            field=models.FileField(blank=True, max_length=200, upload_to=lvzhi.core.models.stored_file_path, verbose_name='file'),
        ),
        migrations.AlterField(
            model_name='activityattachment',
            name='size',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='size'),
        ),
        migrations.AlterField(
            model_name='activityattachment',
            name='uploaded_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='uploaded at'),
        ),
    ]
