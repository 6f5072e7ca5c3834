"""Benchmarks: Courseware under gunicorn, on SQLite and PostgreSQL, at Moodle's test-plan sizes.

For each database this builds (or takes from bench/cache/) an organisation made by
``flask demo generate``, starts gunicorn with the production settings (a real secret key from the
environment, no demo mode), and measures in one run:

- the baseline: ``GET /livez``, the fastest this stack can answer (no database, no session);
- the logged-in floor: the same route with a learner's session cookie, which every logged-in
  page pays for (the signed cookie read and the server-side session checked: against what the
  worker keeps while the person's generation is unchanged, else in the database);
- a logged-in learner's lesson page;
- a progress write: answering a lesson's quiz, each POST with a fresh form key;
- the managers' people page and overview, seen by an admin whose scope is every learner, with
  the figures worked out on every request (``COURSEWARE_MANAGE_FIGURES_SECONDS=0``);
- a scenario shaped like one of Moodle's test plans ("L" by default: 1,000 users arriving over
  100 seconds; "M": 100 over 40), each user looping 5 times through logging in, opening the
  course, reading a lesson, answering its quiz and returning home, thinking 1–3 s between steps.
  The CPU used by the load generator and by the server is sampled while it runs, so that a
  saturated load generator is reported rather than taken for a slow server;
- the Learning Record Store (``--parts lrs``): ``POST /xapi/statements`` one statement a request
  and in batches of 100 on an empty database, and on PostgreSQL ``GET /xapi/statements`` by
  agent and by verb on a generated store of 1,000,000 statements (``bench/wrk/lrs.lua``).

The others use wrk (saturating load, ``bench/wrk/sessions.lua``); the baseline is measured before
the first of them and again after each figure given as a ratio, whose denominator is the mean of
the baselines on either side of it. The scenario uses locust
(``bench/locustfile.py``). Figures are printed and written to bench/results/latest.json.

Run it with ``make bench`` (which installs requirements-bench.txt and wrk); see ``--help``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
CACHE = BENCH / "cache"
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent
COURSE = "social-media-practice"
# The first lesson with a quiz; a learner can open it once the lesson before it is done.
QUIZ_LESSON = "quantitative-and-qualitative-objectives"
LESSON_BEFORE = "why-results-take-months"
DEMO_PASSWORD = "courseware-demo"
ADMIN_EMAIL = "bench-admin@example.org"
ADMIN_PASSWORD = "bench-admin-password"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_RUN_DB = "courseware_bench"
POSTGRES_CACHE_PREFIX = "courseware_bench_cache_"

# Figures given as a ratio to the baseline measured just before and just after each of them.
RATIO_FIGURES = ("logged_in_floor", "lesson_page", "progress_write")

# Targets checked on every run: latency under load. The ratios to the baseline are shown as a
# diagnostic, not a target.
TARGETS = {
    "manager_p95_ms": 500,
    "scenario_p95_ms": 300,
    "lrs_post_1_p95_ms": 50,
    "lrs_post_100_statements_per_second": 5000,
    "lrs_get_p95_ms": 100,
}

# Moodle's test-plan sizes (moodle/moodle admin/tool/generator, "jmeter" plans): users, ramp-up
# seconds, loops.
SCENARIOS = {
    "L": (1000, 100.0, 5),
    "M": (100, 40.0, 5),
}
# Above this share of one core, the load generator (one process, one thread) delays its own
# requests, and the times it measures include its own queueing.
LOAD_GENERATOR_BUSY = 0.8

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
QUIZ_FORM = re.compile(r'action="[^"]*/quiz/([\w-]+)"')
QUESTION = re.compile(r'name="q(\d+)"')


def say(message: str) -> None:
    print(message, flush=True)


# --- the databases ---------------------------------------------------------------------------


def fingerprint(learners: int, seed: int) -> str:
    """What the generated database depends on: size, seed, schema, generator and course files."""
    digest = hashlib.sha256(f"{learners}:{seed}".encode())
    sources = sorted((ROOT / "courseware" / "migrations" / "versions").glob("*.py"))
    sources += [ROOT / "courseware" / "demo" / "generate.py", ROOT / "courseware" / "demo" / "load.py"]
    sources += [ROOT / "courseware" / "auth" / "passwords.py"]
    sources += sorted(path for path in (ROOT / "lessons").rglob("*") if path.is_file())
    for path in sources:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return f"n{learners}_s{seed}_{digest.hexdigest()[:10]}"


def app_env(database_url: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSEWARE_") and k != "FLASK_DEBUG"}
    env.update(
        COURSEWARE_DATABASE_URL=database_url,
        COURSEWARE_SECRET_KEY=secrets.token_hex(32),
        COURSEWARE_LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def flask(database_url: str, *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [str(BIN / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env=app_env(database_url),
        input=stdin,
        text=True,
        check=True,
        stdout=subprocess.DEVNULL if args[0] == "users" else None,
    )


def generate(database_url: str, learners: int, seed: int) -> None:
    """A new database: migrations, the organisation, and an admin who sees every learner."""
    started = time.monotonic()
    flask(database_url, "db", "upgrade")
    flask(database_url, "demo", "generate", "--learners", str(learners), "--seed", str(seed))
    flask(
        database_url,
        "users",
        "create",
        "--email",
        ADMIN_EMAIL,
        "--name",
        "Bench Admin",
        "--role",
        "admin",
        stdin=ADMIN_PASSWORD + "\n",
    )
    say(f"  generated in {time.monotonic() - started:.0f} s")


def stale(mtime: float, max_age_days: float) -> bool:
    # The generated events end on the day of generation; an old copy would drift into "stalled".
    return time.time() - mtime > max_age_days * 86400


def prepare_sqlite(key: str, learners: int, seed: int, max_age_days: float) -> str:
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"sqlite_{key}.sqlite3"
    if cached.exists() and stale(cached.stat().st_mtime, max_age_days):
        cached.unlink()
    if not cached.exists():
        for old in CACHE.glob("sqlite_*.sqlite3*"):
            old.unlink()
        say(f"  generating {learners} learners (seed {seed}) into {cached.relative_to(ROOT)}…")
        building = CACHE / "building.sqlite3"
        for leftover in CACHE.glob("building.sqlite3*"):
            leftover.unlink()
        generate(f"sqlite:///{building}", learners, seed)
        connection = sqlite3.connect(building)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        building.rename(cached)
        for leftover in CACHE.glob("building.sqlite3*"):
            leftover.unlink()
    else:
        say(f"  using the cached database {cached.relative_to(ROOT)}")
    work = CACHE / "run.sqlite3"
    for leftover in CACHE.glob("run.sqlite3*"):
        leftover.unlink()
    shutil.copyfile(cached, work)
    return f"sqlite:///{work}"


def cleanup_sqlite() -> None:
    for leftover in CACHE.glob("run.sqlite3*"):
        leftover.unlink()


def _pg(admin_url: str):
    import psycopg

    try:
        return psycopg.connect(admin_url, autocommit=True)
    except psycopg.OperationalError as error:
        raise SystemExit(
            f"PostgreSQL is not reachable at {admin_url} ({error}); start it, set BENCH_POSTGRES_URL, "
            'or measure SQLite alone with BENCH_ARGS="--databases sqlite"'
        ) from None


def _app_url(admin_url: str, name: str) -> str:
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


def prepare_postgresql(key: str, learners: int, seed: int, max_age_days: float, admin_url: str) -> str:
    """Copy the cached database (a template database) to a scratch one; build the cache first if needed."""
    cached = POSTGRES_CACHE_PREFIX + key
    with _pg(admin_url) as connection:
        rows = connection.execute(
            "SELECT datname, (pg_stat_file('base/' || oid || '/PG_VERSION')).modification "
            "FROM pg_database WHERE datname LIKE %s",
            (POSTGRES_CACHE_PREFIX + "%",),
        ).fetchall()
        for name, created in rows:
            if name != cached or stale(created.timestamp(), max_age_days):
                connection.execute(f'DROP DATABASE "{name}"')
        have = any(name == cached and not stale(created.timestamp(), max_age_days) for name, created in rows)
        connection.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_RUN_DB}"')
        if not have:
            building = POSTGRES_CACHE_PREFIX + "building"
            connection.execute(f'DROP DATABASE IF EXISTS "{building}"')
            connection.execute(f'CREATE DATABASE "{building}"')
            say(f"  generating {learners} learners (seed {seed}) into the database {cached}…")
            generate(_app_url(admin_url, building), learners, seed)
            # What autovacuum would have done soon after a bulk load; the copies keep the statistics.
            with _pg(admin_url.rsplit("/", 1)[0] + "/" + building) as built:
                built.execute("VACUUM ANALYZE")
            connection.execute(f'ALTER DATABASE "{building}" RENAME TO "{cached}"')
        else:
            say(f"  using the cached database {cached}")
        connection.execute(f'CREATE DATABASE "{POSTGRES_RUN_DB}" TEMPLATE "{cached}"')
    return _app_url(admin_url, POSTGRES_RUN_DB)


def cleanup_postgresql(admin_url: str) -> None:
    with _pg(admin_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_RUN_DB}" WITH (FORCE)')


def version_of(backend: str, admin_url: str) -> str:
    if backend == "sqlite":
        return "SQLite " + sqlite3.sqlite_version
    with _pg(admin_url) as connection:
        return "PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0].split()[0]


def learners_with_quiz_open(database_url: str, count: int) -> list[str]:
    """Generated learners who have done the lesson before the quiz lesson, so that it is open to them."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        emails = connection.execute(
            text(
                "SELECT u.email FROM users u "
                "JOIN lesson_progress p ON p.user_id = u.id JOIN lessons l ON l.id = p.lesson_id "
                "WHERE l.slug = :slug AND p.status IN ('completed', 'awaiting_review') "
                "AND u.email LIKE 'learner%' ORDER BY u.id LIMIT :count"
            ),
            {"slug": LESSON_BEFORE, "count": count},
        ).scalars()
        found = list(emails)
    engine.dispose()
    if len(found) < count:
        raise SystemExit(f"only {len(found)} learners have the quiz lesson open; generate more learners")
    return found


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    database_url: str
    workers: int
    label: str
    threads: int = 1
    figures_seconds: int = 0
    base: str = ""
    process: subprocess.Popen | None = None

    def start(self) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        RESULTS.mkdir(parents=True, exist_ok=True)
        env = app_env(
            self.database_url,
            COURSEWARE_PROXY_COUNT="1",
            COURSEWARE_MANAGE_FIGURES_SECONDS=str(self.figures_seconds),
        )
        env["COURSEWARE_LOG_LEVEL"] = "INFO"
        # As the README deploys it: gunicorn workers, an access log, one proxy in front
        # (so each simulated person's X-Forwarded-For address counts for the login rate limit).
        command = [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--access-logfile",
            str(RESULTS / f"{self.label}-access.log"),
            "--no-control-socket",
            "app:app",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(RESULTS / f"{self.label}-server.log", "w"),  # noqa: SIM115 (kept by the server)
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/livez", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {RESULTS / (self.label + '-server.log')}")
            time.sleep(0.25)
        raise SystemExit("gunicorn did not answer /livez within 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class CpuSampler:
    """The CPU used by process trees (a root pid and its descendants), read from /proc every
    second in a thread of its own, from ``start()`` to ``stop()``."""

    def __init__(self, roots: dict[str, int], interval: float = 1.0) -> None:
        self.roots = roots
        self.interval = interval
        self.samples: list[tuple[float, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    def _read(self) -> dict[str, float]:
        parent, used = {}, {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone since the listing
            pid = int(stat.parent.name)
            parent[pid] = int(fields[1])
            used[pid] = (int(fields[11]) + int(fields[12])) / self._tick
        totals = {}
        for name, root in self.roots.items():
            total = 0.0
            for pid, seconds in used.items():
                ancestor = pid
                while ancestor not in (root, 0, 1) and ancestor in parent:
                    ancestor = parent[ancestor]
                if ancestor == root:
                    total += seconds
            totals[name] = total
        return totals

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), self._read()))
            self._stop.wait(self.interval)

    def start(self) -> CpuSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self, window: float = 10.0) -> dict[str, dict[str, float]]:
        """Per tree: the mean number of cores it kept busy, and the most in any ``window`` seconds."""
        if len(self.samples) < 2:
            return {}
        first_at, last_at = self.samples[0][0], self.samples[-1][0]
        result = {}
        for name in self.roots:
            # A tree's total only grows while its processes live; take the largest step seen.
            mean = max(0.0, self.samples[-1][1][name] - self.samples[0][1][name]) / max(last_at - first_at, 1e-9)
            peak = 0.0
            start = 0
            for end in range(1, len(self.samples)):
                while self.samples[end][0] - self.samples[start][0] > window and start < end - 1:
                    start += 1
                span = self.samples[end][0] - self.samples[start][0]
                if span >= window / 2:
                    peak = max(peak, (self.samples[end][1][name] - self.samples[start][1][name]) / span)
            result[name] = {"mean_cores": round(mean, 2), f"peak_cores_{window:g}s": round(peak, 2)}
        return result


