"""The account forms also read a JSON body; one of another shape gets a clear answer, never a 500."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token

SHAPES = [["a", "b"], "text", 5, None, {"email": 5, "name": {"a": 1}}]


@pytest.mark.parametrize("body", SHAPES)
@pytest.mark.parametrize("path", ["/login", "/password/forgot"])
def test_a_json_body_of_any_shape_is_answered_without_an_error(client, path, body):
    response = client.post(path, json=body, headers={"X-CSRFToken": csrf_token(client, path)})

    assert response.status_code in (400, 422)


@pytest.mark.parametrize("body", SHAPES)
def test_the_token_form_answers_a_json_body_of_any_shape_without_an_error(client, make_user, login, body):
    login(make_user())

    response = client.post("/account", json=body, headers={"X-CSRFToken": csrf_token(client, "/account")})

    assert response.status_code in (400, 422)


@pytest.mark.parametrize("body", SHAPES)
@pytest.mark.parametrize("path", ["/journal", "/objectives"])
def test_every_form_answers_a_json_body_of_any_shape_without_an_error(client, make_user, login, path, body):
    """Not only the account forms: every form of the site reads JSON the same way."""
    login(make_user())

    response = client.post(path, json=body, headers={"X-CSRFToken": csrf_token(client, path)})

    assert response.status_code in (400, 422)
