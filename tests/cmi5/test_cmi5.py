"""cmi5 courses as lessons: importing them, launching an AU as the specification says, the LRS
refusing what breaks cmi5's rules, moveOn deciding when the lesson is complete, waiving and
abandoning, and the progress shown to managers like any other lesson's."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select

from courseware.content.services import import_courses
from courseware.learn.enrollment import enroll
from courseware.models import LearningEvent, Lesson, LessonProgress, LessonRevision, ManagerScope, Package, XapiDocument
from courseware.models.cmi5 import Cmi5Registration, Cmi5Session
from courseware.packages.services import import_package
from tests.cmi5.packages import BASE, au_xml, cmi5_xml, cmi5_zip
from tests.conftest import csrf_token

ADL = "http://adlnet.gov/expapi/verbs/"
CMI5 = "https://w3id.org/xapi/cmi5/"
SESSION = CMI5 + "context/extensions/sessionid"


def counts(db) -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Package, Lesson, LessonRevision)
    }


def upload(client, course, data: bytes, filename: str = "vendor.zip"):
    token = csrf_token(client, f"/author/courses/{course.id}/packages")
    return client.post(
        f"/author/courses/{course.id}/packages",
        data={"csrf_token": token, "package": (io.BytesIO(data), filename), "module": "new", "new_module": "Vendor"},
        content_type="multipart/form-data",
    )


class Au:
    """A launched AU, talking to the fetch URL and the LRS as an AU does."""

    def __init__(self, client, url: str):
        self.client, self.url = client, url
        self.params = dict(parse_qsl(urlsplit(url).query))
        self.actor = json.loads(self.params["actor"])
        self.registration = self.params["registration"]
        self.activity_id = self.params["activityId"]
        self.headers = {"X-Experience-API-Version": "1.0.3"}
        self.launch_data: dict = {}

    def fetch(self):
        return self.client.post(urlsplit(self.params["fetch"]).path)

    def start(self) -> Au:
        token = self.fetch().get_json()["auth-token"]
        self.headers["Authorization"] = f"Basic {token}"
        self.launch_data = self.state("LMS.LaunchData").get_json()
        self.client.get(
            "/xapi/agents/profile",
            query_string={"profileId": "cmi5LearnerPreferences", "agent": json.dumps(self.actor)},
            headers=self.headers,
        )
        return self

    def state(self, state_id: str, method: str = "GET", body=None):
        return self.client.open(
            "/xapi/activities/state",
            method=method,
            query_string={
                "stateId": state_id,
                "activityId": self.activity_id,
                "agent": json.dumps(self.actor),
                "registration": self.registration,
            },
            headers={**self.headers, "Content-Type": "application/json"},
            data=json.dumps(body) if body is not None else None,
        )

    def statement(self, verb: str, *, moveon: bool = False, **result) -> dict:
        import datetime as dt
        import uuid

        context = json.loads(json.dumps(self.launch_data["contextTemplate"]))
        context["registration"] = self.registration
        context["contextActivities"]["category"] = [{"id": CMI5 + "context/categories/cmi5"}]
        if moveon:
            context["contextActivities"]["category"].append({"id": CMI5 + "context/categories/moveon"})
        statement = {
            "id": str(uuid.uuid4()),
            "timestamp": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
            "actor": self.actor,
            "verb": {"id": ADL + verb},
            "object": {"id": self.activity_id},
            "context": context,
        }
        if result:
            statement["result"] = result
        return statement

    def send(self, statement: dict):
        return self.client.put(
            "/xapi/statements",
            query_string={"statementId": statement["id"]},
            data=json.dumps(statement),
            headers={**self.headers, "Content-Type": "application/json"},
        )

    def say(self, verb: str, **result):
        moveon = verb in ("completed", "passed", "failed")
        if verb in ("completed", "passed", "failed", "terminated"):
            result.setdefault("duration", "PT10S")
        return self.send(self.statement(verb, moveon=moveon, **result))


@pytest.fixture
def played(db, app, make_user, trainer, owned_course, login):
    """``played(aus)``: a cmi5 course of ``aus`` (name -> options) imported by the trainer, with a
    learner enrolled and logged in; gives a ``launch(lesson, mode)`` answering an :class:`Au`."""

    def factory(aus=None):
        course = owned_course(modules=[("vendor", [])])
        result = import_package(course, cmi5_zip(aus), "vendor.zip", trainer, module=course.modules[0])
        learner = make_user(name="Lee Learner")
        enroll(learner, course)
        db.session.commit()
        browser = app.test_client()
        login(learner, target=browser)

        def launch(lesson, mode="Normal"):
            path = f"/learn/{course.slug}/{lesson.slug}"
            token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(path).get_data(as_text=True))
            response = browser.post(f"{path}/cmi5/launch", data={"csrf_token": token.group(1), "mode": mode})
            if response.status_code == 303:
                return Au(browser, response.headers["Location"])
            assert response.status_code == 200, response.get_data(as_text=True)
            link = re.search(r'id="cmi5-au" href="([^"]+)"', response.get_data(as_text=True)).group(1)
            return Au(browser, link.replace("&amp;", "&"))

        return course, result, learner, launch

    return factory


def statements(db, registration: str) -> list[dict]:
    from courseware.models import XapiStatement

    rows = db.session.scalars(
        select(XapiStatement)
        .where(XapiStatement.registration == registration)
        .order_by(XapiStatement.stored, XapiStatement.id)
    )
    return [json.loads(row.statement) for row in rows]


def verbs(db, registration: str) -> list[str]:
    return [s["verb"]["id"].rsplit("/", 1)[1] for s in statements(db, registration)]


def lesson_status(db, learner, lesson) -> str | None:
    return db.session.scalar(
        select(LessonProgress.status).where(LessonProgress.user_id == learner.id, LessonProgress.lesson_id == lesson.id)
    )


# --- import ---------------------------------------------------------------------------------------


def test_a_trainer_uploads_a_cmi5_zip_and_each_au_becomes_a_lesson_in_a_module(
    db, client, login, trainer, owned_course
):
    course = owned_course(modules=[("basics", [])])
    login(trainer)
    response = upload(client, course, cmi5_zip({"one": {}, "two": {"move_on": "Passed", "mastery": 0.8}}))
    package = db.session.scalar(select(Package).where(Package.course_id == course.id))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cmi5/{package.id}")
    lessons = db.session.scalars(select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.id)).all()
    assert [lesson.published_revision.title for lesson in lessons] == ["AU one", "AU two"]
    assert lessons[0].module_id == lessons[1].module_id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "CompletedAndPassed" not in page and "Passed" in page and "0.8" in page


def test_a_cmi5_xml_of_its_own_is_imported_and_a_broken_one_is_refused_naming_the_element(
    db, client, login, trainer, owned_course
):
    course = owned_course(modules=[("basics", [])])
    login(trainer)
    remote = cmi5_xml([au_xml("far", url="https://au.example.com/far/index.html")]).encode()
    assert upload(client, course, remote, "far.xml").status_code == 302
    before = counts(db)
    relative = cmi5_xml([au_xml("near")]).encode()
    response = upload(client, course, relative, "near.xml")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in text
    assert f"cmi5.xml, &lt;au id=&#34;{BASE}/au/near&#34;&gt;" in text and "is relative" in text
    assert counts(db) == before


def test_uploading_a_new_version_makes_a_new_revision_of_each_au_lesson(db, client, login, trainer, owned_course):
    course = owned_course(modules=[("basics", [])])
    login(trainer)
    upload(client, course, cmi5_zip({"one": {}}))
    lesson = db.session.scalar(select(Lesson).where(Lesson.course_id == course.id))
    upload(client, course, cmi5_zip({"one": {"move_on": "Passed"}}))
    numbers = db.session.scalars(select(LessonRevision.number).where(LessonRevision.lesson_id == lesson.id)).all()
    assert sorted(numbers) == [1, 2]


def test_lesson_files_play_the_aus_of_a_cmi5_zip_beside_them(db, tmp_path):
    folder = tmp_path / "vendor-course"
    (folder / "vendor").mkdir(parents=True)
    (folder / "course.yaml").write_text(
        "slug: vendor-course\ntitle: Vendor course\nsummary: Made elsewhere.\nmodules:\n"
        "  - slug: vendor\n    title: Vendor\n"
    )
    for number, name in enumerate(("one", "two"), start=1):
        (folder / "vendor" / f"0{number}-{name}.md").write_text(
            f"---\ntitle: AU {name}\nminutes: 10\nactivities:\n"
            f"  - type: package\n    file: course.zip\n    unit: {BASE}/au/{name}\n---\n"
        )
    (folder / "vendor" / "course.zip").write_bytes(cmi5_zip({"one": {}, "two": {}}))
    course = import_courses(folder).courses[0]
    package = db.session.scalar(select(Package).where(Package.course_id == course.id))
    assert package.format == "cmi5" and len(package.manifest["units"]) == 2
    assert db.session.scalar(select(func.count()).select_from(Lesson).where(Lesson.course_id == course.id)) == 2


# --- launch ----------------------------------------------------------------------------------------


def test_a_launch_writes_launch_data_and_launched_and_the_fetch_url_answers_once(db, played):
    course, result, learner, launch = played({"one": {"move_on": "Passed", "mastery": 0.8}})
    au = launch(result.created[0])
    assert au.params["page"] == "1" and au.params["endpoint"].endswith("/xapi")
    assert au.actor["account"]["name"] == str(learner.id)
    assert au.activity_id != f"{BASE}/au/one"
    first = au.fetch()
    assert first.status_code == 200 and first.mimetype == "application/json" and "auth-token" in first.get_json()
    second = au.fetch().get_json()
    assert second["error-code"] == "1" and "auth-token" not in second
    au.headers["Authorization"] = "Basic " + first.get_json()["auth-token"]
    data = au.state("LMS.LaunchData").get_json()
    assert data["launchMode"] == "Normal" and data["moveOn"] == "Passed" and data["masteryScore"] == 0.8
    assert data["launchParameters"] == "parameters of one"
    assert data["returnURL"].endswith(f"/learn/{course.slug}/{result.created[0].slug}")
    assert data["contextTemplate"]["contextActivities"]["grouping"] == [{"id": f"{BASE}/au/one"}]
    session = db.session.scalar(select(Cmi5Session))
    assert data["contextTemplate"]["extensions"][SESSION] == session.id
    launched = statements(db, au.registration)
    assert [s["verb"]["id"] for s in launched] == [ADL + "launched"]
    assert launched[0]["context"]["extensions"][CMI5 + "context/extensions/launchmode"] == "Normal"
    # the AU may read its launch data, never change it
    refused = au.state("LMS.LaunchData", "PUT", {"moveOn": "NotApplicable"})
    assert refused.status_code == 403 and "LMS.LaunchData" in refused.get_json()["error"]["message"]
    # a second launch continues the registration
    again = launch(result.created[0])
    assert again.registration == au.registration and again.activity_id == au.activity_id


def test_the_lrs_refuses_statements_that_break_cmi5s_rules_saying_which(db, played):
    course, result, learner, launch = played({"one": {"move_on": "CompletedAndPassed", "mastery": 0.8}})
    au = launch(result.created[0])
    token = au.fetch().get_json()["auth-token"]
    au.headers["Authorization"] = f"Basic {token}"
    au.launch_data = au.state("LMS.LaunchData").get_json()

    def refused(response, words):
        assert response.status_code == 403, response.get_data(as_text=True)
        assert words in response.get_json()["error"]["message"]

    refused(au.say("initialized"), "cmi5LearnerPreferences")
    au.client.get(
        "/xapi/agents/profile",
        query_string={"profileId": "cmi5LearnerPreferences", "agent": json.dumps(au.actor)},
        headers=au.headers,
    )
    refused(au.say("experienced"), "the first statement of a session is initialized")
    assert au.say("initialized").status_code == 204
    stranger = au.statement("experienced")
    stranger["actor"] = {"mbox": "mailto:someone@example.org"}
    refused(au.send(stranger), "the launch's actor")
    refused(au.say("passed", success=True, score={"scaled": 0.5}), "at least the masteryScore")
    refused(au.say("completed", completion=True, success=True), "no result.success")
    assert au.say("completed", completion=True).status_code == 204
    refused(au.say("completed", completion=True), "completed already")
    assert au.say("terminated").status_code == 204
    late = au.say("experienced")
    assert late.status_code == 401  # the token ended with the session


def test_browse_mode_sends_no_completion(db, played):
    course, result, learner, launch = played({"one": {}})
    au = launch(result.created[0], "Browse").start()
    assert au.launch_data["launchMode"] == "Browse"
    assert au.say("initialized").status_code == 204
    response = au.say("completed", completion=True)
    assert response.status_code == 403 and "Browse" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("move_on", "said", "complete_after"),
    [
        ("Completed", ["completed"], 1),
        ("Passed", ["completed", "passed"], 2),
        ("CompletedAndPassed", ["passed", "completed"], 2),
        ("CompletedOrPassed", ["passed", "completed"], 1),
    ],
)
def test_move_on_decides_when_the_lesson_counts_as_complete(db, played, move_on, said, complete_after):
    course, result, learner, launch = played({"one": {"move_on": move_on}})
    lesson = result.created[0]
    au = launch(lesson).start()
    assert au.say("initialized").status_code == 204
    for number, verb in enumerate(said, start=1):
        answer = au.say(verb, **({"completion": True} if verb == "completed" else {"success": True}))
        assert answer.status_code == 204, answer.get_data(as_text=True)
        expected = "completed" if number >= complete_after else "in_progress"
        assert lesson_status(db, learner, lesson) == expected, (verb, number)
    shown = verbs(db, au.registration)
    # block then course, right after the statement that met moveOn
    assert shown[complete_after + 2 : complete_after + 4] == ["satisfied", "satisfied"]
    satisfied = [s for s in statements(db, au.registration) if s["verb"]["id"].endswith("/satisfied")]
    assert [s["object"]["definition"]["type"] for s in satisfied] == [
        CMI5 + "activitytype/block",
        CMI5 + "activitytype/course",
    ]
    assert satisfied[1]["context"]["contextActivities"]["grouping"] == [{"id": f"{BASE}/course/course"}]
    assert satisfied[0]["context"]["extensions"][SESSION] == au.launch_data["contextTemplate"]["extensions"][SESSION]


def test_a_not_applicable_au_is_satisfied_as_the_registration_is_made(db, played):
    course, result, learner, launch = played({"one": {"move_on": "NotApplicable"}})
    au = launch(result.created[0])
    assert verbs(db, au.registration) == ["satisfied", "satisfied", "launched"]
    assert lesson_status(db, learner, result.created[0]) == "completed"


# --- waive, abandon ----------------------------------------------------------------------------


def test_a_trainer_waives_an_au_from_the_course_page_and_the_lesson_counts_as_complete(
    db, client, login, trainer, played
):
    course, result, learner, launch = played({"one": {"move_on": "Completed"}, "two": {"move_on": "Completed"}})
    au = launch(result.created[0])
    login(trainer)
    path = f"/author/courses/{course.id}/cmi5/{result.package.id}"
    page = client.get(path).get_data(as_text=True)
    assert "Lee Learner" in page and "Waive it" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        f"{path}/waive", data={"csrf_token": token, "registration": au.registration, "au": "0", "reason": "Tested Out"}
    )
    assert response.status_code == 303
    assert "waived (Tested Out)" in client.get(path).get_data(as_text=True)
    waived = statements(db, au.registration)[-1]
    assert waived["verb"]["id"].endswith("/waived") and waived["object"]["id"] == au.activity_id
    assert waived["result"] == {
        "success": True,
        "completion": True,
        "extensions": {CMI5 + "result/extensions/reason": "Tested Out"},
    }
    assert lesson_status(db, learner, result.created[0]) == "completed"
    # the second AU waived too: the block and the course are satisfied
    client.post(
        f"{path}/waive",
        data={"csrf_token": token, "registration": au.registration, "au": "1", "reason": "Administrative"},
    )
    assert verbs(db, au.registration)[-3:] == ["waived", "satisfied", "satisfied"]
    again = client.post(
        f"{path}/waive",
        data={"csrf_token": token, "registration": au.registration, "au": "1", "reason": "Administrative"},
    )
    assert "satisfied already" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_new_launch_abandons_a_session_left_open_and_a_trainer_can_abandon_one(db, client, login, trainer, played):
    course, result, learner, launch = played({"one": {}})
    first = launch(result.created[0]).start()
    assert first.say("initialized").status_code == 204
    second = launch(result.created[0])
    assert verbs(db, first.registration) == ["launched", "initialized", "abandoned", "launched"]
    abandoned = statements(db, first.registration)[2]
    assert "duration" in abandoned["result"] and abandoned["actor"] == first.actor
    assert first.say("experienced").status_code == 401
    second.start()
    login(trainer)
    path = f"/author/courses/{course.id}/cmi5/{result.package.id}"
    page = client.get(path).get_data(as_text=True)
    session_id = second.launch_data["contextTemplate"]["extensions"][SESSION]
    assert session_id in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"{path}/abandon", data={"csrf_token": token, "session": session_id}).status_code == 303
    assert verbs(db, first.registration)[-1] == "abandoned"
    assert db.session.get(Cmi5Session, session_id).abandoned_at is not None
    assert second.say("initialized").status_code == 401


# --- progress ----------------------------------------------------------------------------------


def test_a_managers_people_table_and_person_timeline_show_cmi5_progress(
    db, client, login, make_user, make_team, played
):
    course, result, learner, launch = played({"one": {"move_on": "Passed", "mastery": 0.5}})
    team = make_team("North")
    learner.team_id = team.id
    manager = make_user(name="Mona Manager", roles=("manager",))
    db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    db.session.commit()
    au = launch(result.created[0]).start()
    au.say("initialized")
    assert au.say("passed", success=True, score={"scaled": 0.75}).status_code == 204
    events = db.session.scalars(select(LearningEvent.verb).where(LearningEvent.user_id == learner.id)).all()
    assert "passed" in events and "completed" in events
    login(manager)
    people = client.get(f"/manage/people?course={course.id}").get_data(as_text=True)
    assert "Lee Learner" in people and "100%" in people
    person = client.get(f"/manage/people/{learner.id}").get_data(as_text=True)
    assert "Passed the interactive module in" in person and "Completed the interactive module in" in person
    assert db.session.scalar(select(func.count()).select_from(Cmi5Registration)) == 1
    assert db.session.scalar(select(func.count()).select_from(XapiDocument)) >= 1


def test_a_session_silent_for_the_time_out_is_abandoned_by_the_worker(db, played):
    import datetime as dt

    from courseware.packages.cmi5 import SESSION_TIMEOUT, abandon_stale_sessions

    course, result, learner, launch = played({"one": {}})
    au = launch(result.created[0]).start()
    assert au.say("initialized").status_code == 204
    session = db.session.scalar(select(Cmi5Session))
    assert abandon_stale_sessions() == 0
    session.last_request_at = session.last_request_at - SESSION_TIMEOUT - dt.timedelta(minutes=1)
    db.session.commit()
    assert au.say("experienced").status_code == 401
    assert abandon_stale_sessions() == 1
    db.session.commit()
    assert verbs(db, au.registration)[-1] == "abandoned"
    assert abandon_stale_sessions() == 0


def test_on_a_content_origin_the_au_is_served_there_and_reaches_the_lrs_across_origins(
    db, app, played, monkeypatch
):
    monkeypatch.setitem(app.config, "CONTENT_ORIGIN", "http://content.test")
    course, result, learner, launch = played({"one": {"move_on": "Completed"}})
    au = launch(result.created[0])
    assert au.url.startswith("http://content.test/content/"), au.url
    page = app.test_client().get(au.url)  # the content host: no cookie of the site's
    assert page.status_code == 200 and b"<" in page.data
    # The AU on the content origin asks first, then sends its statements with its token.
    preflight = app.test_client().options(
        "/xapi/statements",
        headers={
            "Origin": "http://content.test",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization, content-type, x-experience-api-version",
        },
    )
    assert preflight.status_code == 204
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "PUT" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    au.headers["Origin"] = "http://content.test"
    au.start()
    stored = au.say("initialized")
    assert stored.status_code == 204, stored.get_data(as_text=True)
    assert stored.headers["Access-Control-Allow-Origin"] == "*"
    done = au.say("completed", completion=True)
    assert done.status_code == 204, done.get_data(as_text=True)
    assert lesson_status(db, learner, result.created[0]) == "completed"
