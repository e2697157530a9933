"""Jobs name what they work on by public id (``subject``) instead of a foreign key to the
voices app: the generic jobs app knows no domain model. Existing rows keep their sample."""

from django.db import migrations, models


def subject_from_sample(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    for job in Job.objects.exclude(voice_sample=None).select_related("voice_sample").iterator():
        Job.objects.filter(pk=job.pk).update(subject=job.voice_sample.public_id)


def sample_from_subject(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    VoiceSample = apps.get_model("voices", "VoiceSample")
    for job in Job.objects.exclude(subject="").iterator():
        sample = VoiceSample.objects.filter(public_id=job.subject).first()
        if sample is not None:
            Job.objects.filter(pk=job.pk).update(voice_sample=sample)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("voices", "0002_voice_models"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="subject",
            field=models.CharField(
                blank=True,
                db_index=True,
                default="",
                help_text="The public id of what the job works on (a voice sample's vs_ id), to find and cancel "
                "its jobs.",
                max_length=40,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(subject_from_sample, sample_from_subject),
    ]
