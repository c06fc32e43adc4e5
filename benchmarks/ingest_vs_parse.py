"""Ingest vs parse: the whole `monitor ingest` process against feedparser alone.

Baseline: feedparser.parse(bytes) of the same files in this interpreter. Measured:
a `monitor --db SCRATCH ingest DIR` subprocess (start-up, parse, normalise,
match, validate, stories, store), which reads and matches files in reader
processes (`--jobs`, default: the CPUs, at most 4) while it stores. Interleaved,
medians; reported as throughput ratios measured in one run, in wall time (what
the user waits) and in CPU time (the parse-only side uses one CPU; the monitor's
counts every process), and with `--jobs 1`. The full-text index catches up after
ingest: its cost is shown as the first `monitor search` after the ingest. The
corpus (benchmarks/corpus.py) is synthetic and seeded.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import feedparser
from common import ROOT, interleaved, table, target
from corpus import corpus

# (label, corpus kind): news-like full content (HTML paragraphs in content:encoded),
# summary-only (a lead paragraph in description), and the near-copy storm.
CASES = [("news-like, full content", "full"), ("news-like, summary only", "summary"),
         ("near-copy storm (every item flagged)", "storm")]


def _fresh(db: Path) -> None:
    db.unlink(missing_ok=True)
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)


# An experiment, not a mode of the monitor: the same process with story placement
# replaced by nothing (every report its own story, no story rows), to show its share.
WITHOUT_STORIES = """
import sys
from monitor import stories, story_store
story_store.assign = lambda db, flagged, seen_at, prepared=None: {
    a.id: stories.new_story_id(a.id) for a, _, _ in flagged}
