"""Local development and the demo: the embedded SQLite database and the console mailer."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Keys live beside the database in development and the demo, never inside it.
RIGHTSLOOP_KEY_DIR = VAR_DIR / "keys"

# Serve static files straight from the app folders, so the dev server works without collectstatic;
# `make demo` still collects them, and production keeps the hashed manifest storage.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
