"""Settings for the test suite: fast hashing, in-memory mail, tasks run inline."""

import os

from .base import *  # noqa: F403
from .base import DATABASES

SECRET_KEY = "test-only-key"  # noqa: S105
# Fixed keys so a test run never depends on the machine; tests that rotate keys set their own.
os.environ.setdefault("RIGHTSLOOP_KEK", "dGVzdC1vbmx5LWtleS1lbmNyeXB0aW9uLWtleS0wMDE=")
os.environ.setdefault("RIGHTSLOOP_AUDIT_KEY", "dGVzdC1vbmx5LWF1ZGl0LWNoYWluLWtleS0wMDAwMDE=")
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and "DATABASE_URL" not in os.environ:
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
# Static files come from the finders in tests; nothing is collected.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
# Close connections after each request so the live server's thread never holds the test database open.
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
