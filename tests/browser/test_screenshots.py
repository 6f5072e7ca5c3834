"""`make screenshots` (``flask --app app demo screenshots``) makes the README's pictures from a fresh demo."""

from __future__ import annotations

import pytest
from PIL import Image

from courseware import create_app
from tests.browser.conftest import CHROMIUM
from tests.conftest import limiter_restored

pytestmark = pytest.mark.browser

NAMES = ("my-learning", "lesson", "manager-overview", "certificate")


def test_demo_screenshots_writes_small_desktop_and_phone_pictures_of_each_page(tmp_path):
    output = tmp_path / "shots"
    with limiter_restored():
        app = create_app({"DEMO": True, "INSTANCE_PATH": str(tmp_path / "instance"), "REDIS_URL": None})
        result = app.test_cli_runner().invoke(
            args=["demo", "screenshots", "--output", str(output), "--chromium", CHROMIUM]
        )
    assert result.exit_code == 0, result.output
    assert "[8/8] a certificate, phone" in result.output
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
