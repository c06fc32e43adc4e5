"""The daemon on a server: one per-host limit across jobs, quiet logs, no secrets out.

The daemon runs as a real subprocess against real servers on 127.0.0.1; every
feed and secret here is synthetic.
"""

from __future__ import annotations

import logging
import signal

import pytest
from conftest import SEED
from localserver import Reply, item, rss
from test_daemon import count_when_ready, start, wait_for

from monitor.daemon import Daemon, log_level

pytestmark = pytest.mark.slow


def seeds_runs(db) -> int:
    return count_when_ready(db, "select coalesce(max(runs), 0) from jobs where id='seeds'") or 0


def stop(p) -> tuple[str, str]:
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=70)
    assert p.returncode == 0, err
    return out, err


def test_daemon_jobs_share_the_per_host_limit(project, feedserver):
    # Five feeds on one host, each answer taking 1.5 s, first runs 0.4 s apart:
    # without a shared limit four requests would be in flight at once.
    feeds = []
    for i in range(5):
        url = feedserver.route(f"/f{i}.xml", Reply(200, rss("Synthetic", [item(i)]),
                                                   delay=1.5))
        feeds.append({"url": url, "name": f"f{i}", "interval": "2s"})
    cfg = project(feeds=feeds, fetch={"timeout": "10s", "per_host": 2, "concurrency": 8})
    p = start(cfg)
    try:
        assert wait_for(lambda: all(feedserver.hits(f"/f{i}.xml") for i in range(5)),
                        timeout=40)
    finally:
        stop(p)
    assert feedserver.peak == 2  # requests did overlap, and never more than per_host


def test_idle_runs_are_quiet_and_each_failure_is_one_line(project, feedserver, tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / SEED.name).write_bytes(SEED.read_bytes())
    same = rss("Synthetic constant feed", [item(1, flagged=True)])
    good = feedserver.route("/good.xml", Reply(200, same))
    bad = feedserver.route("/bad.xml", Reply(500, b"synthetic failure"))
    cfg = project(seeds=["seeds"], schedule={"seeds_interval": "1s"}, fetch={"timeout": "2s"},
                  feeds=[{"url": good, "name": "good", "interval": "1s"},
                         {"url": bad, "name": "bad", "interval": "1s"}])
    db = tmp_path / "state" / "monitor.db"
    p = start(cfg)
    try:
        assert wait_for(lambda: len(feedserver.hits("/good.xml")) >= 4, timeout=30)
        assert wait_for(lambda: seeds_runs(db) >= 4)
    finally:
        _, err = stop(p)
    lines = err.splitlines()
    # One INFO line for the run that stored something; the idle runs after it are DEBUG.
    assert len([ln for ln in lines if " seeds: " in ln]) == 1, err
    assert len([ln for ln in lines if "feed good: " in ln]) == 1, err
    # The failure is logged once, as a warning, without a traceback.
    bad_lines = [ln for ln in lines if "feed bad: " in ln]
    assert len(bad_lines) == 1 and " WARNING " in bad_lines[0] and "500" in bad_lines[0]
    assert "Traceback" not in err and " DEBUG " not in err


def test_verbose_shows_the_idle_runs(project, tmp_path):
    (tmp_path / "seeds").mkdir()
    cfg = project(seeds=["seeds"], schedule={"seeds_interval": "1s"})
    db = tmp_path / "state" / "monitor.db"
    p = start(cfg, "-v")
    try:
        assert wait_for(lambda: seeds_runs(db) >= 2)
    finally:
        _, err = stop(p)
    assert any(" DEBUG monitor.daemon: seeds: files 0" in ln for ln in err.splitlines()), err


def test_log_levels_of_job_summaries():
    assert log_level({"status": "unchanged", "new": 0}, "ok") == (logging.DEBUG, "ok")
    assert log_level({"status": "not due"}, "failed") == (logging.DEBUG, "failed")
    assert log_level({"status": "ok", "new": 2, "alerts": 1}, "ok")[0] == logging.INFO
    assert log_level({"status": "failed", "note": "HTTP 500"}, "ok") == \
        (logging.WARNING, "failed")
    assert log_level({"status": "ok", "new": 0}, "failed") == (logging.INFO, "ok")  # recovered
    assert log_level({"status": "gone"}, None) == (logging.INFO, "gone")
    assert log_level({"status": "gone"}, "gone")[0] == logging.DEBUG
    assert log_level({"files": 0, "new": 0}, None)[0] == logging.DEBUG
    assert log_level({"sent": 0, "failed": 1}, "ok")[0] == logging.WARNING
    assert log_level({"checkpoint": [0, 0, 0]}, None)[0] == logging.DEBUG


def test_job_errors_carry_a_traceback_only_under_verbose(project, caplog):
    d = Daemon(project())

    def broken(db):
        raise RuntimeError("synthetic job failure at https://u:synthetic-pw@x.test/f")

    job = d._wrap("broken", "broken", 60.0, broken)
    caplog.set_level(logging.INFO, logger="monitor.daemon")
    job()
    rec = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(rec) == 1 and not rec[0].exc_info
    assert "synthetic-pw" not in rec[0].getMessage()
    caplog.clear()
    caplog.set_level(logging.DEBUG, logger="monitor.daemon")
    job()
    rec = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(rec) == 1 and rec[0].exc_info is not None


def test_a_notify_run_with_failed_messages_is_a_failed_run(project, tmp_path):
    d = Daemon(project())
    job = d._wrap("notify", "notify", 60.0, lambda db: {"sent": 0, "failed": 2, "given_up": 0})
    job()
    from sqlite_utils import Database

    row = Database(tmp_path / "state" / "monitor.db")["jobs"].get("notify")
    assert row["last_status"] == "error" and row["failures"] == 1
    ok = d._wrap("notify", "notify", 60.0, lambda db: {"sent": 1, "failed": 0, "given_up": 0})
    ok()
    row = Database(tmp_path / "state" / "monitor.db")["jobs"].get("notify")
    assert row["last_status"] == "ok" and row["failures"] == 1
