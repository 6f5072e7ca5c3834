"""Settings: safe defaults for the embedded mode, overridden by ``COURSEWARE_*`` variables."""

from __future__ import annotations

import datetime as dt
import os
from urllib.parse import urlsplit

DEFAULT_SECRET_KEY = "courseware-insecure-default-key"


class ConfigError(RuntimeError):
    """The settings cannot run the application; the message says which and why."""


def instance_folder(config: dict | None, environ=None) -> str | None:
    """The folder of this server's own files (the default SQLite database): ``INSTANCE_PATH`` given
    to ``create_app``, else ``COURSEWARE_INSTANCE_PATH``, else None for Flask's ``instance/``
    beside the package. Several servers on one machine each give their own."""
    environ = os.environ if environ is None else environ
    path = (config or {}).get("INSTANCE_PATH") or environ.get("COURSEWARE_INSTANCE_PATH")
    return os.path.abspath(path) if path else None


def default_settings(instance_path: str) -> dict:
    """The defaults used when nothing overrides them: one machine, a SQLite file."""
    return {
        "SECRET_KEY": DEFAULT_SECRET_KEY,
        "DATABASE_URL": "sqlite:///" + os.path.join(instance_path, "courseware.sqlite3"),
        "DATABASE_ECHO": False,
        "REDIS_URL": None,
        "DEMO": False,
        "SITE_NAME": "Courseware",
        "LOG_LEVEL": "INFO",
        # The site's public address, on which every emailed link is built; required with SMTP.
        "BASE_URL": None,
        # Where package files are served from, when not from the site's own origin (README, "Packages").
        "CONTENT_ORIGIN": None,
        "SMTP_HOST": None,
        "SMTP_PORT": 25,
        "SMTP_USERNAME": None,
        "SMTP_PASSWORD": None,
        "SMTP_STARTTLS": False,
        "SMTP_SSL": False,
        "SMTP_TIMEOUT": 10,
        "MAIL_FROM": "courseware@localhost",
        # The background worker (``flask --app app worker``): how long a job it took stays its own
        # before another worker may take it again, the first retry's delay (doubling with each
        # attempt, up to an hour), attempts before a job has failed for good, how often an idle
        # worker looks for work, and how many days finished jobs are kept.
        "JOB_LEASE_SECONDS": 300,
        "JOB_RETRY_SECONDS": 30,
        "JOB_MAX_ATTEMPTS": 8,
        "JOB_POLL_SECONDS": 1,
        "JOB_KEEP_DONE_DAYS": 7,
        # The hour (UTC, 0-23) from which the worker sends the day's digest e-mails to the people
        # who asked for one (``flask --app app digests send`` sends them at once, for cron).
        "DIGEST_HOUR": 7,
        # Forwarding statements to other LRSs: statements sent in one POST at most, and how long
        # the worker waits for the other side to connect or answer (keep it well under the lease).
        "XAPI_FORWARD_BATCH": 100,
        "XAPI_FORWARD_TIMEOUT_SECONDS": 30,
        "INVITATION_DAYS": 7,
        "PASSWORD_RESET_HOURS": 2,
        "EMAIL_CHANGE_HOURS": 24,
        "SESSION_IDLE_MINUTES": 120,
        "SESSION_ABSOLUTE_HOURS": 12,
        # A form sent after its session ended is kept this long for its author to sign in and
        # send it again, and at most this many are kept at once (beyond, the page shows the text).
        "UNSENT_KEEP_MINUTES": 60,
        "UNSENT_KEPT_AT_MOST": 2000,
        "SECURE_COOKIES": False,
        "STALLED_DAYS": 14,
        # Days between reviews of an objective, by its horizon, unless the objective sets its own.
        "OBJECTIVE_REVIEW_DAYS_SHORT": 14,
        "OBJECTIVE_REVIEW_DAYS_MEDIUM": 30,
        "OBJECTIVE_REVIEW_DAYS_LONG": 91,
        # How long the managers' overview and people table keep their figures (0: work them out every time).
        "MANAGE_FIGURES_SECONDS": 60,
        # Bytes each worker may keep of published lessons, outlines and page parts.
        "CONTENT_CACHE_BYTES": 32 * 1024 * 1024,
        # Bytes each worker may keep of managers' figures when no Redis is set.
        "FIGURES_CACHE_BYTES": 16 * 1024 * 1024,
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        # Evidence handed in with practice work and checklists: the largest file, in bytes, and
        # how many files one hand-in or checklist takes. Forms that take evidence accept a body
        # of files × size (plus room for the text); every other form keeps MAX_CONTENT_LENGTH.
        "EVIDENCE_MAX_BYTES": 10 * 1024 * 1024,
        "EVIDENCE_MAX_FILES": 5,
        # SCORM and cmi5 packages: bytes unpacked in all, bytes of one file, and files in one package.
        "PACKAGE_MAX_BYTES": 512 * 1024 * 1024,
        "PACKAGE_MAX_FILE_BYTES": 256 * 1024 * 1024,
        "PACKAGE_MAX_FILES": 10_000,
        # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
        "PROXY_COUNT": 0,
        "LOGIN_RATE_LIMIT": "10 per minute",
        # Failed logins to one account from one client address before that address is locked out
        # of the account for the rest of the window.
        "LOGIN_LOCKOUT": "5 per 15 minutes",
        # Failed logins to one account from all addresses together before it is locked for everyone:
        # one address alone can never reach it, so nobody can lock a person out from one machine.
        "LOGIN_ACCOUNT_LOCKOUT": "30 per 15 minutes",
        "LESSONS_PATH": None,
        # Seconds by which an OpenID provider's clock may differ from ours when its id_tokens are checked.
        "SSO_CLOCK_LEEWAY_SECONDS": 60,
    }


