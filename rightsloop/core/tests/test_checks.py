"""Deploy checks: what `manage.py check --deploy` tells an operator before going live."""

from django.core import checks
from django.core.management import call_command
from django.test import override_settings

from ..checks import delivering_mail, shared_cache

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


def test_a_mail_backend_that_prints_fails_check_deploy():
    import os

    from rightsloop.accounts.tests.test_deploy_check import run_with_production_settings

    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
    try:
        result = run_with_production_settings("check", "--deploy")
    finally:
        del os.environ["EMAIL_BACKEND"]
    assert result.returncode != 0 and "rightsloop.E001" in result.stderr, result.stdout + result.stderr
    for backend in ("console", "filebased", "locmem", "dummy"):
        with override_settings(EMAIL_BACKEND=f"django.core.mail.backends.{backend}.EmailBackend"):
            [error] = delivering_mail(None)
        assert error.level == checks.ERROR and error.id == "rightsloop.E001"
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend"):
        assert delivering_mail(None) == []
