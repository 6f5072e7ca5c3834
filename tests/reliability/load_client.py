"""One load-test client, run in its own process: logs in as a learner and records steps.

Each step is a form post with its own key, as a browser sends it; some are sent twice (a
double click). The client reports which steps the server acknowledged, every status seen, and
each request's start and end (``time.monotonic()``, the same clock in every process), status
(0 when no answer came) and the ``X-Served-By`` header a load balancer set.
"""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class FromAddress(urllib.request.HTTPHandler):
    """Connect from the loopback address ``source`` (127.0.0.0/8): each client its own address."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.source, 0)), req)


def _opener(source: str | None = None):
    jar = http.cookiejar.CookieJar()
    handlers = [urllib.request.HTTPCookieProcessor(jar), NoRedirect()]
    return urllib.request.build_opener(*handlers, *([FromAddress(source)] if source else []))


def _send(opener, url: str, data: dict | None = None, timeout: float = 20, log=None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    start, status, served_by = time.monotonic(), 0, None
    try:
        with opener.open(url, data=body, timeout=timeout) as response:
            status, served_by = response.status, response.headers.get("X-Served-By")
            return status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, served_by = error.code, error.headers.get("X-Served-By")
        return status, error.read().decode(errors="replace")
    finally:
        if log is not None:
            log.append([start, time.monotonic(), status, served_by])


def run_client(job: dict) -> dict:
    """Log in and post ``job['steps']`` quiz answers and checklist ticks; report what was acknowledged."""
    base, email, password = job["base"], job["email"], job["password"]
    rnd = random.Random(job["seed"])
    opener = _opener(job.get("source"))
    requests: list[list] = []
    send = functools.partial(_send, opener, log=requests)
    statuses: list[int] = []
    acknowledged: list[dict] = []
    errors: list[str] = []
    deadline = time.monotonic() + job.get("seconds", 60)
    token = None
    for _attempt in range(20):
        try:
            status, page = send(f"{base}/login")
            token = CSRF.search(page).group(1)
            status, _ = send(f"{base}/login", {"csrf_token": token, "email": email, "password": password})
            if status == 302:
                break
        except (OSError, http.client.HTTPException, AttributeError) as exc:
            errors.append(f"login: {exc}")
        time.sleep(0.5)
    else:
        return {
            "statuses": statuses,
            "acknowledged": acknowledged,
            "requests": requests,
            "errors": errors + ["could not log in"],
        }
    token = _page_token(send, f"{base}/learn", errors)
    if token is None:
        return {
            "statuses": statuses,
            "acknowledged": acknowledged,
            "requests": requests,
            "errors": errors + ["no page with a form token"],
        }
    for number in range(job["steps"]):
        if time.monotonic() > deadline:
            break
        if number % 5 == 0:  # reading a lesson records a view while others write
            try:
                status, _ = send(f"{base}/learn/{job['course']}/{job['quiz_lesson']}")
                statuses.append(status)
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"view: {exc.__class__.__name__}")
        kind = "quiz" if number % 2 == 0 else "checked"
        key = f"{job['name']}-{number}"
        if kind == "quiz":
            url = f"{base}/learn/{job['course']}/{job['quiz_lesson']}/quiz/quiz-1"
            data = {"csrf_token": token, "form_key": key, "q0": str(rnd.choice([0, 1]))}
        else:
            url = f"{base}/learn/{job['course']}/{job['checklist_lesson']}/checklist/checklist-1"
            ticked = [str(i) for i in range(3) if rnd.random() < 0.5]
            data = {"csrf_token": token, "form_key": key, "item": ticked}
        sends = 2 if rnd.random() < 0.15 else 1
        for _ in range(sends):
            for _retry in range(10):
                try:
                    status, _ = send(url, data)
                except (OSError, http.client.HTTPException) as exc:  # a killed worker: the browser retries
                    errors.append(f"{kind}: {exc.__class__.__name__}")
                    time.sleep(0.2)
                    continue
                statuses.append(status)
                if status == 503:
                    time.sleep(0.5)
                    continue
                break
            if status in (200, 302):
                acknowledged.append({"kind": kind, "key": key})
    return {"statuses": statuses, "acknowledged": acknowledged, "requests": requests, "errors": errors}


def _page_token(send, url: str, errors: list[str]) -> str | None:
    """The CSRF token of the page at ``url``, asked again while a worker dies or the database is away."""
    for _attempt in range(20):
        try:
            _status, page = send(url)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"page: {exc.__class__.__name__}")
        else:
            found = CSRF.search(page)
            if found:
                return found.group(1)
        time.sleep(0.5)
    return None


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run_client(json.loads(sys.argv[1]))))
