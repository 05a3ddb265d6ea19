#!/usr/bin/env python
"""`make bench`: measure Groundswell against the machine's own ceilings, in one run.

1. Create or reuse a data set keyed by database, scale, seed and schema version
   (`groundswell seed --scale S --seed N` into its own DATA_DIR or PostgreSQL database).
2. Start the production server exactly as `make run` does (`groundswell serve`: granian, the
   same workers, DEBUG off), with the bench settings (production + a hello-world URL).
3. Measure the ceilings: the hello-world view under the same server, and the database's
   single-row commit rate (pgbench on PostgreSQL, a WAL commit loop on SQLite).
4. Drive each scenario with wrk (a separate process, Lua scripts) and time server-side
   queries in-process (micro-benchmarks).
5. Print the results and append them to docs/benchmarks.md with the machine, the commit and
   the exact command.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
GROUNDSWELL = [sys.executable, "-m", "groundswell"]
BENCH_SETTINGS = "groundswell.ops.bench.settings"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
BENCH_EMAIL = "bench-hq@bench.groundswell.test"
WARMUP_SECONDS = int(os.environ.get("WARMUP", "5"))
# Scenarios that write: no warm-up (it would only add rows).
WRITE_SCENARIOS = {"signup", "rsvp"}

LUA_REPORT = r"""
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "errors": %d, "status_errors": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass
class Result:
    name: str
    path: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    requests: int = 0
    extra: dict = field(default_factory=dict)


def run(cmd: list[str], env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, check=True, text=True, **kwargs)


