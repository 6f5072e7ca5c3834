"""What a worker keeps between requests (sessions, a learner's course and progress) never outlives
a change made through any other worker: two applications on one database stand for two gunicorn
workers, each with its own memory, sharing only the database and the generations."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import time

import pytest
from sqlalchemy import and_, bindparam, create_engine, or_, text, update

from courseware import create_app, generations
from courseware.auth.services import create_user, set_active
from courseware.author.notifications import notify
from courseware.extensions import db
from courseware.learn.services import enroll
from courseware.models import Course, Lesson, LessonRevision, Module, Notification, QuizAttempt, User
from tests.conftest import QUIZ, TEST_PASSWORD, build_app, csrf_token, drop_scratch_postgres, scratch_name
from tests.core.web import new_client, redirects_to_login, restore_session_cookie, session_cookie, statements_of

COURSE = "kept-course"


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


@pytest.fixture(scope="module")
def workers(backend, tmp_path_factory):
    """Two applications ("workers") on one database, committing for real."""
    first = build_app(backend, str(tmp_path_factory.mktemp(f"kept-{backend}")), purpose="kept")
    second = create_app({**first.config, "SERVER_NAME": first.config["SERVER_NAME"]})
    second.test_client_class = first.test_client_class
    with first.app_context():
        create_user("admin@example.org", "Ada Admin", TEST_PASSWORD, roles=("admin",))
        course = _make_course()
        db.session.commit()
        for n in range(8):
            learner = create_user(f"learner{n}@example.org", f"Lee Learner {n}", TEST_PASSWORD)
            enroll(learner, course)
        db.session.commit()
    yield first, second
    for app in (first, second):
        app.extensions["courseware.db"]["engine"].dispose()
    if backend == "postgresql":
        from tests.conftest import POSTGRES_URL

        drop_scratch_postgres(POSTGRES_URL, scratch_name("kept"))


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


def person(app, email: str) -> User:
    with app.app_context():
        found = db.session.query(User).filter_by(email=email).one()
        db.session.expunge(found)
        return found


def test_logging_out_through_one_worker_ends_the_session_in_every_worker_at_once(workers):
    first, second = workers
    browser = log_in(first, "learner0@example.org")
    elsewhere = same_browser(browser, second)
    assert elsewhere.get("/learn").status_code == 200
    assert elsewhere.get("/learn").status_code == 200  # now kept by the second worker

    browser.post("/logout", data={"csrf_token": csrf_token(browser, "/learn")})

    assert redirects_to_login(elsewhere.get("/learn"))


def test_a_deactivated_person_is_refused_by_a_worker_that_kept_their_session(workers):
    first, second = workers
    browser = same_browser(log_in(first, "learner1@example.org"), second)
    assert browser.get("/learn").status_code == 200

    with first.app_context():
        admin = db.session.query(User).filter_by(email="admin@example.org").one()
        learner = db.session.query(User).filter_by(email="learner1@example.org").one()
        set_active(learner, False, admin)
        db.session.commit()

    assert redirects_to_login(browser.get("/learn"))


def test_a_new_role_and_a_new_notification_show_on_the_next_page_from_any_worker(workers):
    first, second = workers
    browser = same_browser(log_in(first, "learner2@example.org"), second)
    page = browser.get("/learn").get_data(as_text=True)
    assert 'class="count"' not in page
    assert browser.get("/manage/").status_code == 403

    with first.app_context():
        learner = db.session.query(User).filter_by(email="learner2@example.org").one()
        learner.set_roles({"learner", "manager"})
        notify(learner, "review", "Your practice was reviewed.", None)
        db.session.commit()

    page = browser.get("/learn").get_data(as_text=True)
    assert '<span class="count">1<span class="visually-hidden"> unread</span>' in page
    assert browser.get("/manage/").status_code == 200


def test_a_step_taken_through_one_worker_shows_on_the_course_page_of_another(workers):
    first, second = workers
    browser = log_in(first, "learner3@example.org")
    elsewhere = same_browser(browser, second)
    outline = elsewhere.get(f"/learn/{COURSE}").get_data(as_text=True)
    assert "0 of 2" in outline or "0%" in outline
    assert elsewhere.get(f"/learn/{COURSE}/second").status_code == 403  # locked until the quiz is passed

    page = browser.get(f"/learn/{COURSE}/first").get_data(as_text=True)
    token = csrf_token(browser, f"/learn/{COURSE}/first")
    assert "Check my answers" in page
    response = browser.post(
        f"/learn/{COURSE}/first/quiz/quiz-1", data={"q0": "0", "form_key": "k1", "csrf_token": token}
    )
    assert response.status_code == 302

    assert elsewhere.get(f"/learn/{COURSE}/second").status_code == 200
    lesson = elsewhere.get(f"/learn/{COURSE}/first").get_data(as_text=True)
    assert "Take the quiz again" in lesson


def test_a_course_renamed_through_one_worker_shows_in_another(workers):
    first, second = workers
    browser = same_browser(log_in(first, "learner4@example.org"), second)
    assert "Listening first" in browser.get(f"/learn/{COURSE}").get_data(as_text=True)

    with first.app_context():
        db.session.execute(update(Course).where(Course.slug == COURSE).values(title="Listen before you post"))
        db.session.commit()
    try:
        assert "Listen before you post" in browser.get(f"/learn/{COURSE}").get_data(as_text=True)
    finally:
        with first.app_context():
            db.session.execute(update(Course).where(Course.slug == COURSE).values(title="Listening first"))
            db.session.commit()


def test_a_change_made_outside_the_application_shows_once_the_kept_copy_is_too_old(workers, monkeypatch):
    """Nothing tells the workers about a statement typed into the database's own shell; what
    they keep is read again after ``MAX_AGE`` seconds whatever the generations say."""
    first, second = workers
    browser = same_browser(log_in(first, "learner5@example.org"), second)
    assert browser.get("/learn").status_code == 200
    monkeypatch.setattr(generations, "MAX_AGE", 0.2)

    engine = create_engine(first.config["SQLALCHEMY_URL"])
    with engine.begin() as connection:
        connection.execute(text("UPDATE users SET is_active = false WHERE email = 'learner5@example.org'"))
    engine.dispose()
    time.sleep(0.25)

    assert redirects_to_login(browser.get("/learn"))


def generations_of(app, *people: User) -> dict[tuple[str, str], generations.Token]:
    store = app.extensions["courseware.generations"]
    kinds = {"identity": generations.IDENTITY, "learning": generations.LEARNING}
    return {
        (someone.email, name): store.token(generations.generation_of(someone.id, kind))
        for someone in people
        for name, kind in kinds.items()
    }


def test_a_learners_step_changes_their_learning_generation_only(workers):
    """Answering a quiz must neither make every worker read every other person again, nor make
    them check the learner's session again."""
    first, _ = workers
    admin = person(first, "admin@example.org")
    learner = person(first, "learner3@example.org")
    browser = log_in(first, "learner3@example.org")
    token = csrf_token(browser, f"/learn/{COURSE}/first")
    before = generations_of(first, admin, learner)

    response = browser.post(
        f"/learn/{COURSE}/first/quiz/quiz-1", data={"q0": "1", "form_key": "k9", "csrf_token": token}
    )

    assert response.status_code == 302
    after = generations_of(first, admin, learner)
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {("learner3@example.org", "learning")}


