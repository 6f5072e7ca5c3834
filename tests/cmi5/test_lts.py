"""CATAPULT's cmi5 LMS Test Suite passes in full against Courseware on gunicorn, on a scratch
database, with Debian's Chromium: every package imported or refused as it should be, every AU
launched and run, waiving and abandoning included.

The suite is read from ``../shared/cmi5-lts`` beside the repository (or the folder named by
``CMI5_LTS_SUITE``) and copied to a scratch folder with Courseware's adapter
(``tests/cmi5/lms.custom.js``) as its ``lib/lms.custom.js``. Its ``node_modules`` and built
package library (``pkg/dist``) are kept in ``.cache/cmi5-lts/`` (ignored by git), keyed by the
suite's package files. The counts come from jest's JSON report, never from its exit code alone;
the jest summary is printed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, TEST_PASSWORD, build_app, drop_scratch_postgres, free_port, scratch_name
from tests.reliability.servers import Server, server_env
from tests.shared_suites import shared_suite

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "cmi5-lts"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
PUPPETEER_CONFIG = """module.exports = {
    launch: {
        headless: true,
        executablePath: %s,
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    }
};
"""


def suite_folder() -> Path | None:
    return shared_suite("cmi5-lts", "lib/lms.template.js", "CMI5_LTS_SUITE")


def _link_or_copy(source, target):
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def built_suite(tmp: Path) -> Path:
    """A scratch copy of the suite with its node modules and its package library built, both
    made once per package-lock.json and kept in the cache."""
    source = suite_folder()
    if source is None:
        pytest.skip("CATAPULT's cmi5 LMS Test Suite is not at ../shared/cmi5-lts")
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node and npm are needed to run the cmi5 LMS Test Suite")
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium is needed to run the cmi5 LMS Test Suite ({CHROMIUM} is missing)")
    copy = tmp / "lts"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("node_modules", "var", "dist"))
    for folder, _dirs, files in os.walk(copy):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    manifest = b"".join((copy / name).read_bytes() for name in ("package.json", "package-lock.json"))
    manifest += b"".join(path.read_bytes() for path in sorted((copy / "pkg").rglob("*")) if path.is_file())
    cached = CACHE / hashlib.sha256(manifest).hexdigest()[:16]
    if not (cached / "ready").is_file():
        env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1", "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD": "1"}
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=copy, check=True, env=env)
        env["NODE_OPTIONS"] = "--openssl-legacy-provider"
        subprocess.run(["npx", "webpack"], cwd=copy / "pkg", check=True, env=env, capture_output=True)
        shutil.rmtree(cached, ignore_errors=True)
        cached.mkdir(parents=True)
        shutil.copytree(copy / "node_modules", cached / "node_modules", symlinks=True)
        shutil.copytree(copy / "pkg" / "dist", cached / "dist")
        (cached / "ready").write_text("")
    else:
        shutil.copytree(cached / "node_modules", copy / "node_modules", symlinks=True, copy_function=_link_or_copy)
        shutil.copytree(cached / "dist", copy / "pkg" / "dist", copy_function=_link_or_copy)
    shutil.copy(ROOT / "tests" / "cmi5" / "lms.custom.js", copy / "lib" / "lms.custom.js")
    (copy / "jest-puppeteer.config.js").write_text(PUPPETEER_CONFIG % json.dumps(str(CHROMIUM)))
    return copy


def prepare(app) -> dict[str, str]:
    """A trainer's course with one optional module (its lessons never wait for others), a
    learner enrolled in it, and an LRS client that reads every statement."""
    from courseware.extensions import db
    from courseware.learn.enrollment import enroll
    from courseware.models import Course, Module
    from courseware.xapi.clients import issue_client
    from tests.conftest import user_factory

    make_user = user_factory(db)
    trainer = make_user(email="trainer@example.org", name="Tess Trainer", roles=("trainer",))
    learner = make_user(email="learner@example.org", name="Lee Learner")
    course = Course(slug="cmi5-lts", title="cmi5 LMS Test Suite", summary="CATAPULT's packages.", status="published")
    course.owner_id = trainer.id
    db.session.add(course)
    db.session.flush()
    module = Module(course_id=course.id, slug="packages", title="Packages", position=0, optional=True)
    db.session.add(module)
    db.session.flush()
    enroll(learner, course)
    client, secret = issue_client("cmi5 LMS Test Suite", ["statements/read", "state", "profile"], None)
    db.session.commit()
    settings = {
        "COURSEWARE_COURSE_ID": str(course.id),
        "COURSEWARE_MODULE_ID": str(module.id),
        "COURSEWARE_TRAINER_EMAIL": trainer.email,
        "COURSEWARE_LEARNER_EMAIL": learner.email,
        "COURSEWARE_PASSWORD": TEST_PASSWORD,
        "LRS_KEY": client.key,
        "LRS_SECRET": secret,
    }
    db.session.remove()
    return settings


def test_the_cmi5_lms_test_suite_passes_in_full(backend, tmp_path):
    started = time.monotonic()
    suite = built_suite(tmp_path)
    built = time.monotonic()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = build_app(backend, str(tmp_path), purpose="cmi5lts", BASE_URL=base, SERVER_NAME=None)
    with app.app_context():
        settings = prepare(app)
    url = app.config["DATABASE_URL"]
    app.extensions["courseware.db"]["engine"].dispose()
    env = server_env(
        COURSEWARE_DATABASE_URL=url,
        COURSEWARE_SECRET_KEY="cmi5-lts-" + "s" * 40,
        COURSEWARE_BASE_URL=base,
        COURSEWARE_LOGIN_RATE_LIMIT="1000 per minute",
    )
    settings["COURSEWARE_URL"] = base
    (suite / ".env").write_text(
        "CATAPULT_LMS=./lib/lms.custom.js\n" + "".join(f"{k}={json.dumps(v)}\n" for k, v in settings.items())
    )
    server = Server(app, url, env, tmp_path / "gunicorn.log", port=port)
    server.start(workers=2)
    try:
        run = subprocess.run(
            [
                "npx",
                "jest",
                "--runInBand",
                "--testTimeout=120000",
                "--json",
                f"--outputFile={tmp_path / 'jest.json'}",
            ],
            cwd=suite,
            env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM), "PUPPETEER_SKIP_DOWNLOAD": "1"},
            capture_output=True,
            text=True,
            timeout=1800,
        )
    finally:
        server.stop()
        if backend == "postgresql":
            drop_scratch_postgres(POSTGRES_URL, scratch_name("cmi5lts"))
    finished = time.monotonic()
    summary = [line for line in run.stderr.splitlines() if line.startswith(("Tests:", "Test Suites:", "Time:"))]
    print("\n".join(summary))
    print(f"cmi5 LMS Test Suite: {built - started:.0f} s to prepare, {finished - built:.0f} s to run")
    report_file = tmp_path / "jest.json"
    assert report_file.is_file(), run.stdout[-4000:] + run.stderr[-8000:]
    report = json.loads(report_file.read_text())
    failures = [
        f"{test['fullName']}: {' '.join(test.get('failureMessages') or [])[:600]}"
        for result in report["testResults"]
        for test in result["assertionResults"]
        if test["status"] != "passed"
    ]
    assert not failures, "\n".join(failures) + "\n" + (tmp_path / "gunicorn.log").read_text()[-4000:]
    assert report["numFailedTests"] == 0 and report["numPendingTests"] == 0
    assert report["numPassedTests"] == report["numTotalTests"] > 0