# --- logging in ------------------------------------------------------------------------------


def address_for(number: int) -> str:
    """A made-up client address for the X-Forwarded-For header (the login rate limit is per address)."""
    return f"127.{1 + number // 65536 % 254}.{number // 256 % 256}.{number % 256}"


@dataclass
class Session:
    email: str
    cookie: str
    csrf: str = ""
    body: str = ""


def log_in(base: str, email: str, password: str, number: int) -> requests.Session:
    http = requests.Session()
    http.headers["X-Forwarded-For"] = address_for(number)
    page = http.get(base + "/login", timeout=30)
    token = CSRF.search(page.text).group(1)
    answer = http.post(
        base + "/login",
        data={"csrf_token": token, "email": email, "password": password},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise SystemExit(f"logging in as {email} answered {answer.status_code}")
    return http


def quiz_session(base: str, email: str, number: int) -> Session:
    """A learner logged in, with the CSRF token and a complete set of answers for the quiz lesson."""
    http = log_in(base, email, DEMO_PASSWORD, number)
    page = http.get(f"{base}/learn/{COURSE}/{QUIZ_LESSON}", timeout=30)
    if page.status_code != 200:
        raise SystemExit(f"the quiz lesson answered {page.status_code} for {email}")
    key = QUIZ_FORM.search(page.text).group(1)
    questions = sorted({int(n) for n in QUESTION.findall(page.text)})
    token = CSRF.search(page.text).group(1)
    body = "csrf_token=" + quote(token, safe="") + "".join(f"&q{q}=0" for q in questions)
    session = Session(email, "session=" + http.cookies["session"], token, body)
    session.quiz_key = key  # type: ignore[attr-defined]
    return session


def log_in_all(base: str, emails: list[str], first_number: int) -> list[Session]:
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda pair: quiz_session(base, pair[1], first_number + pair[0]), enumerate(emails)))


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Figures:
    name: str
    what: str
    rps: float
    p50_ms: float
    p95_ms: float
    errors: int
    requests: int
    concurrency: int | None = None
    ratio: float | None = None
    extra: dict = field(default_factory=dict)

    def row(self) -> dict:
        data = {
            "what": self.what,
            "requests_per_second": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 1),
            "p95_ms": round(self.p95_ms, 1),
            "errors": self.errors,
            "requests": self.requests,
        }
        if self.concurrency is not None:
            data["connections"] = self.concurrency
        if self.ratio is not None:
            data["ratio_to_baseline"] = round(self.ratio, 3)
        data.update(self.extra)
        return data


