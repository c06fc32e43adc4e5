"""`monitor ingest --jobs N`: files read and matched in other processes, same result.

Every file here is SYNTHETIC (written for these tests), not real news.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from conftest import SEED

from monitor.article import Article
from monitor.config import load_config
from monitor.pipeline import Decided, Engine
from monitor.sources import Problem
from monitor.sources.files import read_paths
from monitor.sources.parallel import read_paths_parallel

ROOT = Path(__file__).resolve().parents[1]


def rss(items: list[tuple[str, str]]) -> bytes:
    body = "".join(f"<item><title>{t}</title><link>https://synthetic.example/{i}</link>"
                   f"<description>{d}</description></item>" for i, (t, d) in enumerate(items))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Synthetic</title>'
            f"{body}</channel></rss>").encode()


def corpus(folder: Path) -> Path:
    """A folder of every kind of file, a bad one among them (all synthetic)."""
    folder.mkdir()
    (folder / "a.jsonl").write_text("".join(json.dumps(
        {"id": f"a{i}", "title": f"Synthetic {i}: Haftar's forces near Sirte",
         "text": f"Synthetic body {i}: clashes near Sirte, Libya." if i % 2 else
                 f"Synthetic body {i} about gardening."}) + "\n" for i in range(30))
        + "{broken json\n", "utf-8")
    (folder / "b.xml").write_bytes(rss([(f"Synthetic feed item {i} on Tripoli talks",
                                         f"The Presidential Council met in Tripoli, Libya "
                                         f"({i}).") for i in range(20)]))
    (folder / "c.txt").write_text("Synthetic note\nNothing about anywhere.", "utf-8")
    (folder / "d.html").write_bytes(b"\xff\xfe<title>x</title>\x00\x81 broken bytes")
    (folder / "sub").mkdir()
    (folder / "sub" / "a.jsonl").write_text(json.dumps(
        {"id": "a1", "title": "Synthetic same id, other folder: GNU in Tripoli",
         "text": "The Government of National Unity in Tripoli, Libya."}) + "\n", "utf-8")
    (folder / "seed.md").write_bytes(SEED.read_bytes())
    return folder


def plain(items) -> list:
    return [(x.article if isinstance(x, Decided) else x) for x in items]


def test_parallel_read_gives_the_same_items_in_the_same_order(tmp_path):
    folder = corpus(tmp_path / "in")
    one = list(read_paths([folder, tmp_path / "missing"], "file"))
    two = plain(read_paths_parallel([folder, tmp_path / "missing"], "file", workers=2))
    assert one == two
    assert any(isinstance(x, Problem) for x in one) and len(one) > 50


def test_prepare_runs_in_the_reader_and_a_failure_leaves_the_article(tmp_path):
    folder = corpus(tmp_path / "in")
    parent = os.getpid()

    def prepare(a: Article):
        if "gardening" in a.text:
            raise ValueError("synthetic failure")
        return (a, os.getpid())

    out = list(read_paths_parallel([folder], "file", workers=2, prepare=prepare))
    pids = {x[1] for x in out if isinstance(x, tuple)}
    assert pids and parent not in pids  # done in the reader processes
    left = [x for x in out if isinstance(x, Article)]
    assert left and all("gardening" in a.text for a in left)


def test_prepare_decides_like_the_engine(tmp_path):
    folder = corpus(tmp_path / "in")
    engine = Engine(load_config(ROOT / "config.toml", str(tmp_path / "x.db")).watchlist)
    out = [x for x in read_paths_parallel([folder], "file", workers=2,
                                          prepare=engine.decided) if isinstance(x, Decided)]
    assert len(out) > 40
    from monitor import stories
    from monitor.alerts import build_alert

    flagged = 0
    for d in out:
        decision = engine.decide(d.article)
        if not decision.alert:
            assert d.alert is None and d.story is None
            continue
        flagged += 1
        alert = build_alert(d.article, decision, engine.watchlist,
                            created_at=d.alert["created_at"])
        assert d.alert == alert
        # what story placement would compute in the main process from the alert
        assert d.story == stories.prepare(d.article.title, d.article.text,
                                          [x["id"] for x in alert["actors"]],
                                          [x["id"] for x in alert["events"]])
    assert flagged > 10


def dump(db: Path) -> dict[str, list]:
    con = sqlite3.connect(db)
    try:
        return {
            "articles": con.execute("select id, title, text, source, story_id from articles "
                                    "order by id").fetchall(),
            "alerts": con.execute("select id, article_id, story_id, severity, score "
                                  "from alerts order by id").fetchall(),
            "terms": con.execute("select alert_id, kind, term_id from alert_terms "
                                 "order by 1, 2, 3").fetchall(),
            "rejected": con.execute("select source, error from rejected "
                                    "order by 1, 2").fetchall(),
            "stories": con.execute("select id, articles, headline, centroid, languages "
                                   "from stories order by id").fetchall(),
            "members": con.execute("select article_id, story_id, lang, score "
                                   "from story_members order by 1").fetchall(),
            "df": con.execute("select * from story_df order by 1").fetchall()}
    finally:
        con.close()


def test_ingest_with_jobs_stores_what_one_process_stores(project, run, tmp_path):
    folder = corpus(tmp_path / "in")
    cfg = project()
    got = {}
    for jobs in ("1", "2"):
        db = tmp_path / f"jobs{jobs}.db"
        r = run("--db", str(db), "ingest", "--jobs", jobs, str(folder), config=cfg)
        assert r.exit_code == 0, r.output
        got[jobs] = (r.output, dump(db))
    assert got["1"][0] == got["2"][0]  # the summary line
    for table, rows in got["1"][1].items():
        other = got["2"][1][table]
        assert rows == other, (table, sorted(set(rows) ^ set(other))[:4])
    assert got["2"][1]["alerts"] and got["2"][1]["rejected"]


def test_a_reader_process_that_dies_loses_no_file(tmp_path):
    folder = corpus(tmp_path / "in")

    def prepare(a: Article):
        if "Tripoli talks" in a.title:
            os._exit(1)  # as if killed
        return a

    one = list(read_paths([folder], "file"))
    two = list(read_paths_parallel([folder], "file", workers=2, prepare=prepare))
    died = [x for x in two if isinstance(x, Problem) and "died" in x.error]
    assert died and all(x.level == "warning" for x in died)
    assert [x for x in two if x not in died] == one


def test_tight_run_ahead_bounds_change_nothing(tmp_path, monkeypatch):
    from monitor.sources import parallel

    folder = corpus(tmp_path / "in")
    monkeypatch.setattr(parallel, "AHEAD_FILES", 2)
    monkeypatch.setattr(parallel, "AHEAD_BYTES", 1)
    assert plain(read_paths_parallel([folder], "file", workers=2)) == list(
        read_paths([folder], "file"))


def test_readers_run_at_a_lower_priority_than_the_process_that_stores(tmp_path):
    from monitor.sources import parallel

    folder = corpus(tmp_path / "in")
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    seen = {x[1] for x in read_paths_parallel(
        [folder], "file", workers=2, prepare=lambda a: (a, os.getpriority(os.PRIO_PROCESS, 0)))
        if isinstance(x, tuple)}
    assert seen == {min(19, mine + parallel.READER_NICENESS)}
    assert os.getpriority(os.PRIO_PROCESS, 0) == mine


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has ended


def test_readers_end_when_the_process_they_read_for_is_killed(tmp_path):
    """A killed `monitor ingest` (SIGTERM to it alone, SIGKILL, out of memory) leaves
    no reader behind: they would wait on their queue for ever."""
    import subprocess
    import sys
    import time

    import pytest

    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc")
    folder = corpus(tmp_path / "in")
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from monitor.sources.parallel import read_paths_parallel\n"
        "def prepare(a):\n"
        "    print(os.getpid(), flush=True)\n"
        "    time.sleep(300)\n"
        f"for _ in read_paths_parallel([Path({str(folder)!r})], 'file', workers=2,"
        " prepare=prepare):\n"
        "    pass\n")
    main = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            text=True, cwd=ROOT)
    readers: set[int] = set()
    try:
        while len(readers) < 2:
            line = main.stdout.readline()
            assert line, "the readers never started"
            readers.add(int(line))
        assert main.pid not in readers
        main.kill()
        main.wait(10)
        deadline = time.monotonic() + 20
        while any(_alive(p) for p in readers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in readers if _alive(p)], "orphaned reader processes"
    finally:
        for p in readers:  # the readers this test started, if the fix is missing
            if _alive(p):
                os.kill(p, 9)
        if main.poll() is None:
            main.kill()
        main.stdout.close()


def test_a_result_that_cannot_be_sent_back_is_read_again_here(tmp_path):
    folder = corpus(tmp_path / "in")

    def prepare(a: Article):
        if "Tripoli talks" in a.title:
            return lambda: a  # cannot be pickled: the reader's result fails to cross
        return a

    one = list(read_paths([folder], "file"))
    two = list(read_paths_parallel([folder], "file", workers=2, prepare=prepare))
    failed = [x for x in two if isinstance(x, Problem) and "another process failed" in x.error]
    assert len(failed) == 1 and failed[0].source.endswith("b.xml")
    assert [x for x in two if x not in failed] == one
