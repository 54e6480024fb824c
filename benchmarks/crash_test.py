#!/usr/bin/env python
"""Crash test: no acknowledged input is lost or recorded twice when the server is killed mid-burst.

Prepares a scratch database (migrate; an organisation; a human rights lead with an API token; an
engagement), starts the real server (gunicorn config.wsgi on 127.0.0.1, a free port), and sends a burst of
input submissions from concurrent client threads, each logical submission with its own Idempotency-Key.
At seeded random points it kills the whole server with SIGKILL, restarts it, and the clients retry every
submission that has not had a 2xx yet with the same key (connection errors and 5xx alike). A share of
submissions sends its first attempt twice at once, as a client whose first request timed out would.
Then it reads the inputs back and checks that every submission that ever had a 2xx is there exactly once,
under the id the server acknowledged, with its text, and that no key produced two rows.

    python benchmarks/crash_test.py --database sqlite
    python benchmarks/crash_test.py --database postgresql      # scratch database on 127.0.0.1:5432
    python benchmarks/crash_test.py --database sqlite --submissions 500 --kills 2   # a quick run

`--target grievances` runs the same storm against the public grievance page (/g/<slug>/) instead: each
client GETs the form (a session cookie, its CSRF token and the form's one-time token), POSTs the grievance and
follows the 303 to the receipt page. A submission is acknowledged once its receipt page showed the receipt.
Every submission without that is retried with the SAME one-time token and text (a new GET only while no form
was ever read); a receipt page that says "already shown" (the kill fell between the session's commit and the
answer) sends the client back to POST, which must answer with the same case and the same receipt. Then it
reads back: every acknowledged submission is there exactly once (by its submission-key digest), its text is
what was sent, and its receipt opens it (receipts.check, Argon2id); no case is duplicated or unknown.

    python benchmarks/crash_test.py --target grievances --database sqlite
    python benchmarks/crash_test.py --target grievances --database postgresql

The scratch database and folder are removed afterwards (--keep keeps them). Exits 1 if any submission was
lost, duplicated, rejected or never acknowledged. See docs/security/x6-durability.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

SELF = Path(__file__).resolve()
ROOT = SELF.parent.parent
HOST = "127.0.0.1"
LOCAL_DATABASE_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


# Preparing the database (runs in a child process with Django set up) ------

def prepare() -> None:
    """Create the organisation, the member, the token and the engagement; print them as JSON."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import timezone

    from rightsloop.accounts.actions import add_member, issue_api_token
    from rightsloop.accounts.roles import Role
    from rightsloop.accounts.viewer import Viewer
    from rightsloop.core import keys
    from rightsloop.core.models import Organisation
    from rightsloop.engagements.actions import EngagementPlan, create_engagement

    keys.current_kek()  # generate the key files now, not in two workers at once
    keys.audit_key()
    organisation = Organisation.objects.create(name="Crash Test Company", slug="crash-test")
    membership = add_member(organisation=organisation, username="crash-lead", email="crash-lead@example.org",
                            first_name="Crash", last_name="Lead", password=None, role=Role.HR_LEAD, by=None)
    _token, raw = issue_api_token(membership=membership, name="crash test", by=None)
    viewer = Viewer.from_membership(membership)
    engagement = create_engagement(plan=EngagementPlan(
        title="Crash test consultation", type="workshop", phases=["identify"], starts_on=timezone.localdate(),
    ), by=viewer)
    print(json.dumps({"token": raw, "engagement_id": engagement.pk}))


