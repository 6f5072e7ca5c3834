"""E-mails are written in their recipient's language (their own choice, else the organisation's
default), whatever language the person whose action sends them reads the site in; and their
dates are written that language's way. Sent through the real SMTP test server."""

from __future__ import annotations

import datetime as dt
from email.header import decode_header, make_header

import pytest

from courseware.models import OrganisationSettings
from tests.conftest import post, run_jobs


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body_of(message) -> str:
    return message.get_payload(decode=True).decode().replace("\r\n", "\n")


@pytest.fixture
def admin(make_user, login):
    user = make_user(email="admin@example.org", name="Ada Admin", roles=("admin",))
    login(user)
    return user


def test_a_person_who_chose_spanish_gets_their_reset_email_in_spanish(app, client, make_user, db, smtp_server):
    user = make_user(email="lucia@example.org", name="Lucía")
    user.locale = "es"
    db.session.commit()

    # Asked for from a browser that reads English: the e-mail is still in Lucía's language.
    post(client, "/password/forgot", {"email": "lucia@example.org"}, headers={"Accept-Language": "en"})
    run_jobs(app)

    [message] = smtp_server.messages
    assert subject_of(message) == "Restablece tu contraseña de Courseware"
    assert body_of(message).startswith("Hola, Lucía:")


def test_an_invitation_is_written_in_the_organisations_language_not_the_inviters(app, client, admin, db, smtp_server):
    db.session.add(OrganisationSettings(id=1, name="", default_time_zone="UTC", default_locale="es"))
    db.session.commit()

    response = post(client, "/admin/people/invite", {"email": "noor@example.org", "roles": ["learner"], "team": 0})
    assert response.status_code in (200, 302)
    run_jobs(app)

    [message] = smtp_server.messages
    assert subject_of(message) == "Ada Admin te ha invitado a Courseware"
    body = body_of(message)
    # The expiry date in Spanish words ("13 de diciembre de 2026"), from Babel's Spanish data.
    assert " de 20" in body and "expires on" not in body


def test_a_notification_is_written_in_its_recipients_language(app, make_user, db, smtp_server):
    from flask_babel import gettext as _
    from flask_babel import lazy_gettext as _l

    from courseware.notifications.services import notify

    person = make_user(email="lucia@example.org", name="Lucía")
    person.locale = "es"
    db.session.commit()

    # Caused by someone reading the site in English.
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        notification = notify(person, "test", _l("Draft saved"), "/notifications/")
        db.session.commit()
        assert notification.message == "Borrador guardado"
        # An e-mail of the caller's own making is built in Lucía's language too.
        notify(person, "test", _l("Draft saved"), None, email_body=lambda: _("Nothing was sent"))
        db.session.commit()
    run_jobs(app)

    first, second = smtp_server.messages
    assert subject_of(first) == "Borrador guardado"
    assert body_of(first).startswith("Hola, Lucía:\n\nBorrador guardado\n")
    assert body_of(second).strip() == "No se ha enviado nada"


def test_the_daily_digest_is_written_in_its_readers_language_with_its_plurals(app, make_user, db, smtp_server):
    from courseware.notifications.services import notify, schedule_digests, set_delivery

    person = make_user(email="claire@example.org", name="Claire")
    person.locale = "fr"
    set_delivery(person, "digest")
    notify(person, "review", "Une nouvelle.", None)
    notify(person, "review", "Une autre.", None)
    db.session.commit()
    assert schedule_digests(dt.date.today()) == 1
    db.session.commit()
    run_jobs(app)

    [message] = smtp_server.messages
    assert subject_of(message) == "Votre résumé Courseware : 2 nouvelles notifications"
    body = body_of(message)
    assert body.startswith("Bonjour Claire,\n\nVoici ce qui s’est passé pour vous sur Courseware")
    assert "- Une nouvelle.\n- Une autre.\n" in body
