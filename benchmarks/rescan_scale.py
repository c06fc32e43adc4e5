"""Rescan at scale: `monitor rescan` over many stored articles, against `monitor ingest`.

    python benchmarks/rescan_scale.py            # 100,000 stored articles
    python benchmarks/rescan_scale.py --quick    # 2,000

The articles are the news-like summary-only corpus (benchmarks/corpus.py:
synthetic, seeded; one in five names Libya) published over a year, ingested by a `monitor ingest`
process (timed: the ingest speed) and then rescanned by a `monitor rescan`
process under the same watchlist (every article re-matched). Peak RSS of each
process from wait4(); rescan pages through the table, so its memory stays flat.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, table, target
from corpus import corpus

PER_FILE = 1000
DAYS = 365  # the 100,000 articles are a year of news: about 270 a day, 55 flagged


def _run(args: list[str]) -> tuple[float, float, str]:
    """Seconds, peak RSS (MiB) and stderr of one `monitor` process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "monitor", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    secs = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"monitor {' '.join(args[-2:])} failed: {err[-2000:]}")
    return secs, usage.ru_maxrss / 1024, err


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="2,000 articles, for CI")
    a = ap.parse_args()
    n = 2000 if a.quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "feeds"
        d.mkdir()
        files = corpus(n // PER_FILE, PER_FILE, "summary", seed=5, days=DAYS * n // 100_000)
        for i, body in enumerate(files):
            (d / f"feed{i:04d}.xml").write_bytes(body)
        base = ["--config", str(ROOT / "config.toml"), "--db", str(Path(tmp) / "scale.db")]
        ingest_s, ingest_mib, _ = _run([*base, "ingest", str(d)])
        rescan_s, rescan_mib, err = _run([*base, "rescan"])
    progress = sum(1 for line in err.splitlines() if line.startswith("rescan: ")
                   and " of " in line)
    ratio = ingest_s / rescan_s
    print(f"## Rescan at scale ({n:,} stored articles)\n")
    print("News-like summary-only items (synthetic), ingested, then rescanned under the same "
          "watchlist.\n")
    rows = [(name, f"{secs:.1f}", f"{n / secs:,.0f}", f"{mib:.0f}") for name, secs, mib in
            (("monitor ingest", ingest_s, ingest_mib), ("monitor rescan", rescan_s, rescan_mib))]
    print(table(rows, ("process", "seconds", "articles/s", "peak RSS MiB")))
    print(f"\nRescan progress lines on stderr: {progress}.\n")
    target("rescan speed / ingest speed", f">= 0.50, measured {ratio:.2f}", ratio >= 0.5,
           a.quick)
    target(f"rescan peak RSS at {n:,} articles", f"< 250 MiB, measured {rescan_mib:.0f} MiB",
           rescan_mib < 250, a.quick)


if __name__ == "__main__":
    main()
