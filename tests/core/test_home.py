"""The home page sends each person where their work is."""

import pytest

from courseware.learn.enrollment import enroll
from tests.core.web import path_of


def test_anonymous_visitors_go_to_the_login_page(client):
    assert path_of(client.get("/").location) == "/login"


def test_a_person_with_courses_goes_to_their_learning(client, db, make_user, make_course, login):
    manager = make_user(roles=("manager",))
    enroll(manager, make_course())
    db.session.commit()
    login(manager)
    assert path_of(client.get("/").location) == "/learn"


@pytest.mark.parametrize(
    ("roles", "start"),
    [(("manager",), "/manage"), (("admin",), "/admin/people"), (("learner",), "/learn")],
)
def test_a_person_without_courses_starts_where_their_role_works(client, make_user, login, roles, start):
    login(make_user(roles=roles))
    assert path_of(client.get("/").location).rstrip("/") == start