def read_back(engagement_id: str) -> None:
    """Print every input of the engagement as JSON: id, idempotency key, text."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from rightsloop.engagements.models import Input

    rows = [[item.pk, item.idempotency_key, item.text]
            for item in Input.objects.filter(engagement_id=int(engagement_id)).order_by("pk")]
    print(json.dumps(rows))


def prepare_grievances() -> None:
    """Create an organisation whose public grievance page takes grievances; print its slug as JSON."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from rightsloop.core import keys
    from rightsloop.core.models import Organisation
    from rightsloop.core.sealing import blind_index, data_key
    from rightsloop.grievances import receipts
    from rightsloop.grievances.models import GrievanceSettings

    keys.current_kek()  # generate the key files now, not in two workers at once
    keys.audit_key()
    organisation = Organisation.objects.create(name="Crash Test Grievances", slug="crash-grievances")
    GrievanceSettings.objects.create(organisation=organisation, products=["Crash app"])
    data_key(organisation.pk)  # the data keys too, so the first submissions do not race to create them
    blind_index(organisation.pk, "warm-up")
    hasher = receipts.hasher()
    print(json.dumps({"slug": organisation.slug, "argon2": {
        "time_cost": hasher.time_cost, "memory_cost_kib": hasher.memory_cost, "parallelism": hasher.parallelism}}))


