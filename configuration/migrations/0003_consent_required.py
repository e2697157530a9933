from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("configuration", "0002_more_output_formats"),
    ]

    operations = [
        migrations.AddField(
            model_name="systemconfig",
            name="consent_required",
            # An existing installation turns the check on, as a new one does.
            field=models.BooleanField(
                default=True,
                help_text="Training a voice needs its sample's speaker to pass the spoken consent check "
                "(docs/responsible-use.md).",
            ),
            preserve_default=False,
        ),
    ]
