"""LRS clients and a test client that speaks xAPI with their credentials."""

from __future__ import annotations

import base64
import json

import pytest


class XapiClient:
    """The test client with HTTP Basic credentials and an xAPI version header."""

    def __init__(self, client, key: str, secret: str, version: str = "2.0.0") -> None:
        self.client = client
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": version}

    def open(self, method: str, path: str, body=None, headers=None, **kwargs):
        data = json.dumps(body) if body is not None and not isinstance(body, str | bytes) else body
        return self.client.open(
            "/xapi" + path,
            method=method,
            data=data,
            content_type=kwargs.pop("content_type", "application/json" if data is not None else None),
            headers={**self.headers, **(headers or {})},
            **kwargs,
        )

    def get(self, path, **kw):
        return self.open("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.open("POST", path, body, **kw)

    def put(self, path, body, **kw):
        return self.open("PUT", path, body, **kw)


@pytest.fixture
def issue(db, make_user):
    """Issue an LRS client with the given scopes; returns (client row, XapiClient)."""
    from courseware.xapi.clients import issue_client

    admin = make_user(email="lrs-admin@example.org", name="LRS Admin", roles=("admin",))

    def factory(app, scopes=("statements/read", "statements/write", "state", "profile"), name="Tool"):
        client, secret = issue_client(name, list(scopes), admin)
        db.session.commit()
        return client, XapiClient(app.test_client(), client.key, secret)

    return factory


@pytest.fixture
def lrs(app, issue):
    return issue(app)[1]


def statement(**extra) -> dict:
    body = {
        "actor": {"objectType": "Agent", "name": "Ada", "mbox": "mailto:ada@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-GB": "completed"}},
        "object": {"id": "http://example.org/activities/listening", "objectType": "Activity"},
    }
    body.update(extra)
    return body