def read_back_grievances(slug: str, path: str) -> None:
    """For each acknowledged submission in `path` (token, text, receipt): how many cases its key made, whether
    the receipt opens that case and the text is the one sent; and the cases no submission accounts for."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from rightsloop.core.models import Organisation
    from rightsloop.grievances import receipts
    from rightsloop.grievances.actions.intake import submission_digest
    from rightsloop.grievances.models import Grievance

    organisation = Organisation.objects.get(slug=slug)
    submitted = json.loads(Path(path).read_text())
    by_digest: dict[str, list[int]] = {}
    for pk, digest in Grievance.objects.filter(organisation=organisation).values_list("pk", "submission_key"):
        by_digest.setdefault(digest, []).append(pk)
    results = []
    for item in submitted:
        found = by_digest.get(submission_digest(item["token"]), [])
        opened = receipts.check(organisation, receipts.normalise(item["receipt"])) if item["receipt"] else None
        results.append({
            "key": item["key"], "rows": len(found),
            "receipt_opens_it": bool(opened is not None and found and opened.pk == found[0]),
            "text_kept": bool(found and Grievance.objects.get(pk=found[0]).description == item["text"]),
        })
    known = {submission_digest(item["token"]) for item in submitted}
    print(json.dumps({"results": results, "rows": sum(len(v) for v in by_digest.values()),
                      "strangers": sum(len(v) for k, v in by_digest.items() if k not in known)}))


# The scratch environment ---------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Scratch:
    """A private folder and database for one run, removed afterwards."""

    def __init__(self, database: str, server_url: str, keep: bool):
        self.folder = Path(tempfile.mkdtemp(prefix=f"rightsloop-crash-{database}-"))
        self.var = self.folder / "var"
        self.var.mkdir()
        self.keep = keep
        self.pg_name = ""
        if database == "sqlite":
            self.database_url = f"sqlite:///{self.var / 'crash.sqlite3'}"
        else:
            server = urlsplit(server_url)
            if server.hostname not in LOCAL_DATABASE_HOSTS:
                raise SystemExit(f"The crash test runs only against a local database, not {server.hostname}.")
            self.pg_env = dict(os.environ, PGHOST=server.hostname or HOST, PGPORT=str(server.port or 5432),
                               PGUSER=server.username or "postgres", PGPASSWORD=server.password or "")
            self.pg_name = f"rightsloop_crash_{uuid.uuid4().hex[:10]}"
            subprocess.run(["createdb", self.pg_name], env=self.pg_env, check=True)  # noqa: S603, S607
            self.database_url = server._replace(path=f"/{self.pg_name}").geturl()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSLOOP_")}
        self.env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL=self.database_url,
                        RIGHTSLOOP_VAR_DIR=str(self.var), DEBUG="false", LOG_LEVEL="WARNING",
                        PYTHONDONTWRITEBYTECODE="1")

    def run(self, *arguments: str) -> str:
        done = subprocess.run([sys.executable, *arguments], cwd=ROOT, env=self.env,  # noqa: S603
                              capture_output=True, text=True, check=False, timeout=300)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def remove(self) -> None:
        if self.keep:
            print(f"kept {self.folder}" + (f" and database {self.pg_name}" if self.pg_name else ""))
            return
        if self.pg_name:
            subprocess.run(["dropdb", "--force", "--if-exists", self.pg_name], env=self.pg_env,  # noqa: S603, S607
                           check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


class Server:
    """gunicorn config.wsgi in its own process group, so SIGKILL takes the master and every worker at once."""

    def __init__(self, scratch: Scratch, port: int, workers: int):
        self.scratch, self.port, self.workers = scratch, port, workers
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self, path: str, headers: dict | None = None) -> float:
        """Start gunicorn and wait until GET `path` answers 200; return the seconds it took."""
        self.starts += 1
        log = (self.scratch.folder / f"gunicorn-{self.starts}.log").open("wb")
        began = time.monotonic()
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"{HOST}:{self.port}",
             "--workers", str(self.workers), "--timeout", "60", "--error-logfile", "-"],
            cwd=ROOT, env=self.scratch.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        while time.monotonic() - began < 60:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}; see {log.name}")
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
                connection.request("GET", path, headers=headers or {})
                if connection.getresponse().status == 200:
                    return time.monotonic() - began
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit("gunicorn did not answer within 60 s")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_lines(self, needle: str) -> list[str]:
        found = []
        for log in sorted(self.scratch.folder.glob("gunicorn-*.log")):
            found += [line for line in log.read_text(errors="replace").splitlines() if needle in line]
        return found


# The clients ---------------------------------------------------------------

@dataclass
class Submission:
    index: int
    key: str
    text: str
    twin_first_attempt: bool
    acknowledged_id: int | None = None
    acknowledged_ids: set = field(default_factory=set)
    attempts: int = 0
    rejected: str = ""


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: int = 0
    responses: dict = field(default_factory=dict)  # status (or error name) -> count

    def count(self, outcome: str) -> None:
        with self.lock:
            self.responses[outcome] = self.responses.get(outcome, 0) + 1


class Client(threading.Thread):
    def __init__(self, queue: list[Submission], queue_lock: threading.Lock, port: int, token: str,
                 engagement_id: int, tally: Tally, deadline: float, seed: int):
        super().__init__(daemon=True)
        self.queue, self.queue_lock, self.port, self.token = queue, queue_lock, port, token
        self.path = f"/api/v1/engagements/{engagement_id}/inputs"
        self.tally, self.deadline, self.rng = tally, deadline, random.Random(seed)

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            with self.queue_lock:
                if not self.queue:
                    return
                submission = self.queue.pop()
            self.submit(submission)

    def post(self, submission: Submission) -> tuple[int | None, dict | None]:
        body = json.dumps({"text": submission.text, "tags": ["crash-test"]})
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": submission.key,
                   "Content-Type": "application/json", "Connection": "close"}
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request("POST", self.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.tally.count(type(error).__name__)
            return None, None
        finally:
            connection.close()
        self.tally.count(str(response.status))
        try:
            return response.status, json.loads(payload)
        except ValueError:
            return response.status, None

    def submit(self, submission: Submission) -> None:
        """Send until a 2xx (or a refusal no retry can change), always with the same Idempotency-Key."""
        while time.monotonic() < self.deadline:
            submission.attempts += 1
            if submission.twin_first_attempt and submission.attempts == 1:
                twin_result: list = []
                twin = threading.Thread(target=lambda out=twin_result: out.append(self.post(submission)))
                twin.start()
                results = [self.post(submission)]
                twin.join()
                results += twin_result
            else:
                results = [self.post(submission)]
            for status, payload in results:
                if status is not None and 200 <= status < 300 and payload:
                    submission.acknowledged_ids.add(payload["id"])
                    if submission.acknowledged_id is None:
                        submission.acknowledged_id = payload["id"]
                        with self.tally.lock:
                            self.tally.acknowledged += 1
            if submission.acknowledged_id is not None:
                return
            refused = [s for s, _p in results if s is not None and 400 <= s < 500]
            if refused:
                submission.rejected = f"HTTP {refused[0]}: {results[0][1]}"
                return
            time.sleep(self.rng.uniform(0.05, 0.25))  # server down or 5xx: back off, then the same key again


# The public grievance page -------------------------------------------------

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN_FIELD = re.compile(r'name="token" value="([^"]+)"')
RECEIPT_SHOWN = re.compile(r'class="receipt"[^>]*aria-label="([0-9 ]+)"')


class Browser:
    """One person's visit without JavaScript: cookies kept between requests, a new connection for each."""

    def __init__(self, port: int, tally: Tally | None = None):
        self.port, self.tally = port, tally
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int | None, str, str]:
        """(status or None when the server was not there, Location, body)."""
        headers = {"Connection": "close"}
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            if self.tally:
                self.tally.count(f"{method} {type(error).__name__}")
            return None, "", ""
        finally:
            connection.close()
        if self.tally:
            self.tally.count(f"{method} {response.status}")
        with self.lock:
            for header, value in response.getheaders():
                if header.lower() != "set-cookie":
                    continue
                name, _eq, rest = value.partition("=")
                cookie = rest.split(";", 1)[0]
                if cookie in ("", '""') or "max-age=0" in value.lower():
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = cookie
        return response.status, response.getheader("Location", ""), payload.decode("utf-8", "replace")


