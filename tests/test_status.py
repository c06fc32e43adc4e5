"""`monitor status` is honest: failed, overdue and unrecorded jobs (case 5), in-process."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from monitor import dates, jobstate
from monitor.config import load_config
from monitor.lock import DaemonLock
from monitor.store import open_db


@pytest.fixture
def running(project):
    """A config whose database is held by a 'daemon' (this process holds its lock)."""
    cfg = project()
    c = load_config(cfg)
    db = open_db(c.database)
    lock = DaemonLock(c.database)
    lock.acquire({"pid": 1, "started_at": dates.now_rfc3339()})
    yield cfg, db
    lock.release()


def job(job_id: str, next_run: datetime, interval: float, status: str = "ok") -> dict:
    return {"id": job_id, "name": job_id, "last_run_at": dates.rfc3339(next_run),
            "last_status": status, "last_error": None if status == "ok" else "boom",
            "last_duration": 0.1, "next_run_at": dates.rfc3339(next_run),
            "interval": interval, "runs": 1, "failures": int(status != "ok"), "summary": "{}"}


def test_healthy_daemon_with_jobs_on_time(running, run):
    cfg, db = running
    now = datetime.now(UTC)
    db.table("jobs").insert_all([job("seeds", now + timedelta(seconds=30), 300),
                                 job("maintenance", now - timedelta(minutes=30), 3600)])
    r = run("status", config=cfg)
    assert r.exit_code == 0 and "healthy" in r.output, r.output


def test_a_job_overdue_by_twice_its_interval_is_unhealthy(running, run):
    cfg, db = running
    now = datetime.now(UTC)
    db.table("jobs").insert_all([job("seeds", now - timedelta(minutes=11), 300),
                                 job("notify", now - timedelta(seconds=90), 60)])
    r = run("status", "--format", "json", config=cfg)
    out = json.loads(r.output)
    assert r.exit_code == 1 and not out["healthy"]
    assert [p for p in out["problems"] if "overdue" in p] == [
        f"seeds: overdue (next run was due at {dates.rfc3339(now - timedelta(minutes=11))})"]
    r = run("status", config=cfg)
    assert "unhealthy:" in r.output and "seeds: overdue" in r.output


def test_overdue_rule():
    now = datetime(2020, 1, 1, 12, tzinfo=UTC)
    hourly = job("m", now - timedelta(hours=2, seconds=1), 3600)
    assert jobstate.overdue(hourly, now)
    assert not jobstate.overdue(job("m", now - timedelta(hours=2), 3600), now)
    # Sub-minute intervals (tests) get a minute of slack on a loaded machine.
    assert not jobstate.overdue(job("s", now - timedelta(seconds=50), 1), now)
    assert jobstate.overdue(job("s", now - timedelta(seconds=61), 1), now)


def test_job_state_waits_in_memory_while_the_database_is_locked(tmp_path):
    db = open_db(tmp_path / "m.db")
    db.execute("PRAGMA busy_timeout = 50")
    log = jobstate.JobLog()
    log.record("feed:x", "feed x", dates.now_rfc3339(), "error", "database is locked", 10.0,
               {}, None, 60)
    other = sqlite3.connect(tmp_path / "m.db")
    other.execute("BEGIN IMMEDIATE")
    assert log.write(db) is False and log.unwritten() == ["feed:x"]
    assert log.write(None) is False
    other.rollback()
    other.close()
    log.record("feed:x", "feed x", dates.now_rfc3339(), "ok", None, 0.1, {}, None, 60)
    assert log.write(db) is True and log.unwritten() == []
    [row] = db.query("select * from jobs")
    assert (row["runs"], row["failures"], row["last_status"]) == (2, 1, "ok")
