"""What the daemon tells `monitor status`: its PID and each job's last run."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from .article import now_rfc3339
from .store import transaction


def started(db: Database, job_id: str, name: str, at: str) -> None:
    """Mark a job as running since `at` (shown by `monitor status` until it ends)."""
    with transaction(db):
        db.table("jobs").upsert({"id": job_id, "name": name, "running_since": at}, pk="id")


def record(db: Database, job_id: str, name: str, started: str, status: str,
           error: str | None, duration: float, summary: dict[str, Any],
           next_run_at: str | None) -> None:
    """Store one job run (upsert: the last run wins; runs and failures count up)."""
    prev = db.execute("select runs, failures from jobs where id = ?", [job_id]).fetchone()
    runs, failures = prev if prev else (0, 0)
    with transaction(db):
        db.table("jobs").upsert({
            "id": job_id, "name": name, "last_run_at": started, "last_status": status,
            "last_error": error, "last_duration": round(duration, 3),
            "next_run_at": next_run_at, "runs": (runs or 0) + 1,
            "failures": (failures or 0) + (status == "error"),
            "summary": json.dumps(summary, default=str), "running_since": None,
        }, pk="id")


def daemon_started(db: Database, pid: int, config: str) -> None:
    with transaction(db):
        db.table("daemon").upsert({"id": 1, "pid": pid, "started_at": now_rfc3339(),
                                   "stopped_at": None, "config": config}, pk="id")
        db.execute("delete from jobs")  # jobs are rebuilt from config at each start


def daemon_stopped(db: Database) -> None:
    with transaction(db):
        db.execute("update daemon set stopped_at = ? where id = 1", [now_rfc3339()])


def describe(summary: dict[str, Any]) -> str:
    """A one-line rendering of a job summary."""
    return ", ".join(f"{k} {v}" for k, v in summary.items() if not isinstance(v, (dict, list)))