@dataclass
class GrievanceSubmission:
    index: int
    key: str
    text: str
    twin_first_attempt: bool
    token: str = ""
    csrf: str = ""
    receipt: str = ""
    attempts: int = 0
    posts: int = 0
    already_shown: int = 0
    rejected: str = ""
    browser: Browser | None = None

    @property
    def acknowledged(self) -> bool:
        return bool(self.receipt)


def intake_form() -> dict:
    """What a person fills in: anonymous, affected, with a country and a product (no files)."""
    return {"mode": "anonymous", "raised_by": "affected", "country": "KE", "product": "Crash app",
            "when_text": "Yesterday", "affected_people": "Me and the riders of my zone",
            "wanted_outcome": "My account back"}


def send_grievance(grievance: GrievanceSubmission, browser: Browser, slug: str, deadline: float, rng: random.Random,
                   timings: list | None = None) -> None:
    """GET the form once, then POST with its token (always the same one) until the receipt page shows a receipt."""
    form_path, receipt_path = f"/g/{slug}/", f"/g/{slug}/receipt/"
    refreshed = 0
    began = time.monotonic()
    while time.monotonic() < deadline:
        grievance.attempts += 1
        if not grievance.token or not grievance.csrf:
            status, _location, html = browser.request("GET", form_path)
            csrf, token = CSRF_FIELD.search(html or ""), TOKEN_FIELD.search(html or "")
            if status != 200 or not csrf or not token:
                time.sleep(rng.uniform(0.05, 0.25))
                continue
            grievance.csrf = csrf.group(1)
            grievance.token = grievance.token or token.group(1)  # a token once read is never replaced
        fields = {**intake_form(), "csrfmiddlewaretoken": grievance.csrf, "token": grievance.token,
                  "description": grievance.text}
        grievance.posts += 1
        posted_at = time.monotonic()
        if grievance.twin_first_attempt and grievance.posts == 1:
            twin_result: list = []
            twin = threading.Thread(target=lambda out=twin_result, sent=fields: out.append(
                browser.request("POST", form_path, sent)))
            twin.start()
            answers = [browser.request("POST", form_path, fields)]
            twin.join()
            answers += twin_result
        else:
            answers = [browser.request("POST", form_path, fields)]
        post_ms = (time.monotonic() - posted_at) * 1000
        statuses = [status for status, _l, _b in answers]
        if any(status == 303 and location.endswith(receipt_path) for status, location, _b in answers):
            status, _location, html = browser.request("GET", receipt_path)
            shown = RECEIPT_SHOWN.search(html or "") if status == 200 else None
            if shown:
                grievance.receipt = shown.group(1)
                if timings is not None:
                    timings.append(((time.monotonic() - began) * 1000, post_ms))
                return
            if status == 200:
                grievance.already_shown += 1  # shown to nobody: the kill cut the answer; POST again
            time.sleep(rng.uniform(0.05, 0.25))
            continue
        if 403 in statuses and refreshed < 3:
            # The CSRF check refused it: read the form again for a CSRF token, keeping the one-time token.
            refreshed += 1
            grievance.csrf = ""
            continue
        refused = [(status, body) for status, _l, body in answers if status is not None and 400 <= status < 500]
        if refused:
            errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', refused[0][1], re.S)
            grievance.rejected = f"HTTP {refused[0][0]}: {' '.join(errors)[:300]}"
            return
        time.sleep(rng.uniform(0.05, 0.25))  # server down or 5xx: back off, then the same token again