def wrk(
    url: str,
    sessions: list[Session] | None,
    *,
    seconds: float,
    connections: int,
    method: str = "GET",
    expect: int = 200,
    name: str,
    what: str,
) -> Figures:
    RESULTS.mkdir(parents=True, exist_ok=True)
    listing = RESULTS / f"sessions-{name}.txt"
    with listing.open("w") as handle:
        for session in sessions or [Session("", "")]:
            handle.write(f"{session.cookie}\t{session.body if method == 'POST' else ''}\n")
    env = dict(
        os.environ,
        BENCH_SESSIONS=str(listing),
        BENCH_METHOD=method,
        BENCH_EXPECT=str(expect),
        BENCH_NONCE=secrets.token_hex(4),
    )
    try:
        return run_wrk(url, "sessions.lua", env, seconds=seconds, connections=connections, name=name, what=what)
    finally:
        listing.unlink()


def run_wrk(url: str, script: str, env: dict, *, seconds: float, connections: int, name: str, what: str) -> Figures:
    """wrk with one of bench/wrk's scripts; its figures, read from the JSON line the script prints."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    command += ["-s", str(BENCH / "wrk" / script), url]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = data["errors"]
    count = data["requests"]
    # A refused write (4xx/5xx) is both a wrk "status" error and an unexpected status: count it once.
    failed = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"] + errors["unexpected_status"]
    kinds = [
        {"step": name, "error": kind, "count": errors[kind]}
        for kind in ("connect", "read", "write", "timeout", "unexpected_status")
        if errors[kind]
    ]
    return Figures(
        name=name,
        what=what,
        rps=count / (data["duration_us"] / 1e6),
        p50_ms=data["latency_us"]["p50"] / 1000,
        p95_ms=data["latency_us"]["p95"] / 1000,
        errors=failed,
        requests=count,
        concurrency=connections,
        extra={"errors_by_kind": kinds} if kinds else {},
    )


def errors_by_kind(samples: list[dict]) -> list[dict]:
    """The failed requests counted by step and kind of failure, most frequent first."""
    counts = Counter((sample["name"], sample.get("error") or "failed") for sample in samples if sample["failed"])
    return [{"step": step, "error": error, "count": count} for (step, error), count in counts.most_common()]


def scenario(server: Server, emails: list[str], label: str, args) -> Figures:
    """One of Moodle's plans: users arriving over the ramp-up, each looping through the learner's visit."""
    prefix = RESULTS / f"{label}-scenario"
    users_file = RESULTS / f"{label}-scenario-users.txt"
    users_file.write_text("\n".join(emails) + "\n")
    env = dict(
        os.environ,
        BENCH_USERS_FILE=str(users_file),
        BENCH_PASSWORD=DEMO_PASSWORD,
        BENCH_COURSE=COURSE,
        BENCH_LESSON=QUIZ_LESSON,
        BENCH_LOOPS=str(args.scenario_loops),
        BENCH_THINK=args.think,
    )
    command = [
        str(BIN / "locust"),
        "-f",
        str(BENCH / "locustfile.py"),
        "--headless",
        "--host",
        server.base,
        "--users",
        str(args.scenario_users),
        "--spawn-rate",
        str(args.scenario_users / args.scenario_ramp),
        "--run-time",
        f"{int(args.scenario_ramp + args.scenario_loops * 60)}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    samples_file = Path(f"{prefix}_samples.json")
    samples_file.unlink(missing_ok=True)
    env["BENCH_SAMPLES_FILE"] = str(samples_file)
    started = time.monotonic()
    with open(f"{prefix}.log", "w") as log:
        locust = subprocess.Popen(command, env=env, cwd=BENCH, stdout=log, stderr=subprocess.STDOUT)
        sampler = CpuSampler({"load_generator": locust.pid, "gunicorn": server.process.pid}).start()
        try:
            locust.wait()
        finally:
            sampler.stop()
    elapsed = time.monotonic() - started
    users_file.unlink()
    cpu = sampler.summary()
    samples = json.loads(samples_file.read_text())
    times = [sample["ms"] for sample in samples]
    steps: dict[str, dict] = {}
    for sample in samples:
        steps.setdefault(sample["name"], []).append(sample)
    by_step = {
        name: {
            "requests": len(rows),
            "failures": sum(1 for row in rows if row["failed"]),
            "p50_ms": round(percentile([row["ms"] for row in rows], 50), 1),
            "p95_ms": round(percentile([row["ms"] for row in rows], 95), 1),
            "max_ms": round(max(row["ms"] for row in rows), 1),
        }
        for name, rows in steps.items()
    }
    span = max(s["at"] + s["ms"] / 1000 for s in samples) - min(s["at"] for s in samples)
    not_login = [sample["ms"] for sample in samples if sample["name"] != "POST /login"]
    users_done = json.loads(Path(f"{prefix}_users.json").read_text()) if Path(f"{prefix}_users.json").exists() else {}
    sizes = (args.scenario_users, args.scenario_ramp, args.scenario_loops)
    plan = f"Moodle '{args.scenario}' plan" if sizes == SCENARIOS[args.scenario] else "custom plan"
    return Figures(
        name="scenario",
        what=(
            f"{plan}: {args.scenario_users} users arriving over {args.scenario_ramp:g} s, "
            f"{args.scenario_loops} loops each, think time {args.think} s between steps"
        ),
        rps=len(samples) / span,
        p50_ms=percentile(times, 50),
        p95_ms=percentile(times, 95),
        errors=sum(1 for sample in samples if sample["failed"]),
        requests=len(samples),
        extra={
            "seconds": round(elapsed, 1),
            "users": args.scenario_users,
            "users_finished": users_done.get("finished"),
            "p95_ms_without_login": round(percentile(not_login, 95), 1),
            "steps": by_step,
            "errors_by_kind": errors_by_kind(samples),
            "cpu": cpu,
        },
    )


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return float(ordered[int(rank) - 1])


def measure(backend: str, database_url: str, args, admin_url: str) -> dict:
    server = Server(database_url, args.workers, backend, args.threads, args.figures_seconds)
    say(
        f"  starting gunicorn ({args.workers} workers, {args.threads} thread{'s' if args.threads > 1 else ''} each, "
        f"managers' figures kept {args.figures_seconds} s)…"
    )
    server.start()
    try:
        base = server.base
        pool = learners_with_quiz_open(database_url, args.page_sessions + args.write_sessions + args.scenario_users)
        page_emails = pool[: args.page_sessions]
        write_emails = pool[args.page_sessions : args.page_sessions + args.write_sessions]
        scenario_emails = pool[args.page_sessions + args.write_sessions :]
        say(f"  logging in {len(page_emails) + len(write_emails)} learners and an admin…")
        page_sessions = log_in_all(base, page_emails, 0)
        write_sessions = log_in_all(base, write_emails, 1000)
        admin = log_in(base, ADMIN_EMAIL, ADMIN_PASSWORD, 2000)
        admin_session = [Session(ADMIN_EMAIL, "session=" + admin.cookies["session"])]
        seconds, warmup, c = args.seconds, args.warmup, args.connections
        lesson_url = f"{base}/learn/{COURSE}/{QUIZ_LESSON}"
        quiz_url = f"{lesson_url}/quiz/{write_sessions[0].quiz_key}"  # type: ignore[attr-defined]
        baseline_step = ("baseline", f"{base}/livez", None, "GET", 200, c, "GET /livez (no database)")
        plan = [
            (
                "logged_in_floor",
                f"{base}/livez",
                page_sessions,
                "GET",
                200,
                c,
                "GET /livez with a learner's session cookie: the session checked (against what the worker keeps and the person's generation, or in the database), and nothing else",
            ),
            ("lesson_page", lesson_url, page_sessions, "GET", 200, c, f"GET a lesson, {len(page_sessions)} learners"),
            (
                "progress_write",
                quiz_url,
                write_sessions,
                "POST",
                302,
                c,
                f"POST a quiz answer, fresh form key, {len(write_sessions)} learners",
            ),
            (
                "manager_people",
                f"{base}/manage/people",
                admin_session,
                "GET",
                200,
                args.manager_connections,
                f"GET /manage/people as an admin (all {args.learners:,} learners in scope), "
                f"figures kept {args.figures_seconds} s",
            ),
            (
                "manager_overview",
                f"{base}/manage/",
                admin_session,
                "GET",
                200,
                args.manager_connections,
                f"GET /manage/ as an admin (all {args.learners:,} learners in scope), figures kept {args.figures_seconds} s",
            ),
        ]
        if args.only:
            wanted = set(args.only.split(","))
            plan = [step for step in plan if step[0] in wanted]
        # The baseline runs before the first figure and again after each figure measured as a
        # ratio, so that each ratio divides by the baselines on either side of it: a machine
        # whose speed drifts during the run (other work on it) moves both alike.
        steps = [baseline_step]
        for step in plan:
            steps.append(step)
            if step[0] in RATIO_FIGURES:
                steps.append(baseline_step)
        results: dict[str, Figures] = {}
        baselines: list[Figures] = []
        neighbours: dict[str, list[Figures]] = {}
        waiting: list[str] = []
        for name, url, sessions, method, expect, connections, what in steps:
            if warmup:
                wrk(
                    url,
                    sessions,
                    seconds=warmup,
                    connections=connections,
                    method=method,
                    expect=expect,
                    name=name,
                    what=what,
                )
            figures = wrk(
                url,
                sessions,
                seconds=seconds,
                connections=connections,
                method=method,
                expect=expect,
                name=name,
                what=what,
            )
            say(
                f"    {name:<18} {figures.rps:8.1f} req/s  p50 {figures.p50_ms:7.1f} ms  p95 {figures.p95_ms:7.1f} ms  errors {figures.errors}"
            )
            say_errors(figures.extra.get("errors_by_kind", []))
            if name == "baseline":
                baselines.append(figures)
                for earlier in waiting:
                    neighbours[earlier].append(figures)
                waiting = []
            else:
                results[name] = figures
                if name.startswith("manager_"):
                    figures.extra["figures_seconds"] = args.figures_seconds
                if name in RATIO_FIGURES:
                    neighbours[name] = [baselines[-1]]
                    waiting.append(name)
        baseline = Figures(
            name="baseline",
            what="GET /livez (no database); mean of its runs, before the first figure and after each ratio",
            rps=sum(b.rps for b in baselines) / len(baselines),
            p50_ms=sum(b.p50_ms for b in baselines) / len(baselines),
            p95_ms=sum(b.p95_ms for b in baselines) / len(baselines),
            errors=sum(b.errors for b in baselines),
            requests=sum(b.requests for b in baselines),
            concurrency=c,
            ratio=1.0,
            extra={"runs_requests_per_second": [round(b.rps, 1) for b in baselines]},
        )
        for name, figures in results.items():
            if name in RATIO_FIGURES:
                around = neighbours[name]
                figures.ratio = figures.rps / (sum(b.rps for b in around) / len(around))
                figures.extra["baseline_requests_per_second"] = [round(b.rps, 1) for b in around]
        if args.scenario_users:
            say(f"  scenario: {args.scenario_users} users over {args.scenario_ramp:g} s, {args.scenario_loops} loops…")
            results["scenario"] = scenario(server, scenario_emails, backend, args)
            results["scenario"].ratio = None
            s = results["scenario"]
            say(
                f"    {'scenario':<18} {s.rps:8.1f} req/s  p50 {s.p50_ms:7.1f} ms  p95 {s.p95_ms:7.1f} ms  errors {s.errors}"
            )
            say_cpu(s.extra["cpu"])
            say_errors(s.extra["errors_by_kind"])
        return {"baseline": baseline, **results}
    finally:
        server.stop()


def say_errors(kinds: list[dict], indent: str = "      ") -> None:
    for kind in kinds:
        say(f"{indent}{kind['count']:>6} x {kind['step']}: {kind['error']}")


def say_cpu(cpu: dict) -> None:
    """The cores each side kept busy; a warning when the load generator was near a core's worth."""
    for name, row in cpu.items():
        mean, peak = row["mean_cores"], row["peak_cores_10s"]
        say(f"      CPU of the {name.replace('_', ' ')}: {mean:.2f} cores on average, {peak:.2f} at most over 10 s")
    generator = cpu.get("load_generator")
    if generator and generator["peak_cores_10s"] > LOAD_GENERATOR_BUSY:
        say(
            f"      the load generator kept more than {LOAD_GENERATOR_BUSY:.0%} of its one core busy at times: "
            "its own queueing is in the times it measured"
        )


