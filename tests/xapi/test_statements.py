"""The statements resource as a client uses it: what is stored and returned, refusals that name
the property, all-or-nothing batches, voiding, paging, scopes and credentials."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import func, select

from courseware.models import User, XapiClient, XapiStatement
from courseware.xapi.clients import revoke_client
from tests.xapi.conftest import statement

VERSION = "X-Experience-API-Version"


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(XapiStatement))


def test_a_posted_statement_comes_back_with_id_stored_authority_and_version(lrs):
    posted = lrs.post("/statements", statement())
    assert posted.status_code == 200, posted.json
    [statement_id] = posted.json
    got = lrs.get(f"/statements?statementId={statement_id}")
    assert got.status_code == 200
    assert got.json["id"] == statement_id and got.json["version"] == "2.0.0"
    assert got.json["authority"]["account"]["name"] and got.json["stored"] == got.json["timestamp"]
    assert got.headers[VERSION] == "2.0.0" and "X-Experience-API-Consistent-Through" in got.headers
    assert "Date" in got.headers


def test_each_request_is_answered_in_the_version_it_asks_for(lrs):
    lrs.headers[VERSION] = "1.0.3"
    answered = lrs.get("/statements")
    assert answered.status_code == 200 and answered.headers[VERSION] == "1.0.3"
    lrs.headers[VERSION] = "0.9"
    refused = lrs.get("/statements")
    assert refused.status_code == 400 and refused.json["error"]["property"] == "X-Experience-API-Version"


def test_a_bad_statement_is_refused_with_400_naming_the_property(lrs, db):
    bad = statement(actor={"mbox": "ada@example.org"})
    refused = lrs.post("/statements", bad)
    assert refused.status_code == 400
    assert refused.json["error"]["property"] == "actor.mbox"
    refused = lrs.post("/statements", statement(result={"score": {"scaled": 2}}))
    assert refused.status_code == 400 and refused.json["error"]["property"] == "result.score.scaled"
    assert count(db) == 0


def test_a_batch_with_one_bad_statement_stores_nothing(lrs, db):
    good = statement()
    bad = statement(verb={"id": "not an iri"})
    refused = lrs.post("/statements", [good, bad])
    assert refused.status_code == 400 and refused.json["error"]["property"] == "verb.id"
    assert count(db) == 0
    assert lrs.post("/statements", [statement(), statement()]).status_code == 200
    assert count(db) == 2


def test_a_statement_id_holds_one_statement_and_a_voided_one_is_found_only_as_voided(lrs):
    statement_id = str(uuid.uuid4())
    assert lrs.put(f"/statements?statementId={statement_id}", statement()).status_code == 204
    assert lrs.put(f"/statements?statementId={statement_id}", statement()).status_code == 204
    other = statement(verb={"id": "http://adlnet.gov/expapi/verbs/failed"})
    assert lrs.put(f"/statements?statementId={statement_id}", other).status_code == 409
    voiding = statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"}, object={"objectType": "StatementRef", "id": statement_id}
    )
    assert lrs.post("/statements", voiding).status_code == 200
    assert lrs.get(f"/statements?statementId={statement_id}").status_code == 404
    assert lrs.get(f"/statements?voidedStatementId={statement_id}").json["id"] == statement_id
    listed = lrs.get("/statements").json["statements"]
    assert [s["verb"]["id"] for s in listed] == ["http://adlnet.gov/expapi/verbs/voided"]


def test_filters_and_more_links_page_through_matching_statements(lrs):
    ada = {"mbox": "mailto:ada@example.org"}
    grace = {"objectType": "Agent", "mbox": "mailto:grace@example.org"}
    for _ in range(3):
        lrs.post("/statements", statement())
    lrs.post("/statements", statement(actor=grace))
    agent = json.dumps(ada)
    seen = []
    page = lrs.get(f"/statements?agent={agent}&limit=2&ascending=true")
    while True:
        assert page.status_code == 200, page.json
        seen += page.json["statements"]
        if not page.json["more"]:
            break
        page = lrs.client.get(page.json["more"], headers=lrs.headers)
    assert len(seen) == 3 and all(s["actor"]["mbox"] == ada["mbox"] for s in seen)
    assert [s["stored"] for s in seen] == sorted(s["stored"] for s in seen)
    forged = lrs.get("/statements?more=eyJxIjp7fX0.forged")
    assert forged.status_code == 400


def test_scopes_limit_what_a_client_reads_and_writes(app, issue):
    _, writer = issue(app, scopes=("statements/write",), name="Writer")
    _, mine = issue(app, scopes=("statements/read/mine", "statements/write"), name="Mine")
    _, everything = issue(app, name="Reporting")
    assert writer.post("/statements", statement()).status_code == 200
    assert writer.get("/statements").status_code == 403
    [own] = mine.post("/statements", statement()).json
    assert [s["id"] for s in mine.get("/statements").json["statements"]] == [own]
    assert len(everything.get("/statements").json["statements"]) == 2
    assert writer.get("/activities/state?activityId=http://x.org/a&agent={}").status_code == 403


def test_a_revoked_or_wrong_secret_gets_401_and_the_secret_is_kept_only_as_a_hash(app, db, issue):
    row, client = issue(app)
    assert client.get("/statements").status_code == 200
    secret = client.headers["Authorization"]
    assert secret not in row.secret_hash and len(row.secret_hash) == 64
    wrong = dict(client.headers, Authorization="Basic " + "eDp5")
    assert client.client.get("/xapi/statements", headers=wrong).status_code == 401
    revoke_client(db.session.get(XapiClient, row.id), db.session.scalar(select(User)))
    db.session.commit()
    refused = client.get("/statements")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Basic")


def test_xapi_sets_no_session_cookie_and_needs_no_csrf_token(app, lrs, login, make_user):
    response = lrs.post("/statements", statement())
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    person = make_user(email="browser@example.org")
    browser = app.test_client()
    login(person, target=browser)
    assert browser.post("/xapi/statements", json=statement(), headers={VERSION: "2.0.0"}).status_code == 401


def test_documents_merge_json_and_honour_etags(lrs):
    where = "/activities/state?activityId=http://example.org/a&stateId=bookmark&agent=" + json.dumps(
        {"mbox": "mailto:ada@example.org"}
    )
    assert lrs.post(where, {"page": 1}).status_code == 204
    assert lrs.post(where, {"seen": True}).status_code == 204
    got = lrs.get(where)
    assert got.json == {"page": 1, "seen": True}
    etag = got.headers["ETag"]
    assert lrs.put(where, {"page": 2}, headers={"If-Match": '"stale"'}).status_code == 412
    assert lrs.put(where, {"page": 2}, headers={"If-Match": etag}).status_code == 204
    assert lrs.get(where).json == {"page": 2}
