"""SCIM Users and Groups as a directory uses them: tokens, filters, paging, PATCH, ETags,
uniqueness, deactivation that ends a live session, groups that move people between teams, and
nothing half-written when a request fails."""

from __future__ import annotations

from sqlalchemy import select

from courseware.models import ScimToken, Team, User
from courseware.scim.tokens import revoke_token
from tests.conftest import TEST_PASSWORD, post
from tests.scim.conftest import patch_body, user_body

ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def test_no_token_or_a_revoked_one_gets_401_with_scims_error_body(app, db, scim, scim_token):
    anonymous = app.test_client().get("/scim/v2/Users")
    assert anonymous.status_code == 401 and anonymous.json["schemas"] == [ERROR] and anonymous.json["status"] == "401"
    assert scim.get("/Users").status_code == 200
    revoke_token(db.session.get(ScimToken, scim_token[0].id), db.session.scalar(select(User)))
    db.session.commit()
    refused = scim.get("/Users")
    assert refused.status_code == 401 and refused.mimetype == "application/scim+json"


def test_a_provisioned_account_has_no_password_and_is_found_by_username_ignoring_case(scim, db):
    created = scim.post("/Users", user_body("Ada@Example.org", externalId="e-1"))
    assert created.status_code == 201, created.json
    person = db.session.get(User, int(created.json["id"]))
    assert person.email == "ada@example.org" and person.password_hash is None and person.name == "Ada Lovelace"
    assert created.headers["ETag"] == created.json["meta"]["version"]
    found = scim.get('/Users?filter=userName eq "ADA@example.ORG"').json
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == created.json["id"]
    assert scim.get('/Users?filter=externalId eq "e-1"').json["totalResults"] == 1
    assert scim.get('/Users?filter=externalId eq "E-1"').json["totalResults"] == 0  # externalId is case-exact
    unsupported = scim.get('/Users?filter=displayName co "Ada"')
    assert unsupported.status_code == 400 and unsupported.json["scimType"] == "invalidFilter"


def test_a_taken_username_is_409_uniqueness(scim):
    assert scim.post("/Users", user_body()).status_code == 201
    again = scim.post("/Users", user_body("ADA@example.org"))
    assert again.status_code == 409 and again.json["scimType"] == "uniqueness"


def test_pages_carry_start_index_count_and_total(scim):
    for n in range(5):
        assert scim.post("/Users", user_body(f"p{n}@example.org")).status_code == 201
    page = scim.get("/Users?startIndex=2&count=2").json
    everyone = scim.get("/Users").json
    assert page["startIndex"] == 2 and page["itemsPerPage"] == 2 and page["totalResults"] == everyone["totalResults"]
    assert [r["id"] for r in page["Resources"]] == [r["id"] for r in everyone["Resources"][1:3]]
    assert scim.get("/Users?count=abc").status_code == 400


def test_an_out_of_date_if_match_is_412_and_changes_nothing(scim, db):
    created = scim.post("/Users", user_body()).json
    path = f"/Users/{created['id']}"
    changed = scim.patch(path, patch_body({"op": "replace", "path": "displayName", "value": "Ada K."}))
    assert changed.status_code == 200 and changed.headers["ETag"] != created["meta"]["version"]
    stale = scim.put(path, user_body(displayName="Someone else"), headers={"If-Match": created["meta"]["version"]})
    assert stale.status_code == 412 and stale.json["schemas"] == [ERROR]
    assert scim.get(path).json["displayName"] == "Ada K."


def test_pathless_replace_as_entra_sends_it_and_remove(scim):
    created = scim.post("/Users", user_body(externalId="x-9")).json
    path = f"/Users/{created['id']}"
    body = scim.patch(
        path, patch_body({"op": "Replace", "value": {"displayName": "Ada B.", "externalId": "x-10"}})
    ).json
    assert body["displayName"] == "Ada B." and body["externalId"] == "x-10"
    removed = scim.patch(path, patch_body({"op": "remove", "path": "externalId"})).json
    assert "externalId" not in removed


