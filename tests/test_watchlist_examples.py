"""Labelled examples for the watchlist's event and actor rules (default config).

tests/examples/watchlist_examples.jsonl: each line says where it came from.
`origin: synthetic` lines are sentences written for these tests (not news).
`origin: real` lines name an item of the real feeds in the shared folder by
file and title; its text is read from there (skipped when the folder is
absent) and only the events it reports are checked, as those items are not
about Libya.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import feedparser
import pytest
from conftest import ROOT, default_raw_config, shared_path

from monitor.matcher import Matcher
from monitor.rules import decide, reported_events
from monitor.watchlist import build_watchlist

EXAMPLES = [json.loads(x) for x in
            (Path(__file__).parent / "examples" / "watchlist_examples.jsonl").read_text(
                "utf-8").splitlines() if x.strip()]
WL = build_watchlist(default_raw_config()["watchlist"])
M = Matcher(WL.terms())


def _id(ex):
    return f"{ex['origin']}: {ex['rule']}"


@pytest.mark.parametrize("ex", [e for e in EXAMPLES if e["origin"] == "synthetic"], ids=_id)
def test_synthetic_example(ex):
    day = date.fromisoformat(ex["date"])
    d = decide(WL, M.find(ex["text"]), day, ex["text"])
    assert d.alert == ex["alert"], d.reason
    if "actors" in ex:
        assert sorted(d.actors) == sorted(ex["actors"])
    if "events" in ex:
        assert sorted(d.events) == sorted(ex["events"])


def _item_text(source: str, title: str) -> str:
    for e in feedparser.parse(shared_path("feeds", "real", source)).entries:
        if e.get("title") == title:
            return e["title"] + "\n\n" + re.sub("<[^>]+>", "", e.get("summary", ""))
    raise AssertionError(f"no item {title!r} in {source}")


@pytest.mark.parametrize("ex", [e for e in EXAMPLES if e["origin"] == "real"], ids=_id)
def test_real_feed_example_reports_its_events(ex):
    text = _item_text(ex["source"], ex["title"])
    assert sorted(reported_events(WL, M.find(text), None, text)) == sorted(ex["events"])
    assert not decide(WL, M.find(text), None, text).alert  # none of them is about Libya


def test_every_example_says_where_it_came_from():
    assert all(e["origin"] in ("synthetic", "real") and e["rule"] for e in EXAMPLES)
    assert ROOT.joinpath("config.toml").exists()


def test_every_real_example_names_a_real_feed_file():
    real = shared_path("feeds", "real")
    assert {e["source"] for e in EXAMPLES if e["origin"] == "real"} <= {
        p.name for p in real.glob("*.xml")}
