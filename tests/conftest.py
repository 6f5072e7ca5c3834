"""Fixtures: one app per database backend, a rolled-back transaction per test, factories."""

from __future__ import annotations

import asyncio
import contextlib
import email
import os
import re
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from courseware import create_app, migrations
from courseware.auth import passwords
from courseware.extensions import db as database
from courseware.learn.activities import save_checklist, submit_practice
from courseware.learn.enrollment import enroll
from courseware.models import Course
from tests.core.web import IsolatedClient

TEST_PASSWORD = "correct horse battery staple"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
# Where the apps the tests make keep their instance files (Flask's default for this package).
INSTANCE_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "instance")

# Hashing is deliberately slow in production; tests only need it to be real.
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def pytest_report_header(config):
    backends = "SQLite and PostgreSQL" if POSTGRES_URL else "SQLite only (set TEST_DATABASE_URL for PostgreSQL)"
    return f"courseware database tests: {backends}"


def create_scratch_postgres(url: str, name: str) -> str:
    """A new, empty PostgreSQL database named ``name`` on the server of ``url``; returns its URL.

    Each test run gets its own database, so that runs side by side never share tables.
    """
    from sqlalchemy.engine import make_url

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_scratch_postgres(url: str, name: str) -> None:
    """Drop the scratch database ``name``."""

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def scratch_name(purpose: str = "test") -> str:
    return f"courseware_{purpose}_{os.getpid()}"


def build_app(backend: str, tmp_dir: str, purpose: str = "test", postgres_url: str | None = None, **overrides):
    """An app on a fresh database built by the migrations: a SQLite file, or a scratch PostgreSQL
    database (on the server of ``postgres_url``, else of ``TEST_DATABASE_URL``)."""
    if backend == "postgresql":
        url = create_scratch_postgres(postgres_url or POSTGRES_URL, scratch_name(purpose))
    else:
        url = "sqlite:///" + os.path.join(tmp_dir, "test.sqlite3")
    config = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOGIN_LOCKOUT": "1000 per minute",
        "LOGIN_ACCOUNT_LOCKOUT": "1000 per minute",
        "SERVER_NAME": "courseware.test",
    }
    config.update(overrides)
    app = create_app(config)
    with app.app_context():
        migrations.upgrade(app)
    app.test_client_class = IsolatedClient
    return app


def backend_params():
    return [
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL: TEST_DATABASE_URL is not set"),
        ),
    ]


@pytest.fixture(scope="session", params=backend_params())
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def app(backend, tmp_path_factory):
    app = build_app(backend, str(tmp_path_factory.mktemp(f"db-{backend}")))
    yield app
    app.extensions["courseware.db"]["engine"].dispose()
    if backend == "postgresql":
        drop_scratch_postgres(POSTGRES_URL, scratch_name())


