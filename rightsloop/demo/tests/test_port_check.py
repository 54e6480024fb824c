"""`make demo` refuses a taken port at once, saying which and what to do, instead of failing late and obscurely."""

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def port_free(port: int) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", "port-free", "HOST=127.0.0.1", f"PORT={port}", f"PYTHON={sys.executable}"],  # noqa: S603, S607
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_a_taken_port_is_named_with_the_way_out():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = port_free(port)

    assert result.returncode != 0
    assert (f"Port {port} on 127.0.0.1 is already in use; stop what uses it or run make demo PORT={port + 1}"
            in result.stderr)


def test_a_free_port_passes_silently():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = port_free(port)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
