"""The foreign key to the voices app goes, in its own transaction (PostgreSQL does not alter a
table with the copy's deferred constraint checks still pending)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("jobs", "0002_subject")]

    operations = [migrations.RemoveField(model_name="job", name="voice_sample")]
