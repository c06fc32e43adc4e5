"""Benchmark one feed-polling cycle against synthetic feeds on a local HTTP server.

    python benchmarks/poll_cycle.py            # 200 feeds; 50 items each in the 200 case
    python benchmarks/poll_cycle.py --quick    # 20 feeds, 10 items each

Two cycles are measured: every feed answering 304 Not Modified (the common case
of a polite poller), and every feed answering 200 with fresh items (parse, match,
store). Then the concurrency speed-up: the 304 cycle with LATENCY of server
delay per request, at concurrency 1 against the default, runs interleaved, best
of N. All feeds sit on 127.0.0.1 here, where in production they sit on many
hosts, so the per-host limit is raised to the concurrency for that comparison.
The feeds are synthetic test data generated here, not news.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import interleaved, table, target  # noqa: E402

from monitor import store  # noqa: E402 (after the path set-up above)
from monitor.config import DEFAULT_CONCURRENCY, DEFAULT_PER_HOST, build_config  # noqa: E402
from monitor.feeds import poll_feeds  # noqa: E402
from monitor.pipeline import Engine  # noqa: E402


def synthetic_feed(feed: int, items: int) -> bytes:
    """A synthetic RSS document; one item in ten names a tracked actor."""
    out = [f"<?xml version='1.0'?><rss version='2.0'><channel><title>Synthetic {feed}</title>"]
    for i in range(items):
        text = ("Synthetic benchmark text: Haftar and a ceasefire in Libya." if i % 10 == 0
                else "Synthetic benchmark text about markets and weather.")
        out.append(f"<item><title>Synthetic item {feed}-{i}</title>"
                   f"<link>http://bench.test/{feed}/{i}</link><guid>{feed}-{i}</guid>"
                   f"<description>{escape(text)}</description></item>")
    out.append("</channel></rss>")
    return "".join(out).encode()


class Server:
    """Serves /f{n}: 304 when the client's ETag matches, else 200 with the feed."""

    def __init__(self, feeds: int, items: int, latency: float = 0.0) -> None:
        self.bodies = {f"/f{n}": synthetic_feed(n, items) for n in range(feeds)}
        self.requests = 0
        lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                with lock:
                    server.requests += 1
                if latency:
                    time.sleep(latency)
                etag = f'"{self.path}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = server.bodies.get(self.path, b"")
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


LATENCY = 0.05  # seconds the server waits before each answer (speed-up case)


def _config(srv: Server, feeds: int, tmp: str, concurrency: int, per_host: int) -> Any:
    raw = tomllib.loads((ROOT / "config.toml").read_text("utf-8"))
    raw["storage"] = {"database": "bench.db"}
    raw["seeds"] = {"paths": []}
    raw["fetch"] = {"concurrency": concurrency, "per_host": per_host}
    raw["feeds"] = [{"url": srv.url(f"/f{n}"), "name": f"f{n}"} for n in range(feeds)]
    return build_config(raw, Path(tmp) / "config.toml")


def speedup(feeds: int, reps: int) -> tuple[float, float]:
    """Best wall seconds of the 304 cycle at concurrency 1 and at the default."""
    srv = Server(feeds, 5, LATENCY)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cfgs = {c: _config(srv, feeds, tmp, c, c) for c in (1, DEFAULT_CONCURRENCY)}
            db, engine = store.open_db(cfgs[1].database), Engine(cfgs[1].watchlist)
            poll_feeds(db, cfgs[DEFAULT_CONCURRENCY], engine, force=True)  # validators
            best = interleaved({c: lambda cfg=cfg: poll_feeds(db, cfg, engine, force=True)
                                for c, cfg in cfgs.items()}, reps)
    finally:
        srv.close()
    return best[1], best[DEFAULT_CONCURRENCY]


def run(feeds: int, items: int, concurrency: int, per_host: int) -> list[tuple[str, ...]]:
    srv = Server(feeds, items)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cfg = _config(srv, feeds, tmp, concurrency, per_host)
            db, engine = store.open_db(cfg.database), Engine(cfg.watchlist)
            for label in (f"200, {items} items each", "304 not modified"):
                before = srv.requests
                start = time.perf_counter()
                rep = poll_feeds(db, cfg, engine, force=True)
                wall = time.perf_counter() - start
                reqs = srv.requests - before
                assert not rep.lines, rep.lines[:3]
                rows.append((label, str(feeds), str(reqs), f"{wall:.2f}",
                             f"{reqs / wall:.0f}", str(rep.counts.seen),
                             f"{rep.counts.seen / wall:.0f}", str(rep.counts.alerts)))
    finally:
        srv.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="20 feeds of 10 items")
    ap.add_argument("--feeds", type=int, default=None)
    ap.add_argument("--items", type=int, default=None)
    ap.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    ap.add_argument("--per-host", type=int, default=DEFAULT_PER_HOST)
    a = ap.parse_args()
    feeds = a.feeds or (20 if a.quick else 200)
    items = a.items or (10 if a.quick else 50)
    head = ("cycle", "feeds", "requests", "wall s", "req/s", "items", "items/s", "alerts")
    rows = run(feeds, items, a.concurrency, a.per_host)
    print(f"## Poll cycle ({feeds} synthetic feeds on 127.0.0.1)\n")
    print(f"Concurrency {a.concurrency}, per_host {a.per_host}.\n")
    print(table(rows, head))
    one, many = speedup(feeds, 1 if a.quick else 3)
    print(f"\nWith {LATENCY * 1000:.0f} ms server latency, 304 cycle: concurrency 1 "
          f"{one:.2f} s, concurrency {DEFAULT_CONCURRENCY} {many:.2f} s.\n")
    target(f"concurrency {DEFAULT_CONCURRENCY} vs 1 speed-up", f">= 4x, measured {one / many:.1f}x",
           one / many >= 4, a.quick)


if __name__ == "__main__":
    main()
