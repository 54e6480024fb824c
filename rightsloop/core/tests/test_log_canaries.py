"""No protected value reaches a log: the demo's flows through a real web server and task worker, logs scanned.

The demo is loaded into a scratch folder; gunicorn serves it, writing its access log and error log (with the
application's own logging, --capture-output) to files, and the task worker writes its log to a file, as
`make demo` runs them. A member signs in, searches the register for a person by name, reveals a protected
person's identity with a reason (page and API), and the worker sends the feedback report the demo queued. Then
every log is read: the name searched for, the reasons, the person emailed and the words of their report
appear in none of them. SQLite only: it is the server's logs under test, not the database.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    # A port of its own: CI runs the SQLite and the PostgreSQL suites at once, and both run this test.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = _free_port()
BASE = f"http://127.0.0.1:{PORT}"
NAME = "Canary-Searched-Name-6617"
REASON = "Canary-Reveal-Reason-2294 preparing a safe meeting"
API_REASON = "Canary-Api-Reason-7735 answering their request"
PASSWORD = "closing-the-loop-demo"


def _env(var: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.dev", "RIGHTSLOOP_VAR_DIR": str(var),
                "RIGHTSLOOP_BASE_URL": BASE})
    env.pop("EMAIL_BACKEND", None)  # the demo's own choice is under test
    return env


def _manage(env, *args) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,  # noqa: S603
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _csrf(session, url) -> str:
    page = session.get(url, timeout=30).text
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, (url, page[-1500:])
    return found.group(1)


def _post(session, url, data, form_page: str = "") -> requests.Response:
    return session.post(url, data={**data, "csrfmiddlewaretoken": _csrf(session, form_page or url)}, timeout=60,
                        headers={"Referer": form_page or url, "Origin": BASE})


def _wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=10)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def _feedback_mails(var: Path) -> list[Path]:
    return [path for path in (var / "mail").glob("*.log") if "/grievances/" not in path.read_text(errors="replace")]


def test_no_name_reason_or_report_reaches_any_log(tmp_path):
    var, logs = tmp_path / "var", tmp_path / "logs"
    logs.mkdir()
    env = _env(var)
    _manage(env, "migrate", "--noinput", "-v0")
    printed = _manage(env, "load_demo")
    recovery = re.search(r"  amina\n(?:.*\n){3}    recovery codes  (\S+)", printed).group(1)
    token = re.search(r"^\s+(rl_\S+)$", printed, re.MULTILINE).group(1)
    processes = []
    try:
        with open(logs / "gunicorn.out", "w") as out, open(logs / "worker.log", "w") as worker_log:
            processes.append(subprocess.Popen(  # noqa: S603
                [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{PORT}",
                 "--workers", "1", "--access-logfile", str(logs / "access.log"),
                 "--error-logfile", str(logs / "error.log"), "--capture-output"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT))
            # Unbuffered: a worker still busy when told to stop is killed after 30 s, and its log must be there.
            processes.append(subprocess.Popen(
                [sys.executable, "-u", "manage.py", "db_worker"], cwd=ROOT, env=env, stdout=worker_log,
                stderr=subprocess.STDOUT))
            _wait_for(f"{BASE}/accounts/sign-in/")
            api = {"Authorization": f"Bearer {token}"}
            person = requests.post(f"{BASE}/api/v1/stakeholders", headers=api, timeout=30, json={
                "name": NAME, "kind": "affected", "country": "KE", "safety_level": "high",
                "email": "canary-searched@example.net"}).json()
            session = requests.Session()
            _post(session, f"{BASE}/accounts/sign-in/", {"username": "amina", "password": PASSWORD})
            verified = _post(session, f"{BASE}/accounts/verify/", {"code": recovery})
            assert "/accounts/sign-in/" not in verified.url, verified.url
            found = _post(session, f"{BASE}/stakeholders/", {"q": NAME})
            assert "1 stakeholder" in found.text and NAME not in found.url
            _post(session, f"{BASE}/stakeholders/{person['id']}/reveal/", {"reason": REASON},
                  form_page=f"{BASE}/stakeholders/{person['id']}/")
            assert NAME in session.get(f"{BASE}/stakeholders/{person['id']}/", timeout=30).text
            revealed = requests.post(f"{BASE}/api/v1/stakeholders/{person['id']}/reveal", headers=api,
                                     json={"reason": API_REASON}, timeout=30).json()
            assert revealed["name"] == NAME
            # The feedback report load_demo queued: the worker sends it, into var/mail. (The demo's grievance
            # deadline round mails handlers first; those notices link to /grievances/, a feedback report never does.)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not _feedback_mails(var):
                time.sleep(0.5)
            mails = _feedback_mails(var)
            assert mails, (logs / "worker.log").read_text()[-2000:]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    message = mails[0].read_text()
    recipient = re.search(r"^To: (.+)$", message, re.MULTILINE).group(1).strip()
    body = message.split("\n\n", 1)[1]
    words = [line.strip() for line in body.splitlines() if len(line.strip()) > 40][:5]
    canaries = [NAME, "Canary-Searched", REASON, "Canary-Reveal-Reason", API_REASON, recipient, *words]
    written = {path.name: path.read_text(errors="replace") for path in logs.iterdir()}
    assert "POST /stakeholders/" in written["access.log"] and len(written["worker.log"]) > 0
    leaks = [(name, canary) for name, text in written.items() for canary in canaries if canary in text]
    print(json.dumps({name: len(text) for name, text in written.items()}), f"{len(canaries)} canaries")
    assert not leaks, leaks
