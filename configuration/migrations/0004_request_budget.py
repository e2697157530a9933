import django.core.validators
from django.db import migrations, models


def _int(default: int, low: int, high: int, help_text: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        default=default,
        help_text=f"{help_text} ({low} to {high}).",
        validators=[django.core.validators.MinValueValidator(low), django.core.validators.MaxValueValidator(high)],
    )


def _float(default: float, low: float, high: float, help_text: str) -> models.FloatField:
    return models.FloatField(
        default=default,
        help_text=f"{help_text} ({low:g} to {high:g}).",
        validators=[django.core.validators.MinValueValidator(low), django.core.validators.MaxValueValidator(high)],
    )


class Migration(migrations.Migration):
    """The request budget (ADR 0020); an existing installation gets the documented defaults."""

    dependencies = [
        ("configuration", "0003_consent_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="systemconfig",
            name="max_synthesis_audio_seconds",
            field=_int(
                300, 1, 86_400, "Estimated seconds of audio per synchronous synthesis (and POST /v1/audio/speech)"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="systemconfig",
            name="max_stream_audio_seconds",
            field=_int(1200, 1, 86_400, "Estimated seconds of audio per streamed synthesis"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="systemconfig",
            name="max_async_audio_seconds",
            field=_int(14_400, 1, 604_800, "Estimated seconds of audio per async synthesis"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="systemconfig",
            name="max_spoken_text_ratio",
            field=_float(
                4.0,
                1.0,
                100.0,
                "Spoken characters (after dictionaries, SSML and normalisation) per character of the mode's limit",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="systemconfig",
            name="audio_seconds_per_day",
            field=_int(
                36_000,
                0,
                100_000_000,
                "Estimated seconds of audio per user per UTC day, all modes (the request budget's figure)",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="systemconfig",
            name="max_pieces_ratio",
            field=_float(0.25, 0.01, 10.0, "Pieces (sentences, clauses, breaks) per character of the mode's limit"),
            preserve_default=False,
        ),
    ]
