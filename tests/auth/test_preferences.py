"""A person's time zone and language on their account page, and every time shown in that zone."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from courseware.models import ApiToken, OrganisationSettings
from tests.conftest import post
from tests.core.web import page

CREATED = dt.datetime(2026, 1, 15, 23, 30, tzinfo=dt.UTC)


def token_created_at(db, user) -> None:
    db.session.add(ApiToken(user_id=user.id, name="script", token_hash="1" * 64, created_at=CREATED))
    db.session.commit()


def test_the_chosen_zone_is_saved_and_times_follow_it(client, make_user, login, db):
    user = make_user()
    token_created_at(db, user)
    login(user)
    assert "15 Jan 2026, 23:30 UTC" in page(client.get("/account")).text

    response = post(client, "/account/preferences", {"time_zone": "Asia/Tokyo", "locale": "fr"})

    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.time_zone, user.locale) == ("Asia/Tokyo", "fr")
    shown = page(client.get("/account"))
    # In Tokyo's time, and written the French way, as the person chose French.
    assert "16 janv. 2026, 08:30 JST" in shown.text
    assert shown.selected("time_zone") == {"Asia/Tokyo"}
    assert shown.selected("locale") == {"fr"}


def test_without_a_choice_the_organisation_default_applies(client, make_user, login, db):
    user = make_user()
    token_created_at(db, user)
    db.session.add(OrganisationSettings(id=1, name="", default_time_zone="America/New_York"))
    db.session.commit()
    login(user)

    assert "15 Jan 2026, 18:30 EST" in page(client.get("/account")).text

    post(client, "/account/preferences", {"time_zone": "Europe/London", "locale": ""})
    assert "15 Jan 2026, 23:30 GMT" in page(client.get("/account")).text


def test_an_unknown_zone_or_language_is_refused_beside_its_field(client, make_user, login, db):
    user = make_user()
    login(user)

    response = post(client, "/account/preferences", {"time_zone": "Mars/Olympus_Mons", "locale": "de"})

    assert response.status_code == 422
    errors = page(response).errors
    assert "Choose a time zone from the list." in errors
    assert "Not a valid choice." in errors
    db.session.refresh(user)
    assert user.time_zone is None
    assert db.session.scalar(select(ApiToken)) is None


def test_each_language_is_named_in_its_own_language_whatever_the_page_is_in(client, make_user, login, db):
    user = make_user()
    user.locale = "es"
    db.session.commit()
    login(user)

    text = page(client.get("/account")).text

    assert '<html lang="es">' in text
    select = re.search(r'<select[^>]*name="locale".*?</select>', text, re.S).group(0)
    options = [
        (re.search(r'value="([^"]*)"', attributes).group(1), label, re.search(r'lang="([^"]*)"', attributes))
        for attributes, label in re.findall(r"<option([^>]*)>([^<]*)</option>", select)
    ]
    assert [(value, label, found and found.group(1)) for value, label, found in options[1:]] == [
        ("en", "English", "en"),
        ("es", "Español", "es"),
        ("fr", "Français", "fr"),
    ]
    # The choice that follows the browser is in the page's language.
    assert options[0][:2] == ("", "Como pida mi navegador")
