"""What a learner types or names as evidence is shown as text: nothing of it runs for the reviewer."""

from __future__ import annotations

import io

from sqlalchemy import select

from courseware.models import EvidenceFile
from tests.conftest import csrf_token
from tests.evidence.images import png
from tests.evidence.test_uploads import CHECKLIST_URL, learner_with_course
from tests.security.test_sanitising import SAFE_SCHEMES, URL_ATTRIBUTES, Inspector, scheme_of
from tests.security.xss_vectors import all_vectors

VECTORS = all_vectors()


def executable(page: str) -> list[str]:
    main = page[page.index('<main id="main"') : page.index("</main>")]
    inspector = Inspector()
    inspector.feed(main)
    problems = []
    for tag, attrs in inspector.tags:
        if tag in {"script", "iframe", "object", "embed", "svg", "math", "style", "base", "meta", "link"}:
            problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                problems.append(f"attribute {name} on <{tag}>")
            if name in URL_ATTRIBUTES | {"action"} and value and scheme_of(value) not in (None, *SAFE_SCHEMES):
                problems.append(f"{scheme_of(value)}: URL in {name} on <{tag}>")
    return problems


def test_hostile_notes_links_and_file_names_never_run_for_the_reviewer_or_the_learner(
    client, db, login, make_user, trainer, practice_course
):
    learner, course = learner_with_course(db, make_user, practice_course)
    login(learner)
    url = CHECKLIST_URL.format(slug=course.slug)
    for link in ("javascript:alert(1337)", "data:text/html,<script>alert(1337)</script>"):
        refused = client.post(
            url, data={"csrf_token": csrf_token(client, "/account"), "links": link}, content_type="multipart/form-data"
        )
        assert refused.status_code == 422 and "starting with https://" in refused.get_data(as_text=True)
    hostile_name = "<img src=x onerror=alert(1337)>.png"
    data = {
        "csrf_token": csrf_token(client, "/account"),
        "note": "\n".join(VECTORS[:200]),
        "links": 'https://example.org/"><script>alert(1337)</script>',
        "files": [(io.BytesIO(png()), hostile_name)],
    }
    assert client.post(url, data=data, content_type="multipart/form-data").status_code == 302
    evidence = db.session.scalar(select(EvidenceFile))
    assert "<" not in evidence.filename and '"' not in evidence.filename

    assert executable(client.get(f"/learn/{course.slug}/setup").get_data(as_text=True)) == []
    reviewer = client.application.test_client()
    login(trainer, target=reviewer)
    page = reviewer.get(f"/review/checklists/{evidence.checklist_state_id}").get_data(as_text=True)
    assert "alert(1337)" in page  # shown, as text
    assert executable(page) == []
