"""No command prints a raw control, escape or bidi character from feed text, JSON included.

Every article and feed here is SYNTHETIC test data written below, not news.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from localserver import Reply, item, rss
from sqlite_utils import Database

from monitor import inert
from monitor.cli import cli

# One of everything: CSI colour, OSC title, C1 CSI, BEL, backspace, CR, DEL, NEL,
# right-to-left override and pop, isolates, marks, the Arabic letter mark.
EVIL = ("\x1b[31m\x1b]0;pwned\x07\x9b2J\x08\r\x7f\x85\u202eevil\u202c"
        "\u2066iso\u2069\u200e\u200f\u061c")
TITLE = f"Synthetic {EVIL}Haftar forces in Libya"
BODY = f"Synthetic body: Haftar {EVIL}agreed a ceasefire near Tripoli, Libya."
# Commands whose output is not checked here, and why. A new command must be added to
# OUTPUTS below or here, so no output escapes this test.
EXEMPT = {
    "run": "the daemon: logs only, through terminal.clean (tests/test_daemon.py)",
    "notify": "prints counts; the messages go to apprise (tests/test_notify.py)",
    "serve": "a web server: Datasette escapes its HTML; snippets (tests/test_web.py)",
}


def _unsafe(s: str) -> list[str]:
    return sorted({repr(m.group()) for m in inert.UNSAFE.finditer(s) if m.group() not in "\n"})


def _strings(obj: Any) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in [k, *_strings(v)]]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []


@pytest.fixture
def hostile(feedserver, project, run, tmp_path):
    # A file whose very name is hostile (it becomes the articles' source).
    folder = tmp_path / "in"
    folder.mkdir()
    evil_file = folder / "synthetic\x1b[7m\u202e.jsonl"
    evil_file.write_text(json.dumps({
        "title": TITLE, "text": BODY, "url": "https://synthetic.example/a",
        "published_at": "2020-01-12T10:00:00Z"}) + "\n", "utf-8")
    it = item(1, flagged=True)
    it["title"] = TITLE + " (feed)"
    it["description"] = BODY + " Reported by feed."
    url = feedserver.route("/evil", Reply(200, rss(f"Feed {EVIL}title", [it])))
    cfg = project(feeds=[{"url": url, "name": "synthetic-evil"}])
    r = run("ingest", str(folder), config=cfg)
    assert r.exit_code == 0, r.output
    r = run("once", config=cfg)
    assert r.exit_code == 0, r.output
    db = Database(tmp_path / "state" / "monitor.db")
    alerts = [row[0] for row in db.execute("select id from alerts")]
    assert len(alerts) == 2, alerts
    return cfg, db, alerts, url


def test_stored_text_is_kept_byte_for_byte(hostile):
    _, db, _, url = hostile
    texts = [r[0] for r in db.execute("select text from articles")]
    assert any(BODY in t for t in texts)
    assert any("\u202eevil\u202c" in r[0] for r in db.execute("select title from articles"))
    assert "\u202e" in db.table("feeds").get(url)["title"]


def test_every_output_is_inert(hostile, run):
    cfg, _, alerts, _ = hostile
    outputs: dict[str, list[list[str]]] = {
        "ingest": [["ingest", str(cfg.parent / "in")]],
        "once": [["once"]],
        "digest": [["digest", "--all", "--format", f, "--per", per]
                   for f in ("table", "markdown", "json", "atom") for per in ("story", "alert")],
        "show": [["show", a, "--format", f] for a in alerts for f in ("text", "json")],
        "feeds": [["feeds"], ["feeds", "--format", "json"]],
        "status": [["status"], ["status", "--format", "json"]],
        "trends": [["trends"], ["trends", "--actor", "haftar", "--days", "366"]],
        "check": [["check"]],
        "rescan": [["rescan"]],
        "ack": [["ack", alerts[0]], ["ack", "no-such\x1b[2J\u202e"]],
        "search": [["search", "haftar", "--format", f] for f in ("table", "json")]
        + [["search", "\x1b[2J\u202e\"bad"]],
    }
    missing = set(cli.commands) - set(outputs) - set(EXEMPT)
    assert not missing, f"commands whose output this test does not check: {sorted(missing)}"
    checked = 0
    for args_list in outputs.values():
        for args in args_list:
            r = run(*args, config=cfg)
            out = r.output + (r.stderr if r.stderr_bytes is not None else "")
            assert not _unsafe(out), (args, _unsafe(out))
            if "json" in args and r.exit_code == 0:
                strings = _strings(json.loads(r.stdout))
                bad = [s for s in strings if not inert.is_inert(s)]
                assert not bad, (args, bad[:3])  # what `jq -r` would print
            checked += 1
    assert checked >= 20


def test_json_keeps_offsets_and_shows_what_was_there(hostile, run):
    cfg, _, alerts, _ = hostile
    for a in alerts:
        shown = json.loads(run("show", a, "--format", "json", config=cfg).stdout)
        text = shown["article"]["text"]
        for ev in shown["alert"]["evidence"]:
            if ev["kind"] != "context":
                # The stand-ins are one-for-one: offsets into the stored text still hold.
                assert text[ev["start"]:ev["end"]].casefold() == ev["text"].casefold()
    digest = json.loads(run("digest", "--all", "--format", "json", config=cfg).stdout)
    titles = [d["article"]["title"] for d in digest]
    assert any("\u241b[31m" in t for t in titles)  # ESC shown as its control picture


def test_text_drops_and_json_escapes():
    assert inert.text("a\x1b[31mb\u202ec\x9b2Jd\x07e") == "abcde"
    assert inert.text("a\r\nb\tc", keep_newlines=True) == "a\nb\tc"
    assert inert.escape("a\x1b[31mb\u202ec\x00\x7f\n\t") == "a\u241b[31mb\ufffdc\u2400\u2421\n\t"
    assert inert.dumps({"k\u2066": ["\x85", 1, None]}, indent=None) == \
        '{"k\ufffd": ["\ufffd", 1, null]}'
    assert inert.is_inert("plain\nline\ttab") and not inert.is_inert("x\u200fy")
