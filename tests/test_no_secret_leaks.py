"""A planted secret never leaves the request: not in any output, log or stored byte.

The secret (synthetic) sits in every place a user may put one: a URL's user
info and query, a header from the environment, a token from a 0600 file, and
the URLs of redirects, failures and refusals. Every command's output, the
daemon's verbose log and every file under state/ are then searched for it.
"""

from __future__ import annotations

import json
import signal

import pytest
from localserver import Reply, item, rss
from test_daemon import cli, count, start, wait_for

pytestmark = pytest.mark.slow

SECRET = "synthetic-planted-secret-5d2b"


def feed(prefix: str, links: bool = True) -> bytes:
    items = [item(i, prefix=prefix, flagged=True) for i in range(2)]
    if not links:
        for it in items:
            del it["link"]
    return rss(f"Synthetic {prefix}", items)


def test_a_planted_secret_appears_nowhere(project, feedserver, tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTH_FEED_KEY", SECRET)
    (tmp_path / "secrets").mkdir()
    token = tmp_path / "secrets" / "token"
    token.write_text(SECRET + "\n")
    token.chmod(0o600)
    port = feedserver.port
    feedserver.route(f"/basic.xml?apikey={SECRET}", Reply(200, feed("a")))
    feedserver.route(f"/broken.xml?token={SECRET}", Reply(500, b"synthetic failure"))
    feedserver.route("/paid.xml", Reply(200, feed("p")))
    feedserver.route(f"/moved.xml?apikey={SECRET}", Reply(301, headers={
        "Location": f"/new.xml?apikey={SECRET}"}))
    feedserver.route(f"/new.xml?apikey={SECRET}", Reply(200, feed("m", links=False)))
    feedserver.route(f"/tofile.xml?sig={SECRET}", Reply(301, headers={
        "Location": f"file:///synthetic/x.xml?sig={SECRET}"}))
    base = f"http://127.0.0.1:{port}"
    cfg = project(fetch={"timeout": "2s"}, schedule={"default_interval": "1s"}, feeds=[
        {"url": f"http://reader:{SECRET}@127.0.0.1:{port}/basic.xml?apikey={SECRET}"},
        {"url": f"{base}/broken.xml?token={SECRET}"},
        {"url": f"{base}/paid.xml", "name": "paid",
         "headers": {"X-Api-Key": {"env": "SYNTH_FEED_KEY"}},
         "auth": {"token": {"file": "secrets/token"}}},
        {"url": f"http://u:{SECRET}@127.0.0.1:9/x.xml?key={SECRET}"},
        {"url": f"{base}/moved.xml?apikey={SECRET}"},
        {"url": f"{base}/tofile.xml?sig={SECRET}"},
    ])
    outputs: dict[str, str] = {}

    def run(*args: str) -> str:
        r = cli(cfg, *args)
        outputs[" ".join(args)] = r.stdout + r.stderr
        return r.stdout

    run("check")
    run("once")
    run("once")  # the second poll uses what the first stored (validators, moves)
    for fmt in ("table", "markdown", "json", "atom"):
        run("digest", "--all", "--format", fmt)
    alerts = json.loads(run("digest", "--all", "--format", "json"))
    assert len(alerts) >= 6  # the flagged items of basic, paid and moved were stored
    for a in alerts:
        run("show", a["id"])
    run("feeds")
    run("feeds", "--format", "json")
    # The credentials were used: the servers got them.
    basic = feedserver.hits(f"/basic.xml?apikey={SECRET}")[0]
    assert basic["authorization"].startswith("Basic ")
    paid = feedserver.hits("/paid.xml")[0]
    assert paid["x-api-key"] == SECRET and paid["authorization"] == f"Bearer {SECRET}"
    db = tmp_path / "state" / "monitor.db"
    p = start(cfg, "-v")
    try:
        assert wait_for(lambda: count(db, "select count(*) from jobs "
                                          "where id like 'feed:%' and runs > 0") >= 6)
        run("status", "--format", "json")
        run("status")
    finally:
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=70)
    outputs["run -v"] = out + err
    assert "feed http://***@127.0.0.1" in err  # the redacted names are there instead
    for name, text in outputs.items():
        assert SECRET not in text, f"{name}: {text}"
    files = [f for f in (tmp_path / "state").rglob("*") if f.is_file()]
    assert any(f.name == "monitor.db" for f in files)
    for f in files:
        assert SECRET.encode() not in f.read_bytes(), f