# --- the Learning Record Store -----------------------------------------------------------------

LRS_CACHE_PREFIX = "courseware_lrs_cache_"
LRS_RUN_DB = "courseware_lrs_bench"
LRS_STORE_AGENTS = 10_000
LRS_STORE_VERBS = 10
LRS_STORE_ACTIVITIES = 1_000
LRS_VERB = "http://adlnet.gov/expapi/verbs/"
# One chunk of the generated store: statements as the LRS keeps them (the JSON as received with
# id, stored, authority and version added) and the keys each is found by, as
# courseware.xapi.services.statement_keys gives them, made by the database itself.
LRS_STORE_SQL = """
WITH made AS (
    INSERT INTO xapi_statements
        (id, statement, stored, voided, voids_id, actor_key, verb_key, activity_key, registration, client_id)
    SELECT g.id, json_build_object(
            'id', g.id,
            'actor', json_build_object('objectType', 'Agent', 'mbox', g.mbox),
            'verb', json_build_object('id', g.verb),
            'object', json_build_object('objectType', 'Activity', 'id', g.activity),
            'result', json_build_object('success', true, 'completion', true),
            'timestamp', to_char(g.stored AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'stored', to_char(g.stored AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'authority', %(authority)s::json,
            'version', '1.0.0')::text,
        g.stored, false, NULL,
        encode(sha256(convert_to('mbox:' || g.mbox, 'UTF8')), 'hex'),
        encode(sha256(convert_to(g.verb, 'UTF8')), 'hex'),
        encode(sha256(convert_to(g.activity, 'UTF8')), 'hex'),
        NULL, %(client)s
    FROM (
        SELECT gen_random_uuid()::text AS id,
            'mailto:agent' || (n %% %(agents)s) || '@example.org' AS mbox,
            %(verb)s || (ARRAY['experienced', 'attempted', 'answered', 'completed', 'passed', 'failed',
                'progressed', 'commented', 'registered', 'interacted'])[1 + (n / 7) %% %(verbs)s] AS verb,
            'http://bench.example.org/activities/' || ((n * 7919) %% %(activities)s) AS activity,
            now() - (%(total)s::bigint - n) * interval '30 seconds' AS stored
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS n
    ) AS g
    RETURNING id, actor_key, verb_key, activity_key
)
INSERT INTO xapi_statement_keys (statement_id, kind, key)
SELECT made.id, k.kind, k.key
FROM made CROSS JOIN LATERAL (VALUES
    ('verb', made.verb_key), ('agent', made.actor_key), ('related_agent', made.actor_key),
    ('activity', made.activity_key), ('related_activity', made.activity_key),
    ('related_agent', %(authority_key)s)) AS k(kind, key)
"""


