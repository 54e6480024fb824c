"""System checks that only matter in a deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@checks.register(checks.Tags.security, deploy=True)
def shared_cache(app_configs, **kwargs) -> list[checks.CheckMessage]:
    # The receipt lookup counts wrong codes per client in the cache; a per-process cache multiplies the allowance
    # by the number of web workers and forgets it at every restart.
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        return [checks.Warning(
            "The cache is per process, so rate limits are counted per web worker.",
            hint="Set CACHE_URL to a Redis address (redis://127.0.0.1:6379/1).",
            id="rightsloop.W001",
        )]
    return []


# Backends that never deliver: they print each message (feedback reports with names and words) into the
# process's log, write it to disk in clear, or keep it in memory.
NOT_DELIVERING = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@checks.register(checks.Tags.security, deploy=True)
def delivering_mail(app_configs, **kwargs) -> list[checks.CheckMessage]:
    # An Error, not a Warning: with the console backend every feedback report, name and word a report repeats
    # lands in the worker's log, which is kept and shared far more widely than the database.
    if settings.EMAIL_BACKEND in NOT_DELIVERING:
        return [checks.Error(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: messages are not delivered, and feedback reports "
            "(names, what people said) end up in logs or files in clear.",
            hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST.",
            id="rightsloop.E001",
        )]
    return []
