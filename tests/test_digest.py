"""The digest: one row per story, every format, untrusted text made inert, read state."""

import json
import re

import feedparser
import pytest

from monitor import digest, render, schemas
from monitor.store import open_db

HOSTILE = "Haftar\x1b[31m forces \u202eadvance\u202c *near* [Tripoli](javascript:x) <b>&amp;"

# SYNTHETIC records, written for these tests: two stories, the first from two sources.
STORY_A = ("Forces loyal to Khalifa Haftar agreed to a ceasefire around Tripoli on Sunday "
           "after weeks of fighting, officials of the Libyan National Army said, adding that "
           "the truce would be monitored by a joint committee meeting in Geneva next week. "
           "The Government of National Accord said it would respect the ceasefire.")
STORY_B = ("Russia denied on Monday that its mercenaries fight for Haftar in Libya, after "
           "a United Nations report counted hundreds of contractors near the front lines "
           "south of Tripoli and described supply flights landing in eastern Libya.")


def _records():
    return [
        {"title": HOSTILE, "text": STORY_A, "url": "https://synthetic-one.example/a",
         "published_at": "2019-11-25T08:00:00Z"},
        {"title": "Haftar forces agree Tripoli ceasefire", "text": "TRIPOLI - " + STORY_A,
         "url": "https://synthetic-two.example/b", "published_at": "2019-11-25T10:00:00Z"},
        {"title": "Russia denies mercenaries fight for Haftar", "text": STORY_B,
         "url": "https://synthetic-one.example/c", "published_at": "2019-11-26T10:00:00Z"},
    ]


@pytest.fixture
def loaded(project, run, tmp_path):
    f = tmp_path / "synthetic.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in _records()), "utf-8")
    cfg = project()
    r = run("ingest", str(f), config=cfg)
    assert "3 alerts" in r.output, r.output
    return cfg


def _json(run, cfg, *args, per="story"):
    r = run("digest", "--all", "--format", "json", "--per", per, *args, config=cfg)
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_json_lists_every_alert_with_its_story_and_per_story_on_request(loaded, run):
    every = _json(run, loaded, per="alert")
    assert len(every) == 3  # three articles, two of them one story
    default = json.loads(run("digest", "--all", "--format", "json", config=loaded).output)
    assert [a["id"] for a in default] == [a["id"] for a in every]  # json: every alert
    assert len({a["story_id"] for a in every}) == 2
    for alert in every:
        assert schemas.errors("alert", alert) == []
    out = _json(run, loaded)
    assert len(out) == 2
    for alert in out:
        assert schemas.errors("alert", alert) == []
    assert sorted(a["sources"] for a in out) == [1, 2]
    two = next(a for a in out if a["sources"] == 2)
    assert two["story"]["articles"] == 2 and two["story"]["first_seen_at"]


def test_table_is_plain_when_piped_and_coloured_on_a_terminal(loaded, run, tmp_path):
    out = run("digest", "--all", config=loaded).output
    assert "\x1b" not in out and "\u202e" not in out
    assert "SRC" in out and "2   " in out
    rows = digest.fetch(open_db(tmp_path / "state" / "monitor.db"), digest.Query())
    coloured = render.render_table(rows, colour=True)
    sev = rows[0].alert["severity"]
    assert re.search(r"\x1b\[[0-9;]+m" + sev, coloured)  # the severity, coloured
    narrow = render.render_table(rows, width=70)
    assert max(len(line) for line in narrow.splitlines()) <= 70


def test_markdown_escapes_untrusted_text(loaded, run):
    out = run("digest", "--all", "--format", "markdown", config=loaded).output
    assert "# Libya monitor digest (2 stories)" in out
    assert "\x1b" not in out and "\u202e" not in out
    assert "2 outlets" in out
    # Every alert with its own (hostile) title: escaped, never live.
    out = run("digest", "--all", "--format", "markdown", "--per", "alert", config=loaded).output
    assert "\x1b" not in out and "\u202e" not in out
    assert "\\[Tripoli\\]\\(javascript:x\\)" in out and "\\*near\\*" in out


