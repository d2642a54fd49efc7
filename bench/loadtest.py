"""`make loadtest`: the production server under a sales team's load, on this machine only.

Starts gunicorn with gunicorn.conf.py and the background worker (`manage.py worker`) on
127.0.0.1 against LOADTEST database, waits for /healthz, then runs each step (10, then 50
concurrent clients by default) for a bounded time: every client is a signed-in salesperson
(not a superuser) cycling through a list view, a quick find, a record page and an edit
(the form, then a save with the version it was given). It prints requests per second, the
median, p95 and p99 of each page, the errors, and the memory of the web and background
worker processes before and after, and writes them to var/bench/loadtest.json.

Every request goes to 127.0.0.1; each step stops at its deadline or after MAX_REQUESTS_PER_STEP
requests, and the servers it started are stopped at the end, whatever happened.

    python -m bench.loadtest --database-url postgres://... --scale 5000 --duration 10 --clients 10,50
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # never anything else: the load stays on this machine
MAX_REQUESTS_PER_STEP = 200_000
REQUEST_TIMEOUT_SECONDS = 60
START_TIMEOUT_SECONDS = 90
# Terms quick find gets from a team: a common one, a rarer one, a city, a person's name.
SEARCH_TERMS = ["contoso", "zaragoza bank", "seattle", "smith", "fabrikam"]
PAGES = ("list", "quick find", "record", "edit form", "save")


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest sample at or above `share` of them."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


# --- Preparing the database and the servers ------------------------------------------------


@dataclass(frozen=True)
class Salesperson:
    session: str
    accounts: list[int]
    contacts: list[int]


def prepare(database_url: str, scale: int) -> tuple[list[Salesperson], str]:
    """Migrate, make sure the data is there, and sign in the salespeople, each with ids of
    records they own to open and edit; also an administrator, for the whole-view export."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connections

    from accounts.models import Account
    from bench.data import bench_users, ensure_bench_data
    from contacts.models import Contact

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    ensure_bench_data(scale)

    def session_of(user) -> str:
        # A session made directly, as signing in makes it: fifty sign-ins would spend the
        # run's first seconds hashing passwords instead of serving pages.
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        # The backend that checks passwords, as django.contrib.auth.login records it.
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    people = []
    users = bench_users()
    # The teammates own the records evenly and are not superusers: what a salesperson sees.
    for user in (user for user in users if not user.is_superuser):
        accounts = Account.objects.active().owned_by(user).values_list("pk", flat=True)[:500]
        contacts = Contact.objects.active().owned_by(user).values_list("pk", flat=True)[:500]
        people.append(Salesperson(session_of(user), list(accounts), list(contacts)))
    administrator = session_of(next(user for user in users if user.is_superuser))
    connections.close_all()
    return people, administrator


def server_env(database_url: str, port: int) -> dict[str, str]:
    secret = (ROOT / "var" / "secret_key").read_text().strip() if (ROOT / "var" / "secret_key").exists() else ""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secret or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "GUNICORN_BIND": f"{HOST}:{port}",
        "LOG_LEVEL": "WARNING",
    }


def start_servers(database_url: str, port: int, log_folder: Path) -> list[subprocess.Popen]:
    env = server_env(database_url, port)
    log_folder.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    commands = {
        "gunicorn": [python, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "crm.wsgi"],
        "worker": [python, str(ROOT / "manage.py"), "worker", "--no-reload", "--verbosity", "0"],
    }
    processes = []
    for name, command in commands.items():
        log = (log_folder / f"loadtest-{name}.log").open("w")
        processes.append(
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        )
    return processes


