"""Digest query time at 10k and 1M alerts: indexes, not scans, keep them close.

    python benchmarks/digest_scale.py            # 10k and 1M alerts (1M builds in ~1-2 min)
    python benchmarks/digest_scale.py --quick    # 1k and 10k

Synthetic databases (made up here, nothing real): the real schema (store.open_db
runs the migrations), filled by fast bulk inserts of rows shaped like the
pipeline's (alerts with their JSON, alert_terms, stories). Articles are left out:
the digest query never reads them. Alerts arrive at a steady RATE per day, so a
bigger database is a longer history, as in production, and the last 24 hours
hold the same number of alerts at every size. Times `monitor.digest.fetch` for
`digest --since 24h` and `digest --since 24h --actor haftar`; median of REPEAT.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import table, target  # noqa: E402

from monitor import digest  # noqa: E402
from monitor.severity import SEVERITIES, severity  # noqa: E402
from monitor.store import open_db  # noqa: E402

RATE = 250  # alerts per day
REPEAT = 7
SAME_STORY = 0.3  # share of alerts that join the previous story (another outlet)
ACTORS = (("haftar", "Khalifa Haftar", 0.4), ("gna", "Government of National Accord", 0.3),
          ("russia", "Russia", 0.15))
FMT = "%Y-%m-%dT%H:%M:%SZ"


def _alert(i: int, story: str, seen: str, actors: list[tuple[str, str]], score: float) -> dict:
    sev = severity(score)
    return {
        "id": f"a{i:016x}", "story_id": story, "severity": sev, "score": score,
        "article": {"id": f"u{i:020x}", "title": f"Synthetic headline number {i} about Libya",
                    "url": f"https://synthetic.example/{i}", "source": "bench",
                    "published_at": seen, "guid": None},
        "actors": [{"id": a, "name": n, "mentions": 1} for a, n in actors],
        "events": [{"id": "ceasefire", "name": "Ceasefire", "mentions": 1}],
        "evidence": [{"kind": "event", "id": "ceasefire", "text": "ceasefire", "start": 10,
                      "end": 19, "snippet": "…a synthetic ceasefire snippet of some length "
                      "standing in for the real evidence around the match…",
                      "alias": "ceasefire*", "rule": "event in an article about Libya"}],
        "reason": "synthetic", "created_at": seen, "watchlist_version": "bench",
    }


def build(path: Path, n: int, seed: int = 1) -> None:
    """A database of n synthetic alerts, newest first seen now."""
    rnd = random.Random(seed)
    db = open_db(path)
    db.execute("PRAGMA foreign_keys = OFF")  # no articles rows: see the module docstring
    now = datetime.now(UTC)
    step = timedelta(days=1) / RATE
    alerts, terms, stories = [], [], {}
    story = ""
    for i in range(n):
        seen = (now - step * (n - 1 - i)).strftime(FMT)
        if i == 0 or rnd.random() >= SAME_STORY:
            story = f"s{i:020x}"
        actors = [(a, name) for a, name, p in ACTORS if rnd.random() < p] or [ACTORS[0][:2]]
        score = rnd.choice((0.15, 0.3, 0.45, 0.7, 0.8, 0.9))
        data = _alert(i, story, seen, actors, score)
        alerts.append((data["id"], data["article"]["id"], story, "bench", data["severity"],
                       SEVERITIES.index(data["severity"]), score, seen, seen, 1,
                       json.dumps(data)))
        terms += [(data["id"], "actor", a, seen) for a, _ in actors]
        terms.append((data["id"], "event", "ceasefire", seen))
        st = stories.setdefault(story, [story, seen, seen, 0, 0, 0.0])
        st[2], st[3], st[4], st[5] = seen, st[3] + 1, st[4] + 1, max(st[5], score)
        if len(alerts) >= 50_000 or i == n - 1:
            with db.conn:
                db.conn.executemany(
                    "insert into alerts (id, article_id, story_id, watchlist_version, severity,"
                    " severity_rank, score, created_at, first_seen_at, current, data) values "
                    "(?,?,?,?,?,?,?,?,?,?,?)", alerts)
                db.conn.executemany("insert into alert_terms values (?,?,?,?)", terms)
            alerts, terms = [], []
    with db.conn:
        db.conn.executemany(
            "insert into stories (id, first_seen_at, last_seen_at, articles, sources, score,"
            " severity, severity_rank) values (?,?,?,?,?,?,?,?)",
            [(s, f, last, a, src, sc, severity(sc), SEVERITIES.index(severity(sc)))
             for s, f, last, a, src, sc in stories.values()])
    db.execute("analyze")
    db.conn.close()


def timed(path: Path, q: digest.Query) -> tuple[float, int]:
    """Median seconds of REPEAT runs of the digest query, and its row count."""
    db = open_db(path)
    times, rows = [], 0
    for _ in range(REPEAT):
        t = time.perf_counter()
        rows = len(digest.fetch(db, q))
        times.append(time.perf_counter() - t)
    return statistics.median(times), rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1k and 10k instead of 10k and 1M")
    args = ap.parse_args()
    sizes = (1_000, 10_000) if args.quick else (10_000, 1_000_000)
    since = digest.parse_since("24h")
    queries = {"--since 24h": digest.Query(since=since),
               "--since 24h --actor haftar": digest.Query(since=since, actors=("haftar",))}
    results: dict[str, list[float]] = {k: [] for k in queries}
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"bench_{n}.db"
            t = time.perf_counter()
            build(path, n)
            notes.append(f"{n:,} alerts built in {time.perf_counter() - t:.1f} s "
                         f"({path.stat().st_size / 1e6:.0f} MB)")
            for name, q in queries.items():
                secs, rows = timed(path, q)
                results[name].append(secs)
    print(f"## Digest at scale ({sizes[0]:,} vs {sizes[1]:,} synthetic alerts)\n")
    print("; ".join(notes) + f". Median of {REPEAT} runs.\n")
    print(table([(f"digest {name}", f"{small * 1000:.2f}", f"{big * 1000:.2f}",
                  f"{big / small:.2f}x") for name, (small, big) in results.items()],
                ("query", f"{sizes[0]:,} ms", f"{sizes[1]:,} ms", "ratio")))
    print()
    worst = max(big / small for small, big in results.values())
    target(f"digest at {sizes[1]:,} vs {sizes[0]:,} alerts", f"<= 3x, measured {worst:.2f}x",
           worst <= 3, args.quick)


if __name__ == "__main__":
    main()
