"""Test settings: the real settings, made fast. Nothing here changes behaviour, but for one
more record type, Leads (crm/tests/leads), which shows that a new type is its own app plus
these two lines: every shared screen picks it up from the registry."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-django")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from crm.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The manifest needs collectstatic; tests read static files straight from their folders.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise warns when the collectstatic folder is missing; tests serve from the finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
WHITENOISE_USE_FINDERS = True
# Background jobs run inline, so a test sees the finished import.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

INSTALLED_APPS = [*INSTALLED_APPS, "crm.tests.leads"]  # noqa: F405
ROOT_URLCONF = "crm.tests.leads.site_urls"
