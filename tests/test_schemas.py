"""The compiled alert validator (the hot path) and jsonschema (the authority) agree."""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_path

from monitor import schemas
from monitor.article import Article
from monitor.config import load_config
from monitor.pipeline import Engine
from monitor.sources.feedparse import parse_feed
from monitor.sources.files import read_paths

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-01-01T00:00:00Z"


def _engine() -> Engine:
    return Engine(load_config(ROOT / "config.toml").watchlist)


def _alerts(engine: Engine, articles: Iterable[Article]) -> list[dict[str, Any]]:
    out = []
    for a in articles:
        alert = engine.alert_for(a, seen_at=NOW, created_at=NOW, story_id="s" + a.id[1:])
        if alert is not None:
            out.append(alert)
    return out


def _agree(alerts: list[dict[str, Any]]) -> None:
    assert alerts
    for alert in alerts:
        fast, authority = schemas.is_valid("alert", alert), schemas.errors("alert", alert)
        assert fast == (not authority), (alert["id"], authority)


def test_both_agree_on_every_alert_of_the_benchmark_corpus() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from corpus import corpus  # synthetic, seeded: the ingest benchmark's feeds
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    engine = _engine()
    articles = [a for i, body in enumerate(corpus(4, 50, "full") + corpus(2, 50, "storm"))
                for a in parse_feed(body, f"bench{i}")[0]]
    alerts = _alerts(engine, articles)
    assert len(alerts) > 60  # a fifth of the news-like items and every storm item
    _agree(alerts)


def test_both_agree_on_every_alert_of_the_eval_set() -> None:
    dev = shared_path("eval", "dev.jsonl")
    articles = [a for a in read_paths([dev], "file") if isinstance(a, Article)]
    _agree(_alerts(_engine(), articles))


@pytest.mark.parametrize("path, value", [
    (("article", "url"), "http://a b/"), (("article", "url"), "http://x/\u00e9"),
    (("article", "url"), "no scheme"), (("article", "url"), "http://[::1/"),
    (("article", "published_at"), "2019-11-26"), (("article", "published_at"), "yesterday"),
    (("article", "published_at"), "2019-02-30T00:00:00Z"), (("created_at",), "2019-11-26 10:00"),
    (("score",), True), (("score",), 1.5), (("evidence", 0, "start"), 1.0),
    (("evidence", 0, "start"), False), (("id",), "A0123456789abcdef"), (("severity",), "huge"),
    (("evidence",), []), (("actors", 0, "id"), "Haftar"), (("story_id",), ""),
    (("article", "extra"), 1), (("shown_at",), "2019-11-26T10:00:00+25:00"),
])
def test_both_refuse_or_accept_the_same_broken_alerts(path: tuple[Any, ...], value: Any) -> None:
    engine = _engine()
    text = "Khalifa Haftar's forces clashed with rivals near Tripoli on Tuesday."  # synthetic
    alert = _alerts(engine, [Article(id="a0123456789abcdef", title="Synthetic", text=text,
                                     source="synthetic-test", source_kind="file",
                                     url="https://example.org/x",
                                     published_at="2019-11-26T10:00:00Z")])[0]
    broken = copy.deepcopy(alert)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    _agree([alert])
    fast, authority = schemas.is_valid("alert", broken), schemas.errors("alert", broken)
    assert fast == (not authority), authority
    # valid_or_errors: the authority's explanation whenever the fast check says no.
    assert schemas.valid_or_errors("alert", broken) == authority


def test_every_schema_of_the_project_is_compiled() -> None:
    for name in ("alert", "config"):
        schema = json.loads(schemas.schema_path(name).read_text("utf-8"))
        assert schemas.compilable(schema), name


@pytest.mark.parametrize("schema", [
    {"type": "array", "prefixItems": [{"type": "string"}]},
    {"type": "object", "unevaluatedProperties": False},
    {"properties": {"a": {"$ref": "#/$defs/x", "minLength": 3}}, "$defs": {"x": {}}},
    {"type": "array", "items": [{"type": "string"}]},
    {"dependentRequired": {"a": ["b"]}},
])
def test_a_keyword_read_otherwise_before_2020_12_is_left_to_jsonschema(schema) -> None:
    assert not schemas.compilable(schema)


def test_config_of_the_repository_passes_both() -> None:
    import tomllib

    raw = tomllib.loads((ROOT / "config.toml").read_text("utf-8"))
    assert schemas.is_valid("config", raw) and schemas.errors("config", raw) == []
    raw["fetch"] = {"concurrency": "eight"}
    assert not schemas.is_valid("config", raw) and schemas.errors("config", raw)
