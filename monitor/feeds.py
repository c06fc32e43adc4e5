"""Feed polling: per-feed state in the `feeds` table, one poll, and a cycle of polls.

Fetching runs in worker threads (it only touches the network); parsing,
matching and storing run in the calling thread, because a SQLite connection
belongs to the thread that opened it. `poll_feed` polls one feed (what a
scheduler calls per feed); `poll_feeds` polls every due feed of a cycle.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from . import dates
from .config import Config, Feed
from .pipeline import Counts, Engine, ingest
from .sources.feedparse import parse_feed
from .sources.fetch import FetchResult, fetch, read_local
from .store import transaction

BACKOFF_START = 15 * 60.0  # first wait after a failure; doubles with each failure in a row
BACKOFF_CAP = 24 * 3600.0  # the longest wait after failures (unless the interval is longer)
RETRY_AFTER_CAP = 7 * 86400.0  # a Retry-After further away than a week is read as a week
WAIT_CODES = (429, 503)  # the server asks us to wait: honoured, not counted as a failure
_DROP_HEADERS = ("content-encoding", "content-length", "transfer-encoding")  # body decoded


def ts(dt: datetime) -> str:
    """datetime -> RFC 3339 UTC, to the second."""
    return dates.rfc3339(dt)


def parse_ts(text: str | None) -> datetime | None:
    """RFC 3339 (as stored) -> aware datetime, or None."""
    return dates.parse(text)


def backoff(failures: int, interval: float) -> float:
    """Seconds to wait after `failures` in a row: 15 min doubling to 24 h, >= interval."""
    if failures <= 0:
        return interval
    return max(interval, min(BACKOFF_START * 2 ** min(failures - 1, 32), BACKOFF_CAP))


def retry_after(value: str | None, now: datetime) -> datetime | None:
    """A Retry-After header (seconds or an HTTP date) -> the time to wait until."""
    if not value:
        return None
    value = value.strip()
    try:
        secs = float(value) if value.isdigit() else None
        when = now + timedelta(seconds=secs) if secs is not None \
            else parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(when, now), now + timedelta(seconds=RETRY_AFTER_CAP))


def load_state(db: Database, feed: Feed) -> dict[str, Any]:
    """The feed's stored row, or an empty one for a feed never polled."""
    rows = list(db.query("select * from feeds where url = ?", [feed.url]))
    return rows[0] if rows else {"url": feed.url, "failures": 0, "gone": 0, "entries_seen": 0}


def skip_reason(state: dict[str, Any], now: datetime) -> str | None:
    """Why a feed must not be polled now even when forced, or None."""
    if state.get("gone"):
        return f"gone (HTTP 410 at {state.get('last_fetch_at')}): polling stopped"
    until = parse_ts(state.get("retry_after_until"))
    if until and until > now:
        return f"server asked to wait until {ts(until)}"
    return None


def next_due(db: Database, feed: Feed, now: datetime | None = None) -> datetime | None:
    """When `feed` should next be polled: None if gone; `now` if never polled."""
    now = now or datetime.now(UTC)
    state = load_state(db, feed)
    if state.get("gone"):
        return None
    last = parse_ts(state.get("last_fetch_at"))
    if last is None:
        return now
    due = last + timedelta(seconds=backoff(state.get("failures") or 0, feed.interval))
    until = parse_ts(state.get("retry_after_until"))
    return max(due, until) if until else due


@dataclass
class Outcome:
    """What polling one feed did: counts, and a one-line note unless all went well."""

    feed: Feed
    status: str  # ok | unchanged | not_modified | failed | wait | gone | skipped
    counts: Counts = field(default_factory=Counts)
    note: str | None = None  # e.g. "unreachable (ConnectError: ...)"

    @property
    def line(self) -> str | None:
        return f"  feed {self.feed.name}: {self.note}" if self.note else None


def fetch_feed(cfg: Config, feed: Feed, state: dict[str, Any]) -> FetchResult:
    """Fetch a feed's current body (thread-safe: no database)."""
    if feed.is_local:
        return read_local(feed.url, cfg.base, cfg.fetch.max_bytes)
    return fetch(state.get("current_url") or feed.url, cfg.fetch,
                 etag=state.get("etag"), last_modified=state.get("last_modified"))


