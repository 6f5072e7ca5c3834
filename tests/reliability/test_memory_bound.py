"""Whatever a client sends, a worker's memory stays bounded: 50,000 requests for a lesson page, each
with a query string of its own, leave every gunicorn worker within its cache's byte bound and
its resident memory less than 50 MB above where it started."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
from urllib.parse import urlsplit

import pytest

from courseware.auth.services import create_user
from courseware.extensions import db
from courseware.learn.enrollment import enroll
from tests.conftest import TEST_PASSWORD, build_app
from tests.reliability.servers import Server, import_load_course

pytestmark = pytest.mark.slow

REQUESTS = 50_000
THREADS = 4
CACHE_BYTES = 4 * 1024 * 1024
LESSON = "/learn/load-course/check"


class Browser:
    """A logged-in person over plain HTTP/1.1, one connection per request (gunicorn's sync workers)."""

    def __init__(self, base: str) -> None:
        self.host, self.port = urlsplit(base).hostname, urlsplit(base).port
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            cookie = response.getheader("Set-Cookie")
            if cookie:
                self.cookie = cookie.split(";", 1)[0]
            return response.status, text
        finally:
            connection.close()

    def status_of_get(self, path: str) -> int:
        """The status of a GET, over a bare socket: the client stays cheap next to the server."""
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nCookie: {self.cookie}\r\nConnection: close\r\n\r\n"
        with socket.create_connection((self.host, self.port), timeout=30) as connection:
            connection.sendall(request.encode())
            head = connection.recv(65536)
            while connection.recv(65536):
                pass
        return int(head[9:12])

    def log_in(self, email: str) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        from urllib.parse import urlencode

        status, _ = self.request(
            "POST", "/login", urlencode({"email": email, "password": TEST_PASSWORD, "csrf_token": token})
        )
        assert status == 302


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS:")).split()[1])


def test_distinct_query_strings_leave_every_worker_within_its_memory_bounds(tmp_path):
    app = build_app("sqlite", str(tmp_path), purpose="memory")
    with app.app_context():
        course = import_load_course(tmp_path / "load-course")
        enroll(create_user("learner@example.org", "Lee Learner", TEST_PASSWORD), course)
        create_user("admin@example.org", "Ada Admin", TEST_PASSWORD, roles=("admin",))
        db.session.commit()
    app.extensions["courseware.db"]["engine"].dispose()
    env = {
        "PATH": "/usr/bin:/bin",
        "COURSEWARE_DATABASE_URL": app.config["DATABASE_URL"],
        "COURSEWARE_SECRET_KEY": "memory-test-secret",
        "COURSEWARE_LOG_LEVEL": "WARNING",
        "COURSEWARE_CONTENT_CACHE_BYTES": str(CACHE_BYTES),
        "COURSEWARE_LOGIN_RATE_LIMIT": "1000 per minute",
    }
    server = Server(app, app.config["DATABASE_URL"], env, tmp_path / "gunicorn.log")
    server.start(workers=2)
    try:
        learner, admin = Browser(server.base), Browser(server.base)
        learner.log_in("learner@example.org")
        admin.log_in("admin@example.org")
        for n in range(200):  # every worker has served the page and filled what it keeps
            assert learner.request("GET", f"{LESSON}?warm={n}")[0] == 200
        pids = server.workers()
        before = {pid: rss_kb(pid) for pid in pids}

        failures: list[str] = []
        caches: dict[int, dict] = {}

        def send(offset: int) -> None:
            for n in range(offset, REQUESTS, THREADS):
                status = learner.status_of_get(f"{LESSON}?x={n}")
                if status != 200:
                    failures.append(f"?x={n}: {status}")
                    return
                if n % 250 < THREADS:  # under load every worker answers some of these
                    status, body = admin.request("GET", "/admin/status.json")
                    report = json.loads(body)
                    caches[report["worker"]] = report["content_cache"]

        threads = [threading.Thread(target=send, args=(offset,)) for offset in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []

        grown_mb = {pid: (rss_kb(pid) - before[pid]) / 1024 for pid in pids}
        assert all(growth < 50 for growth in grown_mb.values()), grown_mb
        assert set(caches) == set(pids), "every worker reported what it keeps"
        for cache in caches.values():
            assert cache["max_bytes"] == CACHE_BYTES
            assert 0 < cache["bytes"] <= cache["max_bytes"]
    finally:
        server.stop()
