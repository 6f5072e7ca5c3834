"""Evidence with practice work and checklists: judged by content, cleaned, limited, and shown
only to the people who may see the work."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from courseware.learn.enrollment import enroll
from courseware.models import EvidenceFile, ManagerScope, Mentorship, StoredFile, Submission
from tests.conftest import csrf_token, lesson_of
from tests.evidence.images import GPS_IFD, HOSTILE_SVG, jpeg_with_gps, pdf, png, png_bomb

PRACTICE_URL = "/learn/{slug}/write/practice/practice-1"
CHECKLIST_URL = "/learn/{slug}/setup/checklist/checklist-1/evidence"


def hand_in_files(client, course, files, text="My three objectives.", links="", form_key="k1"):
    data = {
        "csrf_token": csrf_token(client, f"/learn/{course.slug}/setup"),
        "text": text,
        "links": links,
        "form_key": form_key,
        "files": [(io.BytesIO(content), name) for name, content in files],
    }
    return client.post(PRACTICE_URL.format(slug=course.slug), data=data, content_type="multipart/form-data")


def stored_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(StoredFile))


def learner_with_course(db, make_user, practice_course, team=None):
    learner = make_user(name="Lena Learner", team=team)
    course = practice_course
    enroll(learner, course)
    from courseware.learn.activities import save_checklist
    from tests.conftest import VERIFIED_CHECKLIST

    save_checklist(learner, lesson_of(db, course, "setup"), VERIFIED_CHECKLIST, [0, 1], form_key=None)
    db.session.commit()
    return learner, course


def test_a_phone_photo_reaches_the_reviewer_without_its_gps_position(
    client, db, login, make_user, trainer, practice_course
):
    learner, course = learner_with_course(db, make_user, practice_course)
    photo = jpeg_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(GPS_IFD)  # the file really carries it
    login(learner)
    response = hand_in_files(
        client, course, [("IMG_2041.jpg", photo)], links="https://example.org/a\nhttps://example.org/b"
    )
    assert response.status_code == 302
    submission = db.session.scalar(select(Submission))
    assert submission.all_links == ["https://example.org/a", "https://example.org/b"]
    evidence = db.session.scalar(select(EvidenceFile))

    reviewer = client.application.test_client()
    login(trainer, target=reviewer)
    page = reviewer.get(f"/review/submissions/{submission.id}").get_data(as_text=True)
    assert f"/evidence/{evidence.id}/thumbnail" in page and "https://example.org/b" in page
    served = reviewer.get(f"/evidence/{evidence.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(served.data))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert not image.getexif().get_ifd(GPS_IFD) and not dict(image.getexif())
    assert b"PhoneMaker" not in served.data
    thumbnail = reviewer.get(f"/evidence/{evidence.id}/thumbnail")
    assert thumbnail.status_code == 200 and Image.open(io.BytesIO(thumbnail.data)).format == "PNG"


def test_a_png_decompression_bomb_is_refused_and_the_answer_kept(client, db, login, make_user, practice_course):
    learner, course = learner_with_course(db, make_user, practice_course)
    login(learner)
    response = hand_in_files(
        client, course, [("huge.png", png_bomb())], text="My kept answer", links="https://example.org/kept"
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "too many pixels to open safely" in html
    assert "My kept answer" in html and "https://example.org/kept" in html
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0
    assert stored_count(db) == 0


def test_a_pdf_renamed_png_is_not_taken_as_an_image(client, db, login, make_user, trainer, practice_course):
    learner, course = learner_with_course(db, make_user, practice_course)
    login(learner)
    assert hand_in_files(client, course, [("screenshot.png", pdf())]).status_code == 302
    evidence = db.session.scalar(select(EvidenceFile))
    assert (evidence.kind, evidence.content_type, evidence.filename) == ("pdf", "application/pdf", "screenshot.pdf")
    served = client.get(f"/evidence/{evidence.id}")
    assert served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert client.get(f"/evidence/{evidence.id}/thumbnail").status_code == 404
    # Text dressed up as a PNG is no image either, and is refused outright.
    learner2, _ = learner_with_course(db, make_user, practice_course)
    other = client.application.test_client()
    login(learner2, target=other)
    response = hand_in_files(other, course, [("photo.png", b"GIF89a not really an image")], form_key="k2")
    assert response.status_code == 422
    assert "is not a file this site accepts" in response.get_data(as_text=True)


def test_a_30_mb_file_is_refused_before_it_is_stored(client, db, login, make_user, practice_course):
    learner, course = learner_with_course(db, make_user, practice_course)
    login(learner)
    large = png() + b"\x00" * (30 * 1024 * 1024)
    response = hand_in_files(client, course, [("big.png", large)], text="Kept despite the big file")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "“big.png” is larger than 10 MB" in html and "Kept despite the big file" in html
    assert stored_count(db) == 0 and db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_a_body_larger_than_every_file_at_its_largest_is_refused_unread(
    client, db, login, make_user, practice_course, app
):
    learner, course = learner_with_course(db, make_user, practice_course)
    login(learner)
    app.config.update(EVIDENCE_MAX_BYTES=1024 * 1024, EVIDENCE_MAX_FILES=2)
    try:
        response = hand_in_files(client, course, [("a.png", png() + b"\x00" * (4 * 1024 * 1024))])
    finally:
        app.config.update(EVIDENCE_MAX_BYTES=10 * 1024 * 1024, EVIDENCE_MAX_FILES=5)
    assert response.status_code == 413
    assert stored_count(db) == 0


def test_a_hostile_svg_is_refused_whatever_its_name(client, db, login, make_user, practice_course):
    learner, course = learner_with_course(db, make_user, practice_course)
    login(learner)
    for name in ("drawing.svg", "drawing.png"):
        response = hand_in_files(client, course, [(name, HOSTILE_SVG)], text="Answer stays")
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert f"“{name}” is not a file this site accepts" in html and "Answer stays" in html
    assert stored_count(db) == 0


def test_more_files_than_allowed_are_refused(client, db, login, make_user, practice_course):
    learner, course = learner_with_course(db, make_user, practice_course)
    login(learner)
    response = hand_in_files(client, course, [(f"{n}.png", png()) for n in range(6)])
    assert response.status_code == 422
    assert "at most 5 files" in response.get_data(as_text=True)


def test_checklist_evidence_is_kept_for_the_trainer_and_removable_until_confirmed(
    client, db, login, make_user, trainer, practice_course
):
    learner, course = learner_with_course(db, make_user, practice_course)
    login(learner)
    data = {
        "csrf_token": csrf_token(client, f"/learn/{course.slug}/setup"),
        "note": "The alert is set for our brand name.",
        "links": "https://example.org/alert",
        "files": [(io.BytesIO(png()), "alert.png"), (io.BytesIO(pdf()), "log.pdf")],
    }
    response = client.post(CHECKLIST_URL.format(slug=course.slug), data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    files = db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)).all()
    assert [f.kind for f in files] == ["image", "pdf"]
    state_id = files[0].checklist_state_id

    reviewer = client.application.test_client()
    login(trainer, target=reviewer)
    page = reviewer.get(f"/review/checklists/{state_id}").get_data(as_text=True)
    assert "The alert is set for our brand name." in page and "https://example.org/alert" in page
    assert f"/evidence/{files[0].id}/thumbnail" in page and f"/evidence/{files[1].id}" in page

    token = csrf_token(client, f"/learn/{course.slug}/setup")
    assert client.post(f"/evidence/{files[1].id}/remove", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(EvidenceFile.id)).all() == [files[0].id]
    assert stored_count(db) == 2  # the image and its thumbnail
    # Nobody else takes a learner's file away.
    assert (
        reviewer.post(
            f"/evidence/{files[0].id}/remove", data={"csrf_token": csrf_token(reviewer, "/review/")}
        ).status_code
        == 404
    )


def test_evidence_is_served_to_mentor_and_manager_in_scope_and_to_nobody_else(
    client, db, login, make_user, make_team, trainer, practice_course
):
    team, elsewhere = make_team("Comms"), make_team("Finance")
    learner, course = learner_with_course(db, make_user, practice_course, team=team)
    mentor = make_user(name="Mo Mentor", roles=("trainer",))
    manager = make_user(name="Mia Manager", roles=("manager",))
    other_manager = make_user(name="Otto Manager", roles=("manager",))
    other_mentor = make_user(name="Ola Mentor", roles=("trainer",))
    stranger = make_user(name="Sam Learner", team=team)
    db.session.add_all(
        [
            Mentorship(mentor_id=mentor.id, learner_id=learner.id),
            Mentorship(mentor_id=other_mentor.id, learner_id=stranger.id),
            ManagerScope(manager_id=manager.id, team_id=team.id),
            ManagerScope(manager_id=other_manager.id, team_id=elsewhere.id),
        ]
    )
    db.session.commit()
    login(learner)
    assert hand_in_files(client, course, [("shot.png", png())]).status_code == 302
    evidence = db.session.scalar(select(EvidenceFile))
    for person, expected in [
        (learner, 200),
        (trainer, 200),
        (mentor, 200),
        (manager, 200),
        (other_manager, 404),
        (other_mentor, 404),
        (stranger, 404),
    ]:
        browser = client.application.test_client()
        login(person, target=browser)
        assert browser.get(f"/evidence/{evidence.id}").status_code == expected, person.name
        assert browser.get(f"/evidence/{evidence.id}/thumbnail").status_code == expected, person.name


def test_a_file_past_the_limit_is_dropped_while_it_streams_in_and_other_forms_keep_the_site_limit(app):
    """Nothing of a too-large file stays in memory or on disk, though the fields beside it are read;
    a form that takes no evidence still answers to ``MAX_CONTENT_LENGTH``."""
    from flask import request

    large = png() + b"\x00" * (30 * 1024 * 1024)
    data = {"note": "kept", "files": [(io.BytesIO(large), "big.png")]}
    with app.test_request_context(
        "/learn/c/l/checklist/k/evidence", method="POST", data=data, content_type="multipart/form-data"
    ):
        stream = request.files["files"].stream
        assert request.form["note"] == "kept"
        assert stream.too_large and stream.received > 30 * 1024 * 1024
        stream.seek(0, io.SEEK_END)
        assert stream.tell() == 0
        assert request.max_content_length == 5 * 10 * 1024 * 1024 + 1024 * 1024
    with app.test_request_context("/journal", method="POST"):
        assert request.max_content_length == app.config["MAX_CONTENT_LENGTH"]
