"""Ids, numbers, dates and text read from a request: bad ones get a 404 (an id in the address),
a 400 page naming the parameter, or a field error that keeps what was typed; never a 500."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from courseware.core.validators import LARGEST_ID, day, has_untypable_characters, whole_number
from courseware.models import JournalEntry
from tests.conftest import post
from tests.core.web import page

HUGE = "9" * 31


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1", 1),
        ("0042", 42),
        (str(LARGEST_ID), LARGEST_ID),
        (str(LARGEST_ID + 1), None),
        (HUGE, None),
        ("²", None),  # passes str.isdigit(), not int()
        ("١٢٣", None),  # Arabic-Indic digits: int() reads them, no page sends them
        ("-1", None),
        (" 1", None),
        ("", None),
        (None, None),
    ],
)
def test_a_whole_number_is_plain_ascii_digits_within_the_database_range(text, number):
    assert whole_number(text) == number


def test_a_day_is_an_iso_date_within_the_years_the_site_works_in():
    assert day("2026-02-10") == dt.date(2026, 2, 10)
    assert [day(text) for text in ("9999-12-31", "0001-01-01", "2026-02-30", "10/02/2026", "２０２６-01-01")] == [
        None
    ] * 5


def test_nul_and_escape_codes_are_untypable_but_tabs_and_line_breaks_are_not():
    assert has_untypable_characters("a\x00b") and has_untypable_characters("\x1b[31m")
    assert not has_untypable_characters("one\ttwo\r\nthree")


@pytest.fixture
def admin(make_user, login):
    person = make_user(name="Ada Admin", roles=("admin",))
    login(person)
    return person


@pytest.mark.parametrize("value", [HUGE, "²", "١", "-1", "0", "7" * 3000])
def test_an_id_in_the_address_that_cannot_name_a_row_is_not_found(client, admin, value):
    response = client.get(f"/admin/people/{value}")

    assert response.status_code == 404
    assert "There is no page at this address." in page(response).text


def test_a_path_segment_with_a_nul_is_not_found(client, admin):
    assert client.get("/learn/a%00b").status_code == 404
    assert client.get("/certificates/" + "x" * 300).status_code == 404


@pytest.mark.parametrize("value", [HUGE, "%C2%B2", "-1", "0", "%FF%FE"])
def test_a_page_number_that_is_not_one_gets_a_400_naming_it(client, admin, value):
    response = client.get(f"/admin/people?page={value}")

    assert response.status_code == 400
    assert "“page” must be a whole number" in page(response).text


def test_a_search_with_a_nul_gets_a_400_saying_why(client, admin):
    response = client.get("/admin/people?q=a%00b")

    assert response.status_code == 400
    assert "control characters such as NUL" in page(response).text


def test_the_events_export_refuses_an_end_date_past_the_years_the_site_works_in(client, admin):
    response = client.get("/manage/events.csv?start=2026-01-01&end=9999-12-31")

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "is not a date in the form YYYY-MM-DD (for example 2026-01-31) from 1900 to 2999" in page(response).text


def test_a_journal_entry_with_a_nul_gets_a_field_error_and_keeps_the_text(client, db, make_user, login):
    learner = make_user()
    login(learner)
    typed = "What I learned today\x00 about listening"

    response = post(client, "/journal", {"body": typed})

    assert response.status_code == 422
    shown = page(response)
    assert "Remove the control characters (such as NUL) from this text." in shown.errors
    assert "What I learned today" in shown.text and "about listening" in shown.text
    assert db.session.scalar(select(func.count()).where(JournalEntry.user_id == learner.id)) == 0


def test_an_objective_far_in_the_future_gets_a_field_error(client, make_user, login):
    login(make_user())
    fields = {"title": "Post weekly", "horizon": "short", "measure_kind": "qualitative", "measure": "Posts"}

    response = post(client, "/objectives", {**fields, "target_date": "9999-12-31"})

    assert response.status_code == 422
    assert "Choose a date from 1900 to 2999." in page(response).errors
    assert page(response).value("title") == "Post weekly"


def test_a_quiz_answer_in_unicode_digits_counts_as_no_answer(client, make_user, make_course, login):
    from courseware.learn.enrollment import enroll

    learner = make_user()
    course = make_course()
    enroll(learner, course)
    login(learner)

    response = post(client, f"/learn/{course.slug}/first/quiz/quiz-1", {"q0": "²"})

    assert response.status_code == 303
    shown = page(client.get(response.headers["Location"])).text
    assert re.search(r'Not answered yet:\s*<a href="#quiz-1-q0">question 1</a>\.', shown)


def test_api_errors_for_bad_ids_stay_json(client, admin):
    response = client.get(f"/api/v1/people/{HUGE}")

    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_a_lesson_saved_with_a_nul_in_its_body_gets_an_error_and_keeps_the_text(
    client, db, make_user, make_course, login
):
    from courseware.models import Lesson, LessonRevision

    login(make_user(roles=("admin",)))
    course = make_course(modules=[("m", [("first", [])])])
    lesson = db.session.scalar(select(Lesson).where(Lesson.course_id == course.id))
    body = "## Listening\n\nFirst\x00 listen."
    fields = {"title": "Listening", "minutes": "5", "body": body, "base_revision": "1", "act-count": "0"}

    response = post(client, f"/author/lessons/{lesson.id}/edit", {**fields, "action": "save"})

    assert response.status_code == 422
    assert (
        "A control character (such as NUL) is in the lesson; it cannot be stored, so remove it" in page(response).text
    )
    assert "First" in page(response).text and "listen." in page(response).text
    assert db.session.scalar(select(func.count()).where(LessonRevision.lesson_id == lesson.id)) == 1
