"""Requests that race. Each is sent several times at the same moment, from separate browsers with
separate database connections; the database keeps one winner and every other request gets a
clear answer, never a 500.

On PostgreSQL the requests truly overlap: each one's COMMIT is held until all of them have
reached theirs (or a moment has passed, when one waits for another's lock), so none of them
sees what another wrote before deciding. On SQLite, writers take turns; the same outcome holds.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import threading

import pytest
from sqlalchemy import event, func, select

from courseware.auth.services import create_user, invite, request_password_reset
from courseware.extensions import db
from courseware.learn.enrollment import enroll
from courseware.learn.form_keys import new_form_key
from courseware.models import (
    Course,
    Enrollment,
    Invitation,
    JournalEntry,
    LearningEvent,
    Lesson,
    LessonRevision,
    Mentorship,
    Module,
    Objective,
    ObjectiveRevision,
    Submission,
    Team,
    User,
)
from tests.conftest import POSTGRES_URL, TEST_PASSWORD, build_app, csrf_token, drop_scratch_postgres, scratch_name
from tests.core.web import form_on, new_client

pytestmark = pytest.mark.slow

# How long a request that reached its COMMIT waits for the others to reach theirs.
HOLD_SECONDS = 1.5
PRACTICE = {
    "key": "practice-1",
    "type": "practice",
    "prompt": "Write three objectives.",
    "rubric": [{"name": "Specific", "good": "Names what will change."}],
    "approval": "required",
}
REFLECTION = {"key": "reflection-1", "type": "reflection", "prompt": "What surprised you?"}
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def race_app(backend, tmp_path_factory):
    """An app on its own database, whose requests really commit (no test transaction around them)."""
    app = build_app(backend, str(tmp_path_factory.mktemp("races")), purpose="races")
    yield app
    app.extensions["courseware.db"]["engine"].dispose()
    if backend == "postgresql":
        drop_scratch_postgres(POSTGRES_URL, scratch_name("races"))


def race(app, requests, *, writes_to: str) -> list:
    """Run the ``requests`` (callables) at once, each in its own thread; their responses.

    A request that has written to the table ``writes_to`` holds its COMMIT until every request
    has reached that point, or ``HOLD_SECONDS`` have passed.
    """
    engine = app.extensions["courseware.db"]["engine"]
    barrier = threading.Barrier(len(requests))
    racing = threading.local()
    writes = re.compile(rf"^\s*(INSERT INTO|UPDATE) {writes_to}\b", re.IGNORECASE)

    def note_write(_conn, _cursor, statement, *_):
        if getattr(racing, "on", False) and writes.match(statement):
            racing.wrote = True

    def hold_commit(_conn):
        if getattr(racing, "wrote", False):
            racing.wrote = False
            try:
                barrier.wait(HOLD_SECONDS)
            except threading.BrokenBarrierError:
                pass  # another request waits for this one's lock: go on

    responses: list = [None] * len(requests)

    def run(index):
        racing.on = True
        try:
            responses[index] = requests[index]()
        except BaseException as error:  # reported as the answer
            responses[index] = error

    event.listen(engine, "before_cursor_execute", note_write)
    event.listen(engine, "commit", hold_commit)
    try:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        event.remove(engine, "before_cursor_execute", note_write)
        event.remove(engine, "commit", hold_commit)
    for response in responses:
        assert not isinstance(response, BaseException), response
        assert response.status_code < 500, response.get_data(as_text=True)[-3000:]
    return responses


def person(app, roles=("learner",)) -> User:
    with app.app_context():
        n = next(_numbers)
        user = create_user(f"racer{n}@example.org", f"Racer {n}", TEST_PASSWORD, roles=roles)
        db.session.commit()
        return user


def browsers(app, user, count: int) -> list:
    """``count`` separate browsers, each logged in as ``user``."""
    clients = []
    for _ in range(count):
        client = new_client(app)
        response = client.post(
            "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": csrf_token(client)}
        )
        assert response.status_code == 302
        clients.append(client)
    return clients


def poster(client, path: str, fields: dict):
    """A callable that posts ``fields`` to ``path`` as the client's browser would."""
    data = {**fields, "csrf_token": csrf_token(client, "/")}
    return lambda: client.post(path, data=data)


