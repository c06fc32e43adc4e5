"""`monitor feeds --reset NAME`: a feed that went 410, backs off or was told to wait comes back.

Every feed here is SYNTHETIC test data served on 127.0.0.1.
"""

from __future__ import annotations

from localserver import Reply, item, rss

GOOD = Reply(200, rss("Synthetic", [item(1, flagged=True), item(2)]))


def _broken_then_fixed(feedserver, poll, reply):
    url = feedserver.route("/f", reply)
    p = poll([{"url": url, "name": "flaky", "interval": "1h"},
              {"url": feedserver.route("/ok", GOOD), "name": "steady"}])
    p.once()
    return url, p


def test_reset_brings_back_a_gone_feed(feedserver, poll, run):
    url, p = _broken_then_fixed(feedserver, poll, Reply(410, b"gone"))
    assert p.row(url)["gone"] == 1
    assert "skipped: gone" in p.once()
    feedserver.route("/f", GOOD)  # the user fixed it (or the site came back)
    r = run("feeds", "--reset", "flaky", config=p.cfg)
    assert r.exit_code == 0, r.output
    assert "reset feed flaky" in r.stderr and "now (new)" in r.stdout
    h = p.health()["flaky"]
    assert h["gone"] is False and h["failures"] == 0 and h["last_error"] is None
    assert "gone" not in p.once()
    row = p.row(url)
    assert row["last_status"] == "200" and row["gone"] == 0 and row["entries_seen"] == 2
    assert p.health()["steady"]["entries_seen"] == 2  # the other feed was not touched


def test_reset_ends_backoff_and_retry_after(feedserver, poll, run):
    url, p = _broken_then_fixed(feedserver, poll, Reply(500, b"down"))
    p.once()
    assert p.row(url)["failures"] == 2
    feedserver.route("/f", Reply(429, headers={"Retry-After": "3600"}))
    p.db().table("feeds").update(url, {"failures": 0})
    p.once()
    assert p.row(url)["retry_after_until"] and "wait until" in p.once()
    feedserver.route("/f", GOOD)
    assert run("feeds", "--reset", url, config=p.cfg).exit_code == 0  # by URL works too
    row = p.row(url)
    assert (row["failures"], row["retry_after_until"], row["next_due_at"]) == (0, None, None)
    p.once()
    assert p.row(url)["last_status"] == "200"


def test_reset_of_an_unknown_feed_is_a_usage_error_and_resets_nothing(feedserver, poll, run):
    url, p = _broken_then_fixed(feedserver, poll, Reply(410))
    r = run("feeds", "--reset", "flaky", "--reset", "no-such-feed", config=p.cfg)
    assert r.exit_code == 2 and "no-such-feed" in r.output and "nothing reset" in r.output
    assert "Traceback" not in r.output
    assert p.row(url)["gone"] == 1
