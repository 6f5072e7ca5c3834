"""Which transactions take SQLite's write lock at BEGIN: a writing view that reads first holds it
only for its writing part, so that readers' work is not serialised behind one writer."""

from __future__ import annotations

from flask import g

from courseware.db import write_lock_at_begin


def test_writing_requests_take_the_write_lock_at_begin_and_reading_ones_do_not(app):
    with app.test_request_context("/learn", method="GET"):
        assert not write_lock_at_begin()
    with app.test_request_context("/journal", method="POST"):
        assert write_lock_at_begin()


def test_a_view_that_reads_first_begins_reading_and_writes_inside_db_writing(app, db):
    with app.test_request_context("/learn/c/l/quiz/quiz-1", method="POST"):
        g.reads_first = True
        assert not write_lock_at_begin()
        with db.writing():
            assert write_lock_at_begin()
        assert not write_lock_at_begin()


def test_the_quiz_answer_and_mark_read_views_read_first(app):
    """Their reads (the person, the course map, the lesson) run before the lock is taken."""
    for endpoint in ("learn.answer_quiz", "learn.mark_read"):
        view = app.view_functions[endpoint]
        with app.test_request_context("/", method="POST"):
            # Nobody is logged in, so the view answers with the login redirect; the flag is set first.
            view(course_slug="none", lesson_slug="none", **({"key": "k"} if "quiz" in endpoint else {}))
            assert g.get("reads_first") is True
