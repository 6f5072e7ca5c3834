"""Two app servers behind HAProxy, as the README deploys several: each gunicorn instance has its
own workers, instance folder and control socket; they share only the PostgreSQL database, a
Redis and the secret key. Whatever a person does through one server holds on the other at once,
and losing a server or Redis under load loses no acknowledged step.

Every browser here sends from a loopback address of its own (127.0.0.x); HAProxy passes it on
in ``X-Forwarded-For`` and the servers, told of one proxy, count login limits by it.
"""

from __future__ import annotations

import csv
import http.client
import io
import itertools
import re
import secrets
import socket
import subprocess
import time
import uuid
import zipfile
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from courseware.auth.services import create_team, create_user, update_person
from courseware.extensions import db
from courseware.learn.enrollment import enroll
from courseware.models import LearningEvent, User
from tests.conftest import (
    POSTGRES_URL,
    TEST_PASSWORD,
    build_app,
    drop_scratch_postgres,
    free_port,
    private_redis,
    scratch_name,
)
from tests.reliability.servers import (
    Load,
    Server,
    check_the_log,
    enroll_learners,
    import_load_course,
    jobs,
    server_env,
)

pytestmark = pytest.mark.slow

HAPROXY = "/usr/sbin/haproxy"
LOGIN_LOCKOUT = 3  # failed logins to one account from one address
LOGIN_RATE_LIMIT = 5  # login attempts from one address
LOAD_LEARNERS = 3
LOAD_CLIENTS = 6
# A request that fails because Redis stopped under it must have started before the stop and
# ended within this many seconds after (the app gives up on a Redis that does not answer within
# one or two seconds); every later request must succeed.
REDIS_GRACE_SECONDS = 3
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

HAPROXY_CFG = """\
global
    stats socket {stats} level admin
    maxconn 200

defaults
    mode http
    timeout connect 2s
    timeout check 5s
    timeout client 30s
    timeout server 30s
    retries 2
    option redispatch
    option forwardfor

frontend site
    bind 127.0.0.1:{port}
    default_backend courseware

backend courseware
    balance roundrobin
    option httpchk GET /healthz
    http-response set-header X-Served-By %[srv_name]
    server a 127.0.0.1:{a} check inter 300ms fall 2 rise 2
    server b 127.0.0.1:{b} check inter 300ms fall 2 rise 2
"""


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.1)


@dataclass
class Cluster:
    app: object
    servers: dict[str, Server]
    lb_port: int
    stats_socket: Path
    redis: object
    ids: dict[str, int]

    def __post_init__(self) -> None:
        self._addresses = (f"127.0.0.{n}" for n in itertools.count(2))

    def address(self) -> str:
        """A loopback address no other browser of this test sends from."""
        return next(self._addresses)

    def port(self, via: str) -> int:
        return self.lb_port if via == "lb" else self.servers[via].port

    def states(self) -> dict[str, str]:
        """HAProxy's view of each server ("UP", "DOWN", …), read from its stats socket."""
        with socket.socket(socket.AF_UNIX) as stats:
            stats.connect(str(self.stats_socket))
            stats.sendall(b"show stat\n")
            data = b""
            while chunk := stats.recv(65536):
                data += chunk
        rows = csv.DictReader(io.StringIO(data.decode().lstrip("# ")))
        return {
            row["svname"]: row["status"]
            for row in rows
            if row["pxname"] == "courseware" and row["svname"] not in ("FRONTEND", "BACKEND")
        }


@dataclass
class Answer:
    status: int
    served_by: str | None
    location: str | None
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    @property
    def to_login(self) -> bool:
        return self.status == 302 and urlsplit(self.location or "").path == "/login"


