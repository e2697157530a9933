import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("operations", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="systemconfig",
            name="storage_mb_per_user",
            field=models.PositiveIntegerField(
                default=2048,
                help_text="Bytes a user may keep stored (samples, files, voice models, synthesis outputs), in MB "
                "(1 to 100000000).",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(100_000_000),
                ],
            ),
            preserve_default=False,
        ),
    ]