# Settings that are text whatever they look like: an all-digit password is still a password.
TEXT_SETTINGS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "BASE_URL",
    "CONTENT_ORIGIN",
    "SMTP_HOST",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "MAIL_FROM",
    "SITE_NAME",
)


def read_environment(config, environ=None) -> None:
    """Apply ``COURSEWARE_*`` variables: JSON where it parses (``true``, ``25``), text for text settings."""
    environ = os.environ if environ is None else environ
    config.from_prefixed_env("COURSEWARE")
    for name in TEXT_SETTINGS:
        raw = environ.get(f"COURSEWARE_{name}")
        if raw is not None:
            config[name] = raw


def finalise(config) -> None:
    """Derive dependent settings and refuse combinations that must not run."""
    config["SQLALCHEMY_URL"] = config["DATABASE_URL"]
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = "Lax"
    config["SESSION_COOKIE_SECURE"] = bool(config["SECURE_COOKIES"])
    # The cookie lasts no longer than the server-side session can (which also ends when idle);
    # it is written when its contents change, not on every response.
    config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=int(config["SESSION_ABSOLUTE_HOURS"]))
    config["SESSION_REFRESH_EACH_REQUEST"] = False
    config["REMEMBER_COOKIE_SECURE"] = bool(config["SECURE_COOKIES"])
    config["REMEMBER_COOKIE_HTTPONLY"] = True
    config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"] or "memory://"
    if config["REDIS_URL"]:
        # A Redis that does not answer is given up on within a second; limits then count in memory.
        config["RATELIMIT_STORAGE_OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}
    config["RATELIMIT_HEADERS_ENABLED"] = True
    config["WTF_CSRF_TIME_LIMIT"] = None
    relaxed = config.get("DEBUG") or config.get("TESTING") or config.get("DEMO")
    if config["SECRET_KEY"] in (DEFAULT_SECRET_KEY, "", None) and not relaxed:
        raise ConfigError(
            "COURSEWARE_SECRET_KEY is not set: refusing to start with the built-in default key, "
            "which anyone could use to forge sessions. Set COURSEWARE_SECRET_KEY to a long random "
            "value (for example the output of `python -c 'import secrets; print(secrets.token_hex(32))'`)."
        )
    _check_base_url(config)
    _check_content_origin(config)
    _check_review_days(config)


def _check_content_origin(config) -> None:
    """Refuse a content origin that is not a bare origin, or that is Courseware's own."""
    origin = config.get("CONTENT_ORIGIN")
    if not origin:
        config["CONTENT_ORIGIN"] = None
        return
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") or parts.query:
        raise ConfigError(
            f"COURSEWARE_CONTENT_ORIGIN={origin!r} is not an origin: give the scheme and host (and port) "
            "package files are served from, with no path, for example https://content.example.org."
        )
    base = config.get("BASE_URL")
    if base and urlsplit(base).netloc.lower() == parts.netloc.lower():
        raise ConfigError(
            f"COURSEWARE_CONTENT_ORIGIN={origin!r} is the site's own address: packages would run with "
            "Courseware's rights. Give it a host name of its own, for example https://content.example.org."
        )
    config["CONTENT_ORIGIN"] = f"{parts.scheme}://{parts.netloc}".lower()


REVIEW_DAYS_SETTINGS = ("OBJECTIVE_REVIEW_DAYS_SHORT", "OBJECTIVE_REVIEW_DAYS_MEDIUM", "OBJECTIVE_REVIEW_DAYS_LONG")


def _check_review_days(config) -> None:
    for name in REVIEW_DAYS_SETTINGS:
        value = config.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3660:
            raise ConfigError(
                f"COURSEWARE_{name}={value!r} is not a number of days: give a whole number from 1 to 3660."
            )


def _check_base_url(config) -> None:
    """Emailed links are built on ``BASE_URL`` alone, so sending email needs a valid one."""
    base = config.get("BASE_URL")
    if base:
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ConfigError(
                f"COURSEWARE_BASE_URL={base!r} is not a site address: give the public address people "
                "open the site at, with http:// or https:// and no query, for example https://learn.example.org."
            )
    elif config.get("SMTP_HOST"):
        raise ConfigError(
            "COURSEWARE_SMTP_HOST is set but COURSEWARE_BASE_URL is not: refusing to start, because "
            "the links in invitations, password resets and reminders would have no trustworthy "
            "address. Set COURSEWARE_BASE_URL to the public address of the site, for example "
            "https://learn.example.org."
        )