def count(app, statement) -> int:
    with app.app_context():
        try:
            return db.session.scalar(statement)
        finally:
            db.session.remove()


def course_with(app, learner, activity) -> str:
    """A published one-lesson course with ``activity``, the learner enrolled; the lesson's URL."""
    with app.app_context():
        n = next(_numbers)
        course = Course(slug=f"race-{n}", title=f"Race {n}", summary="For races.", status="published")
        db.session.add(course)
        db.session.flush()
        module = Module(course_id=course.id, slug="m", title="M", position=0)
        db.session.add(module)
        db.session.flush()
        lesson = Lesson(course_id=course.id, module_id=module.id, slug="task", position=0)
        db.session.add(lesson)
        db.session.flush()
        revision = LessonRevision(
            lesson_id=lesson.id,
            number=1,
            title="Task",
            minutes=5,
            body="Do it.",
            activities=[activity],
            content_hash=hashlib.sha256(f"race-{n}".encode()).hexdigest(),
        )
        db.session.add(revision)
        db.session.flush()
        lesson.published_revision_id = revision.id
        enroll(db.session.get(User, learner.id), course)
        db.session.commit()
        return f"/learn/{course.slug}/task"


# --- the same form sent four times at once ---------------------------------------------------------


def test_a_journal_entry_sent_four_times_at_once_is_one_entry_and_one_event(race_app):
    learner = person(race_app)
    key = new_form_key()
    fields = {"body": "Listened before posting.", "form_key": key}
    responses = race(
        race_app, [poster(c, "/journal", fields) for c in browsers(race_app, learner, 4)], writes_to="journal_entries"
    )
    assert {r.status_code for r in responses} == {302}
    assert (
        count(race_app, select(func.count()).select_from(JournalEntry).where(JournalEntry.user_id == learner.id)) == 1
    )
    journaled = select(func.count()).select_from(LearningEvent).where(LearningEvent.user_id == learner.id)
    assert count(race_app, journaled) == 1


def test_an_objective_sent_four_times_at_once_is_one_objective_with_one_revision(race_app):
    learner = person(race_app)
    fields = {
        "title": "Answer every mention",
        "horizon": "short",
        "measure_kind": "quantitative",
        "measure": "All mentions answered within a day.",
        "form_key": new_form_key(),
    }
    responses = race(
        race_app, [poster(c, "/objectives", fields) for c in browsers(race_app, learner, 4)], writes_to="objectives"
    )
    assert {r.status_code for r in responses} == {302}
    assert count(race_app, select(func.count()).select_from(Objective).where(Objective.user_id == learner.id)) == 1
    revisions = (
        select(func.count()).select_from(ObjectiveRevision).join(Objective).where(Objective.user_id == learner.id)
    )
    assert count(race_app, revisions) == 1
    set_events = select(func.count()).select_from(LearningEvent).where(LearningEvent.user_id == learner.id)
    assert count(race_app, set_events) == 1


def test_an_objective_revision_sent_four_times_at_once_is_one_revision(race_app):
    learner = person(race_app)
    first = browsers(race_app, learner, 1)[0]
    fields = {
        "title": "Answer every mention",
        "horizon": "short",
        "measure_kind": "quantitative",
        "measure": "All mentions answered within a day.",
        "form_key": new_form_key(),
    }
    assert poster(first, "/objectives", fields)().status_code == 302
    with race_app.app_context():
        objective_id = db.session.scalar(select(Objective.id).where(Objective.user_id == learner.id))
    revised = {**fields, "measure": "All mentions answered within an hour.", "note": "Faster.", "status": "active"}
    revised["form_key"] = new_form_key()
    path = f"/objectives/{objective_id}"
    responses = race(
        race_app,
        [poster(c, path, revised) for c in browsers(race_app, learner, 4)],
        writes_to="objective_revisions",
    )
    assert {r.status_code for r in responses} == {302}
    numbers = select(func.count()).select_from(ObjectiveRevision).where(ObjectiveRevision.objective_id == objective_id)
    assert count(race_app, numbers) == 2