def test_atom_is_a_valid_feed(loaded, run):
    out = run("digest", "--all", "--format", "atom", config=loaded).output
    assert "\x1b" not in out and "\u202e" not in out and "<b>" not in out
    feed = feedparser.parse(out.encode("utf-8"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == 2
    links = {e.link for e in feed.entries}
    assert links == {"https://synthetic-one.example/c", "https://synthetic-one.example/a"} or \
        links == {"https://synthetic-one.example/c", "https://synthetic-two.example/b"}
    titles = " ".join(e.title for e in feed.entries)
    assert "Russia denies mercenaries fight for Haftar" in titles
    assert all(e.id.startswith("urn:libya-monitor:alert:a") for e in feed.entries)


def test_new_is_per_story(loaded, run, tmp_path):
    assert len(_json(run, loaded, "--new")) == 2
    assert _json(run, loaded, "--new") == []
    # SYNTHETIC: a third outlet runs story A: the story was shown, it does not come back...
    f = tmp_path / "more.jsonl"
    f.write_text(json.dumps({"title": "Ceasefire agreed around Tripoli",
                             "text": STORY_A + " More to follow.",
                             "url": "https://synthetic-three.example/d",
                             "published_at": "2019-11-25T11:00:00Z"}) + "\n", "utf-8")
    run("ingest", str(f), config=loaded)
    assert _json(run, loaded, "--new") == []
    assert max(a["sources"] for a in _json(run, loaded)) == 3
    # ... while a different story is new.
    g = tmp_path / "other.jsonl"
    g.write_text(json.dumps({"title": "Haftar visits Moscow", "text": "Khalifa Haftar met "
                             "Russian officials in Moscow on Tuesday to discuss the "
                             "Libyan conflict and arms supplies."}) + "\n", "utf-8")
    run("ingest", str(g), config=loaded)
    new = _json(run, loaded, "--new")
    assert [a["article"]["title"] for a in new] == ["Haftar visits Moscow"]


def test_ack_hides_the_story_and_unknown_ids_fail(loaded, run, tmp_path):
    out = _json(run, loaded)
    target = next(a for a in out if a["sources"] == 2)
    bad = run("ack", target["id"], "a0000000000000000", config=loaded)
    assert bad.exit_code == 1 and "a0000000000000000" in bad.output
    assert len(_json(run, loaded)) == 2  # nothing acked
    ok = run("ack", target["id"], config=loaded)
    assert ok.exit_code == 0 and "acked 2 alerts" in ok.output  # both articles of the story
    assert [a["story_id"] for a in _json(run, loaded)] != [target["story_id"]]
    assert len(_json(run, loaded)) == 1
    shown = _json(run, loaded, "--include-acked")
    assert len(shown) == 2 and any(a["acked_at"] for a in shown)


def test_more_sources_raise_the_story_not_the_alert(project, run, tmp_path):
    from conftest import default_raw_config

    wl = default_raw_config()["watchlist"]
    if "killing" not in {e["id"] for e in wl["events"]}:
        wl["events"] = wl["events"] + [{"id": "killing", "name": "Killing", "aliases": ["killed"]}]
    cfg = project(watchlist=wl)
    text = ("Twelve civilians were killed when shells hit a market in southern Tripoli on "
            "Friday, Libyan health officials said, blaming forces loyal to Khalifa Haftar "
            "who have besieged the capital since April.")  # SYNTHETIC
    for i, host in enumerate(("one", "two", "three")):
        f = tmp_path / f"{host}.jsonl"
        f.write_text(json.dumps({"title": f"Civilians killed in Tripoli ({host})",
                                 "text": text, "url": f"https://synthetic-{host}.example/"})
                     + "\n", "utf-8")
        run("ingest", str(f), config=cfg)
        (story,) = _json(run, cfg)
        if i == 0:
            first = (story["severity"], story["score"])
            assert story["story"]["score"] == story["score"]  # one source: no bonus
        assert (story["severity"], story["score"]) == first  # the alert never changes
        assert story["story"]["sources"] == i + 1
    assert story["story"]["score"] > story["score"]  # three sources raise the story
    assert len(_json(run, cfg, "--min-severity", story["story"]["severity"])) == 1
