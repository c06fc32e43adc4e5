"""What the daemon tells `monitor status`: its PID and each job's last run.

The daemon keeps every job's state in memory (`JobLog`) and mirrors it to the
`jobs` table after each run. When the database cannot be written (locked for
longer than the busy timeout, or unreadable) the state stays in memory and is
written with the next run that can write: a failure is never lost because
recording it needed the same lock. `health` is the one judgement of whether
the daemon's jobs are well, for `monitor status`.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from . import dates
from .dates import now_rfc3339
from .store import transaction

log = logging.getLogger("monitor.daemon")

OVERDUE_FLOOR = 60.0  # seconds: a job is overdue only this late at least (sub-minute
#                        intervals are for tests; a loaded machine runs them a bit late)


class JobLog:
    """Every job's last run, runs and failures: in memory first, then in `jobs`."""

    def __init__(self) -> None:
        self._rows: dict[str, dict[str, Any]] = {}
        self._unwritten: set[str] = set()
        self._lock = threading.Lock()

    def record(self, job_id: str, name: str, started: str, status: str, error: str | None,
               duration: float, summary: dict[str, Any], next_run_at: str | None,
               interval: float | None, counted: bool = True) -> None:
        """Note one run of a job (the last run wins; runs and failures count up).

        `counted` False: the run reports a failure that an earlier run counted.
        """
        with self._lock:
            prev = self._rows.get(job_id, {})
            self._rows[job_id] = {
                "id": job_id, "name": name, "last_run_at": started, "last_status": status,
                "last_error": error, "last_duration": round(duration, 3),
                "next_run_at": next_run_at, "interval": interval,
                "runs": prev.get("runs", 0) + 1,
                "failures": prev.get("failures", 0) + (status == "error" and counted),
                "summary": json.dumps(summary, default=str), "running_since": None,
            }
            self._unwritten.add(job_id)

    def unwritten(self) -> list[str]:
        with self._lock:
            return sorted(self._unwritten)

    def write(self, db: Database | None) -> bool:
        """Write every state not yet written; False (and kept) if the database refuses."""
        with self._lock:
            rows = [dict(self._rows[j]) for j in sorted(self._unwritten)]
        if not rows:
            return True
        if db is None:
            return False
        try:
            with transaction(db):
                db.table("jobs").upsert_all(rows, pk="id")
        except sqlite3.Error as exc:
            log.warning("job state of %s kept in memory, not written: %s",
                        ", ".join(r["id"] for r in rows), exc)
            return False
        with self._lock:
            for r in rows:
                if self._rows.get(r["id"]) == r:  # not run again meanwhile
                    self._unwritten.discard(r["id"])
        return True


def started(db: Database, job_id: str, name: str, at: str) -> None:
    """Mark a job as running since `at` (shown by `monitor status` until it ends).

    Best effort: a database that refuses the write only hides the mark.
    """
    try:
        with transaction(db):
            db.table("jobs").upsert({"id": job_id, "name": name, "running_since": at},
                                    pk="id")
    except sqlite3.Error as exc:
        log.debug("job %s: running mark not written: %s", job_id, exc)


def daemon_started(db: Database, pid: int, config: str) -> None:
    with transaction(db):
        db.table("daemon").upsert({"id": 1, "pid": pid, "started_at": now_rfc3339(),
                                   "stopped_at": None, "config": config}, pk="id")
        db.execute("delete from jobs")  # jobs are rebuilt from config at each start


def daemon_stopped(db: Database) -> None:
    with transaction(db):
        db.execute("update daemon set stopped_at = ? where id = 1", [now_rfc3339()])


def overdue(job: dict[str, Any], now: datetime) -> bool:
    """Whether a job's next run is late by more than twice its interval."""
    due = dates.parse(job.get("next_run_at"))
    interval = job.get("interval")
    if due is None or not interval:
        return False
    return now - due > timedelta(seconds=max(2 * interval, OVERDUE_FLOOR))


def problems(running: bool, jobs: list[dict[str, Any]], given_up: list[dict[str, Any]],
             now: datetime | None = None) -> list[str]:
    """Why the daemon is unhealthy, one line each (empty: healthy)."""
    now = now or dates.now()
    out = [] if running else ["no daemon runs on this database"]
    for j in jobs:
        if j["last_status"] == "error":
            out.append(f"{j['name']}: last run failed: {j['last_error']}")
        if running and overdue(j, now):
            out.append(f"{j['name']}: overdue (next run was due at {j['next_run_at']})")
    if given_up:
        out.append(f"notify: {len(given_up)} message(s) given up (monitor notify retries them)")
    return out


def describe(summary: dict[str, Any]) -> str:
    """A one-line rendering of a job summary."""
    return ", ".join(f"{k} {v}" for k, v in summary.items() if not isinstance(v, (dict, list)))
