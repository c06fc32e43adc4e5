"""`monitor feeds`: every configured feed's health, as a table or JSON.

One query (`health`) feeds both renderers. All feed-derived text (names,
URLs, titles, errors) passes through `clean()` before it reaches a terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from . import inert, store
from .config import Config
from .feeds import load_state, next_due, ts
from .terminal import clean, truncate

_TEXT = ("name", "url", "current_url", "title", "last_status", "last_error", "etag",
         "last_modified")


def health(db: Database, cfg: Config, now: datetime | None = None) -> list[dict[str, Any]]:
    """One record per configured feed: config and stored state, text made inert."""
    now = now or datetime.now(UTC)
    out = []
    for feed in cfg.feeds:
        state = load_state(db, feed)
        due = next_due(db, feed, now) if feed.enabled else None
        rec = {
            "name": feed.name, "url": feed.url, "current_url": state.get("current_url"),
            "enabled": feed.enabled, "interval": feed.interval,
            "title": state.get("title"),
            "last_fetch_at": state.get("last_fetch_at"),
            "last_status": state.get("last_status"),
            "last_success_at": state.get("last_success_at"),
            "failures": state.get("failures") or 0,
            "gone": bool(state.get("gone")),
            "retry_after_until": state.get("retry_after_until"),
            "next_due_at": ts(due) if due else None,
            "entries_seen": state.get("entries_seen") or 0,
            "last_error": state.get("last_error"),
            "etag": state.get("etag"), "last_modified": state.get("last_modified"),
        }
        for k in _TEXT:
            if rec[k] is not None:
                rec[k] = clean(rec[k])
        out.append(rec)
    return out


# What `monitor feeds --reset` forgets: errors, back-off, 410, Retry-After, a remembered
# move and the validators that went with it. Kept: the title, the last success, counts.
RESET = {"gone": 0, "failures": 0, "retry_after_until": None, "next_due_at": None,
         "last_error": None, "last_status": None, "last_fetch_at": None, "current_url": None,
         "etag": None, "last_modified": None, "body_hash": None}


def reset(db: Database, cfg: Config, names: Iterable[str]) -> list[str]:
    """Bring feeds (by configured name or URL) back: due at once, as if never polled.

    Raises KeyError naming every unknown feed; then nothing is reset.
    """
    wanted = list(dict.fromkeys(names))
    by_key = {f.name: f for f in cfg.feeds} | {f.url: f for f in cfg.feeds}
    unknown = [n for n in wanted if n not in by_key]
    if unknown:
        raise KeyError(", ".join(unknown))
    done = []
    with store.transaction(db):
        for n in wanted:
            feed = by_key[n]
            if db.table("feeds").count_where("url = ?", [feed.url]):
                db.table("feeds").update(feed.url, RESET)
            done.append(feed.name)
    return done


def _when(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else "-"


def _next(rec: dict[str, Any]) -> str:
    if not rec["enabled"]:
        return "disabled"
    if rec["gone"]:
        return "never (gone)"
    if rec["last_fetch_at"] is None:
        return "now (new)"
    return _when(rec["next_due_at"])


def render_table(records: list[dict[str, Any]], width: int = 120) -> str:
    """A fixed-width table: name, status, last success, failures, next due, URL, error."""
    if not records:
        return "No feeds configured."
    head = (f"{'NAME':<24}{'STATUS':<11}{'LAST SUCCESS':<18}{'FAILS':<7}{'NEXT DUE':<18}"
            "URL / LAST ERROR")
    rest = max(30, width - 78)
    lines = [head]
    for r in records:
        status = r["last_status"] or "never"
        if r["gone"]:
            status = "gone"
        lines.append(f"{truncate(r['name'], 23):<24}{truncate(status, 10):<11}"
                     f"{_when(r['last_success_at']):<18}{r['failures']:<7}"
                     f"{truncate(_next(r), 17):<18}{truncate(r['url'], rest)}")
        if r["current_url"] and r["current_url"] != r["url"]:
            lines.append(" " * 78 + truncate("moved to " + r["current_url"], rest))
        if r["last_error"]:
            lines.append(" " * 78 + truncate(r["last_error"], rest))
    return "\n".join(lines)


def render_json(records: list[dict[str, Any]]) -> str:
    return inert.dumps(records)
