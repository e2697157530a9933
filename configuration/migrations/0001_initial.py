"""SystemConfig moves here from the operations app: the same table and row (data kept); only
Django's state changes, and the content type follows so that staff permissions stay."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label="configuration", model="systemconfig").exists():
        content_types.objects.filter(app_label="operations", model="systemconfig").update(app_label="configuration")


def content_type_returns(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label="configuration", model="systemconfig").update(app_label="operations")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("operations", "0002_storage_cap"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SystemConfig',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('max_voice_samples_per_user', models.PositiveIntegerField(help_text='Voice samples a user may keep (1 to 10000).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(10000)])),
                        ('max_upload_mb', models.PositiveIntegerField(help_text='Largest upload, in MB (1 to 1024).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1024)])),
                        ('uploads_per_day', models.PositiveIntegerField(help_text='Uploads per user per UTC day; 0 pauses uploads (0 to 1000000).', validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(1000000)])),
                        ('voice_sample_min_seconds', models.FloatField(help_text='Shortest voice sample, in seconds (0.5 to 60).', validators=[django.core.validators.MinValueValidator(0.5), django.core.validators.MaxValueValidator(60.0)])),
                        ('voice_sample_max_seconds', models.FloatField(help_text='Longest voice sample or uploaded recording, in seconds (5 to 3600).', validators=[django.core.validators.MinValueValidator(5.0), django.core.validators.MaxValueValidator(3600.0)])),
                        ('max_synthesis_length', models.PositiveIntegerField(help_text='Characters per synchronous synthesis (1 to 100000).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100000)])),
                        ('max_stream_synthesis_length', models.PositiveIntegerField(help_text='Characters per streamed synthesis (1 to 100000).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100000)])),
                        ('max_async_text_length', models.PositiveIntegerField(help_text='Characters per async synthesis (1 to 1000000).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1000000)])),
                        ('syntheses_per_day', models.PositiveIntegerField(help_text='Syntheses per user per UTC day; 0 pauses synthesis (0 to 1000000).', validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(1000000)])),
                        ('default_sample_rate', models.PositiveIntegerField(help_text='Output sample rate when a request names none, in Hz (8000 to 48000).', validators=[django.core.validators.MinValueValidator(8000), django.core.validators.MaxValueValidator(48000)])),
                        ('default_output_format', models.CharField(choices=[('wav', 'wav'), ('mp3', 'mp3'), ('ogg', 'ogg'), ('opus', 'opus'), ('flac', 'flac')], help_text='Output format when a request names none.', max_length=8)),
                        ('requests_per_minute', models.PositiveIntegerField(help_text='API requests per user (anonymous: per IP) per minute, REST and gRPC (1 to 1000000).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1000000)])),
                        ('file_ttl_hours', models.FloatField(help_text='Hours a synthesis output is kept unless marked keep (0.1 to 8760).', validators=[django.core.validators.MinValueValidator(0.1), django.core.validators.MaxValueValidator(8760.0)])),
                        ('storage_mb_per_user', models.PositiveIntegerField(help_text='Bytes a user may keep stored (samples, files, voice models, synthesis outputs), in MB (1 to 100000000).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100000000)])),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'operations_systemconfig',
                        'verbose_name': 'system configuration',
                        'verbose_name_plural': 'system configuration',
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_follows, content_type_returns),
    ]
