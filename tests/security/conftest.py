"""Fixtures for the route-wide tests: the people and the objects their URLs point at."""

from __future__ import annotations

import pytest

from courseware.extensions import limiter
from tests.security.personas import build_world


@pytest.fixture
def world(db, make_user, make_team, make_course):
    """``(people, values)``: one person per role, and the ids, slugs and tokens routes take."""
    limiter.reset()  # the walks log the same people in more often a minute than the login limits allow
    return build_world(db, make_user, make_team, make_course)
