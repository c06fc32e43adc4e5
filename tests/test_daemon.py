"""The daemon as a real subprocess with real signals."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEED

pytestmark = pytest.mark.slow


def synthetic_corpus(path: Path, n: int) -> None:
    """Synthetic records (not real news) that the default watchlist flags."""
    with path.open("w") as f:
        for i in range(n):
            f.write(json.dumps({
                "id": f"synthetic-{i}",
                "title": f"Synthetic item {i}: Haftar and a ceasefire in Libya",
                "text": f"Synthetic body {i}. " + "Filler words about nothing. " * 40
                        + ("Clashes near Sirte." if i % 3 else "Talks in Geneva."),
            }) + "\n")


def start(cfg: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(cfg), "run", *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(pred, timeout=30.0, step=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return False


def count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    con = sqlite3.connect(db, timeout=10)
    try:
        return con.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def cli(cfg: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitor", "--config", str(cfg), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.fixture
def daemon_project(project, tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / SEED.name).write_bytes(SEED.read_bytes())
    return project(seeds=["seeds"], schedule={"seeds_interval": "1s", "default_interval": "2s"})


def test_runs_jobs_refuses_second_instance_and_stops_on_sigterm(daemon_project, tmp_path):
    db = tmp_path / "state" / "monitor.db"
    p = start(daemon_project)
    try:
        assert wait_for(lambda: count(db, "select count(*) from alerts") == 1)
        assert wait_for(lambda: count(db, "select runs from jobs where id='seeds'") >= 2)
        second = start(daemon_project)
        out, err = second.communicate(timeout=30)
        assert second.returncode == 2
        assert f"PID {p.pid}" in err
        st = cli(daemon_project, "status")
        assert st.returncode == 0 and f"PID {p.pid}" in st.stdout and "seeds" in st.stdout
    finally:
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=70)
    assert p.returncode == 0, err
    assert "received SIGTERM" in err and "stopped" in err
    st = cli(daemon_project, "status")
    assert st.returncode == 1 and "not running" in st.stdout


def test_sighup_reloads_good_config_and_keeps_old_on_bad(daemon_project, tmp_path):
    p = start(daemon_project)
    try:
        assert wait_for(lambda: count(tmp_path / "state" / "monitor.db",
                                      "select count(*) from jobs") >= 1)
        good = daemon_project.read_text()
        daemon_project.write_text(good + '\n[[feeds]]\nurl = "local.xml"\nname = "local"\n')
        p.send_signal(signal.SIGHUP)
        time.sleep(1.5)
        daemon_project.write_text(good + "\n[bogus]\nkey = 1\n")
        p.send_signal(signal.SIGHUP)
        time.sleep(1.5)
        assert p.poll() is None  # still running on the old config
    finally:
        daemon_project.write_text(good)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=70)
    assert p.returncode == 0
    assert "SIGHUP: config reloaded" in err, err
    assert "scheduled 1 feed jobs" in err
    assert "config not reloaded" in err and "bogus" in err


def test_sigkill_mid_ingest_then_restart_equals_a_clean_run(project, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    synthetic_corpus(seeds / "synthetic.jsonl", 3000)
    cfg = project(seeds=["seeds"], schedule={"seeds_interval": "1s"})
    db = tmp_path / "state" / "monitor.db"
    for delay in (0.8, 1.3, 1.9):
        p = start(cfg)
        time.sleep(delay)
        p.kill()  # SIGKILL: no handler runs
        p.wait(timeout=10)
    p = start(cfg)
    try:
        assert wait_for(lambda: count(db, "select count(*) from articles") == 3000, timeout=120)
        time.sleep(1.5)
    finally:
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=70)
    clean_db = tmp_path / "clean.db"
    r = cli(cfg, "--db", str(clean_db), "ingest", str(seeds))
    assert r.returncode == 0, r.stderr

    def alerts(path):
        con = sqlite3.connect(path)
        rows = con.execute("select id, article_id from alerts").fetchall()
        con.close()
        return rows

    got, want = alerts(db), alerts(clean_db)
    assert len(got) == len(set(got)) == len(want) > 0
    assert set(got) == set(want)
    assert count(db, "select count(*) from (select article_id from alerts group by article_id "
                     "having count(*) > 1)") == 0


def test_cli_reads_never_fail_while_the_daemon_writes(project, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    synthetic_corpus(seeds / "synthetic.jsonl", 4000)
    cfg = project(seeds=["seeds"], schedule={"seeds_interval": "1s"})
    p = start(cfg)
    failures = []
    try:
        time.sleep(0.5)
        for i in range(40):
            cmd = ("digest", "--all", "--format", "json") if i % 2 else ("status",)
            r = cli(cfg, *cmd)
            if "locked" in r.stderr or r.returncode not in (0, 1) or (
                    cmd[0] == "digest" and r.returncode != 0):
                failures.append((cmd, r.returncode, r.stderr[-300:]))
    finally:
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=70)
    assert failures == []


def test_feed_schedule_is_honoured_and_backoff_respected(project, feedserver, tmp_path):
    from localserver import Reply, item, rss

    counter = {"n": 0}

    def fresh(_headers):
        # A new synthetic item at every poll, so every poll stores something.
        counter["n"] += 1
        return Reply(body=rss("Synthetic feed", [item(counter["n"], flagged=True)]))

    good = feedserver.route("/good.xml", fresh)
    broken = feedserver.route("/broken.xml", Reply(status=500, body=b"synthetic failure"))
    cfg = project(feeds=[{"url": good, "name": "good", "interval": "2s"},
                         {"url": broken, "name": "broken", "interval": "2s"}],
                  fetch={"timeout": "2s"})
    db = tmp_path / "state" / "monitor.db"
    p = start(cfg)
    try:
        assert wait_for(lambda: len(feedserver.hits("/good.xml")) >= 4, timeout=30)
        time.sleep(2.5)
    finally:
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=70)
    assert p.returncode == 0, err
    assert count(db, "select count(*) from articles") >= 4
    # The broken feed failed once and backs off (15 min): polled once, not every 2 s.
    assert len(feedserver.hits("/broken.xml")) == 1
    assert count(db, "select failures from feeds where name = 'broken'") == 1
    st = cli(cfg, "status")
    assert st.returncode == 1  # no daemon any more
    assert "feed good: last" in st.stdout and "feed broken: last" in st.stdout


def test_long_job_shows_in_status_and_sigterm_stops_it_in_time(project, tmp_path):
    from monitor.daemon import STOP_BOUND

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for i in range(40):  # synthetic, ~1 MB each, dense with mentions: about a minute of work
        (seeds / f"dense{i:02}.txt").write_text(
            f"Synthetic dense report {i}\n" + f"Libya Haftar ceasefire {i}. " * 36_000, "utf-8")
    cfg = project(seeds=["seeds"], schedule={"seeds_interval": "1h", "default_interval": "2s"})
    db = tmp_path / "state" / "monitor.db"
    p = start(cfg)
    try:
        assert wait_for(lambda: "seeds: running since" in cli(cfg, "status").stdout,
                        timeout=60, step=0.5)
        [job] = [j for j in json.loads(cli(cfg, "status", "--format", "json").stdout)["jobs"]
                 if j["id"] == "seeds"]
        assert job["running_since"] and job["last_run_at"] is None
        t0 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=STOP_BOUND + 30)
        elapsed = time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode == 0, err
    assert elapsed < STOP_BOUND and "unfinished" not in err, (elapsed, err[-2000:])
    con = sqlite3.connect(db)
    running, summary = con.execute(
        "select running_since, summary from jobs where id = 'seeds'").fetchone()
    con.close()
    assert running is None and json.loads(summary)["left"] > 0


def test_status_shows_a_job_cut_off_with_its_daemon_as_interrupted(project, run, tmp_path):
    from monitor import jobstate
    from monitor.store import open_db

    cfg = project()
    db = open_db(tmp_path / "state" / "monitor.db")
    jobstate.started(db, "seeds", "seeds", "2019-11-25T09:30:00Z")
    db.close()
    r = run("status", config=cfg)
    assert r.exit_code == 1
    assert "seeds: interrupted: started 2019-11-25T09:30:00Z, never finished" in r.output
    assert "running since" not in r.output