class Browser:
    """One person's browser: its own address and cookies, sent to HAProxy (``via="lb"``) or
    straight to one server (``via="a"`` or ``"b"``)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.source = cluster.address()
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, via: str = "lb", fields=None, upload=None, cookies=None) -> Answer:
        """``upload`` is (field, filename, bytes) sent as multipart with ``fields``; ``cookies``
        sends those instead of the browser's own, and keeps nothing the server sets."""
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.cluster.port(via), timeout=30, source_address=(self.source, 0)
        )
        jar = self.cookies if cookies is None else cookies
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())} if jar else {}
        body = None
        if upload is not None:
            body, headers["Content-Type"] = multipart(fields or {}, *upload)
        elif fields is not None:
            body = urlencode(fields, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = Answer(response.status, response.getheader("X-Served-By"), response.getheader("Location"), b"")
            answer.body = response.read()
            if cookies is None:
                for header in response.headers.get_all("Set-Cookie") or []:
                    for name, morsel in SimpleCookie(header).items():
                        if morsel.value and morsel["max-age"] != "0":
                            self.cookies[name] = morsel.value
                        else:
                            self.cookies.pop(name, None)
            return answer
        finally:
            connection.close()

    def get(self, path: str, via: str = "lb", **kwargs) -> Answer:
        return self.send("GET", path, via, **kwargs)

    def token(self, path: str = "/login", via: str = "lb") -> str:
        page = self.get(path, via)
        found = CSRF.search(page.text)
        assert found, f"no form token on {path}: {page.status} {page.text[:300]}"
        return found.group(1)

    def post(self, path: str, fields: dict, via: str = "lb", token: str | None = None, **kwargs) -> Answer:
        return self.send("POST", path, via, fields={**fields, "csrf_token": token or self.token(via=via)}, **kwargs)

    def log_in(self, email: str, via: str = "lb") -> Answer:
        answer = self.post("/login", {"email": email, "password": TEST_PASSWORD}, via)
        assert answer.status == 302, (answer.status, answer.text[-800:])
        return answer


def confirmed_post(admin, path: str, fields: dict, page: str) -> Answer:
    """An admin's action that asks first, sent through server A: the question, then yes."""
    asked = admin.post(path, fields, via="a", token=admin.token(page, via="a"))
    assert asked.status == 200 and 'name="confirmed" value="yes"' in asked.text, (asked.status, asked.text[-800:])
    return admin.post(path, {**fields, "confirmed": "yes"}, via="a", token=admin.token(page, via="a"))


def multipart(fields: dict, name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        "Content-Type: application/zip\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _seed(app, tmp_path: Path) -> dict[str, int]:
    """The load course and its learners, a team North with its learners and three managers,
    an admin and a trainer; returns people's ids by the start of their address."""
    with app.app_context():
        course = import_load_course(tmp_path / "load-course")
        enroll_learners(course, LOAD_LEARNERS)
        admin = create_user("admin@example.org", "Ada Admin", TEST_PASSWORD, roles=("admin",))
        create_user("trainer@example.org", "Tess Trainer", TEST_PASSWORD, roles=("trainer",))
        north = create_team("North")
        for name in ("learner", "stepper", "leaver", "outgoing", "locked"):
            enroll(create_user(f"{name}@example.org", name.title(), TEST_PASSWORD, team=north), course)
        for name in ("manager1", "manager2", "manager3"):
            manager = create_user(f"{name}@example.org", name.title(), TEST_PASSWORD, roles=("learner", "manager"))
            update_person(
                manager, name=manager.name, roles={"learner", "manager"}, team=None, managed_teams=[north], actor=admin
            )
        db.session.commit()
        ids = {user.email.split("@")[0]: user.id for user in db.session.scalars(select(User))}
        ids["north"] = north.id
    app.extensions["courseware.db"]["engine"].dispose()
    return ids


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not POSTGRES_URL:
        pytest.skip("two servers share a PostgreSQL database: TEST_DATABASE_URL is not set")
    if not Path(HAPROXY).exists():
        pytest.skip(f"HAProxy is not installed ({HAPROXY}): apt-get install haproxy")
    tmp_path = tmp_path_factory.mktemp("two-instances")
    with private_redis() as redis:
        app = build_app("postgresql", str(tmp_path), purpose="twoinst")
        try:
            yield from _run_cluster(app, redis, tmp_path)
        finally:
            app.extensions["courseware.db"]["engine"].dispose()
            drop_scratch_postgres(POSTGRES_URL, scratch_name("twoinst"))


def _run_cluster(app, redis, tmp_path: Path):
    ids = _seed(app, tmp_path)
    shared = {
        "COURSEWARE_DATABASE_URL": app.config["DATABASE_URL"],
        "COURSEWARE_REDIS_URL": redis.url,
        "COURSEWARE_SECRET_KEY": secrets.token_hex(32),
        "COURSEWARE_PROXY_COUNT": "1",
        "COURSEWARE_LOGIN_LOCKOUT": f"{LOGIN_LOCKOUT} per 15 minutes",
        "COURSEWARE_LOGIN_RATE_LIMIT": f"{LOGIN_RATE_LIMIT} per 15 minutes",
        "COURSEWARE_LOG_LEVEL": "WARNING",
    }
    lb_port, stats = free_port(), tmp_path / "haproxy.sock"
    shared["COURSEWARE_BASE_URL"] = f"http://127.0.0.1:{lb_port}"
    servers = {
        name: Server(
            app,
            app.config["DATABASE_URL"],
            server_env(**shared, COURSEWARE_INSTANCE_PATH=str(tmp_path / f"{name}-instance")),
            tmp_path / f"{name}.log",
            port=free_port(),
            control_socket=tmp_path / f"{name}.ctl",
        )
        for name in ("a", "b")
    }
    config = tmp_path / "haproxy.cfg"
    config.write_text(HAPROXY_CFG.format(stats=stats, port=lb_port, a=servers["a"].port, b=servers["b"].port))
    haproxy = None
    try:
        for server in servers.values():
            server.start(workers=2)
        haproxy = subprocess.Popen(
            [HAPROXY, "-f", str(config), "-db"],
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / "haproxy.log", "ab"),  # noqa: SIM115  (HAProxy keeps it open)
        )
        cluster = Cluster(app, servers, lb_port, stats, redis, ids)
        wait_for(lambda: stats.exists() and cluster.states() == {"a": "UP", "b": "UP"}, 20, "both servers UP")
        assert all(server.control_socket.is_socket() for server in servers.values())
        yield cluster
    finally:
        if haproxy is not None:
            haproxy.terminate()
            haproxy.wait(10)
        for server in servers.values():
            server.stop()


def served_by(browser: Browser, path: str, times: int = 4) -> set[str]:
    """Who answered ``times`` requests for ``path`` through HAProxy; each must be the person's page."""
    answers = [browser.get(path) for _ in range(times)]
    assert all(answer.status == 200 for answer in answers), [(a.status, a.location) for a in answers]
    return {answer.served_by for answer in answers}


# --- one session, one set of limits -----------------------------------------------------------


def test_a_learner_logs_in_through_one_server_and_goes_on_through_the_other(cluster):
    learner = Browser(cluster)
    logged_in = learner.log_in("learner@example.org")

    answers = [learner.get("/learn") for _ in range(4)]
    assert all(answer.status == 200 and "Learner" in answer.text for answer in answers)
    assert {logged_in.served_by} | {answer.served_by for answer in answers} == {"a", "b"}
    for via in ("a", "b"):
        page = learner.get("/learn/load-course", via=via)
        assert page.status == 200 and "Load course" in page.text and "Learner" in page.text


def test_failed_logins_through_both_servers_count_together_towards_the_lockout(cluster):
    guesser = Browser(cluster)
    token = guesser.token()
    failures = [
        guesser.post("/login", {"email": "locked@example.org", "password": f"guess {n}"}, token=token)
        for n in range(LOGIN_LOCKOUT)
    ]
    assert [answer.status for answer in failures] == [422] * LOGIN_LOCKOUT
    assert {answer.served_by for answer in failures} == {"a", "b"}

    for via in ("lb", "a", "b"):
        locked = guesser.post("/login", {"email": "locked@example.org", "password": TEST_PASSWORD}, via, token=token)
        assert locked.status == 429 and "locked for a while" in locked.text, (via, locked.status)


def test_the_login_rate_limit_counts_attempts_through_both_servers_together(cluster):
    hurried = Browser(cluster)
    token = hurried.token()
    attempts = [
        hurried.post("/login", {"email": f"nobody{n}@example.org", "password": "guess"}, token=token)
        for n in range(LOGIN_RATE_LIMIT)
    ]
    assert [answer.status for answer in attempts] == [422] * LOGIN_RATE_LIMIT
    assert {answer.served_by for answer in attempts} == {"a", "b"}

    for via in ("lb", "a", "b"):
        refused = hurried.post("/login", {"email": "learner@example.org", "password": TEST_PASSWORD}, via, token=token)
        assert refused.status == 429 and "too many attempts" in refused.text.lower(), (via, refused.status)


# --- the same figures ---------------------------------------------------------------------------

STAT = re.compile(r'<span class="stat-number">(\d+)</span> <span class="stat-label">([^<]+)</span>')
AS_OF = re.compile(r'class="hint figures-as-of">Figures as of <time datetime="([^"]+)"')


def figures(page: Answer) -> tuple:
    assert page.status == 200, page.status
    return AS_OF.search(page.text).group(1), STAT.findall(page.text)


def people_table(page: Answer) -> tuple:
    assert page.status == 200, page.status
    return AS_OF.search(page.text).group(1), page.text.split("<tbody", 1)[1].split("</tbody>", 1)[0]


def test_two_managers_on_two_servers_see_the_same_figures(cluster):
    first, second, stepper = Browser(cluster), Browser(cluster), Browser(cluster)
    first.log_in("manager1@example.org")
    second.log_in("manager2@example.org")
    stepper.log_in("stepper@example.org")
    overview = figures(first.get("/manage/", via="a"))
    people = people_table(first.get("/manage/people", via="a"))

    token = stepper.token("/learn/load-course/check")
    answered = stepper.post("/learn/load-course/check/quiz/quiz-1", {"q0": "0", "form_key": "figures-1"}, token=token)
    assert answered.status == 302

    assert figures(second.get("/manage/", via="b")) == overview
    assert people_table(second.get("/manage/people", via="b")) == people
    for _ in range(2):
        assert figures(first.get("/manage/")) == overview
        assert figures(second.get("/manage/")) == overview
    assert list(cluster.redis.client.scan_iter(match="courseware:manage-figures:*")), "the figures are kept in Redis"


# --- changes to a person hold on both at once ----------------------------------------------------


def test_logging_out_through_one_server_ends_the_session_on_the_other(cluster):
    learner = Browser(cluster)
    learner.log_in("outgoing@example.org", via="a")
    assert learner.get("/learn", via="b").status == 200
    cookies = dict(learner.cookies)

    assert learner.post("/logout", {}, via="a", token=learner.token("/learn", via="a")).status == 302

    assert learner.get("/learn", via="b", cookies=cookies).to_login
    assert all(learner.get("/learn", cookies=cookies).to_login for _ in range(2))


def test_a_person_deactivated_through_one_server_is_refused_by_the_other(cluster):
    admin, leaver = Browser(cluster), Browser(cluster)
    admin.log_in("admin@example.org")
    leaver.log_in("leaver@example.org", via="b")
    assert leaver.get("/learn", via="b").status == 200
    person = f"/admin/people/{cluster.ids['leaver']}"

    deactivated = confirmed_post(admin, f"{person}/active", {"active": "0"}, person)
    assert deactivated.status == 302

    assert leaver.get("/learn", via="b").to_login
    assert all(leaver.get("/learn").to_login for _ in range(2))


def test_a_role_removed_through_one_server_is_gone_on_the_other(cluster):
    admin, manager = Browser(cluster), Browser(cluster)
    admin.log_in("admin@example.org")
    manager.log_in("manager3@example.org", via="b")
    assert manager.get("/manage/", via="b").status == 200
    person = f"/admin/people/{cluster.ids['manager3']}"

    saved = confirmed_post(
        admin, person, {"name": "Manager3", "roles": ["learner"], "team": str(cluster.ids["north"])}, person
    )
    assert saved.status == 302, saved.text[-1500:]

    assert manager.get("/manage/", via="b").status == 403
    assert {manager.get("/manage/").status for _ in range(2)} == {403}


# --- what is handed in through one is served by the other -----------------------------------------

UPLOADED_LESSON = """\
---
title: Shared listening
minutes: 4
activities: []
---

Saved searches are kept for everyone: {marker}.
"""


def course_zip(marker: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "shared-upload/course.yaml",
            "slug: shared-upload\ntitle: Shared upload\nsummary: Handed in through one server.\n"
            "modules:\n  - slug: basics\n    title: Basics\n",
        )
        archive.writestr("shared-upload/basics/01-listening.md", UPLOADED_LESSON.format(marker=marker))
    return buffer.getvalue()


def test_a_course_zip_uploaded_through_one_server_is_served_by_the_other(cluster):
    trainer = Browser(cluster)
    trainer.log_in("trainer@example.org")
    marker = secrets.token_hex(8)

    uploaded = trainer.send(
        "POST",
        "/author/import",
        via="a",
        fields={"csrf_token": trainer.token("/author/import", via="a")},
        upload=("archive", "shared-upload.zip", course_zip(marker)),
    )
    assert uploaded.status == 302, uploaded.text[-1500:]
    course_page = urlsplit(uploaded.location).path

    page = trainer.get(course_page, via="b")
    assert page.status == 200 and "Shared listening" in page.text
    exported = trainer.get(f"{course_page}/export.zip", via="b")
    assert exported.status == 200
    with zipfile.ZipFile(io.BytesIO(exported.body)) as archive:
        lesson = archive.read("shared-upload/basics/01-listening.md").decode()
    assert f"Saved searches are kept for everyone: {marker}." in lesson
    editor = re.search(r'href="(/author/lessons/\d+/edit)"', page.text).group(1)
    assert marker in trainer.get(editor, via="b").text
    for name in ("a", "b"):  # neither server kept anything of its own
        assert list(Path(cluster.servers[name].env["COURSEWARE_INSTANCE_PATH"]).iterdir()) == []


def test_evidence_handed_in_through_one_server_is_served_by_the_other(cluster):
    """Files handed in with work are kept in the database, which both servers share."""
    from PIL import Image

    learner = Browser(cluster)
    learner.log_in("learner@example.org")
    lesson = "/learn/load-course/searches"
    page = learner.get(lesson, via="a")
    action = re.search(r'action="([^"]*/checklist/[^"/]+/evidence)"', page.text).group(1)
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(picture, "PNG")

    handed_in = learner.send(
        "POST",
        action,
        via="a",
        fields={"csrf_token": learner.token(lesson, via="a"), "note": "The log, names blurred."},
        upload=("files", "screenshot.png", picture.getvalue()),
    )
    assert handed_in.status == 302, handed_in.text[-1500:]

    shown = learner.get(lesson, via="b")
    assert "The log, names blurred." in shown.text
    file_path = re.search(r'href="(/evidence/\d+)"', shown.text).group(1)
    served = learner.get(file_path, via="b")
    assert served.status == 200
    assert Image.open(io.BytesIO(served.body)).size == (40, 30)


# --- losing a server, then Redis, under load -------------------------------------------------------


def start_load(cluster: Cluster, label: str) -> Load:
    sources = [cluster.address() for _ in range(LOAD_CLIENTS)]
    base = f"http://127.0.0.1:{cluster.lb_port}"
    return Load(jobs(base, 400, 12, clients=LOAD_CLIENTS, learners=LOAD_LEARNERS, sources=sources, label=label))


def under_way(cluster: Cluster, label: str, steps: int = 3 * LOAD_CLIENTS) -> None:
    """Wait until the load clients' quiz answers (form keys starting ``label``) number ``steps``."""
    pattern = f"quiz:%:{label}%"

    def recorded() -> bool:
        with cluster.app.app_context():
            count = db.session.scalar(
                select(func.count()).select_from(LearningEvent).where(LearningEvent.idempotency_key.like(pattern))
            )
            db.session.rollback()
        return count >= steps

    wait_for(recorded, 60, f"{steps} steps of the load")


def requests_of(results: list[dict]) -> list[tuple[float, float, int, str | None]]:
    return [tuple(request) for result in results for request in result["requests"]]


def answered(status: int) -> bool:
    return 200 <= status < 400


def test_a_killed_server_loses_no_acknowledged_step_and_the_other_serves_everyone(cluster):
    load = start_load(cluster, "kill")
    under_way(cluster, "kill")
    killed_at = time.monotonic()
    cluster.servers["a"].kill()
    wait_for(lambda: cluster.states()["a"] == "DOWN", 10, "HAProxy marking server a DOWN")
    down_at = time.monotonic()
    results = load.get(120)

    requests = requests_of(results)
    assert "a" in {by for start, _, _, by in requests if start < killed_at}, "both servers took the load"
    after = [(status, by) for start, _, status, by in requests if start > down_at]
    assert after, "the load went on after the kill"
    assert {by for status, by in after} == {"b"}
    assert all(answered(status) for status, _ in after), sorted({status for status, _ in after})
    assert sum(len(result["acknowledged"]) for result in results) >= LOAD_CLIENTS * 5
    check_the_log(cluster.app, results)

    cluster.servers["a"].start(workers=2)
    wait_for(lambda: cluster.states()["a"] == "UP", 20, "HAProxy marking server a UP again")


def test_with_redis_stopped_under_load_the_servers_go_on_from_the_database(cluster):
    load = start_load(cluster, "redis")
    under_way(cluster, "redis")
    stopping = time.monotonic()
    cluster.redis.stop()
    stopped = time.monotonic()

    newcomer, manager = Browser(cluster), Browser(cluster)
    newcomer.log_in("learner@example.org")
    manager.log_in("manager1@example.org")
    assert {manager.get("/manage/").status for _ in range(2)} == {200}
    results = load.get(120)

    requests = requests_of(results)
    assert {by for *_, by in requests} >= {"a", "b"}
    failed = [(start, end, status) for start, end, status, _ in requests if not answered(status)]
    in_flight = [
        (start, end, status)
        for start, end, status in failed
        if status >= 500 and start < stopping and end < stopped + REDIS_GRACE_SECONDS
    ]
    assert failed == in_flight, failed
    assert all(not result["errors"] for result in results), [result["errors"][:3] for result in results]
    check_the_log(cluster.app, results)
