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
