"""config.toml -> validated, frozen Config.

Every default is set here, once, with the reason. Paths in the config are
relative to the config file's folder. Unknown keys are errors.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from . import schemas
from .credentials import Credentials, parse_credentials
from .redact import redact_text, redact_url
from .variant_cache import cached_watchlist
from .watchlist import Watchlist

# --- defaults -------------------------------------------------------------
DEFAULT_DATABASE = "state/monitor.db"  # beside the config, under state/
DEFAULT_INTERVAL = "15m"  # how often a feed is polled when it names no interval
DEFAULT_SEEDS_INTERVAL = "5m"  # how often the daemon looks for new or changed seed files
DEFAULT_TIMEOUT = "30s"  # total deadline for one feed fetch, connect to last byte
DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # cap on a feed's decoded body
DEFAULT_MAX_REDIRECTS = 5  # more than this is a redirect loop, reported
DEFAULT_CONCURRENCY = 8  # feeds fetched at once in a cycle
DEFAULT_PER_HOST = 2  # requests in flight to one host at once (politeness)
DEFAULT_USER_AGENT = "libya-monitor/0.1 (+https://github.com/libya-monitor/libya-monitor)"
DEFAULT_NOTIFY_MIN_SEVERITY = "high"  # [notify]: stories at or above this are sent
DEFAULT_NOTIFY_RETRY_FOR = "1d"  # [notify]: a failed message is retried (with back-off)
#                                  this long after its first try, then given up
# An absent [notify] table (or an empty urls list) turns notifications off.


class ConfigError(Exception):
    """A bad configuration: every problem, each naming its key path."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = [redact_text(p) for p in problems]  # a schema error quotes the value
        super().__init__(f"{path}: " + "; ".join(self.problems))


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")


def parse_duration(text: str) -> float:
    """'30s', '15m', '1h', '1d' -> seconds."""
    m = _DURATION.match(str(text))
    if not m:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30s, 15m, 1h, 1d)")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


@dataclass(frozen=True)
class Feed:
    url: str  # as written (a local path is resolved against the config folder); fetch only
    name: str  # as configured, else the URL redacted
    interval: float  # seconds
    enabled: bool = True
    # Headers and auth, as references to the environment or secrets files.
    credentials: Credentials = field(default_factory=lambda: Credentials("feeds[?]"),
                                     compare=False)

    @property
    def is_local(self) -> bool:
        return not self.url.startswith(("http://", "https://"))

    @property
    def shown_url(self) -> str:
        """The URL as stored, printed and logged: user info and keys replaced by ***."""
        return redact_url(self.url)


@dataclass(frozen=True)
class Fetch:
    timeout: float = parse_duration(DEFAULT_TIMEOUT)
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    concurrency: int = DEFAULT_CONCURRENCY
    per_host: int = DEFAULT_PER_HOST
    user_agent: str = DEFAULT_USER_AGENT


@dataclass(frozen=True)
class Notify:
    urls: tuple[str, ...]  # apprise URLs (mailto://, json://, ntfy://, ...)
    min_severity: str = DEFAULT_NOTIFY_MIN_SEVERITY
    retry_for: float = 86400.0  # seconds (DEFAULT_NOTIFY_RETRY_FOR)


@dataclass(frozen=True)
class Config:
    path: Path  # the config file
    database: Path
    seed_paths: tuple[Path, ...]
    feeds: tuple[Feed, ...]
    fetch: Fetch
    default_interval: float
    seeds_interval: float
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)
    notify: Notify | None = None  # None: notifications off
    # The database's folder is the config's own (state/): kept 0700 (filemodes.py).
    owns_state_dir: bool = False

    @cached_property
    def watchlist(self) -> Watchlist:
        """Built on first use; generated variants are cached beside the database."""
        folder = None if str(self.database) == ":memory:" else self.database.parent
        return cached_watchlist(self.raw.get("watchlist", {}), folder)

    def watchlist_ids(self, kind: str) -> set[str]:
        """The actor or event ids, without building the watchlist."""
        return {e["id"] for e in self.raw.get("watchlist", {}).get(kind, ())}

    @property
    def base(self) -> Path:
        return self.path.parent


def config_path(option: str | None) -> Path:
    """--config, else $MONITOR_CONFIG, else ./config.toml."""
    return Path(option or os.environ.get("MONITOR_CONFIG") or "config.toml")


def load_config(path: Path, db_override: str | None = None) -> Config:
    """Read, validate and build the configuration; ConfigError on any problem."""
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), ["file not found (use --config or $MONITOR_CONFIG)"])
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [f"cannot read: {exc}"])
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [f"not valid TOML: {exc}"])
    return build_config(raw, path, db_override)


