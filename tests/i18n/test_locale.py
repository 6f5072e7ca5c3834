"""Which language a page is shown in: the person's choice, else the browser's, else the
organisation's default; and ``<html lang>`` says it."""

from __future__ import annotations

import re

from courseware.models import OrganisationSettings


def page_language(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert match, "no lang on <html>"
    return match.group(1)


def test_the_browser_language_is_used_before_the_organisation_default(db, client):
    db.session.add(OrganisationSettings(id=1, name="", default_time_zone="UTC", default_locale="fr"))
    db.session.commit()
    assert page_language(client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})) == "es"
    assert page_language(client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"})) == "fr"
    assert page_language(client.get("/login")) == "fr"


def test_english_when_nothing_asks_for_another_language(client):
    assert page_language(client.get("/login")) == "en"


def test_the_person_choice_wins_over_the_browser(db, client, make_user, login):
    user = make_user("lena@example.org")
    user.locale = "fr"
    db.session.commit()
    login(user)
    assert page_language(client.get("/account", headers={"Accept-Language": "es"})) == "fr"


def test_lazy_text_is_escaped_in_pages_like_any_text(app):
    from flask import render_template_string

    from courseware.i18n import lazy_gettext

    with app.test_request_context("/"):
        label = lazy_gettext("Posted by %(name)s", name="<script>alert(1)</script>")
        assert render_template_string("{{ label }}", label=label) == "Posted by &lt;script&gt;alert(1)&lt;/script&gt;"
