"""Local development and the demo: the embedded SQLite database, and mail kept in files under var/mail."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Keys live beside the database in development and the demo, never inside it.
RIGHTSLOOP_KEY_DIR = VAR_DIR / "keys"
# Each message the demo sends is a file in var/mail, not a print: printed, feedback reports
# (names, what people said) would land in the worker's log. EMAIL_BACKEND in the environment still wins.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"

# `make demo` collects the static files and serves them as production does (RIGHTSLOOP_COLLECTED_STATIC=1): hashed
# names, compressed, cached for a year by browsers (base.STORAGES). Otherwise they are served straight from the app
# folders, so the dev server works without collectstatic and an edited stylesheet shows at once.
if not env_bool("RIGHTSLOOP_COLLECTED_STATIC", False):
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }
    WHITENOISE_USE_FINDERS = True
