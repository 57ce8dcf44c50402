"""Settings, read from the environment in this one place (12-factor).

With nothing set, Tianping runs on its *embedded default*: SQLite in ``var/`` and a real
Celery worker on a file-based broker. ``DATABASE_URL`` and ``REDIS_URL`` switch it to
PostgreSQL and Redis. Every variable is parsed by django-environ, which raises
``ImproperlyConfigured`` on a malformed value instead of silently falling back.
"""

import ipaddress
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured


class StrictEnv(environ.Env):
    """django-environ reads any unknown word as False (``DEBUG=maybe`` → off); refuse it."""

    BOOLEAN_FALSE_STRINGS = ("false", "off", "no", "n", "0", "")

    def bool(self, var, default=environ.Env.NOTSET):
        value = self.str(var, default="" if default is environ.Env.NOTSET else str(default))
        if value.strip().lower() not in self.BOOLEAN_TRUE_STRINGS + self.BOOLEAN_FALSE_STRINGS:
            raise ImproperlyConfigured(f"Set {var} to true or false, not {value!r}.")
        return super().bool(var, default=default)


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("TIANPING_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = StrictEnv()


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in ``var/``.

    The generated key never enters the repository; production sets SECRET_KEY.
    """
    if key := env.str("SECRET_KEY", default=""):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_ratelimit",
    "csp",
    "accounts",
    "arbitration",
    "evidence",
    "webhooks",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "arbitration.middleware.ViewerTimezoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "arbitration.hosted_scope.HostedLinkScope",
    "arbitration.ratelimits.SignedInActionLimit",
    "arbitration.headers.PrivatePages",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "arbitration.urls"
WSGI_APPLICATION = "arbitration.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tianping.sqlite3'}"),
}
if DATABASES["default"].get("ENGINE") not in {
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
}:
    raise ImproperlyConfigured("DATABASE_URL must be a postgres:// or sqlite:/// URL.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the web server and the worker write side by side;
    # the test database is a file so a real worker process can see it.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The near-duplicate lookup runs as a named prepared statement per connection (PostgreSQL);
# behind a pooler in transaction mode (PgBouncer), where a connection is not kept, turn off.
NEAR_DUPLICATES_PREPARED = env.bool("NEAR_DUPLICATES_PREPARED", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # While Redis is unreachable the cache (and so every rate limit) degrades to a
    # per-process one instead of failing requests (arbitration/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "arbitration.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tianping",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # exchange→queue bindings; kombu's default is ./control in whatever the cwd is
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }

# The queue tasks are sent to, and a worker without ``--queues`` consumes. Tests' workers get
# one of their own, so the tasks a task sends (a webhook after an analysis) reach them too.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE = {
    "expire-overdue-disputes": {
        "task": "arbitration.tasks.expire_overdue_disputes",
        "schedule": env.int("EXPIRY_SWEEP_SECONDS", default=60),
    },
    "sweep-pending-refunds": {
        "task": "arbitration.tasks.sweep_pending_refunds",
        "schedule": env.int("REFUND_SWEEP_SECONDS", default=60),
    },
    "purge-idempotency-keys": {
        "task": "arbitration.api.tasks.purge_idempotency_keys",
        "schedule": env.int("IDEMPOTENCY_PURGE_SECONDS", default=3600),
    },
}
# A refund still pending this long after its decision is sent to the payment task again.
REFUND_SWEEP_GRACE_SECONDS = env.int("REFUND_SWEEP_GRACE_SECONDS", default=120)
# An Idempotency-Key whose request left no answer (its process died) blocks retries this long.
IDEMPOTENCY_LEASE_SECONDS = env.int("IDEMPOTENCY_LEASE_SECONDS", default=60)
# Task modules outside an app's ``tasks.py`` (autodiscovery finds those).
CELERY_IMPORTS = ["arbitration.api.tasks"]

# --- Files ----------------------------------------------------------------------------------
# Evidence originals and their counterparty copies live in private storage and are only ever
# served through views that check who is asking.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing one; finders serve until
# `collectstatic` (run by `make run`) fills it.
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A request's body apart from its files, its fields and its files: over these a page answers
# 400 and the API 413 / 400 in its error format (arbitration/api/errors.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=1000)
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=100)
EVIDENCE_MAX_IMAGE_BYTES = env.int("EVIDENCE_MAX_IMAGE_BYTES", default=25 * 1024 * 1024)
EVIDENCE_MAX_VIDEO_BYTES = env.int("EVIDENCE_MAX_VIDEO_BYTES", default=100 * 1024 * 1024)
EVIDENCE_MAX_PIXELS = env.int("EVIDENCE_MAX_PIXELS", default=40_000_000)
EVIDENCE_MAX_VIDEO_SECONDS = env.int("EVIDENCE_MAX_VIDEO_SECONDS", default=10 * 60)
EVIDENCE_MAX_VIDEO_SIDE = env.int("EVIDENCE_MAX_VIDEO_SIDE", default=4096)
EVIDENCE_MAX_VIDEO_PIXELS = env.int("EVIDENCE_MAX_VIDEO_PIXELS", default=4096 * 2160)
EVIDENCE_MAX_FILES_PER_UPLOAD = env.int("EVIDENCE_MAX_FILES_PER_UPLOAD", default=9)
EVIDENCE_MAX_PER_DISPUTE = env.int("EVIDENCE_MAX_PER_DISPUTE", default=60)

# --- Security ---------------------------------------------------------------------------------
# Buyer phone numbers and addresses are encrypted at rest with this key (Fernet); without it
# a key is derived from SECRET_KEY so the embedded default works out of the box.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
# Case files (dossiers) are signed with this Ed25519 key: PEM from the environment, else one
# generated once into the file (0600). Keep it across deployments (arbitration/dossier/).
DOSSIER_SIGNING_KEY = env.str("DOSSIER_SIGNING_KEY", default="")
DOSSIER_SIGNING_KEY_FILE = env.str(
    "DOSSIER_SIGNING_KEY_FILE", default=str(VAR_DIR / "dossier_signing_key.pem")
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HSTS whenever the cookies are secure (the site is on HTTPS), a year unless set.
SECURE_HSTS_SECONDS = env.int(
    "SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
# django-csp: scripts, styles, images and requests from this site only; no inline script or
# <style>, no eval (htmx runs without it: no hx-on, indicator styles come from app.css), no
# framing, no plugins, forms post only here. Evidence shows as same-origin images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
LOGIN_RATE_LIMIT = env.str("LOGIN_RATE_LIMIT", default="10/m")
LOGIN_USERNAME_RATE_LIMIT = env.str("LOGIN_USERNAME_RATE_LIMIT", default="20/h")
UPLOAD_RATE_LIMIT = env.str("UPLOAD_RATE_LIMIT", default="30/m")
ACTION_RATE_LIMIT = env.str("ACTION_RATE_LIMIT", default="60/m")


def _trusted_proxies() -> int | tuple[str, ...]:
    """``TRUSTED_PROXIES``: how many proxies stand in front (a count), or the networks they
    connect from (comma-separated CIDRs); the client address rate limits count by."""
    value = env.str("TRUSTED_PROXIES", default="0").strip()
    if value.isdigit():
        return int(value)
    networks = tuple(part.strip() for part in value.split(",") if part.strip())
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as error:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {network!r} is not a network.") from error
    return networks


TRUSTED_PROXIES = _trusted_proxies()
RATELIMIT_IP_META_KEY = "arbitration.ratelimits.client_ip"
# Signed links to the hosted dispute pages (accounts.hosted_links): lifetime in seconds, and
# how often one address may open them.
HOSTED_LINK_MAX_AGE = env.int("HOSTED_LINK_MAX_AGE", default=7 * 24 * 3600)
HOSTED_LINK_RATE_LIMIT = env.str("HOSTED_LINK_RATE_LIMIT", default="30/m")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["arbitration.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["arbitration.api.auth.HasApiKey"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "arbitration.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "arbitration.api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "arbitration.api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["arbitration.api.auth.ApiKeyThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env.str("API_RATE", default="600/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tianping API",
    "DESCRIPTION": "Dispute arbitration for e-commerce platforms.",
    "VERSION": "1.0.0",
    # Swagger UI's files come from the drf-spectacular-sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DisputeState": "arbitration.models.Dispute.State",
        "DisputeReason": "arbitration.models.Dispute.Reason",
        "DisputeRemedy": "arbitration.models.Dispute.Remedy",
        "DisputeSide": "arbitration.models.Dispute.Side",
        "OfferRemedy": "arbitration.models.Offer.Remedy",
        "RefundLineReason": "arbitration.models.RefundLine.Reason",
        "PartyKind": "accounts.models.Party.Kind",
        "CreditTier": "accounts.models.CreditTier",
        "WebhookEventType": "webhooks.models.EventType",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# django-ratelimit: the embedded default's file cache has no atomic increment, so counts may be
# off by a request or two under a race; with REDIS_URL the limits are exact.
RATELIMIT_VIEW = "accounts.views.rate_limited"
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
else:
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The fingerprint band indexes INCLUDE their hash columns for index-only scans on
    # PostgreSQL; SQLite simply builds them without the extra columns.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# --- Forensics ------------------------------------------------------------------------------
# PEM bundle of C2PA trust anchors: a manifest signed under one of these is "trusted" (the
# C2PA conformance trust list in production; see the README). Nothing is ever downloaded.
C2PA_TRUST_ANCHORS = env.str("C2PA_TRUST_ANCHORS", default="")
# PEM bundle of trusted time-stamping authorities (the C2PA TSA trust list): a time-stamp
# under one of these lets a certificate be checked at signing time instead of today.
C2PA_TSA_TRUST_ANCHORS = env.str("C2PA_TSA_TRUST_ANCHORS", default="")
# Optional ONNX AI-image detector; absent by default (reports then say "not configured").
FORENSICS_DETECTOR_MODEL = env.str("FORENSICS_DETECTOR_MODEL", default="")
# One photo's analysis may take this long (the task's hard time limit; the soft one is 10 s
# earlier and marks it failed). A photo still "running" past it, plus a margin, or still
# "pending" past EVIDENCE_STALE_PENDING_SECONDS, is re-queued by the next sweep: after a
# worker is killed, recovery takes at most threshold + sweep interval (README, Reliability).
EVIDENCE_ANALYSIS_TIME_LIMIT = env.int("EVIDENCE_ANALYSIS_TIME_LIMIT", default=120)
EVIDENCE_STALE_PENDING_SECONDS = env.int("EVIDENCE_STALE_PENDING_SECONDS", default=120)
CELERY_BEAT_SCHEDULE["sweep-stale-evidence"] = {
    "task": "evidence.tasks.sweep_stale_evidence",
    "schedule": env.int("EVIDENCE_SWEEP_SECONDS", default=60),
}
# Files a failed upload wrote without a row are deleted once older than the grace.
EVIDENCE_ORPHAN_GRACE_SECONDS = env.int("EVIDENCE_ORPHAN_GRACE_SECONDS", default=3600)
CELERY_BEAT_SCHEDULE["sweep-orphan-files"] = {
    "task": "evidence.tasks.sweep_orphan_files",
    "schedule": env.int("EVIDENCE_ORPHAN_SWEEP_SECONDS", default=3600),
}

# --- Webhooks -------------------------------------------------------------------------------
# SSRF guard: endpoint URLs must resolve to public addresses unless this is on (DEBUG, tests).
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=DEBUG)
CELERY_BEAT_SCHEDULE["deliver-due-webhooks"] = {
    "task": "webhooks.tasks.deliver_due_webhooks",
    "schedule": env.int("WEBHOOK_SWEEP_SECONDS", default=30),
}

# --- Credit ---------------------------------------------------------------------------------
# Refund-only velocity: this many refund-only claims by one buyer within this many days cost
# credit once per window.
CREDIT_VELOCITY_CLAIMS = env.int("CREDIT_VELOCITY_CLAIMS", default=3)
CREDIT_VELOCITY_DAYS = env.int("CREDIT_VELOCITY_DAYS", default=30)
# Stored scores decay between events: refresh them (tiers can move back up) this often.
CELERY_BEAT_SCHEDULE["refresh-credit"] = {
    "task": "accounts.tasks.refresh_credit_scores",
    "schedule": env.int("CREDIT_REFRESH_SECONDS", default=3600),
}

# --- Notifications --------------------------------------------------------------------------
# E-mail: printed to the console unless EMAIL_URL (smtp://user:pass@host:587, smtp+tls://,
# smtp+ssl://) or EMAIL_HOST is set. EMAIL_BACKEND overrides both.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Tianping <noreply@tianping.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
if env.str("EMAIL_HOST", default="") and not env.str("EMAIL_URL", default=""):
    EMAIL_CONFIG = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": env.str("EMAIL_HOST"),
        "EMAIL_PORT": env.int("EMAIL_PORT", default=587),
        "EMAIL_HOST_USER": env.str("EMAIL_HOST_USER", default=""),
        "EMAIL_HOST_PASSWORD": env.str("EMAIL_HOST_PASSWORD", default=""),
        "EMAIL_USE_TLS": env.bool("EMAIL_USE_TLS", default=True),
        "EMAIL_USE_SSL": env.bool("EMAIL_USE_SSL", default=False),
    }
EMAIL_CONFIG["EMAIL_BACKEND"] = env.str("EMAIL_BACKEND", default=EMAIL_CONFIG["EMAIL_BACKEND"])
vars().update(EMAIL_CONFIG)  # django-environ's documented way to spread the parsed URL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
CELERY_BEAT_SCHEDULE["remind-deadlines"] = {
    "task": "notifications.tasks.remind_deadlines",
    "schedule": env.int("DEADLINE_REMINDER_SECONDS", default=60),
}
# Notices older than this (seconds, counted from their event) are shown in the app but never
# e-mailed: no backlog of stale mail after an outage or when a user adds an address.
NOTIFICATION_EMAIL_MAX_AGE = env.int("NOTIFICATION_EMAIL_MAX_AGE", default=2 * 3600)
CELERY_BEAT_SCHEDULE["sweep-notifications"] = {
    "task": "notifications.tasks.sweep_notifications",
    "schedule": env.int("NOTIFICATION_SWEEP_SECONDS", default=300),
}
