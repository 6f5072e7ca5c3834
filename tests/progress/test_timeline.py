"""A sitting of checklist ticks is one line of a timeline."""

import datetime as dt
from types import SimpleNamespace

from courseware.progress.timeline import group_sittings

NOW = dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def event(verb, minutes_ago, lesson=1, key="checklist-1"):
    return SimpleNamespace(verb=verb, lesson_id=lesson, activity_key=key, created_at=NOW - minutes_ago * MINUTE)


def test_ticks_of_one_sitting_make_one_line_showing_the_latest_state():
    newest_first = [
        event("passed", 0, key="quiz-1"),
        event("checked", 2),
        event("checked", 10),
        event("checked", 25),  # 15 minutes before the tick after it: the same sitting
        event("checked", 70),  # 45 minutes earlier: another sitting
        event("checked", 71, lesson=2),  # another checklist
        event("viewed", 80),
    ]
    lines = group_sittings(newest_first, lambda item: item)
    assert [(line.item.verb, line.saves) for line in lines] == [
        ("passed", 1),
        ("checked", 3),
        ("checked", 1),
        ("checked", 1),
        ("viewed", 1),
    ]
    assert lines[1].item is newest_first[1] and lines[1].first_at == NOW - 25 * MINUTE
