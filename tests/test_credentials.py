"""Per-feed headers and auth: read from the environment or a 0600 file, checked by
`monitor check`, sent to a real local server. All secrets here are synthetic."""

from __future__ import annotations

import base64

import pytest
from conftest import FETCH
from localserver import Reply, item, rss

FEED = rss("Synthetic paid feed", [item(1, flagged=True)])
SECRET = "synthetic-credential-1c9e"


def secret_file(tmp_path, name="token", mode=0o600, text=SECRET + "\n"):
    p = tmp_path / "secrets" / name
    p.parent.mkdir(exist_ok=True)
    p.write_text(text)
    p.chmod(mode)
    return p


def test_headers_and_basic_auth_are_sent_from_env_and_file(project, run, feedserver,
                                                          tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTH_FEED_KEY", SECRET)
    secret_file(tmp_path, "pw")
    a = feedserver.route("/a.xml", Reply(200, FEED))
    b = feedserver.route("/b.xml", Reply(200, rss("Synthetic", [item(2)])))
    cfg = project(fetch=FETCH, feeds=[
        {"url": a, "name": "a", "headers": {"X-Api-Key": {"env": "SYNTH_FEED_KEY"},
                                            "Accept-Language": "en"},
         "auth": {"username": "reader", "password": {"file": "secrets/pw"}}},
        {"url": b, "name": "b", "auth": {"token": {"env": "SYNTH_FEED_KEY"}}}])
    assert run("check", config=cfg).exit_code == 0
    r = run("once", config=cfg)
    assert r.exit_code == 0 and "0 feeds failed" in r.output, r.output
    got = feedserver.hits("/a.xml")[0]
    assert got["x-api-key"] == SECRET and got["accept-language"] == "en"
    assert got["authorization"] == "Basic " + base64.b64encode(
        f"reader:{SECRET}".encode()).decode()
    assert feedserver.hits("/b.xml")[0]["authorization"] == f"Bearer {SECRET}"


def test_check_names_each_bad_credential_and_exits_2(project, run, tmp_path, monkeypatch):
    monkeypatch.delenv("SYNTH_MISSING", raising=False)
    monkeypatch.setenv("SYNTH_NEWLINE", "a\r\nInjected: yes")
    secret_file(tmp_path, "open", mode=0o644)
    cfg = project(feeds=[
        {"url": "https://paid.example/rss", "name": "p0",
         "headers": {"X-Api-Key": {"env": "SYNTH_MISSING"}}},
        {"url": "https://paid.example/rss2", "name": "p1",
         "auth": {"username": "u", "password": {"file": "secrets/open"}}},
        {"url": "https://paid.example/rss3", "name": "p2",
         "headers": {"X-Note": {"env": "SYNTH_NEWLINE"}}},
        {"url": "https://paid.example/rss4", "name": "p3",
         "auth": {"token": {"file": "secrets/absent"}}}])
    r = run("check", config=cfg)
    assert r.exit_code == 2, r.output
    err = r.output
    assert "feeds[0].headers.X-Api-Key: environment variable SYNTH_MISSING is not set" in err
    assert "feeds[1].auth.password: secrets file" in err and "chmod 600" in err
    assert "feeds[2].headers.X-Note: the value holds a line break" in err
    assert "feeds[3].auth.token: cannot read secrets file" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("feed, expected", [
    ({"auth": {"username": "u", "password": SECRET}},
     "feeds[0].auth.password: a credential is not written inline"),
    ({"headers": {"Authorization": f"Bearer {SECRET}"}},
     "feeds[0].headers.Authorization: a credential is not written inline"),
    ({"headers": {"X-Auth-Token": SECRET}},
     "feeds[0].headers.X-Auth-Token: a credential is not written inline"),
    ({"auth": {"token": {"env": "T"}, "username": "u"}}, "feeds[0].auth: either username"),
    ({"auth": {"username": "u"}}, "feeds[0].auth: needs username and password"),
    ({"auth": {"token": {"env": "T"}, "realm": "x"}}, "feeds[0].auth: unknown key 'realm'"),
    ({"headers": {"Bad Name": "x"}}, "feeds[0].headers.Bad Name: not a valid HTTP header"),
    ({"headers": {"X-Key": {"vault": "x"}}}, "feeds[0].headers.X-Key: must be { env"),
    ({"headers": {"Host": "x"}}, "feeds[0].headers.Host: set by the monitor itself"),
])
def test_bad_shapes_are_config_errors_that_never_quote_the_secret(project, run, feed,
                                                                  expected):
    cfg = project(feeds=[{"url": "https://paid.example/rss", "name": "p", **feed}])
    r = run("check", config=cfg)
    assert r.exit_code == 2
    assert expected in r.output, r.output
    assert SECRET not in r.output


def test_a_missing_secret_fails_that_feed_only(project, run, feedserver, monkeypatch):
    monkeypatch.delenv("SYNTH_MISSING", raising=False)
    ok = feedserver.route("/ok.xml", Reply(200, FEED))
    paid = feedserver.route("/paid.xml", Reply(200, FEED))
    cfg = project(fetch=FETCH, feeds=[
        {"url": paid, "name": "paid", "auth": {"token": {"env": "SYNTH_MISSING"}}},
        {"url": ok, "name": "ok"}])
    r = run("once", config=cfg)
    assert r.exit_code == 0
    assert "feed paid: not fetched: feeds[0].auth.token: environment variable " \
           "SYNTH_MISSING is not set" in r.output
    assert feedserver.hits("/paid.xml") == [] and len(feedserver.hits("/ok.xml")) == 1


def test_duplicate_feeds_once_redacted_are_refused(project, run):
    cfg = project(feeds=[{"url": "https://paid.example/rss?apikey=one"},
                         {"url": "https://paid.example/rss?apikey=two"}])
    r = run("check", config=cfg)
    assert r.exit_code == 2 and "feeds[1].url: duplicate feed" in r.output
    assert "one" not in r.output.replace("once", "") and "two" not in r.output


def test_a_schema_error_on_a_url_does_not_quote_its_secret(project, run):
    cfg = project(feeds=[{"url": f"https://u:{SECRET}@paid.example/a b?token={SECRET}"}])
    r = run("check", config=cfg)
    assert r.exit_code == 2 and "feeds[0].url" in r.output
    assert SECRET not in r.output
