"""Settings: defaults, ``COURSEWARE_*`` environment variables, and the refusal of a default secret key."""

from __future__ import annotations

import os

import pytest

from courseware import create_app
from courseware.config import DEFAULT_SECRET_KEY, ConfigError, default_settings, finalise


@pytest.fixture
def environ(monkeypatch, tmp_path):
    """An environment without any COURSEWARE_* or debug setting; the database is a scratch file."""
    for name in list(os.environ):
        if name.startswith("COURSEWARE_") or name in ("FLASK_DEBUG", "FLASK_ENV"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COURSEWARE_DATABASE_URL", f"sqlite:///{tmp_path / 'settings.sqlite3'}")
    return monkeypatch


def build(config=None):
    app = create_app(config)
    app.extensions["courseware.db"]["engine"].dispose()
    return app


def test_without_a_secret_key_the_app_refuses_to_start_and_says_which_variable_to_set(environ):
    with pytest.raises(ConfigError) as refused:
        create_app()

    assert "COURSEWARE_SECRET_KEY" in str(refused.value)


def test_an_empty_secret_key_is_refused_like_a_missing_one(environ):
    """``COURSEWARE_SECRET_KEY=`` (say, from an unset variable in a deploy template) must not start an
    app whose every page then fails."""
    environ.setenv("COURSEWARE_SECRET_KEY", "")

    with pytest.raises(ConfigError) as refused:
        create_app()

    assert "COURSEWARE_SECRET_KEY" in str(refused.value)


@pytest.mark.parametrize("relaxed", ["DEBUG", "TESTING", "DEMO"])
def test_the_default_key_is_allowed_for_debugging_testing_and_the_demo(environ, relaxed):
    app = build({relaxed: True})

    assert app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY


def test_make_run_starts_the_demo_with_courseware_demo_set_in_the_environment(environ):
    environ.setenv("COURSEWARE_DEMO", "1")

    assert build().config["DEMO"] == 1


def test_courseware_demo_0_does_not_relax_the_secret_key_check(environ):
    environ.setenv("COURSEWARE_DEMO", "0")

    with pytest.raises(ConfigError):
        create_app()


def test_courseware_environment_variables_override_the_defaults(environ, tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    environ.setenv("COURSEWARE_SECRET_KEY", "a-long-random-value-from-the-environment")
    environ.setenv("COURSEWARE_DATABASE_URL", url)
    environ.setenv("COURSEWARE_SMTP_HOST", "mail.example.org")
    environ.setenv("COURSEWARE_BASE_URL", "https://learn.example.org")
    environ.setenv("COURSEWARE_SMTP_PORT", "2525")
    environ.setenv("COURSEWARE_MAIL_FROM", "training@example.org")
    environ.setenv("COURSEWARE_SITE_NAME", "Acme Academy")
    environ.setenv("COURSEWARE_INVITATION_DAYS", "3")
    environ.setenv("COURSEWARE_SECURE_COOKIES", "true")

    config = build().config

    assert config["SECRET_KEY"] == "a-long-random-value-from-the-environment"
    assert config["SQLALCHEMY_URL"] == url
    assert config["SMTP_HOST"] == "mail.example.org"
    assert config["BASE_URL"] == "https://learn.example.org"
    assert config["SMTP_PORT"] == 2525
    assert config["MAIL_FROM"] == "training@example.org"
    assert config["SITE_NAME"] == "Acme Academy"
    assert config["INVITATION_DAYS"] == 3
    assert config["SESSION_COOKIE_SECURE"] is True


def test_settings_passed_to_create_app_win_over_the_environment(environ):
    environ.setenv("COURSEWARE_SITE_NAME", "From The Environment")

    assert build({"TESTING": True, "SITE_NAME": "From The Test"}).config["SITE_NAME"] == "From The Test"


def test_the_embedded_default_is_a_sqlite_file_in_the_instance_folder(environ):
    environ.delenv("COURSEWARE_DATABASE_URL")
    environ.setenv("COURSEWARE_SECRET_KEY", "set")

    app = build()

    assert app.config["SQLALCHEMY_URL"] == "sqlite:///" + os.path.join(app.instance_path, "courseware.sqlite3")


def test_each_server_on_a_machine_can_have_an_instance_folder_of_its_own(environ, tmp_path, monkeypatch):
    environ.delenv("COURSEWARE_DATABASE_URL")
    environ.setenv("COURSEWARE_SECRET_KEY", "set")
    monkeypatch.chdir(tmp_path)
    environ.setenv("COURSEWARE_INSTANCE_PATH", "server-a")

    app = build()

    assert app.instance_path == str(tmp_path / "server-a")
    assert (tmp_path / "server-a").is_dir()
    assert app.config["SQLALCHEMY_URL"] == f"sqlite:///{tmp_path / 'server-a' / 'courseware.sqlite3'}"


def test_a_redis_url_moves_rate_limits_to_redis_and_memory_is_the_default():
    embedded = {**default_settings("/instance"), "SECRET_KEY": "set"}
    finalise(embedded)
    scaled = {**default_settings("/instance"), "REDIS_URL": "redis://cache:6379/0", "SECRET_KEY": "set"}
    finalise(scaled)

    assert embedded["RATELIMIT_STORAGE_URI"] == "memory://"
    assert scaled["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    # A Redis that does not answer is given up on quickly, and limits then count in memory.
    assert scaled["RATELIMIT_STORAGE_OPTIONS"] == {"socket_connect_timeout": 1, "socket_timeout": 1}


def test_text_settings_stay_text_even_when_they_look_like_numbers(environ):
    environ.setenv("COURSEWARE_SECRET_KEY", "12345678901234567890")
    environ.setenv("COURSEWARE_SMTP_PASSWORD", "123456")
    environ.setenv("COURSEWARE_SMTP_PORT", "587")
    app = build()
    assert app.config["SECRET_KEY"] == "12345678901234567890"
    assert app.config["SMTP_PASSWORD"] == "123456"
    assert app.config["SMTP_PORT"] == 587


def test_behind_a_proxy_the_client_address_and_scheme_come_from_forwarded_headers(environ):
    environ.setenv("COURSEWARE_SECRET_KEY", "a-real-secret-for-this-test")
    environ.setenv("COURSEWARE_PROXY_COUNT", "1")
    app = build()

    @app.route("/_whoami")
    def whoami():
        from flask import request

        return {"addr": request.remote_addr, "scheme": request.scheme}

    seen = (
        app.test_client()
        .get("/_whoami", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
        .get_json()
    )
    assert seen == {"addr": "203.0.113.7", "scheme": "https"}
    environ.setenv("COURSEWARE_PROXY_COUNT", "0")
    app = build()
    app.add_url_rule("/_whoami", view_func=whoami)
    assert (
        app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.7"}).get_json()["addr"]
        != "203.0.113.7"
    )


@pytest.mark.parametrize("relaxed", [{}, {"TESTING": True}, {"DEMO": True}])
def test_with_smtp_but_no_base_url_the_app_refuses_to_start_and_says_what_to_set(environ, relaxed):
    """Emailed links are built on the site's public address alone, never on a request's Host header."""
    environ.setenv("COURSEWARE_SECRET_KEY", "a-long-random-value-from-the-environment")
    environ.setenv("COURSEWARE_SMTP_HOST", "mail.example.org")

    with pytest.raises(ConfigError) as refused:
        create_app(relaxed)

    assert "COURSEWARE_BASE_URL" in str(refused.value)
    assert "COURSEWARE_SMTP_HOST" in str(refused.value)


@pytest.mark.parametrize("base_url", ["learn.example.org", "ftp://learn.example.org", "https://", "https://x.org/?a=1"])
def test_a_base_url_that_is_not_a_site_address_is_refused(environ, base_url):
    environ.setenv("COURSEWARE_SECRET_KEY", "a-long-random-value-from-the-environment")
    environ.setenv("COURSEWARE_BASE_URL", base_url)

    with pytest.raises(ConfigError) as refused:
        create_app()

    assert "COURSEWARE_BASE_URL" in str(refused.value)


def test_without_smtp_the_base_url_may_stay_unset(environ):
    environ.setenv("COURSEWARE_SECRET_KEY", "a-long-random-value-from-the-environment")

    assert build().config["BASE_URL"] is None