def schema_version() -> str:
    """Changes whenever a migration is added or edited, so a stale data set is rebuilt."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("groundswell/*/migrations/0*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        memory = "unknown memory"
    return f"{os.cpu_count()} cores ({cpu}), {memory}, {platform.system()} {platform.release()}"


def commit() -> str:
    try:
        sha = run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, cwd=ROOT).stdout
        dirty = run(["git", "status", "--porcelain"], capture_output=True, cwd=ROOT).stdout
        return sha.strip() + ("+dirty" if dirty.strip() else "")
    except (subprocess.CalledProcessError, FileNotFoundError):
        return "unknown"


class DataSet:
    def __init__(self, *, db: str, scale: float, seed: int) -> None:
        self.db, self.scale, self.seed = db, scale, seed
        self.key = f"{db}-scale{scale:g}-seed{seed}-{schema_version()}"
        self.data_dir = ROOT / "var" / "bench" / self.key
        self.database_url = (
            f"{PG_SERVER}/gs_bench_{re.sub(r'[^a-z0-9]', '_', self.key.lower())}"
            if db == "postgres"
            else ""
        )

    def env(self, settings: str = "groundswell.settings") -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(DATA_DIR=str(self.data_dir), DJANGO_SETTINGS_MODULE=settings)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    @property
    def ready_file(self) -> Path:
        return self.data_dir / "READY.json"

    def ensure(self) -> dict:
        if self.ready_file.exists():
            info = json.loads(self.ready_file.read_text())
            print(f"Reusing data set {self.key} (built in {info['seconds']:.0f} s)")
            return info
        print(f"Building data set {self.key} ...")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.database_url:
            name = self.database_url.rsplit("/", 1)[1]
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True
            )
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        else:
            for leftover in self.data_dir.glob("groundswell.sqlite3*"):
                leftover.unlink()
        started = time.monotonic()
        env = self.env()
        run([*GROUNDSWELL, "migrate", "--verbosity", "0"], env=env)
        run([*GROUNDSWELL, "seed", "--scale", f"{self.scale:g}", "--seed", str(self.seed)], env=env)
        seconds = time.monotonic() - started
        run(
            [*GROUNDSWELL, "create_member", "--email", BENCH_EMAIL, "--password", "-", "--hq"],
            env=env,
            input=secrets_password() + "\n",
            capture_output=True,
        )
        token = (
            run(
                [*GROUNDSWELL, "create_api_token", "--email", BENCH_EMAIL, "--scope", "read"],
                env=env,
                capture_output=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        info = {"seconds": seconds, "token": token, "built_at": datetime.now(UTC).isoformat()}
        self.ready_file.write_text(json.dumps(info))
        return info


def secrets_password() -> str:
    import secrets

    return "bench-" + secrets.token_urlsafe(16)


class Server:
    def __init__(self, dataset: DataSet, port: int) -> None:
        self.dataset, self.port = dataset, port
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile("w+", prefix="bench-server-", suffix=".log")  # noqa: SIM115 (lives as long as the server)

    def __enter__(self) -> Server:
        env = self.dataset.env(BENCH_SETTINGS)
        env["PORT"] = str(self.port)
        self.process = subprocess.Popen(
            [*GROUNDSWELL, "serve", "--no-seed"], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise SystemExit("server exited:\n" + self.log.read()[-3000:])
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        raise SystemExit("server did not become healthy in 120 s")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def wrk(
    server: Server,
    name: str,
    path: str,
    *,
    duration: int,
    connections: int,
    lua_body: str = "",
) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA_REPORT + lua_body)
    cmd = [
        "wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "5s",
        "-s", script.name, server.url + path,
    ]  # fmt: skip
    output = run(cmd, capture_output=True).stdout
    os.unlink(script.name)
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    accepted = [
        int(line.split()[1]) for line in output.splitlines() if line.startswith("BENCH_ACCEPTED ")
    ]
    seconds = data["duration_us"] / 1e6
    return Result(
        name=name,
        path=path,
        rps=data["requests"] / seconds if seconds else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=data["errors"],
        requests=data["requests"],
        extra={"accepted": accepted[0]} if accepted else {},
    )


def lua_paths(paths: list[str], headers: dict[str, str] | None = None) -> str:
    """Cycle through many paths (e.g. different members' profiles)."""
    quoted = ",".join(json.dumps(p) for p in paths)
    header_lines = "".join(
        f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n" for k, v in (headers or {}).items()
    )
    return (
        header_lines
        + f"local paths = {{{quoted}}}\nlocal i = 0\n"
        + "request = function()\n  i = i + 1\n"
        + "  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n"
    )


def lua_signup(run_id: str) -> str:
    """Each request signs up a new email. CSRF: a fixed cookie secret and the same form token."""
    token = "B" * 32
    return f"""
local counter = 0
local thread_id = 0
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
init = function(args)
  thread_id = tid
end
request = function()
  counter = counter + 1
  local email = string.format("bench-{run_id}-%d-%d@bench.groundswell.test", thread_id, counter)
  local body = "csrfmiddlewaretoken={token}&email=" .. email
             .. "&password1=a%20sturdy%20bench%20passphrase&password2=a%20sturdy%20bench%20passphrase"
  local headers = {{}}
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Cookie"] = "csrftoken={token}"
  return wrk.format("POST", "/accounts/signup/", headers, body)
end
response = function(status, headers, body)
  if status ~= 302 then
    io.write("unexpected status " .. status .. "\\n")
  end
end
"""


def lua_rsvp(run_id: str, event_ids: list[int]) -> str:
    """Guest RSVPs, each a new email, spread over upcoming events. Counts the answers so the
    runner can check afterwards that every accepted RSVP is exactly one attendance. Each
    carries its own idempotency key, as the page's form does (decision 0021)."""
    token = "B" * 32
    run_hex = int(run_id) % 2**31
    ids = ",".join(str(pk) for pk in event_ids)
    return f"""
local events = {{{ids}}}
local counter = 0
local thread_id = 0
local threads = {{}}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
init = function(args)
  thread_id = tid
  accepted = 0
end
request = function()
  counter = counter + 1
  local event = events[((counter * 7 + thread_id) % #events) + 1]
  local email = string.format("bench-rsvp-{run_id}-%d-%d@bench.groundswell.test", thread_id, counter)
  local key = string.format("%08x-0000-4000-8000-%04x%08x", {run_hex}, thread_id, counter)
  local body = "csrfmiddlewaretoken={token}&given_name=Bench&family_name=Guest&postal_code=10001"
             .. "&email=" .. email .. "&idempotency_key=" .. key
  local headers = {{}}
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Cookie"] = "csrftoken={token}"
  return wrk.format("POST", "/events/" .. event .. "/rsvp/", headers, body)
end
response = function(status, headers, body)
  if status == 302 then accepted = accepted + 1 end
end
"""


def lua_rsvp_accepted_total() -> str:
    return """
local done_report = done
done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("accepted") end
  io.write(string.format("BENCH_ACCEPTED %d\\n", total))
  done_report(summary, latency, requests)
end
"""


def rsvp_integrity(dataset: DataSet, run_id: str) -> dict:
    """After the RSVP run: attendances for this run's emails, duplicates, shifts over capacity."""
    code = f"""
import django, json
django.setup()
from django.db.models import Count, F, Q
from groundswell.events.models import Attendance, Shift
mine = Attendance.objects.filter(person__email__startswith="bench-rsvp-{run_id}-")
duplicates = mine.values("shift", "person").annotate(n=Count("id")).filter(n__gt=1).count()
over = Shift.objects.filter(capacity__isnull=False, confirmed_count__gt=F("capacity")).count()
shift_ids = set(mine.values_list("shift_id", flat=True))
shifts = Shift.objects.filter(pk__in=shift_ids).annotate(
    real=Count("attendances", filter=Q(attendances__status="confirmed")))
drift = sum(1 for shift in shifts if shift.real != shift.confirmed_count)
print("RSVP_JSON " + json.dumps({{"attendances": mine.count(), "duplicates": duplicates,
                                 "over_capacity": over, "count_drift": drift}}))
"""
    output = run([sys.executable, "-c", code], env=dataset.env(), capture_output=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("RSVP_JSON "))
    return json.loads(line.split(" ", 1)[1])


def mail_drain(
    dataset: DataSet, timeout: int = int(os.environ.get("MAIL_DRAIN_TIMEOUT", "600"))
) -> dict:
    """While the server still runs: how many RSVP mails were waiting when the load stopped,
    and how long the task worker took to send them all (it runs at a lower priority)."""
    code = f"""
import django, json, time
django.setup()
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
def waiting():
    return DBTaskResult.objects.ready().filter(
        task_path__endswith="attendance_email_send").count()
started = time.monotonic()
backlog = left = waiting()
while left and time.monotonic() - started < {timeout}:
    time.sleep(1)
    left = waiting()
print("DRAIN_JSON " + json.dumps({{"mail_backlog": backlog, "mail_left": left,
                                   "mail_drain_seconds": round(time.monotonic() - started)}}))
"""
    output = run([sys.executable, "-c", code], env=dataset.env(), capture_output=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("DRAIN_JSON "))
    return json.loads(line.split(" ", 1)[1])


def upcoming_event_ids(dataset: DataSet, limit: int = 500) -> tuple[list[int], str]:
    """Published upcoming events, and the ZIP code with the most of them nearby."""
    code = f"""
import django, json
django.setup()
from django.db.models import Count
from django.utils import timezone
from groundswell.events.models import Event
upcoming = Event.objects.filter(status="published", starts_at__gt=timezone.now(), is_virtual=False)
ids = list(upcoming.order_by("starts_at").values_list("id", flat=True)[:{limit}])
top = upcoming.values("postal_code").annotate(n=Count("id")).order_by("-n").first()
print("EVENTS_JSON " + json.dumps({{"ids": ids, "zip": top["postal_code"] if top else ""}}))
"""
    try:
        output = run([sys.executable, "-c", code], env=dataset.env(), capture_output=True).stdout
    except subprocess.CalledProcessError:
        return [], ""
    line = next(line for line in output.splitlines() if line.startswith("EVENTS_JSON "))
    data = json.loads(line.split(" ", 1)[1])
    return data["ids"], data["zip"]


def sqlite_commit_rate(seconds: float = 3.0) -> float:
    """Single-row commits per second in WAL mode, synchronous=NORMAL (the app's settings)."""
    with tempfile.TemporaryDirectory() as folder:
        db = sqlite3.connect(Path(folder) / "ceiling.sqlite3", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        count, deadline = 0, time.monotonic() + seconds
        started = time.monotonic()
        while time.monotonic() < deadline:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO t (v) VALUES ('x')")
            db.execute("COMMIT")
            count += 1
        rate = count / (time.monotonic() - started)
        db.close()
        return rate


# The tables the scenarios write (RSVPs, sign-ups, the mail queue), vacuumed before each run.
VACUUMED_TABLES = (
    "django_tasks_database_dbtaskresult", "events_attendance", "events_shift", "people_person",
    "core_auditentry", "accounts_user", "accounts_profile", "account_emailaddress",
)  # fmt: skip


def postgres_vacuum(dataset: DataSet) -> str:
    """VACUUM (ANALYZE) what earlier runs wrote, and say whether autovacuum is on.

    With autovacuum off (as on these machines), each run left its dead rows to the next: the
    mail queue's table reached 79,000 dead rows after six RSVP runs and RSVPs fell from 213
    to 178/s. Production runs autovacuum (docs/deploy.md); the benchmark starts clean."""
    name = dataset.database_url.rsplit("/", 1)[1]
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-At", name, "-c"]
    autovacuum = subprocess.run(
        [*psql, "SHOW autovacuum"], check=True, capture_output=True, text=True
    ).stdout.strip()
    subprocess.run(
        [*psql, f"VACUUM (ANALYZE) {', '.join(VACUUMED_TABLES)}"], check=True, capture_output=True
    )
    return autovacuum


def pgbench_tps(seconds: int = 10) -> float:
    name = "gs_bench_pgbench"
    base = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *base, "--if-exists", name], check=True)
    subprocess.run(["createdb", *base, name], check=True)
    try:
        run(["pgbench", *base, "-i", "-s", "10", "-q", name], capture_output=True)
        output = run(
            ["pgbench", *base, "-c", "8", "-j", "2", "-T", str(seconds), name], capture_output=True
        ).stdout
        match = re.search(r"tps = ([\d.]+)", output)
        return float(match.group(1)) if match else 0.0
    finally:
        subprocess.run(["dropdb", *base, "--if-exists", name], check=False)


