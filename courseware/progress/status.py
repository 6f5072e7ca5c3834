"""A learner's status as managers see it: on track, not started, stalled, blocked, overdue or done.

Each rule is one pure function of figures the manage pages aggregate in SQL; the SQL that
filters and counts by status (``manage.people.status_expression``) mirrors
``learner_status`` and a test holds the two together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

ON_TRACK = "on_track"
STALLED = "stalled"
BLOCKED = "blocked"
OVERDUE = "overdue"
DONE_ALL = "completed"
NOT_ENROLLED = "not_enrolled"
NOT_STARTED = "not_started"
LEARNER_STATUSES = (OVERDUE, BLOCKED, NOT_STARTED, STALLED, ON_TRACK, DONE_ALL, NOT_ENROLLED)


@dataclass(frozen=True)
class LearnerStatus:
    """A status, its cause in words (in the language of the request) and, for a learner who has
    stalled, the reason: "review" (work waiting for a trainer) or "inactive"."""

    status: str
    cause: str
    days: int | None = None
    reason: str | None = None


def overdue_days(due_date: dt.date | None, today: dt.date) -> int | None:
    """Days past the due date of unfinished work, or None when it is not overdue.

    The due date itself is the last day allowed: work due today is not overdue yet.
    """
    if due_date is None or due_date >= today:
        return None
    return (today - due_date).days


def stalled_cutoff(now: dt.datetime, stalled_days: int) -> dt.datetime:
    """A learner whose last activity is at or before this moment has stalled."""
    return now - dt.timedelta(days=stalled_days)


def stalled_cause(
    last_active_at: dt.datetime | None,
    assigned_at: dt.datetime | None,
    waiting_since: dt.datetime | None,
    now: dt.datetime,
    stalled_days: int,
) -> tuple[str, int] | None:
    """Why an enrolled, unfinished learner has stalled, or None when they have not.

    Stalled: nothing done for ``stalled_days`` whole days since the later of their last
    activity and their latest assignment (a new course restarts the clock). The cause is
    ``("review", N)`` when work handed in N days ago still waits for a trainer, else
    ``("inactive", N)`` for N days without activity.
    """
    moments = [moment for moment in (last_active_at, assigned_at) if moment is not None]
    if not moments:
        return None
    since = max(moments)
    if since > stalled_cutoff(now, stalled_days):
        return None
    if waiting_since is not None:
        return "review", (now - waiting_since).days
    return "inactive", (now - since).days


def blocked_cause(lessons_left: int, lessons_waiting: int) -> str | None:
    """Why a learner cannot move on, or None: every lesson they have left waits for a trainer."""
    if lessons_left <= 0 or lessons_waiting < lessons_left:
        return None
    return ngettext(
        "blocked: the last lesson waits for a trainer's review",
        "blocked: all %(num)d remaining lessons wait for a trainer's review",
        lessons_left,
    )


def learner_status(
    *,
    enrolled: int,
    completed: int,
    started: int,
    due_date: dt.date | None,
    lessons_left: int,
    lessons_waiting: int,
    last_active_at: dt.datetime | None,
    assigned_at: dt.datetime | None,
    waiting_since: dt.datetime | None,
    now: dt.datetime,
    stalled_days: int,
) -> LearnerStatus:
    """One learner's status and its cause, in order of urgency: overdue, blocked, not started,
    stalled, on track.

    ``started`` counts the courses begun, finished ones included; not started means none of the
    unfinished ones is. ``due_date`` is the earliest due date of unfinished courses;
    ``assigned_at`` the latest enrollment among them. Someone with no course, or with every
    course done, is neither.
    """
    if enrolled == 0:
        return LearnerStatus(NOT_ENROLLED, _("no course assigned"))
    if completed >= enrolled:
        return LearnerStatus(DONE_ALL, _("every assigned course completed"))
    late = overdue_days(due_date, now.date())
    if late is not None:
        cause = ngettext(
            "overdue: due %(date)s, %(num)d day ago",
            "overdue: due %(date)s, %(num)d days ago",
            late,
            date=f"{due_date:%-d %b %Y}",
        )
        return LearnerStatus(OVERDUE, cause, late)
    blocked = blocked_cause(lessons_left, lessons_waiting)
    if blocked is not None:
        return LearnerStatus(BLOCKED, blocked)
    if started <= completed:
        if assigned_at is None:
            return LearnerStatus(NOT_STARTED, _("not started"))
        days = (now - assigned_at).days
        return LearnerStatus(
            NOT_STARTED,
            ngettext("not started, assigned %(num)d day ago", "not started, assigned %(num)d days ago", days),
        )
    stall = stalled_cause(last_active_at, assigned_at, waiting_since, now, stalled_days)
    if stall is not None:
        kind, days = stall
        if kind == "review":
            cause = ngettext(
                "stalled: waiting %(num)d day for a review", "stalled: waiting %(num)d days for a review", days
            )
        else:
            cause = ngettext("stalled: inactive %(num)d day", "stalled: inactive %(num)d days", days)
        return LearnerStatus(STALLED, cause, days, reason=kind)
    return LearnerStatus(ON_TRACK, _("on track"))


def trend(recent: int, before: int) -> str:
    """``up``, ``down`` or ``flat``: events in the last 14 days against the 14 before."""
    if recent > before:
        return "up"
    if recent < before:
        return "down"
    return "flat"


def trend_in_words(recent: int, before: int) -> str:
    """The trend as people say it: "up: 12 this fortnight, 4 the one before"."""
    which = trend(recent, before)
    if which == "up":
        return _("up: %(recent)d this fortnight, %(before)d the one before", recent=recent, before=before)
    if which == "down":
        return _("down: %(recent)d this fortnight, %(before)d the one before", recent=recent, before=before)
    return _("flat: %(recent)d this fortnight, %(before)d the one before", recent=recent, before=before)
