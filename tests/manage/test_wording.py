"""Managers' words in the reader's language: days written out, messages to a person in theirs,
and the course funnel kept as stages that are worded only when shown."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale, get_locale

from courseware.manage import figures
from courseware.manage.overview import Stage
from courseware.manage.people import clock
from courseware.manage.wording import in_language_of, language_of, long_date
from courseware.models import OrganisationSettings


def test_a_day_is_written_out_as_the_reader_writes_it(app):
    day = dt.date(2026, 12, 6)
    with app.test_request_context():
        assert long_date(day) == "6 December 2026"
        with force_locale("es"):
            assert long_date(day) == "6 de diciembre de 2026"
        with force_locale("fr"):
            assert long_date(day) == "6 décembre 2026"


def test_a_message_to_a_person_is_written_in_their_language(app, make_user, db):
    chose_french = make_user()
    chose_french.locale = "fr"
    chose_nothing = make_user()
    db.session.add(OrganisationSettings(id=1, name="", default_time_zone="UTC", default_locale="es"))
    db.session.flush()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(get_locale()) == "en"
        with in_language_of(chose_french):
            assert str(get_locale()) == "fr"
        with in_language_of(chose_nothing):
            assert language_of(chose_nothing) == "es" and str(get_locale()) == "es"
        assert str(get_locale()) == "en"


def test_the_funnel_is_kept_as_stages_and_worded_when_shown(app):
    stages = [
        Stage("", 9, "assigned"),
        Stage("", 7, "started"),
        Stage("Basics", 5, "module"),
        Stage("Extras", 2, "module", optional=True),
        Stage("", 1, "completed"),
    ]
    to_json, from_json = figures.CODECS["funnel"]
    kept = from_json(to_json(stages), clock(14))
    assert kept == stages
    with app.test_request_context():
        assert [stage.label for stage in kept] == [
            "Assigned",
            "Started",
            "Basics",
            "Extras (optional)",
            "Completed the course",
        ]