def test_practice_work_sent_four_times_at_once_is_one_submission_and_one_event(race_app):
    learner = person(race_app)
    lesson_url = course_with(race_app, learner, PRACTICE)
    fields = {"text": "Three objectives.", "form_key": new_form_key()}
    path = f"{lesson_url}/practice/practice-1"
    responses = race(
        race_app, [poster(c, path, fields) for c in browsers(race_app, learner, 4)], writes_to="submissions"
    )
    assert {r.status_code for r in responses} == {302}
    assert count(race_app, select(func.count()).select_from(Submission).where(Submission.user_id == learner.id)) == 1
    submitted = select(func.count()).where(LearningEvent.user_id == learner.id, LearningEvent.verb == "submitted")
    assert count(race_app, submitted) == 1


def test_a_reflection_sent_four_times_at_once_is_one_journal_entry(race_app):
    learner = person(race_app)
    lesson_url = course_with(race_app, learner, REFLECTION)
    fields = {"body": "How fast people answer.", "form_key": new_form_key()}
    path = f"{lesson_url}/reflection/reflection-1"
    responses = race(
        race_app, [poster(c, path, fields) for c in browsers(race_app, learner, 4)], writes_to="journal_entries"
    )
    assert {r.status_code for r in responses} == {302}
    assert (
        count(race_app, select(func.count()).select_from(JournalEntry).where(JournalEntry.user_id == learner.id)) == 1
    )
    journaled = select(func.count()).where(LearningEvent.user_id == learner.id, LearningEvent.verb == "journaled")
    assert count(race_app, journaled) == 1


# --- links, names and saves with one winner ----------------------------------------------------------


def test_one_reset_link_used_twice_at_once_changes_the_password_and_logs_in_once(race_app):
    user = person(race_app)
    with race_app.app_context():
        _, token = request_password_reset(user.email)
        db.session.commit()
    path = f"/password/reset/{token}"
    fields = {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    responses = race(
        race_app, [poster(new_client(race_app), path, fields) for _ in range(2)], writes_to="password_resets"
    )
    assert sorted(r.status_code for r in responses) == [302, 410]
    refused = next(r for r in responses if r.status_code == 410)
    assert "already been used" in refused.get_data(as_text=True)


def test_one_invitation_accepted_twice_at_once_makes_one_account(race_app):
    admin = person(race_app, roles=("admin",))
    with race_app.app_context():
        invitation, token = invite("newcomer@example.org", ["learner"], None, db.session.get(User, admin.id))
        db.session.commit()
    path = f"/invite/{token}"
    fields = {"name": "New Comer", "password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    responses = race(race_app, [poster(new_client(race_app), path, fields) for _ in range(2)], writes_to="invitations")
    assert sorted(r.status_code for r in responses) == [302, 410]
    refused = next(r for r in responses if r.status_code == 410)
    assert "already" in refused.get_data(as_text=True)
    assert count(race_app, select(func.count()).where(User.email == "newcomer@example.org")) == 1


def test_two_admins_inviting_one_address_at_once_leave_one_open_invitation(race_app):
    admins = [person(race_app, roles=("admin",)) for _ in range(2)]
    clients = [browsers(race_app, admin, 1)[0] for admin in admins]
    posts = [
        poster(clients[0], "/admin/people/invite", {"email": "Twice@Example.org", "roles": "learner", "team": "0"}),
        poster(clients[1], "/admin/people/invite", {"email": "twice@example.org", "roles": "learner", "team": "0"}),
    ]
    responses = race(race_app, posts, writes_to="invitations")
    assert {r.status_code for r in responses} == {200}
    open_ones = select(func.count()).where(
        Invitation.email == "twice@example.org", Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)
    )
    assert count(race_app, open_ones) == 1


def test_two_admins_creating_one_team_name_in_different_case_at_once_make_one_team(race_app):
    clients = [browsers(race_app, person(race_app, roles=("admin",)), 1)[0] for _ in range(2)]
    posts = [
        poster(clients[0], "/admin/teams", {"name": "Field Sales"}),
        poster(clients[1], "/admin/teams", {"name": "field SALES"}),
    ]
    responses = race(race_app, posts, writes_to="teams")
    assert sorted(r.status_code for r in responses) == [302, 422]
    refused = next(r for r in responses if r.status_code == 422)
    assert "A team with this name already exists." in refused.get_data(as_text=True)
    assert count(race_app, select(func.count()).where(func.lower(Team.name) == "field sales")) == 1


def test_two_editors_saving_one_lesson_at_once_one_saves_and_the_other_keeps_their_text(race_app):
    learner = person(race_app)
    lesson_url = course_with(race_app, learner, REFLECTION)
    with race_app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).join(Course).where(Course.slug == lesson_url.split("/")[2]))
    editors = [browsers(race_app, person(race_app, roles=("admin",)), 1)[0] for _ in range(2)]
    path = f"/author/lessons/{lesson_id}/edit"
    posts = []
    for n, client in enumerate(editors):
        fields = form_on(client.get(path), path)
        fields["body"] = [f"Version of editor {n}."]
        fields["action"] = "save"
        posts.append(lambda client=client, fields=fields: client.post(path, data=fields))
    responses = race(race_app, posts, writes_to="lesson_revisions")
    assert sorted(r.status_code for r in responses) == [302, 409]
    refused = next(n for n, r in enumerate(responses) if r.status_code == 409)
    kept = form_on(responses[refused], path)
    assert kept["body"] == [f"Version of editor {refused}."]
    assert "so nothing was saved" in responses[refused].get_data(as_text=True)
    assert count(race_app, select(func.count()).where(LessonRevision.lesson_id == lesson_id)) == 2


