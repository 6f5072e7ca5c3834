"""A change made through one worker takes effect on the very next request to any other worker.

Two applications on one database stand for two gunicorn workers, each with its own memory. Each
change is tried three ways: without Redis, with a Redis of the test's own, and with Redis
configured but not answering (nothing about a person may be trusted from memory then either).
"""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select, update

from courseware import create_app
from courseware.auth.services import create_team, create_user, set_active, update_person
from courseware.extensions import db
from courseware.learn.enrollment import enroll
from courseware.models import Course, Lesson, LessonRevision, Module, Team, User
from tests.conftest import (
    POSTGRES_URL,
    QUIZ,
    TEST_PASSWORD,
    build_app,
    csrf_token,
    drop_scratch_postgres,
    free_port,
    limiter_restored,
    private_redis,
    scratch_name,
)
from tests.core.web import new_client, redirects_to_login, restore_session_cookie, session_cookie

COURSE = "every-worker"


def _make_course() -> Course:
    course = Course(slug=COURSE, title="Listening first", summary="A course.", status="published")
    db.session.add(course)
    db.session.flush()
    module = Module(course_id=course.id, slug="basics", title="Basics", position=0, optional=False)
    db.session.add(module)
    db.session.flush()
    for position, (slug, activities) in enumerate([("first", [QUIZ]), ("second", [])]):
        lesson = Lesson(course_id=course.id, module_id=module.id, slug=slug, position=position)
        db.session.add(lesson)
        db.session.flush()
        body = f"About {slug}."
        revision = LessonRevision(
            lesson_id=lesson.id,
            number=1,
            title=f"Lesson {slug}",
            minutes=5,
            body=body,
            activities=activities,
            content_hash=hashlib.sha256(body.encode()).hexdigest(),
        )
        db.session.add(revision)
        db.session.flush()
        lesson.published_revision_id = revision.id
    return course


@pytest.fixture(scope="module", params=["no-redis", "redis", "redis-away"])
def redis_mode(request):
    if request.param == "redis":
        with private_redis() as server:
            yield server.url
    elif request.param == "redis-away":
        yield f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    else:
        yield None


@pytest.fixture(scope="module")
def workers(backend, redis_mode, tmp_path_factory):
    """Two applications ("workers") on one database, committing for real, figures kept a minute."""
    with limiter_restored():
        yield from _two_workers(backend, redis_mode, tmp_path_factory)


def _two_workers(backend, redis_mode, tmp_path_factory):
    first = build_app(
        backend,
        str(tmp_path_factory.mktemp(f"workers-{backend}")),
        purpose="workers",
        REDIS_URL=redis_mode,
        RATELIMIT_STORAGE_URI=redis_mode or "memory://",
        MANAGE_FIGURES_SECONDS=60,
    )
    second = create_app(dict(first.config))
    second.test_client_class = first.test_client_class
    with first.app_context():
        admin = create_user("admin@example.org", "Ada Admin", TEST_PASSWORD, roles=("admin",))
        north, south = create_team("North"), create_team("South")
        create_user("manager@example.org", "Mo Manager", TEST_PASSWORD, roles=("learner", "manager"))
        course = _make_course()
        db.session.flush()
        manager = db.session.scalar(select(User).where(User.email == "manager@example.org"))
        update_person(
            manager, name=manager.name, roles={"learner", "manager"}, team=None, managed_teams=[north], actor=admin
        )
        for n in range(8):
            learner = create_user(f"learner{n}@example.org", f"Lee Learner {n}", TEST_PASSWORD, team=north)
            enroll(learner, course)
        assert south.id
        db.session.commit()
    yield first, second
    for app in (first, second):
        app.extensions["courseware.db"]["engine"].dispose()
    if backend == "postgresql":
        drop_scratch_postgres(POSTGRES_URL, scratch_name("workers"))


