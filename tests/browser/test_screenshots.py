"""`make screenshots` (``flask --app app demo screenshots``) makes the README's pictures from a fresh demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from courseware import create_app
from tests.browser.conftest import CHROMIUM
from tests.conftest import limiter_restored

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("my-learning", "lesson", "manager-overview", "certificate")


def test_demo_screenshots_writes_small_desktop_and_phone_pictures_of_each_page(tmp_path):
    """Run as `make screenshots` runs it: a process of its own (Playwright's sync API will not run
    inside another's event loop, such as the browser tests' own)."""
    output = tmp_path / "shots"
    environ = {key: value for key, value in os.environ.items() if not key.startswith("COURSEWARE_")} | {
        "COURSEWARE_DEMO": "1",
        "COURSEWARE_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "demo", "screenshots", "--output", str(output)]
        + ["--chromium", CHROMIUM],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "[8/8] a certificate, phone" in result.stdout
    total = 0
    for name in NAMES:
        for viewport, width in (("desktop", 1280), ("phone", 390)):
            path = output / f"{name}-{viewport}.png"
            with Image.open(path) as image:
                assert image.width == width
                assert image.mode == "P"  # a palette: small enough for the README
            total += path.stat().st_size
    assert total < 1_500_000


def test_demo_screenshots_without_chromium_says_so_in_one_line(tmp_path):
    with limiter_restored():
        app = create_app({"DEMO": True, "INSTANCE_PATH": str(tmp_path / "instance"), "REDIS_URL": None})
        result = app.test_cli_runner().invoke(
            args=["demo", "screenshots", "--output", str(tmp_path), "--chromium", str(tmp_path / "no-chromium")]
        )
    assert result.exit_code != 0
    assert "Chromium is not installed at" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.glob("*.png")) == []
