"""The demo, loaded once per test module instead of once per test (each load takes seconds).

`loaded_demo` loads it inside a transaction of its own, opened before the module's first test that asks for
it and rolled back after the module's last test: each test still runs in its own savepoint inside it (the
`db` fixture), so whatever a test changes (a reset, a second run, a sign-in) is undone before the next one,
and the next module starts from an empty database as before. Only modules whose tests all work on the one
demo use it: a test that needs the database without the demo lives in a module that does not ask for it.
"""

from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="module")
def demo_media_root(tmp_path_factory) -> Path:
    """Where the module's demo seals its files (its consultation import); each test still gets its own
    MEDIA_ROOT (rightsloop/conftest.py), so what a test writes never reaches the next one."""
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def loaded_demo(django_db_setup, django_db_blocker, demo_media_root) -> Iterator[str]:
    """What `manage.py load_demo` printed; the demo stays in the database until the module's end."""
    from rightsloop.core import keys, sealing
    from rightsloop.core.tests.test_audit_triggers import install_append_only_triggers

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=demo_media_root):
        sealing.forget_cached_keys()
        try:
            with transaction.atomic():
                # Loaded under the database's refusal to change or delete audit rows, as a migrated one has.
                install_append_only_triggers()
                out = StringIO()
                call_command("load_demo", stdout=out)
                yield out.getvalue()
                transaction.set_rollback(True)
        finally:
            sealing.forget_cached_keys()
            keys.forget()