class GrievanceClient(threading.Thread):
    def __init__(self, queue: list[GrievanceSubmission], queue_lock: threading.Lock, port: int, slug: str, tally: Tally,
                 deadline: float, seed: int, timings: list | None = None):
        super().__init__(daemon=True)
        self.queue, self.queue_lock, self.port, self.slug = queue, queue_lock, port, slug
        self.tally, self.deadline, self.rng, self.timings = tally, deadline, random.Random(seed), timings

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            with self.queue_lock:
                if not self.queue:
                    return
                grievance = self.queue.pop()
            grievance.browser = Browser(self.port, self.tally)
            send_grievance(grievance, grievance.browser, self.slug, self.deadline, self.rng, self.timings)
            if grievance.acknowledged:
                with self.tally.lock:
                    self.tally.acknowledged += 1


def grievance_texts(run_id: str, count: int, rng: random.Random) -> list[str]:
    scripts = ["My account was locked after the face check failed",
               "Bloquearon mi cuenta después de que la verificación facial fallara",
               "Mon compte a été suspendu sans explication pendant la grève",
               "Akaunti yangu ilifungwa baada ya uthibitisho wa uso kushindwa",
               "تم إغلاق حسابي بعد فشل التحقق من الوجه"]
    return [f"{rng.choice(scripts)} (submission {i} of run {run_id})." for i in range(count)]


def crash_run_grievances(arguments) -> dict:
    rng = random.Random(arguments.seed)
    scratch = Scratch(arguments.database, arguments.server_url, arguments.keep)
    server = Server(scratch, free_port(), arguments.workers)
    began = time.monotonic()
    try:
        scratch.run("manage.py", "migrate", "--noinput", "-v0")
        setup = json.loads(scratch.run(str(SELF), "_prepare_grievances").splitlines()[-1])
        slug = setup["slug"]
        run_id = uuid.uuid4().hex[:8]
        texts = grievance_texts(run_id, arguments.submissions, rng)
        grievances = [GrievanceSubmission(index=i, key=f"crash-{run_id}-{i:05d}", text=texts[i],
                                twin_first_attempt=rng.random() < arguments.twins)
                      for i in range(arguments.submissions)]
        queue = list(reversed(grievances))
        total = len(grievances)
        kill_points = sorted(rng.sample(range(total // 10, total * 9 // 10), arguments.kills))
        probe = (f"/g/{slug}/follow-up/", {})
        boot = [server.start(*probe)]
        tally = Tally()
        deadline = time.monotonic() + arguments.time_limit
        burst_began = time.monotonic()
        queue_lock = threading.Lock()
        clients = [GrievanceClient(queue, queue_lock, server.port, slug, tally, deadline,
                                   arguments.seed * 1000 + n) for n in range(arguments.clients)]
        for client in clients:
            client.start()
        kills = []
        for point in kill_points:
            while tally.acknowledged < point and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.15))  # anywhere in a flow: GET, POST, the commit, the receipt page
            at = tally.acknowledged
            server.kill()
            kills.append(at)
            time.sleep(rng.uniform(0.2, 1.0))
            boot.append(server.start(*probe))
        for client in clients:
            client.join(max(0.0, deadline - time.monotonic()) + 65)
        burst_seconds = time.monotonic() - burst_began
        server.stop()
        acknowledged = [{"key": g.key, "token": g.token, "text": g.text, "receipt": g.receipt}
                        for g in grievances if g.acknowledged]
        listing = scratch.folder / "acknowledged.json"
        listing.write_text(json.dumps(acknowledged))
        read = json.loads(scratch.run(str(SELF), "_read_back_grievances", slug, str(listing)).splitlines()[-1])
        integrity_errors = server.log_lines("IntegrityError")
        tracebacks = server.log_lines("Traceback")
    finally:
        server.stop()
        scratch.remove()
    results = read["results"]
    lost = [r["key"] for r in results if r["rows"] == 0 or not r["text_kept"]]
    wrong_receipt = [r["key"] for r in results if r["rows"] and not r["receipt_opens_it"]]
    duplicated = [r["key"] for r in results if r["rows"] > 1]
    posts = tally.responses.get("POST 303", 0)
    return {
        "target": "grievances", "database": arguments.database, "submissions": len(grievances),
        "kills": len(kills), "kill_points": kills, "clients": arguments.clients, "workers": arguments.workers,
        "seed": arguments.seed, "argon2": setup["argon2"],
        "twin_first_attempts": sum(g.twin_first_attempt for g in grievances),
        "acknowledged": len(acknowledged), "rows": read["rows"], "lost": len(lost),
        "duplicated": len(duplicated), "receipt_fails": len(wrong_receipt), "unexpected_rows": read["strangers"],
        "rejected": sum(bool(g.rejected) for g in grievances),
        "never_acknowledged": sum(not g.acknowledged and not g.rejected for g in grievances),
        "attempts": sum(g.attempts for g in grievances), "posts": sum(g.posts for g in grievances),
        "receipt_already_shown": sum(g.already_shown for g in grievances),
        "responses": dict(sorted(tally.responses.items())),
        # Cases whose receipt page never reached the client the first time: committed, then the kill cut the
        # answer (or the receipt page); a retry with the same token got the same case back.
        "answers_cut": sum(g.posts > 1 + g.twin_first_attempt for g in grievances if g.acknowledged),
        "posts_303": posts,
        "server_5xx": sum(n for status, n in tally.responses.items() if status.split()[-1].startswith("5")),
        "integrity_errors_logged": len(integrity_errors), "integrity_error_sample": integrity_errors[:2],
        "tracebacks_logged": len(tracebacks),
        "boot_seconds_max": round(max(boot), 2), "burst_seconds": round(burst_seconds, 1),
        "seconds": round(time.monotonic() - began, 1),
        "examples": {"lost": lost[:5], "duplicated": duplicated[:5], "wrong_receipt": wrong_receipt[:5],
                     "rejected": [g.rejected for g in grievances if g.rejected][:3]},
    }


# One run -------------------------------------------------------------------

def crash_run(arguments) -> dict:
    rng = random.Random(arguments.seed)
    scratch = Scratch(arguments.database, arguments.server_url, arguments.keep)
    server = Server(scratch, free_port(), arguments.workers)
    began = time.monotonic()
    try:
        scratch.run("manage.py", "migrate", "--noinput", "-v0")
        setup = json.loads(scratch.run(str(SELF), "_prepare").splitlines()[-1])
        token, engagement_id = setup["token"], setup["engagement_id"]
        run_id = uuid.uuid4().hex[:8]
        submissions = [
            Submission(index=i, key=f"crash-{run_id}-{i:05d}", text=f"Crash test submission {i} of run {run_id}.",
                       twin_first_attempt=rng.random() < arguments.twins)
            for i in range(arguments.submissions)
        ]
        queue = list(reversed(submissions))
        total = len(submissions)
        kill_points = sorted(rng.sample(range(total // 10, total * 9 // 10), arguments.kills))
        probe = (f"/api/v1/engagements/{engagement_id}", {"Authorization": f"Bearer {token}"})
        boot = [server.start(*probe)]
        tally = Tally()
        deadline = time.monotonic() + arguments.time_limit
        burst_began = time.monotonic()
        queue_lock = threading.Lock()
        clients = [Client(queue, queue_lock, server.port, token, engagement_id, tally, deadline,
                          arguments.seed * 1000 + n) for n in range(arguments.clients)]
        for client in clients:
            client.start()
        kills = []
        for point in kill_points:
            while tally.acknowledged < point and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.05))
            at = tally.acknowledged
            server.kill()
            kills.append(at)
            time.sleep(rng.uniform(0.2, 1.0))
            boot.append(server.start(*probe))
        for client in clients:
            client.join(max(0.0, deadline - time.monotonic()) + 35)
        burst_seconds = time.monotonic() - burst_began
        server.stop()
        rows = json.loads(scratch.run(str(SELF), "_read_back", str(engagement_id)).splitlines()[-1])
        integrity_errors = server.log_lines("IntegrityError")
    finally:
        server.stop()
        scratch.remove()
    return check(arguments, submissions, rows, tally, kills, boot, burst_seconds, time.monotonic() - began,
                 integrity_errors)


def check(arguments, submissions, rows, tally, kills, boot, burst_seconds, seconds, integrity_errors) -> dict:
    by_key: dict[str, list] = {}
    for row_id, key, text in rows:
        by_key.setdefault(key, []).append((row_id, text))
    acknowledged = [s for s in submissions if s.acknowledged_id is not None]
    lost = [s.key for s in acknowledged
            if len(by_key.get(s.key, [])) == 0 or by_key[s.key][0][0] != s.acknowledged_id
            or by_key[s.key][0][1] != s.text]
    ours = {s.key for s in submissions}
    duplicated = sorted(k for k, found in by_key.items() if len(found) > 1)
    strangers = sorted(k for k in by_key if k not in ours)
    inconsistent = [s.key for s in acknowledged if len(s.acknowledged_ids) > 1]
    return {
        "database": arguments.database, "submissions": len(submissions), "kills": len(kills),
        "kill_points": kills, "clients": arguments.clients, "workers": arguments.workers, "seed": arguments.seed,
        "twin_first_attempts": sum(s.twin_first_attempt for s in submissions),
        "acknowledged": len(acknowledged), "rows": len(rows), "lost": len(lost), "duplicated": len(duplicated),
        "unexpected_rows": len(strangers), "two_ids_for_one_key": len(inconsistent),
        "rejected": sum(bool(s.rejected) for s in submissions),
        "never_acknowledged": sum(s.acknowledged_id is None and not s.rejected for s in submissions),
        "attempts": sum(s.attempts for s in submissions), "responses": dict(sorted(tally.responses.items())),
        # Rows whose 201 never reached the client: committed, then the kill cut the answer; a retry got 200.
        "answers_cut": len(rows) - tally.responses.get("201", 0),
        "server_5xx": sum(n for status, n in tally.responses.items() if status.startswith("5")),
        "integrity_errors_logged": len(integrity_errors), "integrity_error_sample": integrity_errors[:2],
        "boot_seconds_max": round(max(boot), 2), "burst_seconds": round(burst_seconds, 1),
        "seconds": round(seconds, 1), "examples": {"lost": lost[:5], "duplicated": duplicated[:5],
                                                   "rejected": [s.rejected for s in submissions if s.rejected][:3]},
    }


def table(results: list[dict]) -> str:
    columns = [("database", "database"), ("submissions", "submissions"), ("kills", "SIGKILLs"),
               ("acknowledged", "2xx"), ("lost", "lost"), ("duplicated", "duplicated"), ("rejected", "rejected"),
               ("never_acknowledged", "never 2xx"), ("attempts", "attempts"), ("answers_cut", "201 cut by kill"),
               ("server_5xx", "5xx"),
               ("integrity_errors_logged", "IntegrityError logged"), ("seconds", "seconds")]
    widths = [max(len(title), *(len(str(r[key])) for r in results)) for key, title in columns]
    lines = [" | ".join(title.ljust(width) for (_key, title), width in zip(columns, widths, strict=True))]
    lines.append(" | ".join("-" * width for width in widths))
    for result in results:
        lines.append(" | ".join(str(result[key]).rjust(width)
                                for (key, _title), width in zip(columns, widths, strict=True)))
    return "\n".join(lines)


def grievance_table(results: list[dict]) -> str:
    columns = [("database", "database"), ("submissions", "submissions"), ("kills", "SIGKILLs"),
               ("acknowledged", "receipt shown"), ("lost", "lost"), ("duplicated", "duplicated"),
               ("receipt_fails", "receipt fails"), ("unexpected_rows", "unknown cases"), ("rejected", "rejected"),
               ("never_acknowledged", "never shown"), ("posts", "POSTs"), ("answers_cut", "answer cut by kill"),
               ("receipt_already_shown", "receipt page lost"), ("server_5xx", "5xx"),
               ("integrity_errors_logged", "IntegrityError logged"), ("seconds", "seconds")]
    widths = [max(len(title), *(len(str(r[key])) for r in results)) for key, title in columns]
    lines = [" | ".join(title.ljust(width) for (_key, title), width in zip(columns, widths, strict=True))]
    lines.append(" | ".join("-" * width for width in widths))
    for result in results:
        lines.append(" | ".join(str(result[key]).rjust(width)
                                for (key, _title), width in zip(columns, widths, strict=True)))
    return "\n".join(lines)


def failed(result: dict) -> bool:
    return any(result.get(k) for k in ("lost", "duplicated", "rejected", "never_acknowledged", "unexpected_rows",
                                       "two_ids_for_one_key", "receipt_fails")) or (
        result["acknowledged"] != result["submissions"])


def main() -> int:
    if sys.argv[1:2] == ["_prepare"]:
        prepare()
        return 0
    if sys.argv[1:2] == ["_read_back"]:
        read_back(sys.argv[2])
        return 0
    if sys.argv[1:2] == ["_prepare_grievances"]:
        prepare_grievances()
        return 0
    if sys.argv[1:2] == ["_read_back_grievances"]:
        read_back_grievances(sys.argv[2], sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=["inputs", "grievances"], default="inputs",
                        help="inputs: the engagement inputs API (default); grievances: the public grievance page")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--server-url", default=os.environ.get("CRASH_TEST_POSTGRES_URL",
                                                                "postgres://postgres@127.0.0.1:5432/postgres"),
                        help="PostgreSQL server to create the scratch database on (local only).")
    parser.add_argument("--submissions", type=int, default=None, help="2000 inputs, or 1000 grievances")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--twins", type=float, default=0.05,
                        help="share of submissions whose first attempt is sent twice at once")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--time-limit", type=float, default=None,
                        help="seconds for the burst, kills included (240 for inputs, 600 for grievances)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and database")
    parser.add_argument("--json", type=Path, help="also write the result here")
    arguments = parser.parse_args()
    if arguments.submissions is None:
        arguments.submissions = 1000 if arguments.target == "grievances" else 2000
    if arguments.time_limit is None:
        arguments.time_limit = 600 if arguments.target == "grievances" else 240
    if arguments.target == "grievances":
        result = crash_run_grievances(arguments)
        print(grievance_table([result]))
    else:
        result = crash_run(arguments)
        print(table([result]))
    print(json.dumps({k: v for k, v in result.items() if k not in ("responses",)}, default=str))
    print("responses:", json.dumps(result["responses"]))
    if arguments.json:
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        arguments.json.write_text(json.dumps(result, indent=2))
    return 1 if failed(result) else 0


if __name__ == "__main__":
    sys.exit(main())
