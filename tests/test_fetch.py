"""fetch(): limits, redirects and conditional headers against a real local server.

All bodies are synthetic test data.
"""

from __future__ import annotations

import zlib

from localserver import Reply, gzip_bomb, item, rss, wait_until

from monitor.config import Fetch
from monitor.sources.fetch import fetch, read_local

FAST = Fetch(timeout=2.0, max_bytes=1024 * 1024, user_agent="libya-monitor-test/1")
FEED = rss("Synthetic", [item(1)])


def test_ok_sends_user_agent_and_conditional_headers(feedserver):
    url = feedserver.route("/f", Reply(200, FEED, {"ETag": 'W/"abc"'}))
    res = fetch(url, FAST, etag='W/"abc"', last_modified="Sat, 01 Nov 2026 10:00:00 GMT")
    assert res.ok and res.status == 200 and res.body == FEED
    assert res.headers["etag"] == 'W/"abc"'
    sent = feedserver.hits("/f")[0]
    assert sent["user-agent"] == "libya-monitor-test/1"
    assert sent["if-none-match"] == 'W/"abc"'
    assert sent["if-modified-since"] == "Sat, 01 Nov 2026 10:00:00 GMT"


def test_trickled_body_is_cut_at_the_deadline(feedserver):
    # 40 bytes, one every 0.25 s: 10 s in all, far past the 2 s deadline.
    url = feedserver.route("/slow", Reply(200, b"x" * 40, drip=0.25))
    res = fetch(url, FAST)
    assert res.kind == "timeout", res
    assert res.body == b"" and not res.ok


def test_trickled_headers_are_cut_at_the_deadline(feedserver):
    # The status line and headers themselves arrive a byte at a time.
    url = feedserver.url("/slowhead")
    feedserver.routes["/slowhead"] = Reply(200, FEED, drip_headers=True)
    res = fetch(url, FAST)
    assert res.kind == "timeout", res
    # Cut off mid-headers (by the watchdog), not after the headers were all in.
    assert wait_until(lambda: "/slowhead" in feedserver.finished)
    assert feedserver.finished["/slowhead"] == "aborted"


def test_endless_body_is_cut_at_the_cap(feedserver):
    url = feedserver.route("/big", Reply(200, b"<rss>", endless=8 * 1024 * 1024))
    res = fetch(url, FAST)
    assert res.kind == "too_large" and "1048576" in (res.error or "")
    assert res.body == b""


def test_gzip_bomb_is_cut_at_the_decoded_cap(feedserver):
    bomb = gzip_bomb(64 * 1024 * 1024)  # ~64 KiB on the wire, 64 MiB decoded
    assert len(bomb) < 200_000
    url = feedserver.route("/bomb", Reply(200, bomb, {"Content-Encoding": "gzip"}))
    res = fetch(url, FAST)
    assert res.kind == "too_large", res


def test_gzip_and_deflate_bodies_are_decoded(feedserver):
    import gzip
    a = feedserver.route("/gz", Reply(200, gzip.compress(FEED), {"Content-Encoding": "gzip"}))
    b = feedserver.route("/df", Reply(200, zlib.compress(FEED), {"Content-Encoding": "deflate"}))
    assert fetch(a, FAST).body == FEED
    assert fetch(b, FAST).body == FEED


def test_permanent_redirects_are_remembered_only_up_to_a_temporary_one(feedserver):
    feedserver.route("/a", Reply(301, headers={"Location": "/b"}))
    feedserver.route("/b", Reply(302, headers={"Location": feedserver.url("/c")}))
    feedserver.route("/c", Reply(200, FEED))
    res = fetch(feedserver.url("/a"), FAST)
    assert res.status == 200 and res.body == FEED
    assert res.moved_to == feedserver.url("/b")
    assert res.final_url == feedserver.url("/c") and res.requests == 3


def test_redirect_loop_and_non_http_redirects_are_refused(feedserver, tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_bytes(FEED)
    feedserver.route("/loop", Reply(302, headers={"Location": "/loop"}))
    feedserver.route("/file", Reply(301, headers={"Location": secret.as_uri()}))
    loop = fetch(feedserver.url("/loop"), FAST)
    assert loop.kind == "error" and "too many redirects" in (loop.error or "")
    assert len(feedserver.hits("/loop")) == FAST.max_redirects + 1
    res = fetch(feedserver.url("/file"), FAST)
    assert res.kind == "refused" and "not an http(s) URL" in (res.error or "")
    assert res.body == b""


def test_unreachable_port_is_one_line():
    res = fetch("http://127.0.0.1:9/feed", FAST)  # the discard port: nothing listens
    assert res.kind == "error" and res.error and res.error.startswith("unreachable (")
    assert "\n" not in res.error


def test_local_file_and_its_cap(tmp_path):
    (tmp_path / "f.xml").write_bytes(FEED)
    (tmp_path / "big.xml").write_bytes(b" " * (FAST.max_bytes + 1))
    assert read_local("f.xml", tmp_path, FAST.max_bytes).body == FEED
    assert read_local((tmp_path / "f.xml").as_uri(), tmp_path, FAST.max_bytes).body == FEED
    assert read_local("big.xml", tmp_path, FAST.max_bytes).kind == "too_large"
    assert read_local("nope.xml", tmp_path, FAST.max_bytes).kind == "error"
