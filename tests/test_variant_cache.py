"""The on-disk cache of generated variants: same watchlist, read back, rebuilt if damaged."""

from __future__ import annotations

import json
from pathlib import Path

from monitor import variants
from monitor.variant_cache import cache_path, cached_watchlist
from monitor.watchlist import build_watchlist

RAW = {"actors": [{"id": "qaddafi", "name": "Muammar Gaddafi", "libyan": True,
                   "aliases": [{"text": "Qaddafi", "variants": True}, "Gaddafi"]}]}


def test_cache_written_then_read_gives_the_same_watchlist(tmp_path: Path) -> None:
    first = cached_watchlist(RAW, tmp_path)
    path = cache_path(RAW, tmp_path)
    assert path.is_file()
    assert "Qaddafi" in json.loads(path.read_text("utf-8"))
    assert cached_watchlist(RAW, tmp_path).terms() == first.terms() == build_watchlist(RAW).terms()


def test_cached_variants_are_used(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(variants, "_KNOWN", {})
    cache_path(RAW, tmp_path).write_text(
        json.dumps({"Qaddafi": [["kadhafee synthetic"], []]}), "utf-8")
    keys = [t.key for t in cached_watchlist(RAW, tmp_path).terms()]
    assert "kadhafee synthetic" in keys


def test_damaged_cache_is_rebuilt(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(variants, "_KNOWN", {})
    path = cache_path(RAW, tmp_path)
    path.write_text("{not json", "utf-8")
    wl = cached_watchlist(RAW, tmp_path)
    assert wl.terms() == build_watchlist(RAW).terms()
    assert "Qaddafi" in json.loads(path.read_text("utf-8"))


def test_another_watchlist_names_another_file(tmp_path: Path) -> None:
    other = {"actors": [{**RAW["actors"][0], "name": "Gaddafi"}]}
    assert cache_path(RAW, tmp_path) != cache_path(other, tmp_path)
