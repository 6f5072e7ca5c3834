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


def _descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid``, with its command line."""
    children: dict[int, list[int]] = {}
    commands: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                commands[int(entry)] = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, todo = {}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found[child] = commands.get(child, "")
            todo.append(child)
    return found


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_serves_with_the_worker_beside_it_which_sends_queued_email_and_stops_with_gunicorn(
    tmp_path, mail_server
):
    import signal
    import time
    import urllib.request

    from courseware import create_app
    from courseware.core.mail import queue_mail
    from courseware.extensions import db
    from tests.conftest import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSEWARE_", "FLASK_"))}
    database = f"sqlite:///{tmp_path / 'run.sqlite3'}"
    env.update(
        {
            "COURSEWARE_DATABASE_URL": database,
            "COURSEWARE_SMTP_HOST": "127.0.0.1",
            "COURSEWARE_SMTP_PORT": str(mail_server.port),
            "COURSEWARE_BASE_URL": f"http://127.0.0.1:{port}",
            "PORT": str(port),
            "CONTROL_SOCKET": str(tmp_path / "gunicorn.ctl"),
        }
    )
    with open(tmp_path / "run.log", "wb") as log:
        make = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert make.poll() is None and time.monotonic() < deadline, (tmp_path / "run.log").read_text()[-3000:]
            time.sleep(0.5)

        app = create_app({"DATABASE_URL": database, "DEMO": True, "SMTP_HOST": None})
        with app.app_context():
            queue_mail("learner@example.org", "Queued beside gunicorn", "Hello.", key="make-run")
            db.session.commit()
        app.extensions["courseware.db"]["engine"].dispose()
        deadline = time.monotonic() + 60
        while not mail_server.messages:
            assert time.monotonic() < deadline, (tmp_path / "run.log").read_text()[-3000:]
            time.sleep(0.2)
        assert [m["Subject"] for m in mail_server.messages] == ["Queued beside gunicorn"]

        processes = _descendants(make.pid)
        [worker] = [pid for pid, command in processes.items() if command.endswith("--app app worker ")]
        [master] = [
            pid
            for pid, command in processes.items()
            if command.split()[1:2] and command.split()[1].endswith("bin/gunicorn") and _descendants(pid)
        ]
        os.kill(master, signal.SIGTERM)
        make.wait(30)
        deadline = time.monotonic() + 15
        while os.path.exists(f"/proc/{worker}") and _state(worker) != "Z":
            assert time.monotonic() < deadline, "the worker outlived gunicorn"
            time.sleep(0.2)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGTERM)
            make.wait(30)


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