def stop_servers(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_until_healthy(port: int, processes: list[subprocess.Popen]) -> None:
    """/healthz answers 200 once gunicorn serves and the worker's heartbeat is written."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            raise SystemExit("A server stopped while starting: see var/bench/loadtest-*.log")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/healthz", headers={"Host": HOST})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"/healthz did not answer 200 within {START_TIMEOUT_SECONDS} s")


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def memory(processes: list[subprocess.Popen]) -> dict[str, float]:
    gunicorn, worker = processes
    web = [rss_mb(pid) for pid in children(gunicorn.pid)]
    return {
        "web workers": round(sum(web), 1),
        "largest web worker": round(max(web, default=0.0), 1),
        "background worker": round(rss_mb(worker.pid), 1),
    }


# --- Clients --------------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields of the page's POST form that carries a loaded_version, as a browser sends them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, str]] = []
        self.current: dict[str, str] | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self.current = {}
            self.forms.append(self.current)
        if self.current is None:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.current[name] = attributes.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "select" and name:
            self.select = name
            self.current.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in attributes:
            self.current[self.select] = attributes.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.current[name] = ""

    def handle_data(self, data):
        if self.current is not None and self.textarea:
            self.current[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.current = None

    def record_form(self) -> dict[str, str] | None:
        return next((form for form in self.forms if "loaded_version" in form), None)


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    conflicts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, seconds: float) -> None:
        with self.lock:
            self.latencies[page].append(seconds)

    def error(self, text: str) -> None:
        with self.lock:
            if len(self.errors) < 1000:
                self.errors.append(text)

    @property
    def requests(self) -> int:
        return sum(len(samples) for samples in self.latencies.values())


class Client:
    """One salesperson's browser: a keep-alive connection, its cookies, a round of pages."""

    def __init__(self, port: int, person: Salesperson, seed: int):
        self.port = port
        self.cookies = SimpleCookie()
        self.cookies["sessionid"] = person.session
        self.accounts, self.contacts = person.accounts, person.contacts
        self.random = random.Random(seed)
        self.connection: http.client.HTTPConnection | None = None
        self.last_location: str | None = None

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        status, content = self.request_bytes(method, path, body)
        return status, content.decode("utf-8", "replace")

    def request_bytes(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        headers = {"Host": HOST, "Cookie": "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_SECONDS)
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn closed the kept-alive connection (a worker restarted after max-requests).
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
                continue
            for header in response.headers.get_all("Set-Cookie") or []:
                self.cookies.load(header)
            self.last_location = response.headers.get("Location")
            return response.status, content
        raise AssertionError("unreachable")

    def timed(self, tally: Tally, page: str, method: str, path: str, body=None, expect=(200,)) -> str | None:
        started = time.perf_counter()
        try:
            status, text = self.request(method, path, body)
        except (OSError, http.client.HTTPException) as problem:
            tally.error(f"{page} {path}: {type(problem).__name__}: {problem}")
            return None
        tally.add(page, time.perf_counter() - started)
        if status not in expect:
            tally.error(f"{page} {method} {path}: HTTP {status}")
            return None
        return text

    def one_round(self, tally: Tally) -> None:
        namespace, ids = self.random.choice((("accounts", self.accounts), ("contacts", self.contacts)))
        view = self.random.choice(("my_active", "my_active", "active"))
        sort = self.random.choice(("", "", "-name" if namespace == "accounts" else "-full_name", "address1_city"))
        self.timed(tally, "list", "GET", f"/{namespace}/?" + urlencode({"view": view, "sort": sort}))
        term = self.random.choice(SEARCH_TERMS)
        self.timed(tally, "quick find", "GET", f"/{namespace}/?" + urlencode({"view": view, "q": term}))
        pk = self.random.choice(ids)
        self.timed(tally, "record", "GET", f"/{namespace}/{pk}/")
        form_page = self.timed(tally, "edit form", "GET", f"/{namespace}/{pk}/edit/")
        if form_page is None:
            return
        parser = FormFields()
        parser.feed(form_page)
        fields = parser.record_form()
        if fields is None:
            tally.error(f"edit form /{namespace}/{pk}/edit/: no form with a version")
            return
        fields["description"] = f"Load test note {self.random.randrange(10**6)}"
        fields["command"] = "save"
        # 302: saved; 200: someone saved first and the conflict page shows both (not an error).
        text = self.timed(tally, "save", "POST", f"/{namespace}/{pk}/edit/", fields, expect=(200, 302))
        if text and "after you opened it" in text:
            with tally.lock:
                tally.conflicts += 1


def run_step(*, port: int, clients: int, seconds: float, people: list[Salesperson]) -> tuple[Tally, float]:
    tally = Tally()
    deadline = time.monotonic() + seconds
    budget = threading.Semaphore(MAX_REQUESTS_PER_STEP // 5)  # a round is 5 requests

    def work(number: int) -> None:
        client = Client(port, people[number % len(people)], seed=number)
        while time.monotonic() < deadline and budget.acquire(blocking=False):
            client.one_round(tally)
        if client.connection is not None:
            client.connection.close()

    threads = [threading.Thread(target=work, args=(number,), daemon=True) for number in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + REQUEST_TIMEOUT_SECONDS * 2)
    return tally, time.monotonic() - started


# --- The whole Active Accounts view to Excel, through the background worker -----------------

EXPORT_PATH = "/imports/export/account/{format}/?view=active"
EXPORT_TIMEOUT_SECONDS = 20 * 60


def run_export(*, port: int, session: str, file_format: str, processes: list[subprocess.Popen]) -> dict:
    """What an administrator does for a view too large to stream: the offer page, "Prepare the
    file" (a POST with its CSRF token), the progress page's polling, then the download. The web
    requests must stay short (the worker does the work); the worker's memory must stay flat."""
    client = Client(port, Salesperson(session, [], []), seed=0)
    path = EXPORT_PATH.format(format=file_format)
    before = memory(processes)
    started = time.monotonic()
    status, page = client.request("GET", path)
    parser = FormFields()
    parser.feed(page)
    form = next((form for form in parser.forms if "csrfmiddlewaretoken" in form), None)
    if status != 200 or form is None:
        return {"error": f"offer page: HTTP {status}, form found: {form is not None}"}
    headers_status, _text = client.request("POST", path, form)
    location = client.last_location
    if headers_status != 302 or not location:
        return {"error": f"prepare: HTTP {headers_status}"}
    job_path = location.split(f":{port}", 1)[-1]
    request_seconds = time.monotonic() - started
    progress, peak_worker = {}, 0.0
    while time.monotonic() - started < EXPORT_TIMEOUT_SECONDS:
        status, text = client.request("GET", job_path.rstrip("/") + "/status/")
        progress = json.loads(text) if status == 200 else {"status": f"HTTP {status}", "finished": True}
        peak_worker = max(peak_worker, memory(processes)["background worker"])
        if progress.get("finished"):
            break
        time.sleep(1)
    prepared_seconds = time.monotonic() - started
    size, download_status = 0, None
    if progress.get("status") == "completed":
        download_status, body = client.request_bytes("GET", job_path.rstrip("/") + "/download/")
        size = len(body)
    return {
        "format": file_format,
        "status": progress.get("status"),
        "rows": progress.get("total"),
        "request_seconds_to_start": round(request_seconds, 2),
        "seconds_to_ready": round(prepared_seconds, 1),
        "rows_per_second": round((progress.get("total") or 0) / prepared_seconds) if prepared_seconds else 0,
        "download_status": download_status,
        "file_mb": round(size / 1e6, 1),
        "worker_mb_before": before["background worker"],
        "worker_mb_peak": round(peak_worker, 1),
    }


def print_export(report: dict) -> None:
    if "error" in report:
        print(f"\nExport: failed: {report['error']}")
        return
    print(
        f"\nExport of the Active Accounts view to {report['format']}: {report['status']}, {report['rows']:,} rows "
        f"ready in {report['seconds_to_ready']} s ({report['rows_per_second']:,} rows/s), the request that "
        f"started it took {report['request_seconds_to_start']} s; download HTTP {report['download_status']}, "
        f"{report['file_mb']} MB; worker memory {report['worker_mb_before']} -> peak {report['worker_mb_peak']} MB"
    )


# --- Report ---------------------------------------------------------------------------------


def step_report(clients: int, tally: Tally, elapsed: float, before: dict, after: dict) -> dict:
    pages = {}
    for page in PAGES:
        samples = tally.latencies.get(page, [])
        if samples:
            pages[page] = {
                "requests": len(samples),
                "median_ms": round(statistics.median(samples) * 1000, 1),
                "p95_ms": round(percentile(samples, 0.95) * 1000, 1),
                "p99_ms": round(percentile(samples, 0.99) * 1000, 1),
            }
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": tally.requests,
        "requests_per_second": round(tally.requests / elapsed, 1) if elapsed else 0.0,
        "errors": len(tally.errors),
        "error_samples": tally.errors[:10],
        "edit_conflicts": tally.conflicts,
        "pages": pages,
        "memory_mb_before": before,
        "memory_mb_after": after,
    }


def print_step(report: dict) -> None:
    print(
        f"\n{report['clients']} clients, {report['seconds']} s: {report['requests']} requests, "
        f"{report['requests_per_second']} requests/s, {report['errors']} errors, "
        f"{report['edit_conflicts']} edit conflicts shown"
    )
    print(f"  {'page':<12}{'requests':>10}{'median ms':>12}{'p95 ms':>10}{'p99 ms':>10}")
    for page, figures in report["pages"].items():
        median, p95, p99 = figures["median_ms"], figures["p95_ms"], figures["p99_ms"]
        print(f"  {page:<12}{figures['requests']:>10}{median:>12}{p95:>10}{p99:>10}")
    print(
        "  memory (MB) before -> after: "
        + ", ".join(
            f"{name} {report['memory_mb_before'][name]} -> {report['memory_mb_after'][name]}"
            for name in report["memory_mb_before"]
        )
    )
    for sample in report["error_samples"]:
        print(f"  error: {sample}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--scale", type=int, default=1_000_000, help="Accounts and contacts each (default 1M).")
    parser.add_argument("--duration", type=float, default=60, help="Seconds per step (default 60).")
    parser.add_argument("--clients", default="10,50", help="Concurrent clients per step (default 10,50).")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--json", default=str(ROOT / "var" / "bench" / "loadtest.json"))
    parser.add_argument(
        "--export",
        default="xlsx",
        choices=("xlsx", "csv", "none"),
        help="After the load: export the whole Active Accounts view in this format (default xlsx).",
    )
    options = parser.parse_args(argv)
    steps = [int(number) for number in options.clients.split(",") if number.strip()]
    if options.duration <= 0 or options.duration > 600 or not steps or min(steps) < 1 or max(steps) > 200:
        parser.error("--duration must be in (0, 600] s and --clients between 1 and 200")

    print(f"Preparing {options.scale:,} accounts + {options.scale:,} contacts...")
    people, administrator = prepare(options.database_url, options.scale)
    log_folder = Path(options.json).parent
    processes = start_servers(options.database_url, options.port, log_folder)
    reports = []
    try:
        wait_until_healthy(options.port, processes)
        print(f"gunicorn ({ROOT / 'gunicorn.conf.py'}) and the worker answer on http://{HOST}:{options.port}/")
        for clients in steps:
            before = memory(processes)
            tally, elapsed = run_step(
                port=options.port,
                clients=clients,
                seconds=options.duration,
                people=people,
            )
            reports.append(step_report(clients, tally, elapsed, before, memory(processes)))
            print_step(reports[-1])
        export = None
        if options.export != "none":
            export = run_export(
                port=options.port, session=administrator, file_format=options.export, processes=processes
            )
            print_export(export)
    finally:
        stop_servers(processes)
    path = Path(options.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"scale": options.scale, "duration": options.duration, "steps": reports, "export": export}, indent=2)
    )
    print(f"\nJSON: {path}")
    export_failed = export is not None and export.get("status") != "completed"
    return 1 if any(report["errors"] for report in reports) or export_failed else 0


if __name__ == "__main__":
    sys.exit(main())