@pytest.fixture(autouse=True)
def _transaction(request) -> Iterator[None]:
    """Run each test that uses the app inside one outer transaction, rolled back at the end."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    # What the workers keep in memory belongs to the database as it was: rolled back, it goes too.
    app.extensions["courseware.content_cache"].clear()
    app.extensions.pop("courseware.figures", None)
    engine = app.extensions["courseware.db"]["engine"]
    original = app.extensions["courseware.db"]["sessionmaker"]
    connection = engine.connect()
    transaction = connection.begin()
    app.extensions["courseware.db"]["sessionmaker"] = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    ctx = app.app_context()
    ctx.push()
    try:
        yield
    finally:
        database.session.remove()
        ctx.pop()
        if transaction.is_active:
            transaction.rollback()
        connection.close()
        app.extensions["courseware.db"]["sessionmaker"] = original


@pytest.fixture
def db(app):
    return database


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """A CSRF token for the client's session, read from a page as a browser would."""
    response = client.get(path, follow_redirects=True)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post(client, path: str, data: dict | None = None, **kwargs):
    """POST a form with a valid CSRF token, as the browser would after loading the page."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(path, data=data, **kwargs)


def post_confirmed(client, path: str, data: dict | None = None, **kwargs):
    """Post an action that asks first: check that the answer is the question (a page that posts
    the same fields back with ``confirmed=yes``), then answer yes."""
    asked = post(client, path, data, **kwargs)
    assert asked.status_code == 200, (path, asked.status_code)
    assert 'name="confirmed" value="yes"' in asked.get_data(as_text=True), path
    return post(client, path, {**(data or {}), "confirmed": "yes"}, **kwargs)


@pytest.fixture
def make_user(db):
    """Create an account: ``make_user(roles=("trainer",), team=team)``."""
    return user_factory(db)


def user_factory(db):
    """``make_user`` for any database in the current app context (a live server's too)."""
    from courseware.auth.services import create_user

    counter = {"n": 0}

    def factory(
        email: str | None = None, name: str | None = None, roles=("learner",), team=None, password=TEST_PASSWORD
    ):
        counter["n"] += 1
        email = email or f"person{counter['n']}@example.org"
        user = create_user(email, name or f"Person {counter['n']}", password, roles=roles, team=team)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def make_team(db):
    return team_factory(db)


def team_factory(db):
    from courseware.auth.services import create_team

    def factory(name: str):
        team = create_team(name)
        db.session.commit()
        return team

    return factory


@pytest.fixture
def login(client):
    """Log the client in through the real login form."""

    def do_login(user, password: str = TEST_PASSWORD, target=None):
        target = target or client
        response = post(target, "/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do_login


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A real SMTP server (aiosmtpd) on loopback; the app is pointed at it for the test.

    Sending email needs the site's public address too (emailed links are built on it alone).
    """
    with smtp_inbox() as (inbox, port):
        # Through monkeypatch, so that settings a test changes too are put back in the right order.
        monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "SMTP_PORT", port)
        monkeypatch.setitem(app.config, "BASE_URL", app.config["BASE_URL"] or "http://courseware.test")
        yield inbox


@contextlib.contextmanager
def smtp_inbox():
    """A real SMTP server (aiosmtpd) on a free loopback port: (its inbox, the port)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Inbox(Message):
        def __init__(self):
            super().__init__()
            self.messages = []

        def handle_message(self, message):
            self.messages.append(message)

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


class Switchboard:
    """An aiosmtpd handler the test steers: accept, refuse every recipient, or hold the first
    message until the test lets it go; keeps what it accepts in ``messages``."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.refuse = False
        self.refuse_only: str | None = None
        self.hold_first = False
        self.first_arrived = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse or address == self.refuse_only:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hold_first and not self.first_arrived.is_set():
            self.first_arrived.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
            return "451 4.3.0 Not kept: try again later"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def mail_server():
    """A real SMTP server on loopback, steered through the returned :class:`Switchboard`
    (its port in ``.port``)."""
    from aiosmtpd.controller import Controller

    switchboard = Switchboard()
    switchboard.port = free_port()
    controller = Controller(switchboard, hostname="127.0.0.1", port=switchboard.port)
    controller.start()
    try:
        yield switchboard
    finally:
        switchboard.release.set()
        controller.stop()


def run_jobs(app):
    """Work through every due job with the real worker, as ``flask --app app worker`` does; how
    many ended each way (a Counter of "done", "retry", "failed")."""
    from courseware.jobs.worker import run_pending

    return run_pending(app)


@pytest.fixture(scope="session")
def scratch_dir():
    with tempfile.TemporaryDirectory() as path:
        yield path


QUIZ = {
    "key": "quiz-1",
    "type": "quiz",
    "pass_mark": 1.0,
    "questions": [
        {
            "prompt": "What comes first?",
            "choices": [
                {"text": "Objectives", "correct": True, "feedback": "Yes: objectives tell you what to listen for."},
                {"text": "Posting", "correct": False, "feedback": "Posting before listening misses the conversation."},
            ],
        }
    ],
}


@pytest.fixture
def make_course(db):
    """Create a published course straight in the database.

    ``make_course(modules=[("m1", [("l1", [activity, ...]), ...]), ...])``; each lesson gets
    one published revision with the given activities.
    """
    return course_factory(db)


def course_factory(db):
    """``make_course`` for any database in the current app context (a live server's too)."""
    import hashlib

    from courseware.models import Course, Lesson, LessonRevision, Module

    counter = {"n": 0}

    def factory(slug=None, modules=None, optional=()):
        counter["n"] += 1
        slug = slug or f"course-{counter['n']}"
        modules = modules or [("basics", [("first", [QUIZ]), ("second", []), ("third", [])])]
        course = Course(slug=slug, title=f"Course {slug}", summary="A course for tests.", status="published")
        db.session.add(course)
        db.session.flush()
        for m_pos, (m_slug, lessons) in enumerate(modules):
            module = Module(
                course_id=course.id, slug=m_slug, title=f"Module {m_slug}", position=m_pos, optional=m_slug in optional
            )
            db.session.add(module)
            db.session.flush()
            for l_pos, (l_slug, activities) in enumerate(lessons):
                lesson = Lesson(course_id=course.id, module_id=module.id, slug=l_slug, position=l_pos)
                db.session.add(lesson)
                db.session.flush()
                revision = LessonRevision(
                    lesson_id=lesson.id,
                    number=1,
                    title=f"Lesson {l_slug}",
                    minutes=5,
                    body=f"Body of **{l_slug}**.",
                    activities=activities,
                    content_hash=hashlib.sha256(l_slug.encode()).hexdigest(),
                )
                db.session.add(revision)
                db.session.flush()
                lesson.published_revision_id = revision.id
        db.session.commit()
        return course

    return factory


class RedisServer:
    """A ``redis-server`` of the test's own on a spare loopback port (never the machine's shared one)."""

    def __init__(self, binary: str, folder: str) -> None:
        import redis

        self.binary, self.folder = binary, folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.client = redis.Redis(port=self.port, socket_connect_timeout=1)
        self.start()

    def start(self) -> None:
        """Start the server (again, on the same port, with what it last saved)."""
        import subprocess

        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", self.folder],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_ready(self, seconds: float = 10) -> None:
        import time

        import redis

        deadline = time.monotonic() + seconds
        while True:
            try:
                self.client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    pytest.fail("the private redis-server did not start")
                time.sleep(0.05)

    def pause(self) -> None:
        """Stop answering without going away (connections hang until :meth:`resume`)."""
        import signal

        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        import signal

        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.resume()
            self.process.terminate()
            self.process.wait(10)


@contextlib.contextmanager
def private_redis() -> Iterator[RedisServer]:
    """A Redis server of the test's own, stopped afterwards. Skips when ``redis-server`` is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    folder = tempfile.mkdtemp(prefix="courseware-redis-")
    server = RedisServer(binary, folder)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def limiter_restored() -> Iterator[None]:
    """Give back the rate limiter as it was: Flask-Limiter keeps one storage per process, so an app
    made with another Redis would otherwise leave every later app counting there."""
    from courseware.extensions import limiter

    saved = dict(vars(limiter))
    saved["_storage_options"] = dict(limiter._storage_options)
    try:
        yield
    finally:
        vars(limiter).clear()
        vars(limiter).update(saved)


class PostgresServer:
    """A PostgreSQL cluster of the test's own on a spare loopback port, which the test may stop
    and start at will without disturbing the machine's shared server or anyone else's tests."""

    def __init__(self, bin_dir: str, folder: str) -> None:
        self.bin_dir, self.folder = bin_dir, folder
        self.data = os.path.join(folder, "data")
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *command: str) -> None:
        import subprocess

        subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True)

    def init(self) -> None:
        self._as_postgres(os.path.join(self.bin_dir, "initdb"), "-D", self.data, "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = os.path.join(self.folder, "server.log")
        self._as_postgres(
            os.path.join(self.bin_dir, "pg_ctl"), "-D", self.data, "-o", options, "-l", log, "-w", "start"
        )

    def stop(self) -> None:
        self._as_postgres(os.path.join(self.bin_dir, "pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop")


@contextlib.contextmanager
def private_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the test's own, removed afterwards. Skips without PostgreSQL's
    programs, or when this user cannot run them as ``postgres``."""
    import glob
    import pwd
    import subprocess

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found or not shutil.which("runuser") or os.geteuid() != 0:
        pytest.skip("a private PostgreSQL needs its programs and root to run them as postgres")
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("there is no postgres account to run a private PostgreSQL")
    folder = tempfile.mkdtemp(prefix="courseware-postgres-")
    os.chown(folder, owner.pw_uid, owner.pw_gid)
    server = PostgresServer(os.path.dirname(found[-1]), folder)
    started = False
    try:
        server.init()
        server.start()
        started = True
        yield server
    finally:
        if started:
            with contextlib.suppress(subprocess.CalledProcessError):
                server.stop()
        shutil.rmtree(folder, ignore_errors=True)


# --- courses with work to review: a trainer's course, learners who hand in practice work and tick checklists

PRACTICE = {
    "key": "practice-1",
    "type": "practice",
    "prompt": "Write three objectives.",
    "rubric": [
        {"name": "Specific", "good": "Names what will change."},
        {"name": "Measurable", "good": "Says how you will know."},
    ],
    "approval": "required",
}
VERIFIED_CHECKLIST = {
    "key": "checklist-1",
    "type": "checklist",
    "items": ["Save a search", "Set an alert"],
    "verified_by": "trainer",
}


@pytest.fixture
def trainer(make_user):
    return make_user(name="Tess Trainer", roles=("trainer",))


@pytest.fixture
def owned_course(db, make_course, trainer):
    """``owned_course(modules=...)``: a published course owned by the trainer."""

    def factory(**kwargs) -> Course:
        course = make_course(**kwargs)
        course.owner_id = trainer.id
        db.session.commit()
        return course

    return factory


@pytest.fixture
def practice_course(owned_course):
    """A course whose first lesson is a checklist a trainer verifies, and whose second is practice
    work (a learner ticks the checklist as soon as they enroll)."""
    return owned_course(modules=[("basics", [("setup", [VERIFIED_CHECKLIST]), ("write", [PRACTICE])])])


def lesson_of(db, course, slug):
    from sqlalchemy import select

    from courseware.models import Lesson

    return db.session.scalar(select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == slug))


@pytest.fixture
def hand_in(db):
    """``hand_in(learner, course, text=...)``: the learner enrolls and hands in the practice work."""

    def factory(learner, course, text="Twenty replies a month.", link=None, slug="write"):
        enroll(learner, course)
        lesson = lesson_of(db, course, slug)
        submission = submit_practice(learner, lesson, PRACTICE, text, link, form_key=None)
        db.session.commit()
        return submission

    return factory


@pytest.fixture
def tick_all(db):
    def factory(learner, course, slug="setup"):
        enroll(learner, course)
        lesson = lesson_of(db, course, slug)
        state = save_checklist(learner, lesson, VERIFIED_CHECKLIST, [0, 1], form_key=None)
        db.session.commit()
        return state

    return factory
