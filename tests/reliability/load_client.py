"""One load-test client, run in its own process: logs in as a learner and records steps.

Each step is a form post with its own key, as a browser sends it; some are sent twice (a
double click). The client reports which steps the server acknowledged and every status seen.
"""

from __future__ import annotations

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


def _opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())


def _send(opener, url: str, data: dict | None = None, timeout: float = 20) -> tuple[int, str]:
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def run_client(job: dict) -> dict:
    """Log in and post ``job['steps']`` quiz answers and checklist ticks; report what was acknowledged."""
    base, email, password = job["base"], job["email"], job["password"]
    rnd = random.Random(job["seed"])
    opener = _opener()
    statuses: list[int] = []
    acknowledged: list[dict] = []
    errors: list[str] = []
    deadline = time.monotonic() + job.get("seconds", 60)
    token = None
    for _attempt in range(20):
        try:
            status, page = _send(opener, f"{base}/login")
            token = CSRF.search(page).group(1)
            status, _ = _send(opener, f"{base}/login", {"csrf_token": token, "email": email, "password": password})
            if status == 302:
                break
        except (OSError, http.client.HTTPException, AttributeError) as exc:
            errors.append(f"login: {exc}")
        time.sleep(0.5)
    else:
        return {"statuses": statuses, "acknowledged": acknowledged, "errors": errors + ["could not log in"]}
    token = _page_token(opener, f"{base}/learn", errors)
    if token is None:
        return {"statuses": statuses, "acknowledged": acknowledged, "errors": errors + ["no page with a form token"]}
    for number in range(job["steps"]):
        if time.monotonic() > deadline:
            break
        if number % 5 == 0:  # reading a lesson records a view while others write
            try:
                status, _ = _send(opener, f"{base}/learn/{job['course']}/{job['quiz_lesson']}")
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
                    status, _ = _send(opener, url, data)
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
    return {"statuses": statuses, "acknowledged": acknowledged, "errors": errors}


def _page_token(opener, url: str, errors: list[str]) -> str | None:
    """The CSRF token of the page at ``url``, asked again while a worker dies or the database is away."""
    for _attempt in range(20):
        try:
            _status, page = _send(opener, url)
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
