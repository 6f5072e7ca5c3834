"""The README's screenshots, made from the demo (``flask --app app demo screenshots``).

A server of its own on a fresh demo database in a scratch instance folder: the demo accounts,
the small generated organisation (whose finished learners hold certificates), served on a free
loopback port and photographed by Playwright driving the system's Chromium, on a desktop and a
phone. The PNGs are reduced to a palette with Pillow, so that the README stays light.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select

from courseware.demo import DemoRefused

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}
LEARNER = "learner@example.org"
MANAGER = "manager@example.org"
LESSON = "why-results-take-months"
COLOURS = 128  # palette size of the saved PNGs


@dataclass(frozen=True)
class Shot:
    name: str  # file name stem
    title: str  # what the progress line says
    email: str | None  # who is logged in; None for a public page
    path: str


def shots(course_slug: str, certificate_code: str) -> list[Shot]:
    return [
        Shot("my-learning", "My learning", LEARNER, "/learn"),
        Shot("lesson", "a lesson", LEARNER, f"/learn/{course_slug}/{LESSON}"),
        Shot("manager-overview", "the manager's overview", MANAGER, "/manage/"),
        Shot("certificate", "a certificate", None, f"/certificates/{certificate_code}"),
    ]


def make_screenshots(output: str, chromium: str, echo: Callable[[str], None]) -> list[str]:
    """Photograph each page on each viewport into ``output``; the paths written."""
    if not os.path.exists(chromium):
        raise DemoRefused(f"Chromium is not installed at {chromium} (apt-get install chromium).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise DemoRefused("Playwright for Python is not installed (make install-dev).") from None
    os.makedirs(output, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="courseware-screenshots-") as folder:
        echo(f"Loading the demo into a scratch instance in {folder}")
        app, course_slug, code = demo_app(folder, echo)
        written = []
        with serving(app) as base_url, sync_playwright() as playwright:
            echo(f"Serving it at {base_url}; taking {len(VIEWPORTS) * 4} screenshots with {chromium}")
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                todo = shots(course_slug, code)
                count = 0
                for viewport, size in VIEWPORTS.items():
                    for shot in todo:
                        count += 1
                        path = os.path.join(output, f"{shot.name}-{viewport}.png")
                        photograph(browser, base_url, shot, viewport, size, path)
                        echo(
                            f"[{count}/{len(todo) * len(VIEWPORTS)}] {shot.title}, {viewport}: "
                            f"{path} ({os.path.getsize(path) // 1024} KB)"
                        )
                        written.append(path)
            finally:
                browser.close()
        app.extensions["courseware.db"]["engine"].dispose()
    return written


def demo_app(folder: str, echo: Callable[[str], None]):
    """An application on a new demo database in ``folder``: (app, course slug, a certificate code)."""
    from courseware import create_app, migrations
    from courseware.demo.load import load_demo, load_sample_organisation
    from courseware.extensions import db
    from courseware.models import Course, Enrollment

    app = create_app(
        {
            "INSTANCE_PATH": folder,
            "DATABASE_URL": "sqlite:///" + os.path.join(folder, "courseware.sqlite3"),
            "DEMO": True,
            "REDIS_URL": None,
            "SMTP_HOST": None,
            # Where `make run` serves: the certificate's link reads the same on every run.
            "BASE_URL": "http://127.0.0.1:5000",
            "SERVER_NAME": None,
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        migrations.upgrade(app)
        echo(load_demo(echo=echo))
        echo(load_sample_organisation(echo=echo))
        db.session.commit()
        course = db.session.scalar(select(Course).where(Course.status == "published").order_by(Course.id).limit(1))
        code = db.session.scalar(
            select(Enrollment.certificate_code)
            .where(Enrollment.course_id == course.id, Enrollment.certificate_code.is_not(None))
            .order_by(Enrollment.completed_at.desc())
            .limit(1)
        )
        slug = course.slug
        db.session.remove()
    if code is None:
        raise DemoRefused("The demo organisation has no completed course to show a certificate of.")
    return app, slug, code


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yields its address."""
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request among the progress
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(10)


def photograph(browser, base_url: str, shot: Shot, viewport: str, size: dict, path: str) -> None:
    phone = viewport == "phone"
    context = browser.new_context(viewport=size, is_mobile=phone, has_touch=phone, device_scale_factor=1)
    try:
        page = context.new_page()
        if shot.email:
            page.goto(f"{base_url}/login")
            page.fill("input[name=email]", shot.email)
            page.fill("input[name=password]", _demo_password())
            page.click("form button[type=submit]")
            page.wait_for_load_state()
        response = page.goto(base_url + shot.path)
        if response is None or response.status != 200:
            status = response.status if response is not None else "no answer"
            raise DemoRefused(f"{shot.path} answered {status} for {shot.email or 'anyone'}.")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=path, full_page=False, animations="disabled", caret="hide")
    finally:
        context.close()
    optimise(path)


def optimise(path: str) -> None:
    """Reduce the PNG to a palette of ``COLOURS`` colours, compressed as far as PNG goes."""
    from PIL import Image

    with Image.open(path) as image:
        rgb = image.convert("RGB")
        reduced = rgb.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    reduced.save(path, optimize=True)


def _demo_password() -> str:
    from courseware.demo.load import DEMO_PASSWORD

    return DEMO_PASSWORD
