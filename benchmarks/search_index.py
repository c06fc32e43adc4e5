"""Full-text search: what the index costs ingest, and how queries scale with the archive.

    python benchmarks/search_index.py            # 2,000 articles to ingest; 2k and 20k to search
    python benchmarks/search_index.py --quick    # 150; 300 and 1k

Synthetic articles (made up here, nothing real), 400 words each. Ingest: the
same batch through `pipeline.ingest` into a fresh database, then the index
catching up (`search_index.catch_up`, what search, serve and the daemon do
after ingest), against the ingest alone; runs interleaved, best of REPEAT.
Search: `search.search` for a rare word, a common word and a tracked two-word
query, at two archive sizes; median of REPEAT.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import interleaved, synthetic_text, table, target  # noqa: E402

from monitor import search, search_index  # noqa: E402
from monitor.article import Article, make_article  # noqa: E402
from monitor.config import load_config  # noqa: E402
from monitor.pipeline import Engine, ingest  # noqa: E402
from monitor.store import open_db  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 3
MAX_INDEX_COST = 0.30  # catching up may cost at most 30% of the ingest time
QUERIES = {"rare word": "kobarimun", "common word": "which", "tracked pair": "haftar ceasefire"}


def articles(n: int, tag: str, seed: int = 1) -> list[Article]:
    rng = random.Random(seed)
    return [make_article(title=f"Synthetic {tag} article {i}", body=synthetic_text(rng, 400),
                         source=f"bench-{tag}", source_kind="file",
                         url=f"https://bench.invalid/{tag}/{i}")
            for i in range(n)]


def ingest_into(folder: Path, batch: list[Article], engine: Engine, indexed: bool) -> None:
    db = open_db(folder / f"{'with' if indexed else 'without'}-{time.monotonic_ns()}.db")
    ingest(db, engine, batch)
    if indexed:
        search_index.catch_up(db)
    db.conn.close()


def query_times(folder: Path, engine: Engine, sizes: list[int]) -> list[tuple[str, ...]]:
    rows = []
    db = open_db(folder / "archive.db")
    have = 0
    for size in sizes:
        ingest(db, engine, articles(size - have, f"a{size}", seed=size))
        search_index.catch_up(db)
        have = size
        for name, q in QUERIES.items():
            times = []
            for _ in range(REPEAT):
                t0 = time.perf_counter()
                hits = search.search(db, search.Query(q))
                times.append(time.perf_counter() - t0)
            rows.append((f"{size:,}", name, f"{len(hits)}",
                         f"{statistics.median(times) * 1000:.1f}"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes, for CI")
    a = ap.parse_args()
    n, sizes = (150, [300, 1000]) if a.quick else (2000, [2000, 20000])
    engine = Engine(load_config(ROOT / "config.toml").watchlist)
    batch = articles(n, "ingest")
    print("## Full-text search\n")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        best = interleaved({"with": lambda: ingest_into(folder, batch, engine, True),
                            "without": lambda: ingest_into(folder, batch, engine, False)},
                           REPEAT)
        cost = best["with"] / best["without"] - 1
        print(table([("ingest, then the index catching up", f"{best['with']:.2f}",
                      f"{n / best['with']:.0f}"),
                     ("ingest alone", f"{best['without']:.2f}", f"{n / best['without']:.0f}")],
                    ("synthetic articles", "seconds", "articles/s")))
        print()
        target(f"catching up adds <= {MAX_INDEX_COST:.0%} to ingest time", f"{cost:+.0%}",
               cost <= MAX_INDEX_COST, a.quick)
        print()
        print(table(query_times(folder, engine, sizes),
                    ("articles stored", "query", "hits (limit 20)", "ms (median)")))


if __name__ == "__main__":
    main()