def test_deactivating_over_scim_ends_the_persons_live_session(app, scim, db):
    from courseware.auth.services import create_user

    person = create_user("lin@example.org", "Lin", TEST_PASSWORD)
    db.session.commit()
    browser = app.test_client()
    assert post(browser, "/login", {"email": "lin@example.org", "password": TEST_PASSWORD}).status_code == 302
    assert browser.get("/account").status_code == 200
    answer = scim.patch(f"/Users/{person.id}", patch_body({"op": "replace", "path": "active", "value": False}))
    assert answer.status_code == 200 and answer.json["active"] is False
    after = browser.get("/account")
    assert after.status_code == 302 and "/login" in after.headers["Location"]


def test_a_failing_multi_operation_patch_changes_nothing(scim, db):
    scim.post("/Users", user_body("taken@example.org"))
    created = scim.post("/Users", user_body()).json
    failed = scim.patch(
        f"/Users/{created['id']}",
        patch_body(
            {"op": "replace", "path": "displayName", "value": "Changed"},
            {"op": "replace", "path": "active", "value": False},
            {"op": "replace", "path": "userName", "value": "TAKEN@example.org"},
        ),
    )
    assert failed.status_code == 409
    db.session.expire_all()
    person = db.session.get(User, int(created["id"]))
    assert person.name == "Ada Lovelace" and person.is_active


def test_adding_a_member_to_a_group_moves_them_from_their_team(scim, db):
    ada = scim.post("/Users", user_body()).json
    sales = scim.post("/Groups", {"displayName": "Sales", "members": [{"value": ada["id"]}]}).json
    support = scim.post("/Groups", {"displayName": "Support"}).json
    assert db.session.get(User, int(ada["id"])).team.name == "Sales"
    moved = scim.patch(
        f"/Groups/{support['id']}", patch_body({"op": "add", "path": "members", "value": [{"value": ada["id"]}]})
    )
    assert moved.status_code == 200 and [m["value"] for m in moved.json["members"]] == [ada["id"]]
    assert "members" not in scim.get(f"/Groups/{sales['id']}").json
    assert scim.get('/Groups?filter=displayName eq "support"').json["totalResults"] == 1
    removed = scim.patch(
        f"/Groups/{support['id']}", patch_body({"op": "remove", "path": f'members[value eq "{ada["id"]}"]'})
    )
    assert removed.status_code == 200 and db.session.get(User, int(ada["id"])).team is None
    assert scim.post("/Groups", {"displayName": "SALES"}).status_code == 409
    assert scim.delete(f"/Groups/{sales['id']}").status_code == 204
    assert db.session.scalar(select(Team).where(Team.name == "Sales")) is None


def test_delete_deactivates_and_keeps_the_account(scim, db):
    ada = scim.post("/Users", user_body()).json
    assert scim.delete(f"/Users/{ada['id']}").status_code == 204
    assert scim.get(f"/Users/{ada['id']}").status_code == 404
    person = db.session.get(User, int(ada["id"]))
    assert person is not None and not person.is_active
    back = scim.post("/Users", user_body())
    assert back.status_code == 201 and back.json["id"] == ada["id"] and back.json["active"] is True


def test_hostile_input_gets_a_scim_4xx(scim):
    for path in (
        "/Users/%FF",
        "/Users/99999999999999999999",
        "/Groups/-1",
        "/Schemas/nope",
        "/Users?startIndex=%C2%B2",
    ):
        answer = scim.get(path)
        assert 400 <= answer.status_code < 500 and answer.json["schemas"] == [ERROR], path
    for body in ("{", "[]", '{"userName": 5}', '{"userName": "a\\u0000b@example.org"}', '{"emails": "x"}'):
        answer = scim.post("/Users", body)
        assert answer.status_code == 400 and answer.json["schemas"] == [ERROR], body
    for body in (
        "{",
        '{"filter": "userName eq \\"a\\u0000b\\""}',
        '{"startIndex": "²"}',
        '{"filter": "' + "(" * 500 + '"}',
    ):
        answer = scim.post("/.search", body)
        assert answer.status_code == 400 and answer.json["schemas"] == [ERROR], body
    for path in ("/.search", "/Users/.search", "/Groups/.search"):
        beyond = scim.post(path, '{"startIndex": 99999999999999999999999, "count": 99999999999999999999999}')
        assert beyond.status_code == 200 and beyond.json["Resources"] == [], path
    assert scim.patch("/Users/1", '{"Operations": [{"op": "explode"}]}').status_code in (400, 404)


