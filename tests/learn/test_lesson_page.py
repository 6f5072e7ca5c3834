"""The lesson page's view data: where the lesson sits, and a panel per activity with the learner's work."""

from courseware.learn.activities import answer_quiz, mark_read, save_checklist
from courseware.learn.course_map import lesson_for_learner
from courseware.learn.enrollment import enroll
from courseware.learn.lesson_page import lesson_page
from tests.conftest import QUIZ
from tests.learn.player import CHECKLIST, PRACTICE, REFLECTION


def test_each_activity_has_a_panel_with_the_learners_work_in_the_lessons_order(app, db, make_user, make_course):
    course = make_course(
        modules=[("m", [("intro", []), ("work", [QUIZ, CHECKLIST, PRACTICE, REFLECTION]), ("last", [])])]
    )
    learner = make_user()
    enroll(learner, course)
    db.session.commit()
    mark_read(learner, lesson_for_learner(learner, course, "intro")[0])
    work, _ = lesson_for_learner(learner, course, "work")
    attempt = answer_quiz(learner, work, QUIZ, {0: {1}}, "quiz-form")
    save_checklist(learner, work, CHECKLIST, [1], "checklist-form")
    db.session.commit()
    work, cmap = lesson_for_learner(learner, course, "work")

    with app.test_request_context():
        page = lesson_page(learner, work, cmap, attempt_id=attempt.id)

    assert (page.item.slug, page.module.slug, page.previous.slug, page.following.slug) == ("work", "m", "intro", "last")
    assert [panel["key"] for panel in page.panels] == ["quiz-1", "checklist-1", "practice-1", "reflection-1"]
    quiz, checklist, practice, reflection = page.panels
    assert [a.id for a in quiz["attempts"]] == [attempt.id] and quiz["result"].id == attempt.id
    assert quiz["passed"] is False and quiz["missing"] == [] and quiz["values"] == {0: {1}}
    assert checklist["ticked"] == {1} and checklist["state"].status == "open"
    assert practice["history"] == [] and practice["form"].text.data is None
    assert reflection["entry"] is None
    assert quiz["form_key"] != checklist["form_key"]


def test_an_attempt_of_someone_else_is_not_shown_as_the_result(app, db, make_user, make_course):
    course = make_course(modules=[("m", [("quiz", [QUIZ])])])
    learner, other = make_user(), make_user()
    for person in (learner, other):
        enroll(person, course)
    db.session.commit()
    theirs = answer_quiz(other, lesson_for_learner(other, course, "quiz")[0], QUIZ, {0: {0}}, "theirs")
    db.session.commit()
    lesson, cmap = lesson_for_learner(learner, course, "quiz")

    with app.test_request_context():
        page = lesson_page(learner, lesson, cmap, attempt_id=theirs.id)

    assert page.panels[0]["result"] is None and page.panels[0]["attempts"] == []
