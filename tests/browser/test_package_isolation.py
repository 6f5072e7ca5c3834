"""What a package's own script can reach, played in Chromium.

With ``COURSEWARE_CONTENT_ORIGIN`` set to another loopback host name (``localhost`` against the
site's ``127.0.0.1``), a probing SCO tries to read cookies, to call ``/api/v1/me/progress`` on its
own origin and on Courseware's, and to reach the lesson page: it gets nothing, and it still plays,
commits, resumes and completes through the runtime's ``postMessage`` bridge. Without the setting,
the same probe shows what the README says a package on Courseware's own origin can do.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from courseware.auth.services import create_user
from courseware.authoring.services import create_course
from courseware.learn.enrollment import enroll
from courseware.models import Lesson, ScormState
from courseware.packages.services import import_package
from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD
from tests.packages.scorm import scorm_zip

pytestmark = pytest.mark.browser

# A SCO that probes its surroundings once started, shows what it found, and keeps it in its
# suspend data; "Finish" completes it.
PROBE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Probe</title>
<script>
var MAIN = "{main}";
function findAPI(win) {{
  for (var depth = 0; win && depth < 10; depth++) {{
    if (win.API) return win.API;
    if (win.parent === win) break;
    win = win.parent;
  }}
  return null;
}}
function attempt(url, options) {{
  return fetch(url, options).then(function (r) {{
    return r.text().then(function (body) {{ return r.status + ":" + body.slice(0, 200); }});
  }}, function (error) {{ return "blocked"; }});
}}
window.addEventListener("load", function () {{
  var api = findAPI(window);
  if (!api) {{ document.getElementById("state").textContent = "No API found"; return; }}
  api.LMSInitialize("");
  document.getElementById("resumed").textContent = api.LMSGetValue("cmi.suspend_data") || "(nothing)";
  var found = {{cookie: document.cookie}};
  try {{ found.top = window.top.location.href; }} catch (e) {{ found.top = "blocked"; }}
  Promise.all([
    attempt("/api/v1/me/progress", {{credentials: "include"}}),
    attempt(MAIN + "/api/v1/me/progress", {{credentials: "include"}})
  ]).then(function (results) {{
    found.own = results[0];
    found.main = results[1];
    document.getElementById("found").textContent = JSON.stringify(found);
    api.LMSSetValue("cmi.suspend_data", "probed");
    api.LMSSetValue("cmi.core.lesson_location", "after-probe");
    api.LMSSetValue("cmi.core.lesson_status", "incomplete");
    api.LMSCommit("");
    document.getElementById("state").textContent = "Probed";
  }});
  document.getElementById("finish").addEventListener("click", function () {{
    api.LMSSetValue("cmi.core.lesson_status", "completed");
    api.LMSCommit("");
    api.LMSFinish("");
    document.getElementById("state").textContent = "Finished";
  }});
}});
</script></head>
<body><h1>Probe</h1><p>Resumed: <span id="resumed"></span></p><pre id="found"></pre>
<button id="finish" type="button">Finish</button><p id="state" role="status">Loading</p></body></html>
"""


@pytest.fixture
def probe_lesson(live_db, base_url, tmp_path):
    suffix = tmp_path.name[-10:]
    trainer = create_user(f"tp-{suffix}@example.org", f"Tess Trainer {suffix}", TEST_PASSWORD, roles=("trainer",))
    learner = create_user(f"lp-{suffix}@example.org", f"Lee Learner {suffix}", TEST_PASSWORD)
    course = create_course(trainer, title=f"Probes {suffix}", summary="A package that looks around.")
    data = scorm_zip(
        "1.2",
        name="probe",
        title="Probe",
        units=(("probe", "The probe"),),
        extra={"probe/index.html": PROBE.format(main=base_url)},
    )
    import_package(course, data, "probe.zip", trainer, new_module_title="Vendor")
    course.status = "published"
    enroll(learner, course, assigned_by=trainer)
    live_db.session.commit()
    lesson = live_db.session.scalars(select(Lesson).where(Lesson.course_id == course.id)).one()
    live_db.session.commit()
    return {"learner": learner, "url": f"{base_url}/learn/{course.slug}/{lesson.slug}", "lesson_id": lesson.id}


def sco(page):
    return page.frame_locator("iframe.package-player").frame_locator("iframe.package-frame")


def probe_results(page) -> dict:
    package = sco(page)
    expect(package.locator("#state")).to_have_text("Probed")
    return json.loads(package.locator("#found").inner_text())


def saved_state(live_db, learner, lesson_id):
    live_db.session.expire_all()
    state = live_db.session.scalar(
        select(ScormState).where(ScormState.user_id == learner.id, ScormState.lesson_id == lesson_id)
    )
    found = (state.suspend_data, state.lesson_location) if state else None
    live_db.session.commit()
    return found


def test_on_a_content_origin_a_package_reaches_nothing_and_still_plays(
    browser, base_url, live_app, live_db, probe_lesson, monkeypatch
):
    content = base_url.replace("127.0.0.1", "localhost")
    monkeypatch.setitem(live_app.config, "CONTENT_ORIGIN", content)
    learner = probe_lesson["learner"]
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, base_url, learner.email)
    page.goto(probe_lesson["url"])
    assert page.locator("iframe.package-player").get_attribute("src").startswith(content + "/content/")

    found = probe_results(page)
    assert found["cookie"] == ""
    assert found["top"] == "blocked"
    assert found["own"].startswith("404:")
    assert found["main"] == "blocked"
    assert learner.name not in json.dumps(found) and learner.email not in json.dumps(found)

    # The commit went up through the lesson page and was saved with its session.
    state = None
    for _ in range(50):
        state = saved_state(live_db, learner, probe_lesson["lesson_id"])
        if state is not None:
            break
        page.wait_for_timeout(100)
    assert state == ("probed", "after-probe")

    page.goto(probe_lesson["url"])
    expect(sco(page).locator("#resumed")).to_have_text("probed")
    sco(page).locator("#finish").click()
    expect(sco(page).locator("#state")).to_have_text("Finished")
    expect(page.frame_locator("iframe.package-player").locator("#package-message")).to_contain_text(
        "Your progress in this part is saved."
    )
    page.goto(probe_lesson["url"])
    expect(page.locator("main")).to_contain_text("You have completed it")
    assert errors == []
    page.close()


def test_on_the_site_origin_a_package_can_call_courseware_as_the_learner(browser, base_url, live_db, probe_lesson):
    """What the README and the package page say of the default: cookies stay unreadable
    (HttpOnly), but the package's script runs on Courseware's origin and its requests carry the
    learner's session."""
    learner = probe_lesson["learner"]
    page = browser.new_page()
    log_in(page, base_url, learner.email)
    page.goto(probe_lesson["url"])
    found = probe_results(page)
    assert found["cookie"] == ""
    assert found["own"].startswith("200:")
    assert found["main"].startswith("200:")
    assert found["top"] == probe_lesson["url"]
    page.close()
