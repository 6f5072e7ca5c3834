"""Which transactions take SQLite's write lock at BEGIN: a writing view that reads first holds it
only for its writing part, so that readers' work is not serialised behind one writer."""

from __future__ import annotations

import sqlite3
import threading

import pytest
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


def _writer(path):
    from courseware.db import SQLiteConnection

    connection = sqlite3.connect(
        path, factory=SQLiteConnection, isolation_level=None, timeout=0.1, check_same_thread=False
    )
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


@pytest.fixture
def writers(tmp_path):
    """Two connections to one SQLite file that take write turns, closed after the test."""
    path = str(tmp_path / "turns.sqlite3")
    first, second = _writer(path), _writer(path)
    yield first, second
    first.close()
    second.close()


def test_sqlite_writers_take_turns_and_the_next_starts_once_the_last_commits(writers):
    """A writer waits for the one before it to commit, then writes; nothing is lost."""
    first, second = writers
    first.execute("CREATE TABLE steps (n INTEGER)")
    first.take_write_turn()
    first.execute("BEGIN IMMEDIATE")
    first.execute("INSERT INTO steps VALUES (1)")
    order = []

    def write_second():
        second.take_write_turn()
        order.append("second has its turn")
        second.execute("BEGIN IMMEDIATE")
        second.execute("INSERT INTO steps VALUES (2)")
        second.commit()

    thread = threading.Thread(target=write_second)
    thread.start()
    thread.join(0.2)
    assert thread.is_alive() and order == []  # still waiting for the first writer
    order.append("first commits")
    first.commit()
    thread.join(5)
    assert order == ["first commits", "second has its turn"]
    assert [row[0] for row in first.execute("SELECT n FROM steps ORDER BY n")] == [1, 2]


def test_a_sqlite_writer_gives_up_waiting_after_the_timeout_and_leaves_it_to_sqlite(writers):
    first, second = writers
    first.take_write_turn()
    first.execute("BEGIN IMMEDIATE")
    second.take_write_turn(timeout=0.05)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        second.execute("BEGIN IMMEDIATE")  # SQLite's own lock still keeps writers apart
    first.rollback()
    second.take_write_turn()
    second.execute("BEGIN IMMEDIATE")
    second.rollback()


def test_a_thread_that_writes_through_two_connections_does_not_wait_for_itself(writers):
    first, second = writers
    first.take_write_turn()
    first.execute("BEGIN IMMEDIATE")
    second.take_write_turn()  # returns at once: the turn is this thread's already
    first.rollback()
