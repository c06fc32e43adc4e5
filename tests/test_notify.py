"""Notifications through apprise to a real HTTP server on 127.0.0.1."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug import Response

from monitor import notify
from monitor.config import load_config
from monitor.store import open_db

# SYNTHETIC: one story from two outlets, and a second story.
TEXT = ("Forces loyal to Khalifa Haftar agreed to a ceasefire around Tripoli on Sunday "
        "after weeks of fighting, officials of the Libyan National Army said, adding that "
        "the truce would be monitored by a joint committee meeting in Geneva next week.")


def _ingest(run, cfg, tmp_path, records, name):
    f = tmp_path / name
    f.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    assert run("ingest", str(f), config=cfg).exit_code == 0


def _setup(project, run, tmp_path, url):
    cfg = project(notify={"urls": [url], "min_severity": "medium"})
    _ingest(run, cfg, tmp_path, [
        {"title": "Haftar agrees ceasefire", "text": TEXT, "url": "https://one.example/a"},
        {"title": "Ceasefire agreed by Haftar", "text": "TRIPOLI - " + TEXT,
         "url": "https://two.example/b"},
        # Another event: an oil field shut down (SYNTHETIC).
        {"title": "Sharara oil field shut", "text": "Protesters shut the Sharara oil field in "
         "south-western Libya on Tuesday, halting production, the National Oil Corporation "
         "said.", "url": "https://one.example/c"},
    ], "a.jsonl")
    c = load_config(cfg)
    return c, open_db(c.database)


def _url(httpserver):
    return f"json://127.0.0.1:{httpserver.port}/hook"


def test_one_message_per_new_story(project, run, tmp_path, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    cfg, db = _setup(project, run, tmp_path, _url(httpserver))
    report = notify.notify_new_stories(db, cfg)
    assert len(report.sent) == 2 and not report.failed  # 3 articles, 2 stories
    bodies = [json.loads(req.get_data()) for req, _ in httpserver.log]
    assert len(bodies) == 2
    assert any("2 sources" in b["message"] for b in bodies)
    assert all(re.match(r"\[(LOW|MEDIUM|HIGH|CRITICAL)\] ", b["title"]) for b in bodies)
    # Sent once: the next cycle sends nothing, even when another outlet joins the story.
    _ingest(run, cfg.path, tmp_path, [{"title": "Haftar ceasefire", "text": TEXT + " More.",
                                       "url": "https://three.example/d"}], "b.jsonl")
    assert notify.notify_new_stories(db, cfg).sent == []
    assert len(httpserver.log) == 2


def test_a_failing_notifier_is_retried_next_cycle(project, run, tmp_path, httpserver):
    httpserver.expect_oneshot_request("/hook").respond_with_response(Response("no", 500))
    httpserver.expect_oneshot_request("/hook").respond_with_response(Response("no", 500))
    cfg, db = _setup(project, run, tmp_path, _url(httpserver))
    first = notify.notify_new_stories(db, cfg)
    assert first.sent == [] and len(first.failed) == 2
    rows = list(db.query("select status, attempts from notifications"))
    assert rows == [{"status": "failed", "attempts": 1}] * 2
    httpserver.expect_request("/hook").respond_with_data("ok")
    assert notify.notify_new_stories(db, cfg).sent == []  # backing off: not due yet
    later = datetime.now(UTC) + timedelta(seconds=notify.RETRY_FIRST + 1)
    second = notify.notify_new_stories(db, cfg, now=later)
    assert len(second.sent) == 2 and not second.failed
    assert {r["status"] for r in db.query("select status from notifications")} == {"sent"}


def test_a_raising_sender_never_raises(project, run, tmp_path, httpserver):
    cfg, db = _setup(project, run, tmp_path, _url(httpserver))

    def broken(title, body):
        raise OSError("boom")

    report = notify.notify_new_stories(db, cfg, sender=broken)
    assert len(report.failed) == 2 and "boom" in report.errors[0]


def test_off_without_a_notify_table(project, run, tmp_path):
    cfg = load_config(project())
    report = notify.notify_new_stories(open_db(cfg.database), cfg)
    assert not report.enabled and "off" in report.line()


def test_notify_command_and_test_message(project, run, tmp_path, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    cfg, _ = _setup(project, run, tmp_path, _url(httpserver))
    r = run("notify", "--test", config=cfg.path)
    assert r.exit_code == 0 and "test message sent" in r.output
    assert json.loads(httpserver.log[0][0].get_data())["title"] == "libya-monitor test"
    r = run("notify", config=cfg.path)
    assert r.exit_code == 0 and "2 sent" in r.output


def test_notify_test_fails_when_the_server_is_down(project, run, tmp_path):
    cfg = project(notify={"urls": ["json://127.0.0.1:9/hook"]})  # port 9: nothing listens
    r = run("notify", "--test", config=cfg)
    assert r.exit_code == 1 and "not delivered" in r.output


@pytest.mark.parametrize("bad", [{"urls": "x"}, {"urls": ["json://h"], "min_severity": "hi"},
                                 {"url": ["json://h"]}])
def test_bad_notify_config_is_exit_2(project, run, bad):
    assert run("check", config=project(notify=bad)).exit_code == 2


def test_an_outage_is_retried_with_back_off_for_a_day_then_given_up(
        project, run, tmp_path, httpserver):
    # Case 4: ten tries used to be ten minutes of outage, then silence and exit 0.
    httpserver.expect_request("/hook").respond_with_response(Response("down", 503))
    cfg, db = _setup(project, run, tmp_path, _url(httpserver))
    start = datetime.now(UTC)
    for minute in range(30):  # the daemon's notify job, once a minute for half an hour
        notify.notify_new_stories(db, cfg, now=start + timedelta(minutes=minute))
    rows = list(db.query("select status, attempts from notifications"))
    assert {r["status"] for r in rows} == {"failed"}
    assert all(4 <= r["attempts"] <= 6 for r in rows), rows  # 1, 2, 4, 8, 16 min apart
    assert notify.given_up(db) == []
    r = run("status", "--format", "json", config=cfg.path)
    assert json.loads(r.output)["problems"] == ["no daemon runs on this database"]
    # A day after the first try, the next failure gives up: status and notify say so.
    report = notify.notify_new_stories(db, cfg, now=start + timedelta(days=1, minutes=1))
    assert len(report.gave_up) == 2 and "2 given up" in report.line()
    r = run("status", "--format", "json", config=cfg.path)
    out = json.loads(r.output)
    assert r.exit_code == 1 and len(out["notifications_given_up"]) == 2
    assert any("given up" in p for p in out["problems"])
    r = run("notify", config=cfg.path)
    assert r.exit_code == 1 and "given up" in r.output
    # The service is back: `monitor notify` tries the given-up messages once more.
    httpserver.clear()
    httpserver.expect_request("/hook").respond_with_data("ok")
    r = run("notify", config=cfg.path)
    assert r.exit_code == 0 and "2 sent" in r.output, r.output
    assert notify.given_up(db) == []


def test_retry_window_is_configurable(project, run, tmp_path, httpserver):
    httpserver.expect_request("/hook").respond_with_response(Response("down", 503))
    cfg = project(notify={"urls": [_url(httpserver)], "min_severity": "medium",
                          "retry_for": "2h"})
    c = load_config(cfg)
    assert c.notify.retry_for == 7200
    _ingest(run, cfg, tmp_path, [{"title": "Haftar agrees ceasefire", "text": TEXT}], "a.jsonl")
    db = open_db(c.database)
    start = datetime.now(UTC)
    assert notify.notify_new_stories(db, c, now=start).failed
    assert notify.notify_new_stories(db, c, now=start + timedelta(hours=2, seconds=1)).gave_up


def test_acking_the_story_settles_a_given_up_message(project, run, tmp_path, httpserver):
    httpserver.expect_request("/hook").respond_with_response(Response("down", 503))
    cfg, db = _setup(project, run, tmp_path, _url(httpserver))
    start = datetime.now(UTC)
    notify.notify_new_stories(db, cfg, now=start)
    notify.notify_new_stories(db, cfg, now=start + timedelta(days=2))
    stuck = notify.given_up(db)
    assert len(stuck) == 2
    alerts = [r[0] for r in db.execute("select id from alerts where current = 1")]
    assert run("ack", *alerts, config=cfg.path).exit_code == 0
    assert notify.given_up(db) == []
