"""Notifications: one message per new story at or above [notify] min_severity.

Sent through apprise (the optional `notify` extra), whose URLs reach mail, chat
and push services. State lives in the `notifications` table (story_id, status,
attempts): a story is sent once; a failed send is logged and retried with
back-off (RETRY_FIRST doubling to RETRY_CAP) until [notify] retry_for (a day by
default) has passed since its first try, then marked `gave_up`. A given-up
message makes `monitor status` unhealthy and `monitor notify` exit 1 (which
tries it once more) until it is sent or its story is acked. Nothing here
ever raises into the cycle that calls it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from . import dates
from .config import Config
from .severity import SEVERITIES
from .store import transaction
from .terminal import clean, truncate

log = logging.getLogger(__name__)

RETRY_FIRST = 60.0  # seconds before the first retry of a failed send; doubles each time
RETRY_CAP = 3600.0  # the longest wait between two tries
WINDOW = timedelta(days=1)  # only stories last seen this recently: enabling notify on an
#                             old database must not send its whole history

Sender = Callable[[str, str], bool]  # (title, body) -> delivered


@dataclass
class NotifyReport:
    enabled: bool = True
    sent: list[str] = field(default_factory=list)  # story ids
    failed: list[str] = field(default_factory=list)  # failed this time, retried later
    gave_up: list[str] = field(default_factory=list)  # failed past [notify] retry_for
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line for the cycle's summary."""
        if not self.enabled:
            return "notify: off (no [notify] urls)"
        line = f"notify: {len(self.sent)} sent, {len(self.failed)} failed (retried later)"
        return line + (f", {len(self.gave_up)} given up" if self.gave_up else "")


def retry_delay(attempts: int) -> float:
    """Seconds to wait after `attempts` failed tries: RETRY_FIRST doubling to RETRY_CAP."""
    return min(RETRY_FIRST * 2 ** min(max(attempts, 1) - 1, 30), RETRY_CAP)


def message(story: dict[str, Any], alert: dict[str, Any]) -> tuple[str, str]:
    """The title and body of a story's message (untrusted text cleaned)."""
    art = alert["article"]
    sev = story.get("severity") or alert["severity"]
    title = truncate(f"[{sev.upper()}] {clean(art['title'])}", 200)
    n = story.get("sources") or 1
    lines = [
        f"{n} source{'' if n == 1 else 's'}, first seen {story.get('first_seen_at')}",
        "Actors: " + (", ".join(x["id"] for x in alert["actors"]) or "-"),
        "Events: " + (", ".join(x["id"] for x in alert["events"]) or "-"),
    ]
    if art.get("url"):
        lines.append(clean(art["url"]))
    lines.append(f"monitor show {alert['id']}")
    return title, "\n".join(lines)


def pending(db: Database, min_severity: str, now: datetime | None = None,
            retry_given_up: bool = False) -> list[dict[str, Any]]:
    """Stories to send now: new (severe enough, recent), or failed and due for a retry."""
    now = now or dates.now()
    rows = db.query(
        "select s.*, n.status as n_status, n.attempts as n_attempts, "
        "n.last_attempt_at as n_last_attempt_at from stories s "
        "left join notifications n on n.story_id = s.id "
        "where s.merged_into is null and ((n.status is null and s.last_seen_at >= ? "
        "and s.severity_rank >= ?) or n.status = 'failed' or (? and n.status = 'gave_up')) "
        "order by s.first_seen_at, s.id",
        [dates.ago(WINDOW, now), SEVERITIES.index(min_severity), int(retry_given_up)])
    return [r for r in rows if r["n_status"] != "failed" or _due(r, now)]


def _due(row: dict[str, Any], now: datetime) -> bool:
    last = dates.parse(row["n_last_attempt_at"])
    return last is None or now >= last + timedelta(seconds=retry_delay(row["n_attempts"] or 1))