def test_generations_change_when_the_transaction_commits_not_when_a_savepoint_is_released(workers):
    first, _ = workers
    with first.app_context():
        learner = db.session.query(User).filter_by(email="learner0@example.org").one()
        before = generations_of(first, learner)
        with db.session.begin_nested():
            notify(learner, "review", "Reviewed.", None)
        assert generations_of(first, learner) == before
        db.session.commit()
        assert generations_of(first, learner) != before


def test_a_rolled_back_write_changes_no_generation(workers):
    first, _ = workers
    with first.app_context():
        learner = db.session.query(User).filter_by(email="learner0@example.org").one()
        before = generations_of(first, learner)
        notify(learner, "review", "Reviewed.", None)
        db.session.rollback()
        db.session.commit()
        assert generations_of(first, learner) == before


def test_another_process_on_this_machine_sees_a_changed_generation_at_once(tmp_path):
    path = str(tmp_path / "db.sqlite3-generations")
    here = generations.FileGenerations(path)
    before = here.token(42)
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"from courseware.generations import FileGenerations; FileGenerations({path!r}).change([42])",
        ],
        check=True,
    )
    after = here.token(42)
    assert after != before
    assert after[0] == before[0]  # everyone else's generation is untouched
    assert here.token(43) == before


@pytest.mark.parametrize(
    ("where", "people"),
    [
        (lambda: Notification.user_id == 7, {7}),
        (lambda: and_(Notification.user_id == 7, Notification.read_at.is_(None)), {7}),
        (lambda: Notification.user_id == bindparam("learner"), {8}),
        (lambda: or_(Notification.user_id == 7, Notification.id == 3), None),
        (lambda: Notification.id == 3, None),
    ],
    ids=["equal", "and", "bound", "or", "other-column"],
)
def test_a_bulk_update_is_put_down_to_its_person_only_when_its_condition_names_one(where, people):
    statement = update(Notification).where(where()).values(read_at=None)
    assert generations._people_of_statement(statement, {"learner": 8}) == people


@pytest.fixture
def redis_url():
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return url