def test_two_managers_assigning_one_course_to_one_person_at_once_enroll_them_once(race_app):
    learner = person(race_app)
    course_with(race_app, person(race_app), REFLECTION)  # someone else's course, so the learner is not enrolled
    with race_app.app_context():
        course_id = db.session.scalar(select(Course.id).order_by(Course.id.desc()).limit(1))
    clients = [browsers(race_app, person(race_app, roles=("admin",)), 1)[0] for _ in range(2)]
    fields = {"course": str(course_id), "people": str(learner.id), "due_date": ""}
    responses = race(
        race_app, [poster(client, "/manage/assign", fields) for client in clients], writes_to="enrollments"
    )
    assert {r.status_code for r in responses} == {302}
    enrolled = select(func.count()).where(Enrollment.user_id == learner.id, Enrollment.course_id == course_id)
    assert count(race_app, enrolled) == 1
    events = select(func.count()).where(LearningEvent.user_id == learner.id, LearningEvent.verb == "enrolled")
    assert count(race_app, events) == 1


def test_two_managers_pairing_one_mentor_and_learner_at_once_make_one_pair(race_app):
    learner = person(race_app)
    mentor = person(race_app, roles=("learner", "trainer"))
    clients = [browsers(race_app, person(race_app, roles=("admin",)), 1)[0] for _ in range(2)]
    fields = {"mentor": str(mentor.id), "learners": learner.email}
    responses = race(
        race_app, [poster(client, "/mentoring/pairs", fields) for client in clients], writes_to="mentorships"
    )
    assert {r.status_code for r in responses} == {302}
    pairs = select(func.count()).where(Mentorship.mentor_id == mentor.id, Mentorship.learner_id == learner.id)
    assert count(race_app, pairs) == 1


def test_two_trainers_uploading_one_new_course_at_once_make_one_course_with_one_revision_a_lesson(race_app):
    from tests.authoring.test_zip import good_zip

    n = next(_numbers)
    archive = good_zip(f"raced-{n}")
    posts = []
    for client in [browsers(race_app, person(race_app, roles=("admin",)), 1)[0] for _ in range(2)]:
        data = {"csrf_token": csrf_token(client, "/author/import")}
        posts.append(
            lambda client=client, data=data: client.post(
                "/author/import", data={**data, "archive": (io.BytesIO(archive), "course.zip")}
            )
        )
    responses = race(race_app, posts, writes_to="courses")
    assert {r.status_code for r in responses} == {302}
    assert count(race_app, select(func.count()).select_from(Course).where(Course.slug == f"raced-{n}")) == 1
    revisions = (
        select(func.count(), func.max(LessonRevision.number))
        .select_from(LessonRevision)
        .join(Lesson, Lesson.id == LessonRevision.lesson_id)
        .join(Course, Course.id == Lesson.course_id)
        .where(Course.slug == f"raced-{n}")
    )
    with race_app.app_context():
        lessons = db.session.scalar(
            select(func.count()).select_from(Lesson).join(Course).where(Course.slug == f"raced-{n}")
        )
        total, highest = db.session.execute(revisions).one()
        db.session.remove()
    assert lessons >= 1 and total == lessons and highest == 1  # the second upload found it unchanged
