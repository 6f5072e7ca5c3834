"""Hostile values in every parameter, header and body of every xAPI resource, sent with valid
credentials, are refused with a 4xx and a JSON body, never a 500."""

from __future__ import annotations

import pytest

from tests.security.test_hostile_parameters import HOSTILE

PARAMETERS = {
    "/statements": (
        "statementId",
        "voidedStatementId",
        "agent",
        "verb",
        "activity",
        "registration",
        "related_activities",
        "related_agents",
        "since",
        "until",
        "limit",
        "format",
        "attachments",
        "ascending",
        "more",
    ),
    "/activities/state": ("activityId", "agent", "stateId", "registration", "since"),
    "/activities/profile": ("activityId", "profileId", "since"),
    "/agents/profile": ("agent", "profileId", "since"),
    "/activities": ("activityId",),
    "/agents": ("agent",),
}
VALID = {
    "activityId": "http://example.org/a",
    "agent": '{"mbox":"mailto:ada@example.org"}',
    "stateId": "s",
    "profileId": "p",
}
BODIES = ["", "null", "[]", "[null]", '{"actor":[]}', "9" * 400, '{"actor":{"mbox":"mailto:a@b"},"verb":{"id":{}}}']


@pytest.mark.parametrize("path", sorted(PARAMETERS))
def test_hostile_parameters_are_refused_without_a_500(lrs, path):
    for name in PARAMETERS[path]:
        for label, value in HOSTILE.items():
            query = "&".join(f"{k}={v}" for k, v in {**VALID, name: value}.items() if k in PARAMETERS[path])
            for method in ("GET", "PUT", "POST", "DELETE"):
                response = lrs.client.open(
                    f"/xapi{path}?{query}",
                    method=method,
                    data=b"{}",
                    content_type="application/json",
                    headers=lrs.headers,
                )
                assert response.status_code < 500, (path, name, label, method)
                if response.status_code >= 400 and response.status_code != 405:
                    assert response.is_json, (path, name, label, method)


def test_hostile_bodies_and_headers_are_refused_without_a_500(lrs):
    for body in BODIES:
        for method in ("PUT", "POST"):
            response = lrs.client.open(
                "/xapi/statements?statementId=0f3a5e5c-6f5e-4c1e-9a55-7b1e1f1e1f1e"
                if method == "PUT"
                else "/xapi/statements",
                method=method,
                data=body,
                content_type="application/json",
                headers=lrs.headers,
            )
            assert 400 <= response.status_code < 500, (body, method)
    for content_type in (
        "multipart/mixed",
        "multipart/mixed; boundary=x",
        "text/plain",
        "application/x-www-form-urlencoded",
    ):
        response = lrs.client.post(
            "/xapi/statements", data=b"--x\r\n\r\n--x--", content_type=content_type, headers=lrs.headers
        )
        assert 400 <= response.status_code < 500, content_type
    for version in ("", "1", "2.0.0.0", "x" * 3000, "\x00"):
        response = lrs.client.get("/xapi/statements", headers={**lrs.headers, "X-Experience-API-Version": version})
        assert response.status_code == 400, version
    for authorization in ("Basic", "Basic !!!", "Basic " + "A" * 5000, "Bearer x"):
        response = lrs.client.get("/xapi/statements", headers={**lrs.headers, "Authorization": authorization})
        assert response.status_code == 401, authorization
    alternate = lrs.client.post(
        "/xapi/statements?method=PUT",
        data="content=%FF%FE&statementId=%00",
        content_type="application/x-www-form-urlencoded",
    )
    assert 400 <= alternate.status_code < 500