story_store.refresh = lambda db, ids: None
from monitor.cli import main
sys.argv[0] = "monitor"
main()
"""


def _monitor(db: Path, *args: str, stories: bool = True) -> float:
    """Run one monitor process; returns the CPU seconds it and its children used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    how = ["-m", "monitor"] if stories else ["-c", WITHOUT_STORIES]
    subprocess.run([sys.executable, *how, "--config", str(ROOT / "config.toml"),
                    "--db", str(db), *args], check=True, capture_output=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _parse(paths: list[Path]) -> None:
    for p in paths:
        feedparser.parse(p.read_bytes())


def serial_part(d: Path, db: Path, reps: int) -> tuple[float, float]:
    """What the storing process does one step after another, however many CPUs read:
    start up (a `monitor ingest` of an empty folder, median), and place each flagged
    report in its story (each placement reads the stories and the term statistics
    the earlier ones left; measured in this process on reports made beforehand, as
    reader processes make them). Returns (start-up s, story placement s)."""
    from monitor import pipeline, story_store
    from monitor.article import Article
    from monitor.config import load_config
    from monitor.sources.files import read_paths
    from monitor.store import open_db

    empty = d.parent / "empty"
    empty.mkdir(exist_ok=True)
    starts = []
    for _ in range(reps):
        _fresh(db)
        t0 = time.perf_counter()
        _monitor(db, "ingest", str(empty))
        starts.append(time.perf_counter() - t0)
    _fresh(db)
    engine = pipeline.Engine(load_config(ROOT / "config.toml", str(db)).watchlist)
    items = [engine.decided(x) if isinstance(x, Article) else x
             for x in read_paths([d], "file")]
    spent = [0.0]
    assign, refresh = pipeline._assign, story_store.refresh

    def timed(fn):  # type: ignore[no-untyped-def]
        def run(*args):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            try:
                return fn(*args)
            finally:
                spent[0] += time.perf_counter() - t0
        return run

    pipeline._assign, story_store.refresh = timed(assign), timed(refresh)
    try:
        store = open_db(db)
        pipeline.ingest(store, engine, items)
        store.close()
    finally:
        pipeline._assign, story_store.refresh = assign, refresh
    return statistics.median(starts), spent[0]


def run(files: int, items: int, reps: int
        ) -> tuple[list[tuple[str, ...]], dict[str, float], list[tuple[str, ...]]]:
    rows, speed, floors = [], {}, []
    with tempfile.TemporaryDirectory() as tmp:
        measured = []
        for label, kind in CASES:
            d = Path(tmp) / kind
            d.mkdir()
            paths = []
            for i, b in enumerate(corpus(files, items, kind)):
                paths.append(d / f"feed{i:03d}.xml")
                paths[-1].write_bytes(b)
            db = Path(tmp) / "scratch.db"
            cpu: dict[str, list[float]] = {"ingest": [], "one": [], "bare": []}

            def ingest(jobs: str | None, key: str, d: Path = d, db: Path = db,
                       cpu: dict[str, list[float]] = cpu) -> None:
                _fresh(db)
                cpu[key].append(_monitor(db, "ingest", *(["--jobs", jobs] if jobs else []),
                                         str(d), stories=key != "bare"))

            def search(db: Path = db) -> None:  # the first search indexes what ingest stored
                _monitor(db, "search", "synthetic")

            med = interleaved({"parse": lambda p=paths: _parse(p),  # type: ignore[misc]
                           "ingest": lambda: ingest(None, "ingest"),
                           "search": search,
                           "one": lambda: ingest("1", "one"),
                           "bare": lambda: ingest(None, "bare")},
                          reps, statistics.median)
            parse, ingest_s, one = med["parse"], med["ingest"], med["one"]
            ingest_cpu = statistics.median(cpu["ingest"])
            n = files * items
            speed[kind] = n / ingest_s
            rows.append((label, f"{n}", f"{parse:.2f}", f"{ingest_s:.2f}",
                         f"{parse / ingest_s:.2f}", f"{ingest_cpu:.2f}",
                         f"{parse / ingest_cpu:.2f}", f"{parse / one:.2f}",
                         f"{med['search']:.2f}"))
            measured.append((label, d, db, parse, ingest_s, ingest_cpu, med["bare"]))
        # After every baseline: importing the monitor here changes feedparser's XML
        # driver (sources/saxdriver.py) for this process too.
        from monitor.sources.parallel import default_jobs

        for label, d, db, parse, ingest_s, ingest_cpu, bare in measured:
            start, place = serial_part(d, db, reps)
            floors.append((label, f"{start:.2f}", f"{place:.2f}",
                           f"{parse / (start + place):.2f}",
                           f"{default_jobs() * parse / ingest_cpu:.2f}",
                           f"{parse / bare:.2f}", f"{parse / ingest_s:.2f}"))
    return rows, speed, floors


def stages(bodies: list[bytes]) -> list[tuple[str, ...]]:
    """Where an item's time goes: each step of the ingest path, in this process."""
    from monitor import schemas, stories
    from monitor.alerts import build_alert
    from monitor.config import load_config
    from monitor.pipeline import Engine
    from monitor.rules import decide
    from monitor.sources.feedparse import parse_feed

    with tempfile.TemporaryDirectory() as tmp:
        cfg = load_config(ROOT / "config.toml", str(Path(tmp) / "stages.db"))
        engine = Engine(cfg.watchlist)
    spent: dict[str, float] = {}

    def timed(step: str, fn, *args):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        out = fn(*args)
        spent[step] = spent.get(step, 0.0) + time.perf_counter() - t0
        return out

    def baseline(body: bytes) -> object:  # feedparser as it comes (see sources/feedparse.py)
        ours = feedparser.api.PREFERRED_XML_PARSERS.pop(0)
        try:
            return feedparser.parse(body)
        finally:
            feedparser.api.PREFERRED_XML_PARSERS.insert(0, ours)

    articles = []
    for i, b in enumerate(bodies):
        timed("feedparser.parse (the baseline)", baseline, b)
        articles += timed("parse_feed: parse + HTML to text + Article", parse_feed, b,
                          f"f{i}")[0]
    flagged = 0
    for a in articles:
        hits = timed("match (fold + Aho-Corasick)", engine.matcher.find, a.text)
        d = timed("decide (the policy)", decide, engine.watchlist, hits, a.published_date)
        if d.alert:
            flagged += 1
            timed("story profile (flagged only)", stories.profile, a.title, a.text,
                  list(d.actors), list(d.events))
            alert = timed("build alert", build_alert, a, d, engine.watchlist)
            # the hot path: the compiled check, jsonschema only to explain a failure
            check = getattr(schemas, "valid_or_errors", schemas.errors)
            timed("validate alert", check, "alert", alert)
    n = len(articles)
    # The whole pipeline on the parsed articles: the steps above (done again) plus
    # story assignment and storing (articles, full-text index, alerts) per batch.
    from monitor import pipeline, story_store
    from monitor.store import open_db

    assign, refresh = pipeline._assign, story_store.refresh
    story_step = "  of which stories (assign + refresh; flagged only)"
    pipeline._assign = lambda *a: timed(story_step, assign, *a)  # type: ignore[assignment]
    story_store.refresh = lambda *a: timed(story_step, refresh, *a)  # type: ignore[assignment]
    whole = "pipeline.ingest of the parsed articles: match .. stories, store"
    spent[whole] = spent[story_step] = 0.0  # in this order in the table
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = open_db(Path(tmp) / "stages.db")
            timed("pipeline.ingest of the parsed articles: match .. stories, store",
                  pipeline.ingest, db, engine, articles)
            db.close()
    finally:
        pipeline._assign, story_store.refresh = assign, refresh
    return [(step, f"{secs / n * 1000:.3f}") for step, secs in spent.items()] + [
        ("(items flagged)", f"{flagged} of {n}")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes, for CI")
    a = ap.parse_args()
    files, items = (10, 10) if a.quick else (100, 50)
    rows, speed, floors = run(files, items, 1 if a.quick else 3)
    print(f"## Ingest vs parse ({files} feed files x {items} items)\n")
    print("Parse-only: `feedparser.parse(bytes)` of each file in this process. Monitor: a whole")
    print("`monitor --db SCRATCH ingest DIR` process (start-up to stored alerts) on the same")
    print("files, reading in reader processes (default `--jobs`); `by CPU` divides by the")
    print("CPU time of the monitor and its readers; `--jobs 1` is all in one process. The")
    print("search index catches up after ingest: the last column is the first `monitor")
    print(f"search` after it. Interleaved, median of {1 if a.quick else 3} runs each.\n")
    print(table(rows, ("corpus", "items", "parse-only s", "monitor ingest s",
                       "monitor / parse", "monitor CPU s", "by CPU", "--jobs 1 / parse",
                       "then first search s")))
    print()
    from monitor.sources.parallel import default_jobs

    print("How fast it could be. The storing process starts up, then places flagged reports")
    print("in stories one after another (each reads the stories the earlier ones made):")
    print("`parse / (start-up + placement)` bounds the ratio on any number of CPUs. With")
    print("every process busy all the time, the ratio is at most the CPU ratio times the")
    print(f"CPUs ({default_jobs()} here). Placement is measured in this process, on reports")
    print("made beforehand as the readers make them. `without placement` is an experiment:")
    print("the same ingest with story placement replaced by nothing (interleaved with the")
    print("runs above).\n")
    print(table(floors, ("corpus", "start-up s", "story placement s", "bound, any CPUs",
                         f"bound, {default_jobs()} CPUs", "without placement",
                         "measured")))
    print()
    sample = corpus(min(files, 20), items, "full")
    print("Where the time goes (full-content, all in this process, ms per item; the last")
    print("rows are the whole pipeline after parsing, in one process, and its story part):\n")
    print(table(stages(sample), ("step", "ms per item")))
    print()
    for (label, _), goal in zip(CASES[:2], (0.70, 0.80), strict=True):
        ratio = next(float(r[4]) for r in rows if r[0] == label)
        target(f"monitor ingest / parse-only, {label}", f">= {goal:.2f}, measured {ratio:.2f}",
               ratio >= goal, a.quick)
    storm = speed["storm"] / speed["full"]
    target("near-copy storm speed / news-like speed", f">= 0.25, measured {storm:.2f}",
           storm >= 0.25, a.quick)


if __name__ == "__main__":
    main()
