"""The organisation's settings as an admin sets them and everyone sees them."""

from __future__ import annotations

import io
import re

import pytest

from courseware.db import utcnow
from courseware.learn.enrollment import enroll
from courseware.organisation.services import contrast_with_white
from tests.conftest import post, run_jobs
from tests.core.web import new_client, page
from tests.evidence.images import jpeg_with_gps, png

SETTINGS = "/admin/organisation"


@pytest.fixture
def admin(make_user, login):
    user = make_user(email="admin@example.org", name="Ada Admin", roles=("admin",))
    login(user)
    return user


def save(client, **fields):
    data = {
        "name": "Harbour Trust",
        "accent_colour": "#1f5f8b",
        "signatory_name": "Maya Okafor",
        "signatory_title": "Head of Learning",
        "default_time_zone": "Europe/Paris",
        "default_locale": "en",
    }
    data.update(fields)
    return post(client, SETTINGS, data, content_type="multipart/form-data")


def logo_url(markup: str) -> str:
    match = re.search(r'src="(/organisation/logo/\d+\.png)"', markup)
    assert match, "no logo on the page"
    return match.group(1)


def test_the_name_and_logo_appear_in_the_header_and_the_logo_is_kept_by_browsers(client, admin):
    response = save(client, logo=(io.BytesIO(png((800, 200))), "logo.png"))
    assert response.status_code == 302

    home = client.get("/learn", follow_redirects=True)
    markup = home.get_data(as_text=True)
    assert "Harbour Trust" in page(home).text
    assert "<title>My learning · Harbour Trust</title>" in markup
    logo = client.get(logo_url(markup))
    assert logo.status_code == 200
    assert logo.headers["Content-Type"] == "image/png"
    assert "immutable" in logo.headers["Cache-Control"]
    assert logo.data.startswith(b"\x89PNG")


def test_a_new_logo_gets_a_new_address_and_the_old_one_is_gone(client, admin):
    save(client, logo=(io.BytesIO(png()), "first.png"))
    first = logo_url(client.get(SETTINGS).get_data(as_text=True))
    save(client, logo=(io.BytesIO(png(color=(200, 0, 0))), "second.png"))
    second = logo_url(client.get(SETTINGS).get_data(as_text=True))

    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_the_logo_is_re_encoded_without_what_the_file_carried(client, admin):
    save(client, logo=(io.BytesIO(jpeg_with_gps()), "photo.jpg"))
    data = client.get(logo_url(client.get(SETTINGS).get_data(as_text=True))).data

    assert data.startswith(b"\x89PNG")
    assert b"PhoneMaker" not in data


def test_a_file_that_is_not_an_image_is_refused_beside_the_logo_field_and_the_rest_is_kept(client, admin):
    response = save(client, name="Typed name", logo=(io.BytesIO(b"%PDF-1.4 not a logo"), "logo.png"))

    assert response.status_code == 422
    shown = page(response)
    assert any("is not a PNG, JPEG or WebP image" in error for error in shown.errors)
    assert shown.value("name") == "Typed name"


def test_a_logo_too_large_is_refused_with_its_limit(client, admin):
    response = save(client, logo=(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * (1024 * 1024 + 1)), "big.png"))

    assert response.status_code == 422
    assert any("larger than 1024 KB" in error for error in page(response).errors)


@pytest.mark.parametrize("colour", ["blue", "#12345", "#ggg000", "1f5f8b"])
def test_a_colour_that_is_not_hex_gets_a_form_error(client, admin, colour):
    response = save(client, accent_colour=colour)

    assert response.status_code == 422
    shown = page(response)
    assert any("six hex digits" in error for error in shown.errors)
    assert shown.value("accent_colour") == colour


def test_a_colour_too_light_for_white_text_is_refused_with_its_contrast(client, admin):
    assert contrast_with_white("#ffcc00") < 4.5
    response = save(client, accent_colour="#ffcc00")

    assert response.status_code == 422
    [error] = [e for e in page(response).errors if "contrast" in e]
    assert "below the 4.5:1 that WCAG AA asks for" in error


def test_an_accepted_colour_reaches_every_page_as_a_stylesheet(client, admin):
    save(client, accent_colour="#6B2C91")
    markup = client.get(SETTINGS).get_data(as_text=True)

    assert 'href="/organisation/theme/6b2c91.css"' in markup
    css = client.get("/organisation/theme/6b2c91.css")
    assert css.headers["Content-Type"].startswith("text/css")
    assert "--brand: #6b2c91" in css.get_data(as_text=True)
    assert client.get("/organisation/theme/ffff00.css").status_code == 404
    assert client.get("/organisation/theme/red.css").status_code == 404


def test_an_unknown_time_zone_gets_a_form_error(client, admin):
    response = save(client, default_time_zone="Mars/Olympus_Mons")

    assert response.status_code == 422
    assert "Choose a time zone from the list." in page(response).errors


def test_the_certificate_shows_the_organisation_its_logo_and_signatory(client, admin, make_user, make_course, db):
    save(client, logo=(io.BytesIO(png()), "logo.png"))
    learner = make_user(name="Lee Learner")
    course = make_course()
    enrollment = enroll(learner, course)
    enrollment.completed_at = utcnow()
    enrollment.certificate_code = "abcdef0123456789"
    db.session.commit()

    response = new_client(client.application).get("/certificates/abcdef0123456789")

    shown = page(response)
    assert "Harbour Trust certificate of completion" in shown.text
    assert "Maya Okafor" in shown.text and "Head of Learning, Harbour Trust" in shown.text
    assert re.search(
        r'<img class="certificate-logo" src="/organisation/logo/\d+\.png" alt="Harbour Trust">', shown.text
    )


def test_e_mails_carry_the_organisation_name(app, client, admin, smtp_server):
    save(client)
    post(client, "/admin/people/invite", {"email": "noor@example.org", "roles": ["learner"], "team": 0})
    run_jobs(app)

    [message] = smtp_server.messages
    assert message["Subject"] == "Ada Admin invited you to Harbour Trust"


def test_only_admins_change_the_settings(client, make_user, login):
    login(make_user(roles=("manager", "trainer")))

    assert client.get(SETTINGS).status_code == 403