def test_removing_display_name_and_active_leaves_them_unassigned_and_the_account_as_it_was(app, scim, db):
    created = scim.post("/Users", user_body("grace@example.org")).json
    path = f"/Users/{created['id']}"
    removed = scim.patch(path, patch_body({"op": "remove", "path": "displayName"}, {"op": "remove", "path": "active"}))
    assert removed.status_code == 200, removed.json
    assert "displayName" not in removed.json and "active" not in removed.json
    served = scim.get(path).json
    assert "displayName" not in served and "active" not in served and served["name"]["givenName"] == "Ada"
    person = db.session.get(User, int(created["id"]))
    db.session.refresh(person)
    # Courseware still names the person (from the name parts) and they may still sign in.
    assert person.name == "Ada Lovelace" and person.is_active
    # Without name parts either, the e-mail address names them.
    assert scim.patch(path, patch_body({"op": "remove", "path": "name"})).status_code == 200
    db.session.refresh(person)
    assert person.name == "grace"
    # Given again, both are served again.
    again = scim.patch(path, patch_body({"op": "add", "value": {"displayName": "Grace H.", "active": False}})).json
    assert again["displayName"] == "Grace H." and again["active"] is False
    db.session.refresh(person)
    assert person.name == "Grace H." and not person.is_active


def test_a_user_id_is_never_a_group_id(scim, db, make_team):
    team = make_team("Support")
    user = scim.post("/Users", user_body()).json
    group = scim.post("/Groups", {"displayName": "Sales", "members": [{"value": user["id"]}]}).json
    assert group["id"].startswith("team-") and group["id"] != user["id"]
    assert scim.get(f"/Users/{user['id']}").json["groups"][0]["value"] == group["id"]
    # A Group is still found by the team's bare number.
    assert scim.get(f"/Groups/{team.id}").json["id"] == f"team-{team.id}"
    assert scim.get(f'/Groups?filter=id eq "{group["id"]}"').json["totalResults"] == 1


def test_searching_at_the_root_finds_users_then_groups_page_by_page(scim):
    search = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
    ada = scim.post("/Users", user_body(externalId="x-1")).json
    bob = scim.post("/Users", user_body("bob@example.org")).json
    sales = scim.post("/Groups", {"displayName": "Sales", "externalId": "x-1"}).json
    everything = scim.post("/.search", {"schemas": [search]}).json
    assert everything["totalResults"] >= 3
    ids = [r["id"] for r in everything["Resources"]]
    assert ids.index(ada["id"]) < ids.index(bob["id"]) < ids.index(sales["id"])
    # Every page holds what the one before left off, across the two kinds.
    paged = []
    for start in range(1, everything["totalResults"] + 1, 2):
        page = scim.post("/.search", {"schemas": [search], "startIndex": start, "count": 2}).json
        assert page["startIndex"] == start and page["totalResults"] == everything["totalResults"]
        paged += [r["id"] for r in page["Resources"]]
    assert paged == ids
    both = scim.post(
        "/.search", {"schemas": [search], "filter": 'externalId eq "x-1"', "attributes": ["externalId"]}
    ).json
    assert both["totalResults"] == 2
    assert {(tuple(r["schemas"]), r["id"], r["externalId"]) for r in both["Resources"]} == {
        (("urn:ietf:params:scim:schemas:core:2.0:User",), ada["id"], "x-1"),
        (("urn:ietf:params:scim:schemas:core:2.0:Group",), sales["id"], "x-1"),
    }
    assert all(set(r) == {"schemas", "id", "externalId"} for r in both["Resources"])
    users_only = scim.post("/.search", {"schemas": [search], "filter": 'userName eq "bob@example.org"'}).json
    assert [r["id"] for r in users_only["Resources"]] == [bob["id"]]
    excluded = scim.post("/.search", {"schemas": [search], "excludedAttributes": ["displayName"]}).json
    assert excluded["Resources"] and all("displayName" not in r for r in excluded["Resources"])
    for body, scim_type in (
        ({"schemas": [search], "filter": 'nickName eq "x"'}, "invalidFilter"),
        ({"schemas": [search], "filter": "userName sw"}, "invalidFilter"),
        ({"schemas": [search], "count": "many"}, None),
    ):
        refused = scim.post("/.search", body)
        assert refused.status_code == 400 and refused.json["schemas"] == [ERROR], body
        assert scim_type is None or refused.json["scimType"] == scim_type, refused.json
    assert scim.post("/.search", "[]").status_code == 400