def test_with_redis_a_change_made_on_one_machine_is_seen_on_another(redis_url):
    database = f"sqlite:////tmp/kept-{time.time_ns()}.sqlite3"
    here, there = generations.RedisGenerations(redis_url, database), generations.RedisGenerations(redis_url, database)
    before = here.token(42)
    there.change([42])
    assert here.token(42) != before
    there.change([generations.EVERYONE])
    assert here.token(7)[0] != before[0]


def test_when_redis_does_not_answer_nothing_is_kept_and_pages_still_work(tmp_path):
    app = build_app("sqlite", str(tmp_path))
    # Only the generations are pointed at a Redis that is not there (the login limits keep theirs).
    app.extensions["courseware.generations"] = generations.RedisGenerations(
        "redis://127.0.0.1:1/0", app.config["SQLALCHEMY_URL"]
    )
    with app.app_context():
        create_user("learner@example.org", "Lee Learner", TEST_PASSWORD)
        db.session.commit()
    assert app.extensions["courseware.generations"].token(1) is None
    browser = log_in(app, "learner@example.org")
    assert browser.get("/learn").status_code == 200
    assert app.extensions.get("courseware.caches", {}).get("sessions") is None or not len(
        app.extensions["courseware.caches"]["sessions"]
    )
    app.extensions["courseware.db"]["engine"].dispose()


def test_a_kept_lesson_page_gets_fresh_form_keys_so_each_answer_counts(workers):
    first, _ = workers
    browser = log_in(first, "learner0@example.org")
    url = f"/learn/{COURSE}/first"
    keys = [
        re.search(r'name="form_key" value="([0-9a-f]+)"', browser.get(url).get_data(as_text=True)).group(1)
        for _ in range(3)
    ]
    assert len(set(keys)) == 3
    token = csrf_token(browser, url)
    for key in keys[:2]:
        response = browser.post(f"{url}/quiz/quiz-1", data={"q0": "1", "form_key": key, "csrf_token": token})
        assert response.status_code == 302
    page = browser.get(url).get_data(as_text=True)
    assert "Try again" in page
    with first.app_context():
        learner = db.session.query(User).filter_by(email="learner0@example.org").one()
        assert db.session.query(QuizAttempt).filter_by(user_id=learner.id).count() == 2


def test_reading_a_lesson_again_asks_the_database_nothing_until_the_learner_takes_a_step(workers):
    first, _ = workers
    browser = log_in(first, "learner4@example.org")
    url = f"/learn/{COURSE}/first"
    assert any("INSERT INTO learning_events" in sql for sql in statements_of(first, browser, url))  # today's view
    statements_of(first, browser, url)  # what the view changed is read again
    assert statements_of(first, browser, url) == []

    token = csrf_token(browser, url)
    browser.post(f"{url}/quiz/quiz-1", data={"q0": "1", "form_key": "k-read", "csrf_token": token})

    after_step = statements_of(first, browser, url)
    assert after_step, "the step changed what the page shows: it is read again"
    assert not any("user_sessions" in statement for statement in after_step), "the session is still kept"
    assert statements_of(first, browser, url) == []


def test_a_quiz_answer_reads_only_the_lessons_progress_under_the_learners_lock(workers):
    first, _ = workers
    browser = log_in(first, "learner6@example.org")
    url = f"/learn/{COURSE}/first"
    token = csrf_token(browser, url)

    def answer(key: str) -> list[str]:
        data = {"q0": "1", "form_key": key, "csrf_token": token}
        return statements_of(first, browser, f"{url}/quiz/quiz-1", data=data, status=302)

    answer("k-first")
    sent = [" ".join(statement.split()) for statement in answer("k-second")]
    reads = [statement for statement in sent if statement.startswith("SELECT")]
    writes = [
        statement.split(" (")[0].split(" SET")[0] for statement in sent if not statement.startswith(("SELECT", "BEGIN"))
    ]
    assert len(reads) == 1 and "FROM lesson_progress" in reads[0]
    assert writes == [
        "UPDATE enrollments",
        "INSERT INTO quiz_attempts",
        "INSERT INTO learning_events",
        "INSERT INTO lesson_progress",
    ]


def test_a_course_withdrawn_through_one_worker_takes_no_more_steps_in_another(workers):
    first, second = workers
    browser = same_browser(log_in(first, "learner7@example.org"), second)
    url = f"/learn/{COURSE}/first"
    token = csrf_token(browser, url)
    answer = {"q0": "0", "csrf_token": token}
    assert browser.post(f"{url}/quiz/quiz-1", data={**answer, "form_key": "w1"}).status_code == 302

    with first.app_context():
        db.session.execute(update(Course).where(Course.slug == COURSE).values(status="draft"))
        db.session.commit()
    try:
        assert browser.post(f"{url}/quiz/quiz-1", data={**answer, "form_key": "w2"}).status_code == 404
    finally:
        with first.app_context():
            db.session.execute(update(Course).where(Course.slug == COURSE).values(status="published"))
            db.session.commit()
