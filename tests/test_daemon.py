"""The daemon as a real subprocess with real signals."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
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


class Proc:
    """The daemon as a subprocess; its stderr is read as it comes (for wait_log)."""

    def __init__(self, cfg: Path, *args: str) -> None:
        self.p = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(cfg), "run", *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.pid = self.p.pid
        self._err: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.p.stderr:
            self._err.append(line)

    @property
    def err(self) -> str:
        return "".join(self._err)

    def wait_log(self, text: str, timeout: float = 30.0, count: int = 1) -> bool:
        return wait_for(lambda: self.err.count(text) >= count, timeout)

    def send_signal(self, sig: int) -> None:
        self.p.send_signal(sig)

    def kill(self) -> None:
        self.p.kill()

    def poll(self) -> int | None:
        return self.p.poll()

    @property
    def returncode(self) -> int | None:
        return self.p.returncode

    def communicate(self, timeout: float) -> tuple[str, str]:
        out = self.p.stdout.read() if self.p.stdout else ""
        self.p.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return out, self.err

    def wait(self, timeout: float) -> int:
        return self.p.wait(timeout=timeout)


def start(cfg: Path, *args: str) -> Proc:
    return Proc(cfg, *args)


def wait_for(pred, timeout=30.0, step=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return False


def count(db: Path, sql: str) -> int:
    """The query's single number; a database error is an error, never 0."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        row = con.execute(sql).fetchone()
    finally:
        con.close()
    assert row is not None and isinstance(row[0], int), f"{sql!r} gave {row!r}"
    return row[0]


def count_when_ready(db: Path, sql: str) -> int | None:
    """count(), or None while the daemon has not yet created the database or table."""
    if not db.exists():
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        row = con.execute(sql).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    finally:
        con.close()
    return row[0] if row else None


def reaches(db: Path, sql: str, n: int, timeout: float = 30.0) -> bool:
    """Wait until the query gives at least n."""
    return wait_for(lambda: (count_when_ready(db, sql) or 0) >= n, timeout)


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
        assert wait_for(lambda: count_when_ready(db, "select count(*) from alerts") == 1)
        assert reaches(db, "select runs from jobs where id='seeds'", 2)
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
        assert reaches(tmp_path / "state" / "monitor.db", "select count(*) from jobs", 1)
        good = daemon_project.read_text()
        daemon_project.write_text(good + '\n[[feeds]]\nurl = "local.xml"\nname = "local"\n')
        p.send_signal(signal.SIGHUP)
        assert p.wait_log("SIGHUP: config reloaded"), p.err
        daemon_project.write_text(good + "\n[bogus]\nkey = 1\n")
        p.send_signal(signal.SIGHUP)
        assert p.wait_log("config not reloaded"), p.err
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
        assert wait_for(lambda: count_when_ready(db, "select count(*) from articles") == 3000,
                        timeout=120)
        # One more seeds run after the last article: a restart adds nothing on top.
        runs = count_when_ready(db, "select runs from jobs where id = 'seeds'") or 0
        assert reaches(db, "select runs from jobs where id = 'seeds'", runs + 1)
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
    db = tmp_path / "state" / "monitor.db"
    try:
        assert reaches(db, "select count(*) from articles", 1, timeout=60)
        for i in range(40):
            cmd = ("digest", "--all", "--format", "json") if i % 2 else ("status",)
            r = cli(cfg, *cmd)
            if "locked" in r.stderr or r.returncode not in (0, 1) or (
                    cmd[0] == "digest" and r.returncode != 0):
                failures.append((cmd, r.returncode, r.stderr[-300:]))
        # SIGTERM stops a seed job between articles: let it finish the file first.
        assert reaches(db, "select count(*) from articles", 4000, timeout=120)
    finally:
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=70)
    assert failures == []
    assert p.returncode == 0, err
    # The daemon's side: no job failed and nothing was logged as an error while we read.
    assert "Traceback" not in err and " ERROR " not in err and "locked" not in err, err
    assert count(db, "select count(*) from articles") == 4000
    assert count(db, "select sum(failures) from jobs") == 0


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
        # While running, the failing feed makes status unhealthy (case 5: a failed poll
        # came back as a summary and was counted as a success).
        st = cli(cfg, "status", "--format", "json")
        assert st.returncode == 1, st.stdout
        report = json.loads(st.stdout)
        assert report["running"] and any(p.startswith("feed broken: last run failed")
                                         for p in report["problems"]), report["problems"]
        broken = [j for j in report["jobs"] if j["name"] == "feed broken"][0]
        assert broken["failures"] == 1 and "500" in broken["last_error"]
        # Two more polls of the good feed: time for the broken one to be polled again,
        # which its back-off forbids.
        hits = len(feedserver.hits("/good.xml"))
        assert wait_for(lambda: len(feedserver.hits("/good.xml")) >= hits + 2, timeout=30)
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


def test_a_locked_database_is_a_recorded_failure_not_a_traceback(project, tmp_path):
    # Case 5: with the database locked past the busy timeout (10 s), jobs fail, and
    # recording the failure needs the same lock: it is kept in memory, written later.
    from localserver import item, rss

    (tmp_path / "local.xml").write_bytes(rss("Synthetic", [item(1, flagged=True)]))
    cfg = project(feeds=[{"url": "local.xml", "name": "local", "interval": "1s"}])
    db = tmp_path / "state" / "monitor.db"
    p = start(cfg)
    try:
        assert reaches(db, "select runs from jobs where id = 'feed:local.xml'", 1)
        con = sqlite3.connect(db, timeout=10)
        con.execute("BEGIN IMMEDIATE")  # the write lock, held for 25 s
        try:
            assert p.wait_log("kept in memory", timeout=40), p.err
            time.sleep(25 - 20)  # a lock held as long as in the review (25 s in all)
        finally:
            con.rollback()
            con.close()
        assert reaches(db, "select failures from jobs where id = 'feed:local.xml'", 1,
                       timeout=30), p.err
        last = count_when_ready(db, "select count(*) from jobs where last_error like "
                                    "'%locked%'")
        assert last is not None
    finally:
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=70)
    assert p.returncode == 0, err
    assert "Traceback" not in err, err
    assert "feed local failed: OperationalError: database is locked" in err


def test_a_database_that_cannot_be_opened_does_not_hang_the_stop(daemon_project, tmp_path):
    # Case 6: a failed open leaked the running-jobs counter: SIGTERM then waited 60 s.
    db = tmp_path / "state" / "monitor.db"
    p = start(daemon_project)
    try:
        assert reaches(db, "select runs from jobs where id = 'seeds'", 1)
        for suffix in ("", "-wal", "-shm"):
            f = db.with_name(db.name + suffix)
            if f.exists():
                f.rename(f.with_name(f.name + ".away"))
        db.mkdir()  # sqlite cannot open a folder: every job's open fails
        assert p.wait_log("unable to open database file", timeout=30), p.err
    finally:
        t0 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=70)
    assert time.monotonic() - t0 < 15, err
    assert p.returncode == 0, err
    assert "unfinished" not in err and "Traceback" not in err, err
    assert "could not record the stop" in err


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
