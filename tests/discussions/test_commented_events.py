"""Every discussion post and thread comment is a "commented" event in the learning log: it counts
as activity and shows on the manager's person timeline, and it never changes anyone's progress."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from courseware.discussions import services
from courseware.learn.enrollment import enroll
from courseware.manage.people import PeopleFilter, clock, people_page
from courseware.manage.policies import Scope
from courseware.models import Enrollment, LearningEvent, LessonProgress, ManagerScope
from courseware.progress.services import rebuild
from tests.conftest import csrf_token, lesson_of


@pytest.fixture
def course(db, owned_course):
    course = owned_course(modules=[("basics", [("first", []), ("second", [])])])
    course.discussion = True
    db.session.commit()
    return course


def commented(db, person) -> list[LearningEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(LearningEvent).where(LearningEvent.user_id == person.id, LearningEvent.verb == "commented")
        )
    )


def progress_rows(db, person) -> int:
    return db.session.scalar(
        select(func.count()).select_from(LessonProgress).where(LessonProgress.user_id == person.id)
    )


def test_a_post_is_a_commented_event_that_changes_no_progress(db, make_user, course, trainer):
    learner = make_user(name="Lena Learner")
    enrollment = enroll(learner, course)
    db.session.commit()
    lesson = lesson_of(db, course, "first")

    post = services.add_post(learner, course, lesson, "A question")
    services.add_post(trainer, course, lesson, "An answer", parent=post)
    db.session.commit()

    (event,) = commented(db, learner)
    assert (event.course_id, event.lesson_id) == (course.id, lesson.id)
    assert event.detail == {"where": "discussion", "link": f"/discussions/{course.slug}/first#post-{post.id}"}
    assert len(commented(db, trainer)) == 1  # the trainer's reply is the trainer's event
    # Nothing started: no lesson progress, the enrollment neither started nor marked active.
    assert progress_rows(db, learner) == 0 and progress_rows(db, trainer) == 0
    enrollment = db.session.get(Enrollment, enrollment.id)
    assert (enrollment.started_at, enrollment.last_activity_at) == (None, None)
    # Rebuilding progress from the whole log finds nothing to change, and still makes no rows.
    assert rebuild() == 0
    assert progress_rows(db, learner) == 0 and progress_rows(db, trainer) == 0


def test_a_comment_on_a_lesson_being_worked_on_leaves_its_progress_as_it_was(
    client, db, login, make_user, practice_course, hand_in, trainer
):
    learner = make_user(name="Lena Learner")
    submission = hand_in(learner, practice_course)
    lesson = lesson_of(db, practice_course, "write")
    before = db.session.execute(
        select(LessonProgress.status, LessonProgress.last_activity_at).where(
            LessonProgress.user_id == learner.id, LessonProgress.lesson_id == lesson.id
        )
    ).one()

    login(learner)
    url = f"/threads/submission/{submission.id}"
    assert client.post(url, data={"csrf_token": csrf_token(client, "/account"), "body": "Is it OK?"}).status_code == 302

    (event,) = commented(db, learner)
    assert (event.lesson_id, event.detail["where"]) == (lesson.id, "submission")
    assert event.detail["link"].startswith(url)
    after = db.session.execute(
        select(LessonProgress.status, LessonProgress.last_activity_at).where(
            LessonProgress.user_id == learner.id, LessonProgress.lesson_id == lesson.id
        )
    ).one()
    assert after == before
    assert rebuild() == 0


def test_the_manager_sees_the_comment_on_the_person_page_and_in_the_activity_count(
    client, db, login, make_user, make_team, course
):
    team = make_team("North")
    learner = make_user(name="Lena Learner", team=team)
    manager = make_user(name="Mona Manager", roles=("manager",))
    db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    enroll(learner, course)
    db.session.commit()
    (row,) = people_page(Scope((team.id,)), PeopleFilter(user_ids=(learner.id,)), clock(14))[0]
    assert row.recent == 0

    services.add_post(learner, course, lesson_of(db, course, "second"), "Where do I start?")
    db.session.commit()

    (row,) = people_page(Scope((team.id,)), PeopleFilter(user_ids=(learner.id,)), clock(14))[0]
    assert row.recent == 1 and row.last_active_at is not None
    login(manager)
    page = client.get(f"/manage/people/{learner.id}").get_data(as_text=True)
    assert "Commented on the discussion of <em>Lesson second</em>" in page
