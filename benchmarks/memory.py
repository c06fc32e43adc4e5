"""Memory: peak RSS of `monitor once`, and the daemon's RSS over many short cycles.

    python benchmarks/memory.py            # 200 feeds for `once`; 1,000 daemon cycles
    python benchmarks/memory.py --quick    # 20 feeds; 40 cycles

1. `monitor once` as a subprocess over FEEDS synthetic feeds on 127.0.0.1; its
   peak RSS (getrusage of the children), beside `monitor --version` (start-up only)
   measured the same way in the same run.
2. Daemon flatness, in this process: a monitor.daemon.Daemon's job wrapper runs
   monitor.cycle.poll_feed_job for a few local feeds whose items change every
   cycle (the clock passed to the job moves one interval per cycle, so every poll
   is due). RSS at cycle 10 and at the last cycle.
All feeds are synthetic test data generated here, not news.
"""

from __future__ import annotations

import argparse
import gc
import resource
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import ROOT, rss_mib, table, target
from poll_cycle import Server, synthetic_feed

from monitor.cycle import poll_feed_job
from monitor.daemon import Daemon

DAEMON_FEEDS, DAEMON_ITEMS = 3, 2


def write_config(tmp: Path, urls: list[str], interval: str = "15m") -> Path:
    """The repository's watchlist with a scratch database and these feeds."""
    text = (ROOT / "config.toml").read_text("utf-8")
    feeds = "".join(f'[[feeds]]\nname = "synthetic {i}"\nurl = "{u}"\ninterval = "{interval}"\n\n'
                    for i, u in enumerate(urls))
    head = ('[storage]\ndatabase = "bench.db"\n\n[seeds]\npaths = []\n\n'
            '[fetch]\nconcurrency = 8\nper_host = 8\n\n')
    path = tmp / "config.toml"
    path.write_text(head + feeds + text[text.index("[watchlist]"):], "utf-8")
    return path


def peak_child_mib(args: list[str]) -> float:
    """Run a monitor subprocess; the peak RSS of the largest child so far, MiB."""
    subprocess.run([sys.executable, "-m", "monitor", *args], check=True, capture_output=True,
                   cwd=ROOT)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def once_peak(feeds: int) -> tuple[float, float]:
    srv = Server(feeds, 50)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cfg = write_config(Path(tmp), [srv.url(f"/f{n}") for n in range(feeds)])
            # ru_maxrss of children is a running maximum: the smaller process goes first.
            start = peak_child_mib(["--config", str(cfg), "--version"])
            once = peak_child_mib(["--config", str(cfg), "once"])
    finally:
        srv.close()
    return start, once


class ChangingServer(Server):
    """Serves a new body (new items) for every cycle."""

    def set_cycle(self, cycle: int) -> None:
        self.bodies = {f"/f{n}": synthetic_feed(cycle * 1000 + n, DAEMON_ITEMS)
                       for n in range(DAEMON_FEEDS)}


def daemon_cycles(cycles: int) -> list[tuple[int, float]]:
    srv = ChangingServer(DAEMON_FEEDS, DAEMON_ITEMS)
    samples = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            urls = [srv.url(f"/f{n}") for n in range(DAEMON_FEEDS)]
            d = Daemon(write_config(Path(tmp), urls))
            interval = d.cfg.feeds[0].interval
            clock = datetime.now(UTC)
            jobs = [d._wrap(f"feed:{f.url}", f"feed {f.name}", interval,
                            lambda db, f=f: poll_feed_job(db, d.cfg, d.engine, f, now=clock))
                    for f in d.cfg.feeds]
            for cycle in range(1, cycles + 1):
                srv.set_cycle(cycle)
                clock += timedelta(seconds=interval)
                for job in jobs:
                    job()
                if cycle in (10, cycles) or cycle % 100 == 0:
                    gc.collect()
                    samples.append((cycle, rss_mib()))
    finally:
        srv.close()
    return samples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="20 feeds; 40 daemon cycles")
    a = ap.parse_args()
    feeds, cycles = (20, 40) if a.quick else (200, 1000)
    start, once = once_peak(feeds)
    print(f"## Memory\n\n`monitor once` over {feeds} synthetic feeds of 50 items on 127.0.0.1: "
          f"peak RSS {once:.0f} MiB (`monitor --version`, start-up only: {start:.0f} MiB).\n")
    samples = daemon_cycles(cycles)
    print(f"Daemon jobs (Daemon._wrap + poll_feed_job), {DAEMON_FEEDS} feeds whose "
          f"{DAEMON_ITEMS} items change every cycle, in-process:\n")
    print(table([(str(c), f"{m:.1f}") for c, m in samples], ("cycle", "RSS MiB")))
    print()
    at10 = next(m for c, m in samples if c == 10)
    growth = samples[-1][1] / at10 - 1
    target(f"daemon RSS growth, cycle 10 to cycle {cycles:,}",
           f"<= 10%, measured {growth:+.1%}", growth <= 0.10, a.quick)


if __name__ == "__main__":
    main()
