"""Deploy checks: what `manage.py check --deploy` tells an operator before going live."""

from django.core.management import call_command
from django.test import override_settings

from ..checks import shared_cache

REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                     "LOCATION": "redis://127.0.0.1:6379/15"}}


def test_a_per_process_cache_is_flagged_for_deployment():
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        [warning] = shared_cache(None)
    assert warning.id == "rightsloop.W001" and "CACHE_URL" in warning.hint


def test_a_redis_cache_passes():
    with override_settings(CACHES=REDIS):
        assert shared_cache(None) == []


def test_the_warning_reaches_check_deploy(capsys):
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        call_command("check", "--deploy", "--tag", "security", fail_level="CRITICAL")
    assert "rightsloop.W001" in capsys.readouterr().err
