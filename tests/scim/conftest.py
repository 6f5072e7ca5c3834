"""A provisioning token and a client that speaks SCIM with it."""

from __future__ import annotations

import json

import pytest

SCIM = "application/scim+json"


class ScimClient:
    """The test client with the token's Authorization header and SCIM's content type."""

    def __init__(self, client, secret: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"}

    def open(self, method: str, path: str, body=None, headers=None, **kwargs):
        data = json.dumps(body) if body is not None and not isinstance(body, str) else body
        return self.client.open(
            "/scim/v2" + path,
            method=method,
            data=data,
            content_type=SCIM if data is not None else None,
            headers={**self.headers, **(headers or {})},
            **kwargs,
        )

    def get(self, path, **kw):
        return self.open("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.open("POST", path, body, **kw)

    def put(self, path, body, **kw):
        return self.open("PUT", path, body, **kw)

    def patch(self, path, body, **kw):
        return self.open("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.open("DELETE", path, **kw)


@pytest.fixture
def scim_token(db, make_user):
    from courseware.scim.tokens import issue_token

    admin = make_user(email="it@example.org", name="IT Admin", roles=("admin",))
    token, secret = issue_token("Entra ID", admin)
    db.session.commit()
    return token, secret


@pytest.fixture
def scim(app, scim_token):
    return ScimClient(app.test_client(), scim_token[1])


def user_body(email="ada@example.org", **extra):
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "displayName": "Ada Lovelace",
        "emails": [{"value": email, "primary": True}],
        "active": True,
    }
    body.update(extra)
    return body


def patch_body(*operations):
    return {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": list(operations)}
