"""SystemConfig now belongs to the configuration app (its 0001): dropped from this app's state
only; the table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0002_storage_cap"),
        ("configuration", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SystemConfig")],
            database_operations=[],
        ),
    ]
