"""The scenario of bench/run.py, shaped like Moodle's test plans ("L": 1,000 users arriving over
100 s, "M": 100 over 40 s; 5 loops each, 1–3 s of thinking between steps).

Each simulated person is one generated learner, with an address of their own (X-Forwarded-For,
one proxy trusted), and loops through a visit: log in, go home, open the course, read the quiz
lesson, answer its quiz (and see the result), return home, log out. Redirects are followed one
by one, so that each request is timed on its own; any unexpected status or page is a failure.
Every request's time goes to $BENCH_SAMPLES_FILE when the run ends; the run ends when every user
has done its loops. Users are ``FastHttpUser``s (geventhttpclient), which cost the load generator
several times less CPU a request than ``requests`` does: on a small machine it shares the cores
with the server. A failure is recorded with its kind (the status, or the error, or the missing
page content), so that the report can count failures by kind.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import gevent
from locust import events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM_KEY = re.compile(r'name="form_key"[^>]*value="([^"]+)"')
QUIZ_FORM = re.compile(r'action="([^"]*/quiz/[\w-]+)"')
QUESTION = re.compile(r'name="q(\d+)"')

EMAILS = Path(os.environ["BENCH_USERS_FILE"]).read_text().split()
PASSWORD = os.environ["BENCH_PASSWORD"]
COURSE = os.environ["BENCH_COURSE"]
LESSON = os.environ["BENCH_LESSON"]
LOOPS = int(os.environ.get("BENCH_LOOPS", "5"))
THINK = tuple(float(x) for x in os.environ.get("BENCH_THINK", "1,3").split(","))
SAMPLES_FILE = os.environ.get("BENCH_SAMPLES_FILE")

_numbers = itertools.count()
_samples: list[dict] = []
_finished = {"finished": 0}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, start_time=None, **_):
    _samples.append(
        {
            "name": name,
            "ms": response_time,
            "failed": exception is not None,
            "error": _kind(exception) if exception is not None else None,
            "at": start_time or time.time(),
        }
    )


def _kind(exception) -> str:
    """A failure as a short kind: the message a step gave, or the error's type and message."""
    text = str(exception) or type(exception).__name__
    if type(exception).__name__ != "CatchResponseError":
        text = f"{type(exception).__name__}: {text}"
    return text[:160]


@events.quitting.add_listener
def _write(environment, **_):
    if SAMPLES_FILE:
        Path(SAMPLES_FILE).write_text(json.dumps(_samples))
        Path(SAMPLES_FILE.replace("_samples.json", "_users.json")).write_text(json.dumps(_finished))


class Learner(FastHttpUser):
    def wait_time(self):
        return random.uniform(*THINK)

    def on_start(self):
        number = next(_numbers)
        if number >= len(EMAILS):
            # Locust tops the count up while it ramps; every planned person has come already.
            raise StopUser()
        self.email = EMAILS[number]
        self.address = {"X-Forwarded-For": f"127.200.{number // 256 % 256}.{number % 256}"}
        self.loops = 0

    def step(self, method: str, path: str, name: str, expect: int, *, contains: str | None = None, **kwargs):
        with self.client.request(
            method, path, name=name, allow_redirects=False, catch_response=True, headers=self.address, **kwargs
        ) as response:
            if (error := getattr(response, "error", None)) is not None:
                response.failure(f"{type(error).__name__}: {error}")
            elif response.status_code != expect:
                response.failure(f"{response.status_code}, wanted {expect}")
            elif contains and contains not in (response.text or ""):
                response.failure(f"the page lacks {contains!r}")
            else:
                response.success()
            return response

    def follow(self, response, name: str, expect: int = 200, **kwargs):
        location = response.headers.get("Location", "")
        return self.step("GET", location, name, expect, **kwargs)

    @task
    def visit(self):
        page = self.step("GET", "/login", "GET /login", 200, contains="csrf_token")
        token = CSRF.search(page.text).group(1) if page.ok else ""
        self.wait()
        answer = self.step(
            "POST", "/login", "POST /login", 302, data={"csrf_token": token, "email": self.email, "password": PASSWORD}
        )
        home = self.follow(answer, "GET / (redirect)", 302)
        self.follow(home, "GET /learn (after login)", contains="My learning")
        self.wait()
        self.step("GET", f"/learn/{COURSE}", "GET course outline", 200, contains="<h1")
        self.wait()
        lesson = self.step("GET", f"/learn/{COURSE}/{LESSON}", "GET lesson", 200, contains='name="form_key"')
        self.wait()
        if lesson.ok and (action := QUIZ_FORM.search(lesson.text)):
            data = {"csrf_token": CSRF.search(lesson.text).group(1), "form_key": FORM_KEY.search(lesson.text).group(1)}
            data.update({f"q{q}": "0" for q in sorted({int(n) for n in QUESTION.findall(lesson.text)})})
            result = self.step("POST", action.group(1), "POST quiz answer", 302, data=data)
            self.follow(result, "GET lesson with the result", contains="quiz-result")
            self.wait()
        learning = self.step("GET", "/learn", "GET /learn", 200, contains="My learning")
        self.wait()
        token = CSRF.search(learning.text).group(1) if learning.ok else ""
        self.step("POST", "/logout", "POST /logout", 302, data={"csrf_token": token})
        self.loops += 1
        if self.loops >= LOOPS:
            _finished["finished"] += 1
            if _finished["finished"] >= len(EMAILS):
                # From a greenlet of its own: quitting stops every user, this one included.
                gevent.spawn_later(0.5, self.environment.runner.quit)
            raise StopUser()
