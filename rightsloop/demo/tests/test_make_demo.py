"""`make demo PORT=…` prints, and builds the demo's email links with, the address it serves on; `HOST=…` is a
host the server answers on."""

import os
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from rightsloop.core.tests.test_audit_triggers import install_append_only_triggers

ROOT = Path(__file__).resolve().parents[3]


def dry_run(*arguments: str, **environment: str) -> list[str]:
    """The demo's commands as make would run them, without running any."""
    ours = {"RIGHTSLOOP_BASE_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"}
    env = {k: v for k, v in os.environ.items() if k not in ours} | environment
    done = subprocess.run(["make", "-n", "demo", *arguments], cwd=ROOT, env=env,  # noqa: S603, S607
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.splitlines()


def demo_processes(lines: list[str]) -> dict[str, str]:
    names = ("load_demo", "db_worker", "run_scheduler", "gunicorn")
    return {name: line for line in lines for name in names if name in line and "manage.py migrate" not in line}


def test_every_demo_process_gets_the_host_and_port_it_serves_on():
    processes = demo_processes(dry_run("PORT=8151", "HOST=127.0.0.1"))

    assert set(processes) == {"load_demo", "db_worker", "run_scheduler", "gunicorn"}
    for name, line in processes.items():
        assert "RIGHTSLOOP_BASE_URL=http://127.0.0.1:8151 " in line, name
    assert "--bind 127.0.0.1:8151" in processes["gunicorn"]
    assert not any("8000" in line for line in processes.values())


def test_a_base_url_set_for_a_proxy_wins_over_host_and_port():
    processes = demo_processes(dry_run("PORT=8152", RIGHTSLOOP_BASE_URL="https://demo.example.org"))
    assert all("RIGHTSLOOP_BASE_URL=https://demo.example.org " in line for line in processes.values())
    assert "--bind 127.0.0.1:8152" in processes["gunicorn"]


def test_another_host_is_allowed_and_trusted_for_forms_by_every_demo_process():
    processes = demo_processes(dry_run("PORT=8154", "HOST=10.20.30.40"))
    for name, line in processes.items():
        assert "ALLOWED_HOSTS=10.20.30.40,127.0.0.1,localhost " in line, name
        assert "CSRF_TRUSTED_ORIGINS=http://10.20.30.40:8154 " in line, name


def test_hosts_and_origins_set_in_the_environment_win():
    processes = demo_processes(dry_run("HOST=10.20.30.40", ALLOWED_HOSTS="demo.example.org",
                                       CSRF_TRUSTED_ORIGINS="https://demo.example.org"))
    for name, line in processes.items():
        assert "ALLOWED_HOSTS=demo.example.org " in line, name
        assert "CSRF_TRUSTED_ORIGINS=https://demo.example.org " in line, name


@pytest.mark.django_db
def test_load_demo_prints_the_address_it_was_given(settings):
    install_append_only_triggers()
    settings.RIGHTSLOOP_BASE_URL = "http://127.0.0.1:8153"
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "http://127.0.0.1:8153/" in out.getvalue()
    assert "8000" not in out.getvalue()
