"""Settings shared by every environment; everything that differs comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("RIGHTSLOOP_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "rightsloop.core",
    "rightsloop.accounts",
    "rightsloop.stakeholders",
    "rightsloop.engagements",
    "rightsloop.risks",
    "rightsloop.consultations",
    "rightsloop.relationships",
    "rightsloop.resourcing",
    "rightsloop.portal",
    "rightsloop.grievances",
    "rightsloop.oversight",
    "rightsloop.disclosure",
    "rightsloop.assessments",
    "rightsloop.collaboration",
    "rightsloop.consensus",
    "rightsloop.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Same-origin form posts arrive as "Origin: null" under no-referrer; see ADR 0001.
    "rightsloop.accounts.csrf.SameOriginNullMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "rightsloop.accounts.middleware.SessionLifetimeMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "rightsloop.accounts.middleware.MFARequiredMiddleware",
    "rightsloop.accounts.middleware.ViewerMiddleware",
    "rightsloop.accounts.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A NUL in the path names nothing: 404 before a view passes it to the database (PostgreSQL would fail).
    "rightsloop.core.middleware.NulInPathMiddleware",
    # Last, as django-axes asks: it turns a sign-in refused for too many failures into the throttled page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "rightsloop" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rightsloop.core.context_processors.navigation",
            ],
        },
    }
]

# SQLite in WAL mode is the embedded default; DATABASE_URL switches to PostgreSQL.
DEFAULT_SQLITE_PATH = VAR_DIR / "rightsloop.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# PostgreSQL: the role that owns the tables. `manage.py migrate` connects with its user and password, while
# DATABASE_URL names the application role, which owns nothing (`manage.py create_database_roles`).
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE transactions stop the web process and the worker from
        # deadlocking on lock upgrades; WAL lets readers run beside a writer; synchronous=FULL
        # makes every acknowledged commit survive a power cut, not only a crashed process.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=FULL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA cache_size=-64000;"
            "PRAGMA mmap_size=268435456;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if DEBUG else 60

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Refuses a sign-in while the account or the client address is cooling off; authenticates nobody itself.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # 4.2 million breached passwords of 10+ characters, checked offline (docs/security/x4-sign-in.md).
    {"NAME": "rightsloop.accounts.passwords.BreachedPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Idle timeout: a session expires 30 minutes after it was last saved, and activity saves it at least once a
# minute (accounts.middleware.SessionLifetimeMiddleware); the cookie itself ends with the browser.
SESSION_COOKIE_AGE = 30 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Absolute lifetime from sign-in, whatever the activity (accounts.middleware.SessionLifetimeMiddleware).
RIGHTSLOOP_SESSION_MAX_AGE = timedelta(hours=12)
# The CSRF secret lives in the server-side session, never in a cookie a sibling host could plant.
CSRF_USE_SESSIONS = True
CSRF_FAILURE_VIEW = "rightsloop.accounts.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No page tells anyone where the user came from; see docs/adr/0001-referrer-policy.md for the CSRF side.
SECURE_REFERRER_POLICY = "no-referrer"

# Content-Security-Policy (django-csp): our own scripts, styles and images only; no inline code anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# Multi-factor sign-in (django-otp): TOTP authenticators and one-time recovery codes, required for every role.
OTP_TOTP_ISSUER = "Rightsloop"
# Wrong codes double the wait before the next try (1 s, 2 s, 4 s...) on the device itself ...
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# ... up to 2**7 s: the count stops growing here, so nobody can lock a device for days.
RIGHTSLOOP_OTP_THROTTLE_MAX_FAILURES = 8
RIGHTSLOOP_RECOVERY_CODES = 10
# Recovery codes are stored as PBKDF2-SHA256 digests with a salt per user: about 45 ms per code on one
# core, so each guess at a stolen digest costs as much, and a check hashes the typed code once.
RIGHTSLOOP_RECOVERY_CODE_ITERATIONS = 100_000

# API bearer tokens expire after this many days at most (the token page offers shorter lives too).
RIGHTSLOOP_API_TOKEN_DAYS = 90

# Failed sign-ins (django-axes): five failures for one username, or from one client address, within
# 15 minutes make that username or address wait until 15 minutes have passed since the last counted
# failure; tries during the wait are refused without extending it. Wrong codes count like wrong passwords.
# Only a complete sign-in (password and code) clears the counts (accounts.views), not a password alone.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "rightsloop.accounts.views.throttled"
# Our audit log records every sign-in; axes keeps only the failure counters.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "code", "csrfmiddlewaretoken"]
# Behind a reverse proxy, say how many proxies append to X-Forwarded-For, or every client shares one address.
if os.environ.get("RIGHTSLOOP_PROXY_COUNT"):
    AXES_IPWARE_PROXY_COUNT = int(os.environ["RIGHTSLOOP_PROXY_COUNT"])
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("ar", _("Arabic")),
    ("pt", _("Portuguese")),
    ("sw", _("Swahili")),
    ("id", _("Indonesian")),
    ("hi", _("Hindi")),
]
LOCALE_PATHS = [BASE_DIR / "rightsloop" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "rightsloop" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploads above the memory limit are encrypted chunk by chunk as they arrive, never written in clear
# (core.sealed_files); stored files are sealed under the organisation's key, 0600 in 0700 folders.
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "rightsloop.core.sealed_files.SealedUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Rightsloop <no-reply@rightsloop.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The database-backed worker is the default engine; a deployment can point
# TASKS_BACKEND at django_tasks_rq.RQBackend to run on Redis instead.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Watching the worker (core.supervision): a running task beats every so many seconds; one running longer than its
# limit (by task name, else "default") is reported in the log and on its page. A 1,000,000-response analysis takes
# minutes on PostgreSQL (docs/performance.md), so the heavy tasks get hours, not minutes.
RIGHTSLOOP_TASK_HEARTBEAT_SECONDS = float(os.environ.get("RIGHTSLOOP_TASK_HEARTBEAT_SECONDS", "15"))
RIGHTSLOOP_TASK_TIME_LIMITS = {
    "default": 30 * 60,
    "discover_themes_task": 2 * 3600,
    "assign_themes_task": 2 * 3600,
    "check_import": 2 * 3600,
    "apply_import": 2 * 3600,
    "rollback_import": 2 * 3600,
    "send_messages": 2 * 3600,
}
if os.environ.get("RIGHTSLOOP_TASK_TIME_LIMIT"):  # one limit for every task (the worker tests use seconds)
    RIGHTSLOOP_TASK_TIME_LIMITS = {"default": int(os.environ["RIGHTSLOOP_TASK_TIME_LIMIT"])}

# Counters that must be shared by every web process (the receipt lookup's rate limit) live in the cache.
# The default is per process, right for development and one process; a deployment with several workers points
# CACHE_URL at Redis (redis://host:6379/1), and `manage.py check --deploy` warns until it does.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL:
    raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// address.")

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "apscheduler": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; failures and lockouts stay visible at WARNING.
        "axes": {"level": "WARNING"},
    },
}

# Key files generated on first use (development and the demo only; production sets the keys
# through RIGHTSLOOP_KEK and RIGHTSLOOP_AUDIT_KEY, see docs/security.md).
RIGHTSLOOP_KEY_DIR = None

# Domain defaults an organisation may override.
RIGHTSLOOP_DEFAULT_FEEDBACK_DAYS = 60
# How many days before a promised next step's date its owner is reminded (engagements.promises).
RIGHTSLOOP_PROMISE_REMINDER_DAYS = int(os.environ.get("RIGHTSLOOP_PROMISE_REMINDER_DAYS", "7"))
RIGHTSLOOP_PAGE_SIZE = 25
RIGHTSLOOP_BASE_URL = os.environ.get("RIGHTSLOOP_BASE_URL", "http://127.0.0.1:8000")

# Public consultations (consultations/): the largest upload, the longest response kept, rows per import
# transaction, and how many SMTP connections the loop-closure sending opens at once (one connection to a
# real mail server sends about 150 messages a second; four pass 200).
RIGHTSLOOP_CONSULTATION_MAX_UPLOAD = int(os.environ.get("RIGHTSLOOP_CONSULTATION_MAX_UPLOAD", 2 * 1024**3))
RIGHTSLOOP_CONSULTATION_MAX_TEXT = 10_000
# An XLSX file's shared-strings table is read whole (openpyxl); above this unpacked size the file is refused.
RIGHTSLOOP_CONSULTATION_MAX_XLSX_STRINGS = int(os.environ.get("RIGHTSLOOP_CONSULTATION_MAX_XLSX_STRINGS",
                                                              256 * 1024**2))
RIGHTSLOOP_CONSULTATION_IMPORT_BATCH = 5_000
RIGHTSLOOP_CONSULTATION_MAIL_CONNECTIONS = int(os.environ.get("RIGHTSLOOP_CONSULTATION_MAIL_CONNECTIONS", 4))