def lrs_fingerprint(statements: int) -> str:
    """What the store depends on: its size and the statement that generates it. Each run's copy is
    brought to the current schema by ``db upgrade``, so a new migration does not make it again
    (one that changes the statements' tables should change LRS_STORE_SQL too)."""
    digest = hashlib.sha256(f"{statements}:{LRS_STORE_SQL}".encode())
    return f"n{statements}_{digest.hexdigest()[:10]}"


def flask_output(database_url: str, *args: str) -> str:
    return subprocess.run(
        [str(BIN / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env=app_env(database_url),
        text=True,
        check=True,
        capture_output=True,
    ).stdout


def issue_lrs_client(database_url: str, name: str) -> tuple[str, str]:
    key, secret = flask_output(database_url, "lrs", "issue-client", name).split()
    return key, secret


def prepare_lrs_store(statements: int, admin_url: str, max_age_days: float) -> str:
    """A copy of the cached store of ``statements`` statements (a template database), built first
    when missing: generated by PostgreSQL itself, 100,000 statements and their keys at a time."""
    import psycopg

    cached = LRS_CACHE_PREFIX + lrs_fingerprint(statements)
    with _pg(admin_url) as connection:
        rows = connection.execute(
            "SELECT datname, (pg_stat_file('base/' || oid || '/PG_VERSION')).modification "
            "FROM pg_database WHERE datname LIKE %s",
            (LRS_CACHE_PREFIX + "%",),
        ).fetchall()
        for name, created in rows:
            if name != cached or stale(created.timestamp(), max_age_days):
                connection.execute(f'DROP DATABASE "{name}"')
        have = any(name == cached and not stale(created.timestamp(), max_age_days) for name, created in rows)
        connection.execute(f'DROP DATABASE IF EXISTS "{LRS_RUN_DB}" WITH (FORCE)')
        if not have:
            building = LRS_CACHE_PREFIX + "building"
            connection.execute(f'DROP DATABASE IF EXISTS "{building}"')
            connection.execute(f'CREATE DATABASE "{building}"')
            url = _app_url(admin_url, building)
            say(f"  generating a store of {statements:,} statements into the database {cached}…")
            started = time.monotonic()
            flask(url, "db", "upgrade")
            key, _ = issue_lrs_client(url, "bench generator")
            authority = {
                "objectType": "Agent",
                "name": "bench generator",
                "account": {"homePage": "http://127.0.0.1", "name": key},
            }
            with psycopg.connect(admin_url.rsplit("/", 1)[0] + "/" + building, autocommit=True) as built:
                client = built.execute("SELECT id FROM xapi_clients WHERE key = %s", (key,)).fetchone()[0]
                chunk = 100_000
                for first in range(1, statements + 1, chunk):
                    last = min(statements, first + chunk - 1)
                    built.execute(
                        LRS_STORE_SQL,
                        {
                            "authority": json.dumps(authority),
                            # courseware.xapi.services.agent_key of the authority's account
                            "authority_key": hashlib.sha256(
                                ("account:" + json.dumps([authority["account"]["homePage"], key])).encode()
                            ).hexdigest(),
                            "client": client,
                            "agents": LRS_STORE_AGENTS,
                            "verbs": LRS_STORE_VERBS,
                            "activities": LRS_STORE_ACTIVITIES,
                            "verb": LRS_VERB,
                            "total": statements,
                            "first": first,
                            "last": last,
                        },
                    )
                    say(f"    {last:>9,} statements ({time.monotonic() - started:.0f} s)")
                built.execute("VACUUM ANALYZE")
            connection.execute(f'ALTER DATABASE "{building}" RENAME TO "{cached}"')
            say(f"  generated in {time.monotonic() - started:.0f} s")
        else:
            say(f"  using the cached store {cached}")
        connection.execute(f'CREATE DATABASE "{LRS_RUN_DB}" TEMPLATE "{cached}"')
    return _app_url(admin_url, LRS_RUN_DB)


def fresh_lrs_database(backend: str, admin_url: str) -> str:
    """An empty database at the current schema, for the POSTs."""
    if backend == "sqlite":
        CACHE.mkdir(parents=True, exist_ok=True)
        for leftover in CACHE.glob("lrs-run.sqlite3*"):
            leftover.unlink()
        url = f"sqlite:///{CACHE / 'lrs-run.sqlite3'}"
    else:
        with _pg(admin_url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{LRS_RUN_DB}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{LRS_RUN_DB}"')
        url = _app_url(admin_url, LRS_RUN_DB)
    flask(url, "db", "upgrade")
    return url


def cleanup_lrs(backend: str, admin_url: str) -> None:
    if backend == "sqlite":
        for leftover in CACHE.glob("lrs-run.sqlite3*"):
            leftover.unlink()
    else:
        with _pg(admin_url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{LRS_RUN_DB}" WITH (FORCE)')


def lrs_wrk(server: Server, auth: str, args, *, name: str, what: str, method: str, batch: int = 1, paths=()):
    RESULTS.mkdir(parents=True, exist_ok=True)
    listing = RESULTS / f"paths-{name}.txt"
    listing.write_text("".join(path + "\n" for path in paths))
    env = dict(
        os.environ,
        BENCH_METHOD=method,
        BENCH_EXPECT="200",
        BENCH_BATCH=str(batch),
        BENCH_AUTH=auth,
        BENCH_PATHS=str(listing),
    )
    options = {"seconds": args.seconds, "connections": args.connections, "name": name, "what": what}
    try:
        if args.warmup:
            run_wrk(server.base, "lrs.lua", env, **{**options, "seconds": args.warmup})
        figures = run_wrk(server.base, "lrs.lua", env, **options)
    finally:
        listing.unlink()
    if batch > 1:
        figures.extra["statements_per_request"] = batch
    rate = f"{figures.rps:8.1f} req/s"
    if method == "POST":
        figures.extra["statements_per_second"] = round(figures.rps * batch, 1)
        rate = f"{figures.rps * batch:8.1f} statements/s ({figures.rps:.1f} req/s)"
    say(f"    {name:<18} {rate}  p50 {figures.p50_ms:7.1f} ms  p95 {figures.p95_ms:7.1f} ms  errors {figures.errors}")
    say_errors(figures.extra.get("errors_by_kind", []))
    return figures


def basic(key: str, secret: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


def measure_lrs(backend: str, args, admin_url: str) -> dict[str, Figures]:
    """POST /xapi/statements one at a time and in batches of 100 on an empty store; on
    PostgreSQL, GET with an agent filter and with a verb filter on the store of
    ``--lrs-statements`` statements."""
    results: dict[str, Figures] = {}
    url = fresh_lrs_database(backend, admin_url)
    try:
        auth = basic(*issue_lrs_client(url, "bench"))
        server = Server(url, args.workers, f"lrs-{backend}", args.threads)
        server.start()
        try:
            results["lrs_post_1"] = lrs_wrk(
                server, auth, args, name="lrs_post_1", what="POST /xapi/statements, one statement", method="POST"
            )
            results["lrs_post_100"] = lrs_wrk(
                server,
                auth,
                args,
                name="lrs_post_100",
                what="POST /xapi/statements, a batch of 100",
                method="POST",
                batch=100,
            )
        finally:
            server.stop()
    finally:
        cleanup_lrs(backend, admin_url)
    if backend != "postgresql" or not args.lrs_statements:
        return results
    url = prepare_lrs_store(args.lrs_statements, admin_url, args.max_cache_age_days)
    try:
        flask(url, "db", "upgrade")
        auth = basic(*issue_lrs_client(url, "bench reader"))
        server = Server(url, args.workers, f"lrs-{backend}-store", args.threads)
        server.start()
        try:
            limit = args.lrs_limit
            agents = [
                f"/xapi/statements?limit={limit}&agent={quote(json.dumps({'mbox': f'mailto:agent{n}@example.org'}))}"
                for n in range(0, LRS_STORE_AGENTS, 97)
            ]
            verbs = [
                f"/xapi/statements?limit={limit}&verb={quote(LRS_VERB + verb)}"
                for verb in ("experienced", "attempted", "answered", "completed", "passed", "failed")
            ]
            store = f"{args.lrs_statements:,} statements"
            results["lrs_get_agent"] = lrs_wrk(
                server,
                auth,
                args,
                name="lrs_get_agent",
                what=f"GET /xapi/statements?agent=… (limit {limit}), {store}, {len(agents)} agents in turn",
                method="GET",
                paths=agents,
            )
            results["lrs_get_verb"] = lrs_wrk(
                server,
                auth,
                args,
                name="lrs_get_verb",
                what=f"GET /xapi/statements?verb=… (limit {limit}), {store}, {len(verbs)} verbs in turn",
                method="GET",
                paths=verbs,
            )
        finally:
            server.stop()
    finally:
        cleanup_lrs(backend, admin_url)
    return results


# --- reporting -------------------------------------------------------------------------------


def check_targets(backend: str, figures: dict[str, Figures]) -> list[dict]:
    checks = []

    def add(name: str, value: float | None, target: str, met: bool | None) -> None:
        checks.append({"database": backend, "target": name, "wanted": target, "value": value, "met": met})

    for name in ("manager_people", "manager_overview"):
        if name in figures:
            value = figures[name].p95_ms
            # No answer within the measurement (each slower than wrk's timeout) is a miss, not 0 ms.
            ok = value < TARGETS["manager_p95_ms"] and figures[name].errors == 0 and figures[name].requests > 0
            add(
                f"{name.replace('_', ' ')} p95 ms, figures kept {figures[name].extra.get('figures_seconds', '?')} s",
                round(value, 1),
                f"< {TARGETS['manager_p95_ms']}, 0 errors",
                ok,
            )
    if "lrs_post_1" in figures:
        f = figures["lrs_post_1"]
        wanted = TARGETS["lrs_post_1_p95_ms"]
        add("LRS single POST p95 ms", round(f.p95_ms, 1), f"< {wanted}, 0 errors", f.p95_ms < wanted and not f.errors)
    if "lrs_post_100" in figures:
        f = figures["lrs_post_100"]
        wanted = TARGETS["lrs_post_100_statements_per_second"]
        rate = f.extra["statements_per_second"]
        add("LRS batch of 100 statements/s", rate, f">= {wanted:,}, 0 errors", rate >= wanted and not f.errors)
    for name in ("lrs_get_agent", "lrs_get_verb"):
        if name in figures:
            f = figures[name]
            wanted = TARGETS["lrs_get_p95_ms"]
            label = f"LRS GET by {name.rsplit('_', 1)[1]} p95 ms"
            add(
                label,
                round(f.p95_ms, 1),
                f"< {wanted}, 0 errors",
                f.p95_ms < wanted and not f.errors and f.requests > 0,
            )
    if "scenario" in figures:
        s = figures["scenario"]
        add("scenario errors", s.errors, "0", s.errors == 0)
        # Users still looping when the run's time limit ends it have not done the plan.
        finished = s.extra.get("users_finished") or 0
        add("scenario users finished", finished, str(s.extra["users"]), finished == s.extra["users"])
        add(
            "scenario p95 ms",
            round(s.p95_ms, 1),
            f"< {TARGETS['scenario_p95_ms']}",
            s.p95_ms < TARGETS["scenario_p95_ms"],
        )
    return checks


def print_table(label: str, figures: dict[str, Figures]) -> None:
    say("")
    say(f"{label:<34} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'x baseline':>10}")
    for name, f in figures.items():
        ratio = f"{f.ratio:.2f}" if f.ratio is not None else "—"
        statements = f.extra.get("statements_per_second")
        also = f"  ({statements:,.0f} statements/s)" if statements is not None else ""
        say(f"{name:<34} {f.rps:9.1f} {f.p50_ms:8.1f} {f.p95_ms:8.1f} {f.errors:7d} {ratio:>10}{also}")
    if "scenario" in figures:
        extra = figures["scenario"].extra
        say(f"{'  scenario without the login POST':<34} {'':>9} {'':>8} {extra['p95_ms_without_login']:8.1f}")
        say(f"{'    by step (requests, not req/s)':<34}")
        for step, row in extra["steps"].items():
            say(
                f"{'    ' + step:<34} {row['requests']:>9} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['failures']:7d}"
            )
        say(f"  {figures['scenario'].what}; {extra['seconds']:.0f} s, {extra['users_finished']} users finished")
        say_cpu(extra["cpu"])
        if extra["errors_by_kind"]:
            say("  errors by kind:")
            say_errors(extra["errors_by_kind"], indent="    ")


def machine(backends: list[str], admin_url: str, workers: int, threads: int) -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(" [")[0]
    locust = subprocess.run([str(BIN / "locust"), "--version"], capture_output=True, text=True).stdout.split(" from")[0]
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory),
        "python": platform.python_version(),
        "databases": {backend: version_of(backend, admin_url) for backend in backends},
        "gunicorn_workers": workers,
        "gunicorn_threads_per_worker": threads,
        "load_tools": [wrk_version.strip(), locust.strip()],
        "note": "the load tools and the server share the cores",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--learners", type=int, default=100_000, help="generated learners (cached per size)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers (2 x cores)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (1: sync workers)")
    parser.add_argument("--seconds", type=float, default=15, help="length of each wrk measurement")
    parser.add_argument("--warmup", type=float, default=3, help="unrecorded wrk run before each measurement")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections for the throughput figures")
    parser.add_argument("--manager-connections", type=int, default=2, help="managers at once on the manager pages")
    parser.add_argument("--page-sessions", type=int, default=16, help="learners reading the lesson page")
    parser.add_argument("--write-sessions", type=int, default=32, help="learners answering the quiz")
    parser.add_argument(
        "--scenario",
        choices=sorted(SCENARIOS),
        default="L",
        help="Moodle's plan to follow: L = 1,000 users over 100 s, M = 100 over 40 s; 5 loops each (default L)",
    )
    parser.add_argument("--scenario-users", type=int, help="users instead of the plan's (0 leaves the scenario out)")
    parser.add_argument(
        "--scenario-ramp", type=float, help="seconds over which the users arrive, instead of the plan's"
    )
    parser.add_argument("--scenario-loops", type=int, help="visits per user, instead of the plan's")
    parser.add_argument("--think", default="1,3", help="think time between a user's steps, 'min,max' seconds")
    parser.add_argument(
        "--figures-seconds",
        type=int,
        default=0,
        help="COURSEWARE_MANAGE_FIGURES_SECONDS for the server (0: managers' figures worked out on every request)",
    )
    parser.add_argument("--max-cache-age-days", type=float, default=7)
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", POSTGRES_ADMIN_URL))
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--parts",
        default="app,lrs",
        help="comma-separated: app (the pages, writes and scenario on the generated organisation), "
        "lrs (the Learning Record Store's POSTs and filtered GETs)",
    )
    parser.add_argument(
        "--lrs-statements",
        type=int,
        default=1_000_000,
        help="statements in the store the LRS's GETs are measured on, PostgreSQL (cached; 0 leaves the GETs out)",
    )
    parser.add_argument("--lrs-limit", type=int, default=100, help="the limit parameter of the LRS's GETs")
    parser.add_argument(
        "--only",
        default="",
        help="measure only these (comma-separated: logged_in_floor, lesson_page, progress_write, manager_people, "
        "manager_overview) "
        "besides the baseline; with --scenario-users 0 to leave the scenario out",
    )
    args = parser.parse_args(argv)
    users, ramp, loops = SCENARIOS[args.scenario]
    args.scenario_users = users if args.scenario_users is None else args.scenario_users
    args.scenario_ramp = ramp if args.scenario_ramp is None else args.scenario_ramp
    args.scenario_loops = loops if args.scenario_loops is None else args.scenario_loops
    began = time.monotonic()
    backends = [name.strip() for name in args.databases.split(",") if name.strip()]
    parts = {name.strip() for name in args.parts.split(",") if name.strip()}
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (make bench does it)")
    key = fingerprint(args.learners, args.seed)
    report = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "make bench",
        "settings": {k: v for k, v in vars(args).items() if k not in ("postgres_url", "check")},
        "machine": machine(backends, args.postgres_url, args.workers, args.threads),
        "databases": {},
        "targets": [],
    }
    tables = {}
    for backend in backends:
        say(f"== {backend}")
        if backend not in ("sqlite", "postgresql"):
            raise SystemExit(f"unknown database {backend!r}")
        load_before = os.getloadavg()[0]
        figures = {}
        if "app" in parts:
            if backend == "sqlite":
                url = prepare_sqlite(key, args.learners, args.seed, args.max_cache_age_days)
            else:
                url = prepare_postgresql(key, args.learners, args.seed, args.max_cache_age_days, args.postgres_url)
            try:
                figures = measure(backend, url, args, args.postgres_url)
            finally:
                cleanup_sqlite() if backend == "sqlite" else cleanup_postgresql(args.postgres_url)
        if "lrs" in parts:
            say("  the Learning Record Store:")
            figures.update(measure_lrs(backend, args, args.postgres_url))
        tables[backend] = figures
        report["databases"][backend] = {name: f.row() for name, f in figures.items()}
        # Other work on the machine shows in its load average (runnable processes; 2 cores here).
        report["databases"][backend]["load_average_1min"] = {
            "before": round(load_before, 1),
            "after": round(os.getloadavg()[0], 1),
        }
        report["targets"] += check_targets(backend, figures)
    m = report["machine"]
    say("")
    say(
        f"Courseware benchmarks{f', {args.learners} learners' if 'app' in parts else ''}: {m['cores']} cores, {m['memory_gib']} GiB, "
        f"Python {m['python']}, {', '.join(m['databases'].values())}, gunicorn {args.workers} workers x {args.threads} thread(s)"
    )
    for backend, figures in tables.items():
        print_table(m["databases"][backend], figures)
        load = report["databases"][backend]["load_average_1min"]
        say(
            f"  load average (1 min) on the machine: {load['before']} before, {load['after']} after, on {m['cores']} cores"
        )
    say("")
    for check in report["targets"]:
        mark = "met   " if check["met"] else "MISSED"
        say(f"{mark} {check['database']:<11} {check['target']:<34} {check['value']!s:>8}  (wanted {check['wanted']})")
    RESULTS.mkdir(parents=True, exist_ok=True)
    latest = RESULTS / "latest.json"
    report["minutes"] = round((time.monotonic() - began) / 60, 1)
    latest.write_text(json.dumps(report, indent=2) + "\n")
    stamp = report["generated_at"].replace(":", "").replace("-", "")[:15]
    shutil.copyfile(latest, RESULTS / f"bench-{stamp}.json")
    minutes = (time.monotonic() - began) / 60
    say(f"\nwritten to {latest.relative_to(ROOT)}; the whole run took {minutes:.0f} minutes")
    missed = [check for check in report["targets"] if not check["met"]]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