def apply_result(db: Database, engine: Engine, feed: Feed, state: dict[str, Any],
                 res: FetchResult, now: datetime) -> Outcome:
    """Parse, match and store a fetched body; record the feed's new state."""
    row: dict[str, Any] = {"url": feed.url, "name": feed.name, "last_fetch_at": ts(now),
                           "last_status": res.kind if res.error else str(res.status)}
    if feed.is_local and res.status:
        row["last_status"] = "read"
    out = Outcome(feed, "ok")
    if res.error:
        out.status, out.note = "failed", res.error
    elif res.status == 410:
        row.update(gone=1, next_due_at=None, last_error="gone (HTTP 410): polling stopped")
        out.status, out.note = "gone", row["last_error"]
    elif res.status in WAIT_CODES:
        until = retry_after(res.headers.get("retry-after"), now) \
            or now + timedelta(seconds=feed.interval)
        row.update(retry_after_until=ts(until), last_error=f"HTTP {res.status} "
                   f"{_reason(res.status)}: waiting until {ts(until)}",
                   next_due_at=ts(max(until, now + timedelta(seconds=feed.interval))))
        out.status, out.note = "wait", row["last_error"]
    elif res.status == 304:
        out.status = "not_modified"
    elif res.status != 200:
        out.status = "failed"
        out.note = f"HTTP {res.status} {_reason(res.status or 0)}".strip()
    else:
        try:
            _apply_body(db, engine, feed, state, res, row, out)
        except sqlite3.OperationalError:
            raise  # the database's problem (locked, full): the job's, not the feed's
        except Exception as exc:  # a bug reading this body: a failed poll, backed off
            out.status, out.note = "failed", f"error ({type(exc).__name__}: {exc})"
    if out.status in ("ok", "unchanged", "not_modified"):
        row.update(failures=0, last_success_at=ts(now), retry_after_until=None,
                   next_due_at=ts(now + timedelta(seconds=feed.interval)))
        if not feed.is_local:
            row.update(etag=res.headers.get("etag"),
                       last_modified=res.headers.get("last-modified"))
            if out.status == "not_modified":  # a 304 may omit the validators: keep ours
                row.update(etag=row["etag"] or state.get("etag"),
                           last_modified=row["last_modified"] or state.get("last_modified"))
            if res.moved_to:
                row["current_url"] = res.moved_to
        row.setdefault("last_error", None)
    elif out.status == "failed":
        failures = (state.get("failures") or 0) + 1
        row.update(failures=failures, last_error=out.note, next_due_at=ts(
            now + timedelta(seconds=backoff(failures, feed.interval))))
    with transaction(db):
        db.table("feeds").upsert(row, pk="url")
    return out


def _apply_body(db: Database, engine: Engine, feed: Feed, state: dict[str, Any],
                res: FetchResult, row: dict[str, Any], out: Outcome) -> None:
    digest = hashlib.sha256(res.body).hexdigest()
    if digest == state.get("body_hash"):
        out.status = "unchanged"  # the server ignores validators; nothing new to parse
        return
    headers = {k: v for k, v in res.headers.items() if k not in _DROP_HEADERS}
    if not feed.is_local:
        headers["content-location"] = res.final_url  # base for relative links
    articles, problems, info = parse_feed(res.body, feed.url, headers=headers)
    out.counts = ingest(db, engine, [*problems, *articles])
    errors = [p.error for p in problems if p.level == "error"]
    warnings = [p.error for p in problems if p.level == "warning"]
    if errors and not articles:
        out.status, out.note = "failed", errors[0]
        return
    row.update(body_hash=digest, title=info.get("title") or None,
               entries_seen=(state.get("entries_seen") or 0) + len(articles),
               last_error=("warning: " + warnings[0]) if warnings else None)


def poll_feed(db: Database, cfg: Config, engine: Engine, feed: Feed, *,
              now: datetime | None = None) -> Outcome:
    """Poll one feed now (whatever its schedule, unless gone or asked to wait)."""
    now = now or datetime.now(UTC)
    state = load_state(db, feed)
    reason = skip_reason(state, now)
    if reason:
        return Outcome(feed, "skipped", note=f"skipped: {reason}")
    return apply_result(db, engine, feed, state, fetch_feed(cfg, feed, state), now)


@dataclass
class FeedsReport:
    outcomes: list[Outcome] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)

    def count(self, *statuses: str) -> int:
        return sum(o.status in statuses for o in self.outcomes)

    @property
    def lines(self) -> list[str]:
        return [o.line for o in self.outcomes if o.line]


def poll_feeds(db: Database, cfg: Config, engine: Engine, *, force: bool,
               now: datetime | None = None) -> FeedsReport:
    """Poll every enabled feed that is due (every one if `force`), in parallel."""
    now = now or datetime.now(UTC)
    report = FeedsReport()
    todo: list[tuple[Feed, dict[str, Any]]] = []
    for feed in cfg.feeds:
        if not feed.enabled:
            continue
        state = load_state(db, feed)
        reason = skip_reason(state, now)
        if reason:
            report.outcomes.append(Outcome(feed, "skipped", note=f"skipped: {reason}"))
        elif force or (due := next_due(db, feed, now)) is not None and due <= now:
            todo.append((feed, state))
    hosts: dict[str, threading.Semaphore] = {}
    for feed, state in todo:
        hosts.setdefault(_host(feed, state), threading.Semaphore(cfg.fetch.per_host))
    with ThreadPoolExecutor(max_workers=cfg.fetch.concurrency,
                            thread_name_prefix="feed-fetch") as pool:
        futures = {pool.submit(_guarded(hosts[_host(f, s)], fetch_feed), cfg, f, s): (f, s)
                   for f, s in todo}
        for fut in as_completed(futures):
            feed, state = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # a bug in fetching must not stop the other feeds
                res = FetchResult(feed.url, feed.url, error=f"error ({type(exc).__name__}: "
                                  f"{exc})", kind="error")
            out = apply_result(db, engine, feed, state, res, now)
            report.outcomes.append(out)
            report.counts.add(out.counts)
    order = {f.url: i for i, f in enumerate(cfg.feeds)}
    report.outcomes.sort(key=lambda o: order[o.feed.url])  # config order, not finish order
    return report


def _host(feed: Feed, state: dict[str, Any]) -> str:
    return "" if feed.is_local else (urlsplit(state.get("current_url") or feed.url)
                                     .hostname or "")


def _guarded(sem: threading.Semaphore, fn: Callable[..., FetchResult]
             ) -> Callable[..., FetchResult]:
    """fn, run while holding the host's semaphore (at most per_host in flight)."""
    def run(*args: Any) -> FetchResult:
        with sem:
            return fn(*args)
    return run


def _reason(status: int) -> str:
    """The reason phrase of an HTTP status ("" if unknown), as httpx.codes gives it."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
