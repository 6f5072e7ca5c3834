"""The learner's journal: reflections land in it, sharing changes, and nobody else reaches it."""

from sqlalchemy import select

from courseware.learn.enrollment import enroll
from courseware.models import JournalEntry, LessonProgress, Objective
from tests.conftest import post
from tests.learn.player import REFLECTION


def test_reflection_goes_to_the_journal_and_sharing_can_change(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course(modules=[("m", [("think", [REFLECTION])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    response = post(client, f"/learn/{course.slug}/think/reflection/reflection-1", {"body": "", "form_key": "r0"})
    assert response.status_code == 422
    post(
        client,
        f"/learn/{course.slug}/think/reflection/reflection-1",
        {"body": "Listening first.", "share_mentor": "y", "form_key": "r1"},
    )
    entry = db.session.scalar(select(JournalEntry))
    assert entry.body == "Listening first." and entry.shared_with_mentor and not entry.shared_with_manager
    assert db.session.scalar(select(LessonProgress.status)) == "completed"
    html = client.get("/journal").get_data(as_text=True)
    assert "Listening first." in html and "What surprised you?" in html
    post(client, f"/journal/{entry.id}/sharing", {"share_manager": "y"})
    db.session.refresh(entry)
    assert entry.shared_with_manager and not entry.shared_with_mentor


def test_a_learner_cannot_reach_another_learners_work(client, db, make_user, make_course, login):
    owner, other = make_user(), make_user()
    course = make_course()
    enroll(owner, course)
    db.session.commit()
    login(owner)
    post(client, "/objectives", {"title": "Mine", "horizon": "short", "measure_kind": "qualitative", "measure": "x"})
    post(client, "/journal", {"body": "Private thoughts"})
    objective = db.session.scalar(select(Objective))
    entry = db.session.scalar(select(JournalEntry))
    post(client, "/logout")
    login(other)
    assert client.get(f"/objectives/{objective.id}").status_code == 404
    assert post(client, f"/journal/{entry.id}/sharing", {"share_manager": "y"}).status_code == 404
    assert "Private thoughts" not in client.get("/journal").get_data(as_text=True)
    assert "Mine" not in client.get("/objectives").get_data(as_text=True)
    assert client.get(f"/learn/{course.slug}").status_code == 404
