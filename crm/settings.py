"""Settings for the CRM, all read from environment variables.

Every value goes through a small typed helper that refuses bad input with a message
naming the variable, so a typo in production fails at start-up instead of at 3 a.m.
Development defaults apply only when DEBUG is on.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from crm.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "development-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
else:
    SECRET_KEY = env_str("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma-separated host names) when DEBUG is off.")
if len(SECRET_KEY) < 20:
    raise ImproperlyConfigured("SECRET_KEY is too short: use at least 50 random characters.")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "axes",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tables2",
    "django_filters",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "access",
    "crm",
    "accounts",
    "contacts",
    "activities",
    "imports",
    "audit",
    "health",
    "duplicates",
    "addressbooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "crm.middleware.OddInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After the session and LocaleMiddleware: a signed-in user's own language wins.
    "crm.languages.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crm.middleware.RecentItemsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last so it sees the outcome of every sign-in attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

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
                "django.template.context_processors.i18n",
                "crm.navigation.sales_navigation",
                "access.context_processors.access",
            ],
        },
    },
]

# Databases: DATABASE_URL picks the server; unset means an SQLite file under var/.
SQLITE_PATH = BASE_DIR / "var" / "crm.sqlite3"
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{SQLITE_PATH}")
try:
    _database = dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database address: {error}") from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _database["OPTIONS"] = {
        # WAL lets readers go on while one request writes; IMMEDIATE takes the write lock
        # at the start of a transaction, so two writers queue instead of failing mid-way.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if _database["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiles plans it guesses are expensive (a capped count over a million rows) and
    # spends ~100 ms doing it; pages here are short index reads that never win that back.
    # Parallel plans run the branches of a scoped list's UNION ALL side by side, so a count
    # capped at 5,001 no longer stops inside the first big branch (measured 63 ms against
    # 5 ms at 1M), and the helper processes take cores from the other requests of a busy
    # server: every read here is an index walk meant to stop early.
    _database.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off -c max_parallel_workers_per_gather=0")
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with each user's permissions kept between requests (access.backends).
    "access.backends.CachedPermissionsBackend",
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

# Brute-force protection: lock a username on one address after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Amounts (credit limit, revenue...) are in one currency, shown with this symbol in the order
# of the user's language: "1 234,56 €", "€1,234.56".
CURRENCY_SYMBOL = env_str("CURRENCY_SYMBOL", "€")
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "crm.storage.StaticStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "media"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# HTTPS_ONLY switches on everything a site served over TLS wants; off for local runs.
HTTPS_ONLY = env_bool("HTTPS_ONLY", False)
SECURE_SSL_REDIRECT = HTTPS_ONLY
# Load balancers probe the health check over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS_ONLY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "crm.views.csrf_failure"

# Strict Content-Security-Policy: every script and style comes from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Form widgets render with the project's templates too (the lookup widget lives there).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Imports and exports. Uploads larger than this are refused before anything is read.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_MB", 100, minimum=1) * 1024 * 1024
# `manage.py cleanup_imports`: a running import with no progress for this long lost its worker
# and is marked failed; uploaded files of finished imports are deleted after this many days.
IMPORT_STALLED_AFTER_MINUTES = env_int("IMPORT_STALLED_AFTER_MINUTES", 30, minimum=1)
IMPORT_KEEP_FILES_DAYS = env_int("IMPORT_KEEP_FILES_DAYS", 30, minimum=0)
# Days the audit history is kept (`manage.py audit_retention` removes older entries);
# 0, the default, keeps it forever.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 0, minimum=0)
# A job (import, removal) that wrote or deleted this many rows ANALYZEs the table before it
# reports done, so the planner does not work from statistics of a table a tenth the size.
IMPORT_ANALYZE_AFTER_ROWS = env_int("IMPORT_ANALYZE_AFTER_ROWS", 100_000, minimum=1)
# List exports: up to this many rows the file streams from the request; a larger view is
# exported by the background worker, and its file kept for EXPORT_KEEP_HOURS hours for the
# user who asked (then `cleanup_imports` deletes it).
EXPORT_STREAM_MAX_ROWS = env_int("EXPORT_STREAM_MAX_ROWS", 50_000, minimum=1)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24, minimum=1)
# Merges moving more linked rows than this (contacts, activities, shares...) run on the
# background worker instead of in the request (duplicates.jobs says why 5,000).
MERGE_IN_REQUEST_MAX_ROWS = env_int("MERGE_IN_REQUEST_MAX_ROWS", 5_000, minimum=0)
# The admin import's previews (files uploaded, shown, not yet confirmed) older than this are
# deleted by `cleanup_imports`; confirming or cancelling deletes them at once.
IMPORT_PREVIEW_KEEP_MINUTES = env_int("IMPORT_PREVIEW_KEEP_MINUTES", 60, minimum=1)
# django-import-export (admin): importing and exporting need their own permissions
# (accounts.import_account, contacts.export_contact...), not just staff status.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
# Background jobs (imports, large exports) through the Django Tasks API; `manage.py worker`
# runs them (django-tasks' db_worker plus a heartbeat that /healthz reads).
# Moving to Django 6's built-in tasks or another backend is a change of BACKEND here.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# /healthz answers 503 when no background worker wrote its heartbeat (every 10 s) for this long.
HEALTHZ_WORKER_MAX_AGE_SECONDS = env_int("HEALTHZ_WORKER_MAX_AGE_SECONDS", 60, minimum=15)

# Activities. A note's attachment larger than this is refused (D365's default is 5 MB).
ACTIVITY_ATTACHMENT_MAX_BYTES = env_int("ACTIVITY_ATTACHMENT_MAX_MB", 10, minimum=1) * 1024 * 1024
# Emails written on the timeline are sent through Django's email backend: SMTP from these
# settings in production; `make run` sets the console backend (EMAIL_BACKEND).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "crm@localhost")