def given_up(db: Database) -> list[dict[str, Any]]:
    """Given-up messages of stories not yet handled (a current alert not acked)."""
    if "notifications" not in db.table_names():
        return []
    return list(db.query(
        "select * from notifications n where n.status = 'gave_up' and exists "
        "(select 1 from alerts a where a.story_id = n.story_id and a.current = 1 "
        "and a.acked_at is null) order by n.created_at"))


def apprise_sender(urls: Sequence[str]) -> Sender:
    """A sender for these apprise URLs; RuntimeError if apprise is missing or a URL is bad."""
    try:
        import apprise
    except ImportError:
        raise RuntimeError("notifications need apprise: pip install 'libya-monitor[notify]'")
    ap = apprise.Apprise()
    bad = [u for u in urls if not ap.add(u)]
    if bad:  # the URL itself is not logged: it may carry a password or token
        raise RuntimeError(f"{len(bad)} of the [notify] urls are not valid apprise URLs")

    def send(title: str, body: str) -> bool:
        return bool(ap.notify(body=body, title=title))

    return send


def _record(db: Database, story_id: str, ok: bool, error: str | None, now: datetime,
            retry_for: float) -> str:
    """Store one try; returns the story's status: sent, failed or gave_up."""
    rows = list(db.query("select * from notifications where story_id = ?", [story_id]))
    old = rows[0] if rows else None
    at = dates.rfc3339(now)
    created = old["created_at"] if old else at
    first = dates.parse(created) or now
    expired = now >= first + timedelta(seconds=retry_for) or (old and old["status"] == "gave_up")
    status = "sent" if ok else ("gave_up" if expired else "failed")
    db.table("notifications").upsert({
        "story_id": story_id, "status": status,
        "attempts": (old["attempts"] if old else 0) + 1, "last_error": error,
        "created_at": created, "last_attempt_at": at,
        "sent_at": at if ok else None}, pk="story_id")
    return status


def notify_new_stories(db: Database, cfg: Config, sender: Sender | None = None, *,
                       now: datetime | None = None, retry_given_up: bool = False
                       ) -> NotifyReport:
    """Send one message per new story; failures are recorded, logged, never raised.

    `retry_given_up` (the `monitor notify` command) tries given-up messages once more.
    """
    if cfg.notify is None:
        return NotifyReport(enabled=False)
    now = now or dates.now()
    report = NotifyReport()
    todo = pending(db, cfg.notify.min_severity, now, retry_given_up)
    if not todo:
        return report
    send: Sender | None = sender
    setup_error = None
    if send is None:
        try:
            send = apprise_sender(cfg.notify.urls)
        except RuntimeError as exc:  # recorded as a failed try of each story: it gives up too
            log.error("notify: %s", exc)
            report.errors.append(str(exc))
            setup_error = str(exc)
    for story in todo:
        row = db.execute("select data from alerts where story_id = ? and current = 1 "
                         "order by severity_rank desc, first_seen_at desc limit 1",
                         [story["id"]]).fetchone()
        if row is None:
            continue
        title, body = message(story, json.loads(row[0]))
        error = setup_error
        ok = False
        if send is not None:
            try:
                ok = send(title, body)
            except Exception as exc:  # a notifier's bug must not stop the others or the cycle
                ok, error = False, f"{type(exc).__name__}: {exc}"
        if not ok:
            error = error or "not delivered (see the log)"
            log.warning("notify: story %s: %s", story["id"], error)
            if setup_error is None:
                report.errors.append(f"story {story['id']}: {error}")
        with transaction(db):
            status = _record(db, story["id"], ok, error, now, cfg.notify.retry_for)
        {"sent": report.sent, "failed": report.failed,
         "gave_up": report.gave_up}[status].append(story["id"])
    return report


def send_test(cfg: Config, sender: Sender | None = None) -> bool:
    """Send a test message to every configured URL."""
    if cfg.notify is None:
        raise RuntimeError("no [notify] urls in the configuration")
    send = sender or apprise_sender(cfg.notify.urls)
    return send("libya-monitor test", "A test message from `monitor notify --test`.")
