"""Shared fixtures: a temporary project (config + database) and the CLI."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from monitor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
# Real data beside the project (read-only). Tests reach it ONLY through shared_path()
# or the `shared` fixture (tests/test_suite_rules.py checks this), so a clone standing
# alone skips them, and CI (CI=true) fails instead of silently skipping.
_SHARED = ROOT.parent / "shared"
SEED = ROOT / "seeds" / "000_34ed0cbcf165ceff.txt"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def shared_path(*parts: str) -> Path:
    """A path in ../shared; skips the calling test when it is absent (fails when CI=true)."""
    path = _SHARED.joinpath(*parts)
    if not path.exists():
        where = "../shared/" + "/".join(parts)
        if in_ci():
            pytest.fail(f"{where} is absent, and CI=true needs the real-data tests to run",
                        pytrace=False)
        pytest.skip(f"{where} absent: real-data test (a clone standing alone skips it)")
    return path


@pytest.fixture
def shared() -> Callable[..., Path]:
    """shared("eval", "dev.jsonl") -> the path, or skip/fail as shared_path() does."""
    return shared_path


def default_raw_config() -> dict[str, Any]:
    return tomllib.loads((ROOT / "config.toml").read_text("utf-8"))


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def dump_toml(raw: dict[str, Any]) -> str:
    """A small TOML writer for test configs (tables, arrays of tables)."""
    out: list[str] = []

    def table(prefix: str, d: dict[str, Any]) -> None:
        scalars = {k: v for k, v in d.items()
                   if not isinstance(v, dict) and not (isinstance(v, list) and v
                                                       and all(isinstance(x, dict) for x in v)
                                                       and k in ("feeds", "actors", "events"))}
        if prefix:
            out.append(f"[{prefix}]")
        for k, v in scalars.items():
            out.append(f"{k} = {_toml_value(v)}")
        for k, v in d.items():
            name = f"{prefix}.{k}" if prefix else k
            if isinstance(v, dict):
                table(name, v)
            elif k not in scalars:
                for item in v:
                    out.append(f"[[{name}]]")
                    for ik, iv in item.items():
                        out.append(f"{ik} = {_toml_value(iv)}")

    table("", raw)
    return "\n".join(out) + "\n"


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Path]:
    """Write a config.toml in tmp_path: the default watchlist, given seeds/feeds."""

    def make(*, seeds: list[str] | None = None, feeds: list[dict[str, Any]] | None = None,
             **sections: Any) -> Path:
        raw = default_raw_config()
        raw["storage"] = {"database": "state/monitor.db"}
        raw["seeds"] = {"paths": seeds if seeds is not None else []}
        raw["feeds"] = feeds or []
        if not raw["feeds"]:
            del raw["feeds"]
        raw.update(sections)
        path = tmp_path / "config.toml"
        path.write_text(dump_toml(raw), "utf-8")
        return path

    return make


@pytest.fixture
def run(tmp_path: Path) -> Callable[..., Result]:
    """Run the CLI in-process: run("digest", "--all", config=path)."""

    def invoke(*args: str, config: Path | None = None, db: Path | None = None,
               input: str | None = None) -> Result:
        pre: list[str] = []
        if config is not None:
            pre += ["--config", str(config)]
        if db is not None:
            pre += ["--db", str(db)]
        return CliRunner().invoke(cli, [*pre, *args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def feedserver():
    """A real HTTP server on 127.0.0.1 (tests/localserver.py), closed after the test."""
    from localserver import FeedServer

    server = FeedServer()
    yield server
    server.close()


# Test limits: a 2 s deadline and a 1 MiB cap keep the slow and huge cases quick.
FETCH = {"timeout": "2s", "max_bytes": 1024 * 1024, "user_agent": "libya-monitor-test/1"}


@pytest.fixture
def poll(project, run, tmp_path):
    """Configure the given feeds; returns once() -> output, health() -> {name: record}."""

    class Poller:
        def __init__(self, feeds, **fetch):
            self.cfg = project(feeds=feeds, fetch={**FETCH, **fetch})

        def once(self) -> str:
            r = run("once", config=self.cfg)
            assert r.exit_code == 0, r.output
            return r.output

        def health(self) -> dict:
            r = run("feeds", "--format", "json", config=self.cfg)
            assert r.exit_code == 0, r.output
            return {f["name"]: f for f in json.loads(r.output)}

        def table(self) -> str:
            r = run("feeds", config=self.cfg)
            assert r.exit_code == 0, r.output
            return r.output

        def row(self, url: str) -> dict:
            return self.db().table("feeds").get(url)

        def db(self) -> Any:
            from sqlite_utils import Database

            return Database(tmp_path / "state" / "monitor.db")

    return Poller