def build_config(raw: dict[str, Any], path: Path, db_override: str | None = None) -> Config:
    problems = schemas.valid_or_errors("config", raw)
    problems += _semantic_problems(raw)
    creds = [parse_credentials(f, f"feeds[{i}]", problems) if isinstance(f, dict)
             else Credentials(f"feeds[{i}]") for i, f in enumerate(_feed_tables(raw))]
    if problems:
        raise ConfigError(str(path), problems)
    base = path.parent  # kept relative, so sources read as seeds/x.txt
    default_interval = parse_duration(raw.get("schedule", {}).get("default_interval",
                                                                  DEFAULT_INTERVAL))
    feeds = tuple(
        Feed(url=f["url"], name=f.get("name") or redact_url(f["url"]),
             interval=parse_duration(f["interval"]) if "interval" in f else default_interval,
             enabled=f.get("enabled", True), credentials=cred)
        for f, cred in zip(raw.get("feeds", ()), creds, strict=True)
    )
    fr = raw.get("fetch", {})
    fetch = Fetch(
        timeout=parse_duration(fr.get("timeout", DEFAULT_TIMEOUT)),
        max_bytes=fr.get("max_bytes", DEFAULT_MAX_BYTES),
        max_redirects=fr.get("max_redirects", DEFAULT_MAX_REDIRECTS),
        concurrency=fr.get("concurrency", DEFAULT_CONCURRENCY),
        per_host=fr.get("per_host", DEFAULT_PER_HOST),
        user_agent=fr.get("user_agent", DEFAULT_USER_AGENT),
    )
    db = db_override or os.environ.get("MONITOR_DB") or raw.get("storage", {}).get(
        "database", DEFAULT_DATABASE)
    overridden = bool(db_override or os.environ.get("MONITOR_DB"))
    folder = Path(db).parent
    owns = not overridden and not folder.is_absolute() and folder != Path(".") \
        and ".." not in folder.parts
    return Config(
        path=path,
        database=(Path(db) if overridden else base / db),
        seed_paths=tuple(base / p for p in raw.get("seeds", {}).get("paths", ())),
        feeds=feeds,
        fetch=fetch,
        default_interval=default_interval,
        seeds_interval=parse_duration(raw.get("schedule", {}).get("seeds_interval",
                                                                  DEFAULT_SEEDS_INTERVAL)),
        raw=raw,
        notify=_notify(raw.get("notify")),
        owns_state_dir=owns,
    )


def _notify(table: dict[str, Any] | None) -> Notify | None:
    if not table or not table.get("urls"):
        return None
    return Notify(urls=tuple(table["urls"]),
                  min_severity=table.get("min_severity", DEFAULT_NOTIFY_MIN_SEVERITY),
                  retry_for=parse_duration(table.get("retry_for", DEFAULT_NOTIFY_RETRY_FOR)))


def _feed_tables(raw: dict[str, Any]) -> list[Any]:
    feeds = raw.get("feeds", [])
    return feeds if isinstance(feeds, list) else []


def _semantic_problems(raw: dict[str, Any]) -> list[str]:
    """What a schema cannot say: duplicate ids and feeds, unreadable dates."""
    out: list[str] = []
    seen_urls: set[str] = set()
    for i, f in enumerate(_feed_tables(raw)):
        url = f.get("url") if isinstance(f, dict) else None
        if isinstance(url, str):
            # Feeds are stored under their redacted URL: two that differ only in
            # a key or password would share one row.
            shown = redact_url(url)
            if shown in seen_urls:
                out.append(f"feeds[{i}].url: duplicate feed {shown!r}"
                           + (" (once its credentials are hidden)" if shown != url else ""))
            seen_urls.add(shown)
    wl = raw.get("watchlist", {})
    for kind in ("actors", "events"):
        ids: set[str] = set()
        entries = wl.get(kind, ()) if isinstance(wl, dict) else ()
        for i, e in enumerate(entries if isinstance(entries, list) else ()):
            if not isinstance(e, dict):
                continue
            if e.get("id") in ids:
                out.append(f"watchlist.{kind}[{i}].id: duplicate id {e.get('id')!r}")
            if isinstance(e.get("id"), str):
                ids.add(e["id"])
            aliases = e["aliases"] if isinstance(e.get("aliases"), list) else []
            for j, a in enumerate(aliases):
                for key in ("from", "until"):
                    if isinstance(a, dict) and isinstance(a.get(key), str):
                        try:
                            date.fromisoformat(a[key])
                        except ValueError:
                            out.append(f"watchlist.{kind}[{i}].aliases[{j}].{key}: "
                                       f"not a date (YYYY-MM-DD): {a[key]!r}")
    return out
