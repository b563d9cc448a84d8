"""Django settings. Everything secret or site-specific comes from the environment.

- ``CALLGRADE_DATA_DIR``: the warehouse directory the engine reads (default ``./data``).
- ``DATABASE_URL``: ``postgres://user:pass@host:port/name`` or ``sqlite:///path``; the default is
  SQLite inside the data directory (the embedded default).
- ``CALLGRADE_SESSION_HOURS``: how long a sign-in lasts (default 12 hours).
- ``CALLGRADE_TRUSTED_PROXIES``: how many reverse proxies stand before the app (default 0), so
  sign-in throttling limits the client's address, not the proxy's.
- ``CALLGRADE_PRODUCTION=1``: production mode (no debug, secure cookies, HSTS, HTTPS redirect);
  then ``CALLGRADE_SECRET_KEY`` and ``CALLGRADE_ALLOWED_HOSTS`` are required.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CALLGRADE_DATA_DIR", "data")).resolve()
PRODUCTION = os.environ.get("CALLGRADE_PRODUCTION", "") in ("1", "true", "yes")


def database_from_url(url: str) -> dict[str, Any]:
    """A Django DATABASES entry from a ``DATABASE_URL``."""
    parts = urlparse(url)
    if parts.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(parts.path) or ":memory:"}
    if parts.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ValueError(
        f"DATABASE_URL: unsupported scheme {parts.scheme!r} (use postgres:// or sqlite://)"
    )


if PRODUCTION:
    SECRET_KEY = os.environ["CALLGRADE_SECRET_KEY"]
    ALLOWED_HOSTS = os.environ["CALLGRADE_ALLOWED_HOSTS"].split(",")
    DEBUG = False
else:
    # A development key is fine for the embedded demo; production refuses to start without one.
    SECRET_KEY = os.environ.get("CALLGRADE_SECRET_KEY", "callgrade-development-only-not-secret")
    ALLOWED_HOSTS = os.environ.get("CALLGRADE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(
        ","
    )
    DEBUG = os.environ.get("CALLGRADE_DEBUG", "") in ("1", "true", "yes")

_default_db = f"sqlite:///{DATA_DIR / 'callgrade.sqlite3'}"
DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Background jobs write while pages read: wait for the lock instead of failing at once. A
    # transaction takes the write lock when it begins: one that read first and then asked for it
    # would fail at once with "database is locked" when another writer got there in between.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # the project (templates, static files, the migrations that created the first tables) and
    # its domains: people and standards first, the domains that build on them after
    "callgrade.web.apps.WebConfig",
    "callgrade.core.apps.CoreConfig",
    "callgrade.people.apps.PeopleConfig",
    "callgrade.standards.apps.StandardsConfig",
    "callgrade.cycles.apps.CyclesConfig",
    "callgrade.review.apps.ReviewConfig",
    "callgrade.engagement.apps.EngagementConfig",
    "callgrade.development.apps.DevelopmentConfig",
    "callgrade.baseline.apps.BaselineConfig",
    "callgrade.integration.apps.IntegrationConfig",
    "callgrade.intraday.apps.IntradayConfig",
    "callgrade.loads.apps.LoadsConfig",
    "rest_framework",
    "drf_spectacular",
]

MIDDLEWARE = [
    "callgrade.web.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "callgrade.web.hardening.CleanQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "callgrade.web.accounts.FirstPasswordMiddleware",
]

# Sign-in throttling (see callgrade.people.services.signin): Django's password check behind a
# per-username cool-down and a per-address limit. Behind reverse proxies, their number:
AUTHENTICATION_BACKENDS = ["callgrade.web.signin.ThrottledBackend"]
CALLGRADE_TRUSTED_PROXIES = int(os.environ.get("CALLGRADE_TRUSTED_PROXIES", "0"))

ROOT_URLCONF = "callgrade.web.urls"
WSGI_APPLICATION = "callgrade.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "callgrade.web.context.nav",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A session lasts CALLGRADE_SESSION_HOURS (12: a working day) instead of Django's two weeks.
SESSION_COOKIE_AGE = round(float(os.environ.get("CALLGRADE_SESSION_HOURS", "12")) * 3600)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("CALLGRADE_TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "/static/"
# Static files are collected (``collectstatic``) with content-hashed names and gzip/brotli copies
# in production and whenever the app is served from the command line (``callgrade serve`` and
# ``demo --serve`` set CALLGRADE_COLLECTED_STATIC and collect into the data directory before
# starting): WhiteNoise then serves the compressed copy and caches hashed names for a year.
# Tests and ``runserver`` read the app directories as they are.
COLLECTED_STATIC = PRODUCTION or os.environ.get("CALLGRADE_COLLECTED_STATIC", "") in ("1", "true")
STATIC_ROOT = (
    Path(os.environ.get("CALLGRADE_STATIC_ROOT", DATA_DIR / "static")) if COLLECTED_STATIC else None
)
MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            MANIFEST_STORAGE
            if COLLECTED_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not COLLECTED_STATIC
# Read as they are, files are looked up when asked for: scanning every app's static files whenever
# the middleware is built costs ~25 ms, and each test client builds it anew.
WHITENOISE_AUTOREFRESH = not COLLECTED_STATIC
# Pages name static files through {% static %} only, so the unhashed copies are never asked for:
# not keeping them halves the compressing (ECharts alone is 1 MB) and the disk it takes.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("CALLGRADE_SSL_REDIRECT", "1") != "0"
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [
        o for o in os.environ.get("CALLGRADE_CSRF_TRUSTED_ORIGINS", "").split(",") if o
    ]

# Background jobs: "thread" runs them in the web process (embedded default); "inline" runs them
# before the request returns (tests).
CALLGRADE_JOBS = os.environ.get("CALLGRADE_JOBS", "thread")
# A queued or running job silent this long (no progress, no heartbeat) is marked failed.
CALLGRADE_JOB_STALE_SECONDS = int(os.environ.get("CALLGRADE_JOB_STALE_SECONDS", "300"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The integration API (/api/v1/, callgrade.integration): token authentication only, JSON only.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["callgrade.integration.views.auth.IntegrationToken"],
    "DEFAULT_PERMISSION_CLASSES": ["callgrade.integration.views.auth.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "callgrade integration API",
    "DESCRIPTION": "Read people, KPIs, scorecards, decisions and pay lines; write people and "
    "trainings. Authenticate with 'Authorization: Bearer <token>' (docs/web.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}