def log_in(app, email: str):
    client = new_client(app)
    response = client.post("/login", data={"email": email, "password": TEST_PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    return client


def same_browser(client, app):
    """A client of ``app`` carrying the cookie of ``client``: the same browser, sent to another worker."""
    other = new_client(app)
    restore_session_cookie(other, app, session_cookie(client, app).value)
    return other


def _change(app, change) -> None:
    """Run ``change(admin, person_by_email)`` through ``app`` and commit, as an admin's request would."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))

        def person(email: str) -> User:
            return db.session.scalar(select(User).where(User.email == email))

        change(admin, person)
        db.session.commit()


def test_logging_out_through_one_worker_ends_the_session_on_the_other(workers):
    first, second = workers
    browser = log_in(first, "learner0@example.org")
    elsewhere = same_browser(browser, second)
    assert elsewhere.get("/learn").status_code == 200

    browser.post("/logout", data={"csrf_token": csrf_token(browser, "/learn")})

    assert redirects_to_login(elsewhere.get("/learn"))


def test_a_person_deactivated_through_one_worker_is_refused_by_the_other(workers):
    first, second = workers
    browser = same_browser(log_in(first, "learner1@example.org"), second)
    assert browser.get("/learn").status_code == 200

    _change(first, lambda admin, person: set_active(person("learner1@example.org"), False, admin))
    try:
        assert redirects_to_login(browser.get("/learn"))
    finally:
        _change(first, lambda admin, person: set_active(person("learner1@example.org"), True, admin))


def test_a_role_removed_through_one_worker_is_gone_on_the_other(workers):
    first, second = workers
    browser = same_browser(log_in(first, "manager@example.org"), second)
    assert browser.get("/manage/").status_code == 200

    def demote(admin, person):
        manager = person("manager@example.org")
        update_person(manager, name=manager.name, roles={"learner"}, team=None, managed_teams=[], actor=admin)

    def restore(admin, person):
        manager = person("manager@example.org")
        north = db.session.scalar(select(Team).where(Team.name == "North"))
        update_person(
            manager, name=manager.name, roles={"learner", "manager"}, team=None, managed_teams=[north], actor=admin
        )

    _change(first, demote)
    try:
        assert browser.get("/manage/").status_code == 403
        assert "Manage" not in _navigation(browser.get("/learn").get_data(as_text=True))
    finally:
        _change(first, restore)


def _navigation(page: str) -> list[str]:
    """The labels of the page's main navigation."""
    nav = page.split("<nav", 1)[1].split("</nav>", 1)[0]
    return re.findall(r">([^<>]+)</a>", nav)


def _move(email: str, team_name: str):
    def move(admin, person):
        moved = person(email)
        team = db.session.scalar(select(Team).where(Team.name == team_name))
        update_person(moved, name=moved.name, roles=set(moved.roles), team=team, managed_teams=[], actor=admin)

    return move


def test_a_person_moved_to_another_team_leaves_their_old_managers_view_at_once(workers):
    first, second = workers
    with first.app_context():
        moved_id = db.session.scalar(select(User.id).where(User.email == "learner2@example.org"))
    manager = same_browser(log_in(first, "manager@example.org"), second)
    assert manager.get(f"/manage/people/{moved_id}").status_code == 200
    assert "Lee Learner 2" in manager.get("/manage/people").get_data(as_text=True)  # the figures are now kept

    _change(first, _move("learner2@example.org", "South"))
    try:
        assert manager.get(f"/manage/people/{moved_id}").status_code == 404
        assert "Lee Learner 2" not in manager.get("/manage/people").get_data(as_text=True)
    finally:
        _change(first, _move("learner2@example.org", "North"))


def test_a_manager_who_loses_a_team_no_longer_sees_its_people(workers):
    first, second = workers
    with first.app_context():
        learner_id = db.session.scalar(select(User.id).where(User.email == "learner3@example.org"))
    manager = same_browser(log_in(first, "manager@example.org"), second)
    assert "Lee Learner 3" in manager.get("/manage/people").get_data(as_text=True)

    def lose_north(admin, person):
        who = person("manager@example.org")
        update_person(who, name=who.name, roles={"learner", "manager"}, team=None, managed_teams=[], actor=admin)

    def regain_north(admin, person):
        who = person("manager@example.org")
        north = db.session.scalar(select(Team).where(Team.name == "North"))
        update_person(who, name=who.name, roles={"learner", "manager"}, team=None, managed_teams=[north], actor=admin)

    _change(first, lose_north)
    try:
        assert "Lee Learner 3" not in manager.get("/manage/people").get_data(as_text=True)
        assert manager.get(f"/manage/people/{learner_id}").status_code == 404
    finally:
        _change(first, regain_north)


def test_a_course_set_back_to_draft_through_one_worker_is_gone_from_the_other(workers):
    first, second = workers
    browser = same_browser(log_in(first, "learner4@example.org"), second)
    url = f"/learn/{COURSE}/first"
    assert browser.get(f"/learn/{COURSE}").status_code == 200
    token = csrf_token(browser, url)
    answer = {"q0": "0", "csrf_token": token}
    assert browser.post(f"{url}/quiz/quiz-1", data={**answer, "form_key": "draft-1"}).status_code == 302

    with first.app_context():
        db.session.execute(update(Course).where(Course.slug == COURSE).values(status="draft"))
        db.session.commit()
    try:
        assert browser.get(f"/learn/{COURSE}").status_code == 404
        assert browser.get(url).status_code == 404
        assert browser.post(f"{url}/quiz/quiz-1", data={**answer, "form_key": "draft-2"}).status_code == 404
        assert COURSE not in browser.get("/learn").get_data(as_text=True)
    finally:
        with first.app_context():
            db.session.execute(update(Course).where(Course.slug == COURSE).values(status="published"))
            db.session.commit()


def test_a_step_taken_through_one_worker_shows_on_the_other(workers):
    first, second = workers
    browser = log_in(first, "learner5@example.org")
    elsewhere = same_browser(browser, second)
    assert elsewhere.get(f"/learn/{COURSE}/second").status_code == 403  # locked until the quiz is passed

    token = csrf_token(browser, f"/learn/{COURSE}/first")
    response = browser.post(
        f"/learn/{COURSE}/first/quiz/quiz-1", data={"q0": "0", "form_key": "step-1", "csrf_token": token}
    )
    assert response.status_code == 302

    assert elsewhere.get(f"/learn/{COURSE}/second").status_code == 200
    assert "Take the quiz again" in elsewhere.get(f"/learn/{COURSE}/first").get_data(as_text=True)


def test_a_person_deactivated_while_redis_is_away_is_refused_during_and_after(tmp_path):
    """Nothing a worker trusts about a person depends on Redis recording a change: Redis goes
    away while an admin deactivates someone, and comes back with exactly what it held before."""
    with private_redis() as server, limiter_restored():
        first = build_app("sqlite", str(tmp_path), purpose="away", REDIS_URL=server.url)
        second = create_app(dict(first.config))
        second.test_client_class = first.test_client_class
        with first.app_context():
            create_user("admin@example.org", "Ada Admin", TEST_PASSWORD, roles=("admin",))
            create_user("learner@example.org", "Lee Learner", TEST_PASSWORD)
            db.session.commit()
        browser = same_browser(log_in(first, "learner@example.org"), second)
        assert browser.get("/learn").status_code == 200
        assert browser.get("/learn").status_code == 200

        server.client.save()
        server.stop()
        _change(first, lambda admin, person: set_active(person("learner@example.org"), False, admin))
        assert redirects_to_login(browser.get("/learn"))
        server.start()
        server.wait_ready()

        assert redirects_to_login(browser.get("/learn"))
        for app in (first, second):
            app.extensions["courseware.db"]["engine"].dispose()