def in_process_micro(dataset: DataSet, token: str, iterations: int) -> list[Result]:
    """Server time of the API list at page 1 and 1000, measured around Django's handler, and
    of the event search query the finder runs."""
    code = f"""
import json, statistics, time, django
django.setup()
from django.test import Client
client = Client(HTTP_OSDI_API_TOKEN={token!r}, HTTP_HOST="127.0.0.1")
out = {{}}
for name, path in [("api people page 1", "/api/v1/people?page=1"),
                   ("api people page 1000", "/api/v1/people?page=1000")]:
    client.get(path)
    samples = []
    for _ in range({iterations}):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    samples.sort()
    out[name] = {{"p50": samples[len(samples) // 2], "p95": samples[int(len(samples) * 0.95) - 1],
                  "path": path}}
# "Events near a ZIP within 25 miles in the next 30 days": what the finder asks the database
# (ZIP lookup, count, first page of 20 with its shifts) for the ZIPs of 50 upcoming events.
from datetime import timedelta
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from groundswell.events.models import Event
from groundswell.events.finding.selectors import events_search
from groundswell.geo.selectors import postal_code_cache_clear, postal_code_find
now = timezone.now()
zips = list(Event.objects.filter(status="published", starts_at__gt=now,
                                 starts_at__lt=now + timedelta(days=30))
            .exclude(postal_code="").order_by("pk").values_list("postal_code", flat=True)[:50])
samples = []
for round_ in range(max(1, {iterations} // max(1, len(zips)))):
    for code in zips:
        postal_code_cache_clear()
        started = time.perf_counter()
        origin = postal_code_find(country="US", code=code)
        found = events_search(viewer=AnonymousUser(), near=origin, radius_miles=25,
                              starts_before=now + timedelta(days=30))
        found.count()
        list(found[:20])
        samples.append((time.perf_counter() - started) * 1000)
if samples:
    samples.sort()
    out["event search (ZIP, 25 mi, next 30 days)"] = {{
        "p50": samples[len(samples) // 2], "p95": samples[int(len(samples) * 0.95) - 1],
        "path": f"selectors.events_search, {{len(zips)}} ZIPs"}}
print("MICRO_JSON " + json.dumps(out))
"""
    output = run(
        [sys.executable, "-c", code], env=dataset.env(BENCH_SETTINGS), capture_output=True
    ).stdout
    data = json.loads(
        next(line for line in output.splitlines() if line.startswith("MICRO_JSON ")).split(" ", 1)[
            1
        ]
    )
    return [
        Result(
            name=f"{name} (server time, in-process)",
            path=v["path"],
            p50_ms=v["p50"],
            p95_ms=v["p95"],
        )
        for name, v in data.items()
    ]


