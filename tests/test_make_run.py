"""`make run`'s steps work from a plain environment: no secret key set, demo mode on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_migrates_and_loads_the_demo_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSEWARE_", "FLASK_"))}
    env["COURSEWARE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    result = subprocess.run(["make", "demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Demo loaded: 6 accounts, 2 teams, 1 course(s) assigned to 3 learners." in result.stdout


def test_outside_demo_mode_the_commands_refuse_the_default_key_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSEWARE_", "FLASK_"))}
    env["COURSEWARE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'plain.sqlite3'}"
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run(
        [str(flask), "--app", "app", "db", "current"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "COURSEWARE_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr
