"""Polling feeds end to end: `monitor once` against a real local server, then what is
stored in the feeds table and what `monitor feeds` shows.

Every feed here is synthetic test data generated below, not real news.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from localserver import Reply, gzip_bomb, item, rss

from monitor.feeds import backoff, retry_after


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_200_stores_articles_validators_and_title(feedserver, poll):
    body = rss("Synthetic one", [item(1, flagged=True), item(2)])
    lm = "Sat, 01 Nov 2026 10:00:00 GMT"
    url = feedserver.route("/f", Reply(200, body, {"ETag": '"v1"', "Last-Modified": lm}))
    p = poll([{"url": url, "name": "one"}])
    out = p.once()
    assert "feeds: 2 articles read, 2 new, 1 alerts, 0 feeds failed, 1 polled" in out
    row = p.row(url)
    assert (row["etag"], row["last_modified"]) == ('"v1"', "Sat, 01 Nov 2026 10:00:00 GMT")
    assert row["last_status"] == "200" and row["failures"] == 0 and row["entries_seen"] == 2
    assert row["title"] == "Synthetic one" and row["last_success_at"]
    assert p.db().table("articles").count == 2
    h = p.health()["one"]
    assert h["last_status"] == "200" and h["failures"] == 0 and h["last_error"] is None
    assert "one" in p.table() and url in p.table()


def test_304_sends_validators_and_parses_nothing(feedserver, poll):
    body = rss("Synthetic", [item(1)])
    lm = "Sat, 01 Nov 2026 10:00:00 GMT"

    def answer(h):
        if h.get("if-none-match") == 'W/"x1"' and h.get("if-modified-since") == lm:
            return Reply(304)
        return Reply(200, body, {"ETag": 'W/"x1"', "Last-Modified": lm})

    url = feedserver.route("/f", answer)
    p = poll([{"url": url, "name": "cond"}])
    p.once()
    out = p.once()
    assert "0 articles read" in out and "1 unchanged" in out
    sent = feedserver.hits("/f")[1]
    assert sent["if-none-match"] == 'W/"x1"' and sent["if-modified-since"] == lm
    row = p.row(url)
    assert row["last_status"] == "304" and row["entries_seen"] == 1 and row["etag"] == 'W/"x1"'
    assert p.health()["cond"]["last_status"] == "304"


def test_unchanged_body_is_skipped_by_hash(feedserver, poll):
    url = feedserver.route("/f", Reply(200, rss("Synthetic", [item(1), item(2)])))
    p = poll([{"url": url, "name": "nocache"}])
    p.once()
    out = p.once()
    assert "0 articles read" in out and "1 unchanged" in out
    assert p.row(url)["entries_seen"] == 2 and len(feedserver.hits("/f")) == 2


def test_301_is_remembered_as_the_new_url(feedserver, poll, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")  # the table fits the whole URL, in any terminal
    feedserver.route("/old", Reply(301, headers={"Location": "/new"}))
    new = feedserver.route("/new", Reply(200, rss("Synthetic", [item(1)])))
    old = feedserver.url("/old")
    p = poll([{"url": old, "name": "moved"}])
    p.once()
    assert p.row(old)["current_url"] == new
    p.once()
    assert len(feedserver.hits("/old")) == 1 and len(feedserver.hits("/new")) == 2
    assert p.health()["moved"]["current_url"] == new
    assert "moved to " + new in p.table()


@pytest.mark.parametrize("status", [404, 500])
def test_errors_back_off_and_recover(feedserver, poll, status):
    url = feedserver.route("/f", Reply(status, b"no"))
    p = poll([{"url": url, "name": "broken", "interval": "5m"}])
    out = p.once()
    assert f"feed broken: HTTP {status}" in out and "1 feeds failed" in out
    first = p.row(url)
    p.once()
    second = p.row(url)
    assert (first["failures"], second["failures"]) == (1, 2)
    wait1 = ts(first["next_due_at"]) - ts(first["last_fetch_at"])
    wait2 = ts(second["next_due_at"]) - ts(second["last_fetch_at"])
    assert wait1 == timedelta(minutes=15) and wait2 == timedelta(minutes=30)
    h = p.health()["broken"]
    assert h["failures"] == 2 and h["last_status"] == str(status)
    assert f"HTTP {status}" in h["last_error"]
    feedserver.route("/f", Reply(200, rss("Synthetic", [item(1)])))
    p.once()
    assert p.row(url)["failures"] == 0 and p.health()["broken"]["last_error"] is None


def test_410_stops_polling(feedserver, poll):
    url = feedserver.route("/f", Reply(410, b"gone"))
    p = poll([{"url": url, "name": "dead"}])
    assert "feed dead: gone (HTTP 410)" in p.once()
    out = p.once()
    assert "1 skipped" in out and "feed dead: skipped: gone" in out
    assert len(feedserver.hits("/f")) == 1
    assert p.row(url)["gone"] == 1
    h = p.health()["dead"]
    assert h["gone"] is True and h["next_due_at"] is None
    assert "never (gone)" in p.table()


def test_429_honours_retry_after_and_is_not_a_failure(feedserver, poll):
    url = feedserver.route("/f", Reply(429, b"slow down", {"Retry-After": "120"}))
    p = poll([{"url": url, "name": "busy", "interval": "1m"}])
    p.once()
    row = p.row(url)
    assert row["failures"] == 0 and row["last_status"] == "429"
    wait = ts(row["retry_after_until"]) - ts(row["last_fetch_at"])
    assert timedelta(seconds=119) <= wait <= timedelta(seconds=121)
    out = p.once()
    assert "feed busy: skipped: server asked to wait" in out
    assert len(feedserver.hits("/f")) == 1
    assert p.health()["busy"]["retry_after_until"] == row["retry_after_until"]


def test_retry_after_http_date_and_backoff_rules():
    now = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    assert retry_after("Sun, 01 Nov 2026 10:05:00 GMT", now) == now + timedelta(minutes=5)
    assert retry_after("30", now) == now + timedelta(seconds=30)
    assert retry_after("soon", now) is None
    assert retry_after("99999999", now) == now + timedelta(days=7)
    assert [backoff(n, 60) for n in (0, 1, 2, 3)] == [60, 900, 1800, 3600]
    assert backoff(30, 60) == 86400 and backoff(3, 2 * 86400) == 2 * 86400


def test_timeout_is_reported_and_backed_off(feedserver, poll):
    url = feedserver.route("/f", Reply(200, b"x" * 40, drip=0.25))  # 10 s of trickle
    p = poll([{"url": url, "name": "slow"}])
    out = p.once()
    assert "feed slow: timed out" in out
    row = p.row(url)
    assert row["last_status"] == "timeout" and row["failures"] == 1
    assert p.health()["slow"]["last_status"] == "timeout"


def test_oversized_and_gzip_bomb_bodies_are_cut_off(feedserver, poll):
    big = feedserver.route("/big", Reply(200, b"<rss>", endless=4 * 1024 * 1024))
    bomb = feedserver.route("/bomb", Reply(200, gzip_bomb(32 * 1024 * 1024),
                                           {"Content-Encoding": "gzip"}))
    p = poll([{"url": big, "name": "big"}, {"url": bomb, "name": "bomb"}])
    out = p.once()
    assert "feed big: body larger than 1048576 bytes" in out
    assert "feed bomb: body larger than 1048576 bytes" in out
    for url in (big, bomb):
        assert p.row(url)["last_status"] == "too_large" and p.row(url)["failures"] == 1
    assert p.db().table("articles").count == 0


def test_a_body_that_is_not_a_feed(feedserver, poll):
    url = feedserver.route("/f", Reply(200, b"<html><body>Synthetic page</body></html>",
                                       {"Content-Type": "text/html"}))
    p = poll([{"url": url, "name": "html"}])
    out = p.once()
    assert "feed html:" in out and "1 feeds failed" in out
    row = p.row(url)
    assert row["failures"] == 1 and row["last_error"] and row["body_hash"] is None
    assert p.db().execute("select count(*) from rejected where source = ?",
                          [url]).fetchone()[0] == 1


def test_same_article_through_two_feeds_is_stored_once(feedserver, poll, run):
    a, b = item(1, flagged=True), item(1, flagged=True)
    b["guid"] = "another-guid"
    b["link"] = a["link"] + "?utm_source=rss"
    u1 = feedserver.route("/a", Reply(200, rss("Synthetic A", [a])))
    u2 = feedserver.route("/b", Reply(200, rss("Synthetic B", [b])))
    p = poll([{"url": u1, "name": "a"}, {"url": u2, "name": "b"}])
    assert "2 articles read, 1 new, 1 alerts" in p.once()
    assert p.db().table("articles").count == 1
    alerts = json.loads(run("digest", "--all", "--format", "json", config=p.cfg).output)
    assert len(alerts) == 1


def test_per_host_limit_holds(feedserver, poll):
    feeds = [{"url": feedserver.route(f"/f{i}", Reply(200, rss("Synthetic", [item(i)]),
                                                        delay=0.3)), "name": f"f{i}"}
             for i in range(6)]
    p = poll(feeds, concurrency=8, per_host=2)
    p.once()
    assert len(feedserver.requests) == 6 and feedserver.peak <= 2


def twelve_feeds(s):
    """Twelve synthetic feeds, good and bad: the cases of the feeds issue together."""
    return {
        "ok": s.route("/ok", Reply(200, rss("Synthetic", [item(1, flagged=True)]))),
        "nm": s.route("/nm", Reply(304)),
        "moved": s.route("/mv", Reply(301, headers={"Location": "/ok"})),
        "404": s.route("/404", Reply(404)),
        "500": s.route("/500", Reply(500)),
        "gone": s.route("/410", Reply(410)),
        "busy": s.route("/429", Reply(429, headers={"Retry-After": "60"})),
        "slow1": s.route("/slow1", Reply(200, b"x" * 40, drip=0.25)),
        "slow2": s.route("/slow2", Reply(200, rss("Synthetic", [item(2)]), drip_headers=True)),
        "slow3": s.route("/slow3", Reply(200, b"y" * 40, drip=0.25, delay=0.5)),
        "bomb": s.route("/bomb", Reply(200, gzip_bomb(16 * 1024 * 1024),
                                       {"Content-Encoding": "gzip"})),
        "html": s.route("/html", Reply(200, b"<html>synthetic</html>")),
    }


def test_twelve_feeds_in_one_cycle_take_one_deadline_not_twelve(feedserver, poll):
    feeds = twelve_feeds(feedserver)
    p = poll([{"url": u, "name": n} for n, u in feeds.items()], concurrency=12, per_host=12)
    start = time.monotonic()
    out = p.once()
    elapsed = time.monotonic() - start
    # Three feeds each hold a 2 s deadline: in turn they would take 6 s or more.
    assert elapsed < 2 + 3.5, (elapsed, out)
    assert "12 polled" in out
    health = p.health()
    assert {n for n, h in health.items() if h["last_status"] == "timeout"} == \
        {"slow1", "slow2", "slow3"}
    assert health["gone"]["gone"] and health["busy"]["retry_after_until"]


def test_local_feed_files_are_polled_and_skipped_when_unchanged(poll, tmp_path):
    (tmp_path / "local.xml").write_bytes(rss("Synthetic local", [item(1), item(2)]))
    uri = tmp_path / "uri.xml"
    uri.write_bytes(rss("Synthetic uri", [item(3)]))
    p = poll([{"url": "local.xml", "name": "local"}, {"url": uri.as_uri(), "name": "uri"},
              {"url": "missing.xml", "name": "missing"}])
    out = p.once()
    assert "3 articles read" in out and "1 feeds failed" in out
    assert "feed missing: cannot read" in out
    assert p.row("local.xml")["last_status"] == "read"
    assert "2 unchanged" in p.once()
    assert p.health()["missing"]["failures"] == 2


def test_poll_feeds_polls_only_due_feeds(feedserver, poll):
    from monitor.config import load_config
    from monitor.feeds import next_due, poll_feeds
    from monitor.pipeline import Engine
    from monitor.store import open_db

    url = feedserver.route("/f", Reply(200, rss("Synthetic", [item(1)])))
    p = poll([{"url": url, "name": "due", "interval": "1h"}])
    cfg = load_config(p.cfg)
    db, engine, feed = open_db(cfg.database), Engine(cfg.watchlist), cfg.feeds[0]
    now = datetime.now(UTC)
    assert next_due(db, feed, now) == now  # never polled: due at once
    assert poll_feeds(db, cfg, engine, force=False, now=now).count("ok") == 1
    due = next_due(db, feed)
    assert due is not None and timedelta(minutes=59) < due - now <= timedelta(minutes=61)
    assert poll_feeds(db, cfg, engine, force=False, now=now + timedelta(minutes=30)).outcomes == []
    later = poll_feeds(db, cfg, engine, force=False, now=now + timedelta(hours=2))
    assert later.count("unchanged") == 1 and len(feedserver.hits("/f")) == 2


def test_twelve_feeds_cycle_stores_the_good_ones_in_bounded_memory(feedserver, poll, tmp_path):
    # `monitor once` as its own process, reporting its peak resident memory at exit.
    import subprocess
    import sys

    from conftest import ROOT

    p = poll([{"url": u, "name": n} for n, u in twelve_feeds(feedserver).items()],
             concurrency=12, per_host=12)
    wrapper = ("import resource, runpy, sys\n"
               "sys.argv = ['monitor', '--config', sys.argv[1], 'once']\n"
               "try:\n    runpy.run_module('monitor', run_name='__main__')\n"
               "finally:\n    print('maxrss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
               " file=sys.stderr)\n")
    r = subprocess.run([sys.executable, "-c", wrapper, str(p.cfg)], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    peak_mib = int(r.stderr.rsplit("maxrss", 1)[1].split()[0]) / 1024  # Linux: KiB
    assert peak_mib < 400, peak_mib
    assert "12 polled" in r.stdout
    db = p.db()
    assert db.execute("select count(*) from alerts").fetchone()[0] >= 1  # ok (and moved)