def public_profile_paths(dataset: DataSet, limit: int = 2000) -> list[str]:
    code = f"""
import django, json
django.setup()
from groundswell.accounts.models import Profile
ids = list(Profile.objects.filter(privacy="public").order_by("?").values_list("user_id", flat=True)[:{limit}])
print("IDS_JSON " + json.dumps(ids))
"""
    output = run([sys.executable, "-c", code], env=dataset.env(), capture_output=True).stdout
    ids = json.loads(
        next(line for line in output.splitlines() if line.startswith("IDS_JSON ")).split(" ", 1)[1]
    )
    return [f"/members/{pk}/" for pk in ids]


def report(
    results: list[Result], *, ceiling: Result, dataset: DataSet, db_ceiling: str, command: str
) -> str:
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {dataset.db}, scale {dataset.scale:g}, seed {dataset.seed}",
        "",
        f"- Command: `{command}` (each read scenario after a {WARMUP_SECONDS} s unrecorded warm-up)",
        f"- Commit: `{commit()}`; machine: {machine()}; web server: "
        f"{os.environ.get('WEB_SERVER', 'granian')} ({os.environ.get('WEB_WORKERS', 'default')} "
        f"workers, {os.environ.get('WEB_THREADS', 'default')} threads)",
        f"- Database ceiling: {db_ceiling}",
        f"- Hello-world ceiling (same server and settings): {ceiling.rps:,.0f} req/s, p99 {ceiling.p99_ms:.1f} ms",
        "",
        "| Scenario | Path | req/s | vs hello | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ratio = f"{r.rps / ceiling.rps:.0%}" if r.rps and ceiling.rps else "—"
        rps = f"{r.rps:,.0f}" if r.rps else "—"
        p99 = f"{r.p99_ms:.1f}" if r.p99_ms else "—"
        errors = str(r.errors) if r.requests else "—"
        lines.append(
            f"| {r.name} | `{r.path}` | {rps} | {ratio} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {p99} | {errors} |"
        )
    for r in results:
        if r.name == "guest RSVP (POST)" and r.extra:
            e = r.extra
            lines.append(
                f"\nRSVP integrity: {e.get('accepted_responses', 0):,} accepted responses, "
                f"{e.get('attendances', 0):,} attendances recorded, {e.get('duplicates', 0)} "
                f"duplicates, {e.get('over_capacity', 0)} shifts over capacity, "
                f"{e.get('count_drift', 0)} shifts whose count differs from their rows."
                + (
                    " (Recorded minus accepted = requests still in flight when wrk stopped, at"
                    " most one per connection: the server finished them, wrk no longer counted.)"
                    if e.get("attendances", 0) > e.get("accepted_responses", 0)
                    else ""
                )
            )
            if "mail_backlog" in e:
                lines.append(
                    f"Confirmation mails waiting when the load stopped: {e['mail_backlog']:,}; "
                    f"the task worker (nice {os.environ.get('WORKER_NICE', '10')}) sent them "
                    f"in {e['mail_drain_seconds']} s"
                    + (
                        f" ({e['mail_left']:,} still waiting at the limit)."
                        if e["mail_left"]
                        else "."
                    )
                )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE", "0.01")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SEED", "2008")))
    parser.add_argument(
        "--db", choices=["sqlite", "postgres"], default=os.environ.get("DB", "sqlite")
    )
    parser.add_argument("--duration", type=int, default=int(os.environ.get("DURATION", "15")))
    parser.add_argument("--connections", type=int, default=int(os.environ.get("CONNECTIONS", "32")))
    parser.add_argument(
        "--only", default=os.environ.get("ONLY", ""), help="comma-separated scenario names"
    )
    parser.add_argument(
        "--no-record", action="store_true", help="don't append to docs/benchmarks.md"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")

    command = (
        ("WEB_SERVER=gunicorn " if os.environ.get("WEB_SERVER") == "gunicorn" else "")
        + "make bench "
        + " ".join(
            f"{k}={shlex.quote(str(v))}"
            for k, v in (
                ("DB", args.db),
                ("SCALE", f"{args.scale:g}"),
                ("SEED", args.seed),
                ("DURATION", args.duration),
            )
        )
    )
    dataset = DataSet(db=args.db, scale=args.scale, seed=args.seed)
    info = dataset.ensure()
    token = info["token"]
    profiles = public_profile_paths(dataset)
    api_headers = {"OSDI-API-Token": token}

    print("Measuring the database ceiling ...")
    if args.db == "postgres":
        autovacuum = postgres_vacuum(dataset)
        db_ceiling = (
            f"pgbench TPC-B-like, 8 clients: {pgbench_tps():,.0f} TPS; autovacuum {autovacuum}, "
            "so the tables the scenarios write were vacuumed first"
        )
    else:
        db_ceiling = (
            f"SQLite WAL single-row commits (synchronous=NORMAL): {sqlite_commit_rate():,.0f}/s"
        )

    scenarios = {
        "home": ("anonymous home page", "/", ""),
        "profile": (
            "member profile page",
            profiles[0] if profiles else "/",
            lua_paths(profiles) if profiles else "",
        ),
        "api1": (
            "api people page 1",
            "/api/v1/people?page=1",
            lua_paths(["/api/v1/people?page=1"], api_headers),
        ),
        "api1000": (
            "api people page 1000",
            "/api/v1/people?page=1000",
            lua_paths(["/api/v1/people?page=1000"], api_headers),
        ),
        "signup": ("sign-up (POST)", "/accounts/signup/", lua_signup(f"{int(time.time())}")),
    }
    event_ids, busiest_zip = upcoming_event_ids(dataset)
    rsvp_run = f"{int(time.time())}"
    if event_ids:
        finder = f"/events/?near={busiest_zip or '10001'}&radius=25"
        scenarios["events"] = ("event finder (ZIP, 25 mi, next 30 days)", finder, "")
        scenarios["rsvp"] = (
            "guest RSVP (POST)",
            "/events/<id>/rsvp/",
            lua_rsvp(rsvp_run, event_ids) + lua_rsvp_accepted_total(),
        )
    wanted = [s.strip() for s in args.only.split(",") if s.strip()] or list(scenarios)
    results: list[Result] = []
    drain: dict = {}
    with Server(dataset, free_port()) as server:
        print(f"Server up at {server.url}; hello-world ceiling ...")
        wrk(
            server,
            "warm-up",
            "/__bench__/hello",
            duration=WARMUP_SECONDS,
            connections=args.connections,
        )
        ceiling = wrk(
            server,
            "hello-world ceiling",
            "/__bench__/hello",
            duration=args.duration,
            connections=args.connections,
        )
        results.append(ceiling)
        for key in wanted:
            name, path, lua = scenarios[key]
            if key not in WRITE_SCENARIOS:
                # Warm-up: workers fill their caches and connections; not recorded.
                wrk(
                    server,
                    name,
                    path,
                    duration=WARMUP_SECONDS,
                    connections=args.connections,
                    lua_body=lua,
                )
            print(f"Scenario {name} ...")
            results.append(
                wrk(
                    server,
                    name,
                    path,
                    duration=args.duration,
                    connections=args.connections,
                    lua_body=lua,
                )
            )
            if key == "rsvp":
                print("Waiting for the confirmation mails to leave ...")
                drain = mail_drain(dataset)
    results.extend(in_process_micro(dataset, token, iterations=200))
    rsvp_result = next((r for r in results if r.name == "guest RSVP (POST)"), None)
    if rsvp_result is not None:
        integrity = rsvp_integrity(dataset, rsvp_run)
        integrity["accepted_responses"] = rsvp_result.extra.get("accepted", 0)
        integrity.update(drain)
        rsvp_result.extra = integrity
        print("RSVP integrity:", integrity)

    text = report(results, ceiling=ceiling, dataset=dataset, db_ceiling=db_ceiling, command=command)
    print()
    print(text)
    if not args.no_record:
        target = ROOT / "docs" / "benchmarks.md"
        if not target.exists():
            target.write_text(
                "# Benchmarks\n\nAppended by `make bench` (see docs/benchmarking.md).\n\n"
            )
        with target.open("a") as handle:
            handle.write("\n" + text)
        print(f"Appended to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
