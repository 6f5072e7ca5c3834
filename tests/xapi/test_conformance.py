"""ADL's LRS conformance suite, run against gunicorn on a scratch database, passes in full for
xAPI 2.0.0 (1,442 tests) and 1.0.3 (1,365). The counts come from the suite's JSON summary (the
last stdout line starting with ``{``), never from its exit code.

The suite is read from ``../shared/lrs-conformance`` beside the repository (or the folder named
by ``LRS_CONFORMANCE_SUITE``) and copied to a scratch folder; its ``node_modules`` are kept in
``.cache/lrs-suite/`` (ignored by git), keyed by the suite's package files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, build_app, drop_scratch_postgres, scratch_name
from tests.reliability.servers import Server, server_env
from tests.shared_suites import shared_suite

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "lrs-suite"
EXPECTED = {"2.0.0": 1442, "1.0.3": 1365}


def suite_folder() -> Path | None:
    return shared_suite("lrs-conformance", "bin/console_runner.js", "LRS_CONFORMANCE_SUITE")


def installed_suite(tmp: Path) -> Path:
    """A scratch copy of the suite with its node modules, installed once per package-lock.json."""
    source = suite_folder()
    if source is None:
        pytest.skip("the LRS conformance suite is not at ../shared/lrs-conformance")
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node and npm are needed to run the LRS conformance suite")
    copy = tmp / "lrs-suite"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("node_modules", "logs"))
    for folder, _dirs, _files in os.walk(copy):
        os.chmod(folder, 0o755)
    manifest = b"".join(
        (copy / name).read_bytes() for name in ("package.json", "package-lock.json") if (copy / name).exists()
    )
    modules = CACHE / hashlib.sha256(manifest).hexdigest()[:16] / "node_modules"
    if not modules.is_dir():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=copy, check=True)
        modules.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(copy / "node_modules", modules, symlinks=True)
    else:
        # Hard links where the cache and the scratch folder share a disk (the suite links its own
        # local packages with relative symlinks, which resolve inside the scratch copy).
        shutil.copytree(modules, copy / "node_modules", symlinks=True, copy_function=_link_or_copy)
    return copy


def _link_or_copy(source, target):
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def summary(run: subprocess.CompletedProcess, server_log: Path) -> dict:
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    log = server_log.read_text(errors="replace")[-2000:] if server_log.exists() else ""
    assert lines, (
        f"the suite printed no JSON summary (exit {run.returncode}):\n{run.stdout[-2000:]}\n"
        f"its errors:\n{run.stderr[-3000:]}\nthe server's log:\n{log}"
    )
    return json.loads(lines[-1])


@pytest.mark.parametrize("version", ["2.0.0", "1.0.3"])
def test_the_conformance_suite_passes_in_full(backend, tmp_path, version):
    suite = installed_suite(tmp_path)
    purpose = "lrs" + version.replace(".", "")
    app = build_app(backend, str(tmp_path), purpose=purpose)
    with app.app_context():
        from courseware.extensions import db
        from courseware.xapi.clients import issue_client

        client, secret = issue_client(
            "Conformance suite", ["statements/read", "statements/write", "state", "profile"], None
        )
        db.session.commit()
        key = client.key
        db.session.remove()
    url = app.config["DATABASE_URL"]
    app.extensions["courseware.db"]["engine"].dispose()
    env = server_env(COURSEWARE_DATABASE_URL=url, COURSEWARE_SECRET_KEY="conformance-" + "s" * 40)
    server = Server(app, url, env, tmp_path / "gunicorn.log")
    server.start(workers=2)
    try:
        run = subprocess.run(
            [
                "node",
                "bin/console_runner.js",
                "-x",
                version,
                "-e",
                f"{server.base}/xapi",
                "-a",
                # In the "=" form, so that a secret starting with "-" is not read as an option.
                f"--authUser={key}",
                f"--authPassword={secret}",
                "-z",
            ],
            cwd=suite,
            capture_output=True,
            text=True,
            timeout=1800,
        )
    finally:
        server.stop()
        if backend == "postgresql":
            drop_scratch_postgres(POSTGRES_URL, scratch_name(purpose))
    counts = summary(run, tmp_path / "gunicorn.log")
    print(json.dumps(counts))
    assert counts["failed"] == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert counts["passed"] == counts["total"] == EXPECTED[version]
