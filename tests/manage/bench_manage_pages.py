"""Time the managers' pages on a generated organisation (not a test: it prints timings).

    COURSEWARE_DATABASE_URL=sqlite:////tmp/x.sqlite3 flask --app app demo generate --learners 10000
    COURSEWARE_DATABASE_URL=sqlite:////tmp/x.sqlite3 python tests/manage/bench_manage_pages.py

It sets the password of an admin (created if missing) and of one team's manager, logs in as each
with the test client, requests each page a few times and prints the best, median and worst time
and the statement count (on a shared machine, the best time is the one least disturbed by other
work; with SQLite the process's CPU time is the work itself, whatever else the machine is doing).

Figures are worked out on every request, so that the timings are the work itself; set
COURSEWARE_MANAGE_FIGURES_SECONDS (for example to 60) to time the pages as served, with their
figures kept between requests.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from sqlalchemy import event, select

from courseware import create_app
from courseware.extensions import db
from courseware.models import ManagerScope, User

PASSWORD = "bench-password-for-managers-7"
PAGES = [
    "/manage/",
    "/manage/charts/funnel.svg",
    "/manage/charts/activity.svg",
    "/manage/people",
    "/manage/people?sort=last_active&order=desc",
    "/manage/people?status=stalled&page=3",
    "/manage/people?sort=trend",
]


def main(repeat: int = 5) -> None:
    app = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "LOG_LEVEL": "WARNING",
            "SERVER_NAME": "bench.test",
            "MANAGE_FIGURES_SECONDS": int(os.environ.get("COURSEWARE_MANAGE_FIGURES_SECONDS", "0")),
        }
    )
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "bench-admin@example.org"))
        if admin is None:
            admin = User(email="bench-admin@example.org", name="Bench Admin")
            admin.set_roles(["admin"])
            db.session.add(admin)
        admin.set_password(PASSWORD)
        manager = db.session.scalar(
            select(User).join(ManagerScope, ManagerScope.manager_id == User.id).order_by(User.id).limit(1)
        )
        if manager is not None:
            manager.set_password(PASSWORD)
        db.session.commit()
        people = [(admin.email, "admin")] + ([(manager.email, "manager of one team")] if manager else [])
    engine = app.extensions["courseware.db"]["engine"]
    statements = {"n": 0}

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args):
        statements["n"] += 1

    for email, label in people:
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        print(f"\n{label} ({email})")
        for path in PAGES:
            timings, cpu = [], []
            for _ in range(repeat):
                statements["n"] = 0
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            print(
                f"  {path:45} best {min(timings):6.1f} ms  median {statistics.median(timings):6.1f} ms  "
                f"worst {max(timings):6.1f} ms  (this process's CPU: median {statistics.median(cpu):6.1f} ms)  "
                f"{statements['n']} statements"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
