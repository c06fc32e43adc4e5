"""Notifications: one message per new story at or above [notify] min_severity.

Sent through apprise (the optional `notify` extra), whose URLs reach mail, chat
and push services. State lives in the `notifications` table (story_id, status,
attempts): a story is sent once; a failed send is logged and retried on the next
call, up to MAX_ATTEMPTS; nothing here ever raises into the cycle that calls it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from .article import now_rfc3339
from .config import Config
from .redact import redact_text
from .severity import SEVERITIES
from .store import transaction
from .terminal import clean, truncate

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # then the story is marked `gave_up` (a broken URL must not retry forever)
WINDOW = timedelta(days=1)  # only stories last seen this recently: enabling notify on an
#                             old database must not send its whole history

Sender = Callable[[str, str], bool]  # (title, body) -> delivered


@dataclass
class NotifyReport:
    enabled: bool = True
    sent: list[str] = field(default_factory=list)  # story ids
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line for the cycle's summary."""
        if not self.enabled:
            return "notify: off (no [notify] urls)"
        return f"notify: {len(self.sent)} sent, {len(self.failed)} failed (retried next cycle)"


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


def pending(db: Database, min_severity: str, now: datetime | None = None
            ) -> list[dict[str, Any]]:
    """Stories to send: severe enough, recent, not sent, not given up on."""
    since = ((now or datetime.now(UTC)) - WINDOW).strftime("%Y-%m-%dT%H:%M:%SZ")
    return list(db.query(
        "select s.* from stories s left join notifications n on n.story_id = s.id "
        "where s.last_seen_at >= ? and s.severity_rank >= ? "
        "and (n.status is null or n.status = 'failed') order by s.first_seen_at, s.id",
        [since, SEVERITIES.index(min_severity)]))


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


def _record(db: Database, story_id: str, ok: bool, error: str | None, now: str) -> None:
    rows = list(db.query("select * from notifications where story_id = ?", [story_id]))
    old = rows[0] if rows else None
    attempts = (old["attempts"] if old else 0) + 1
    status = "sent" if ok else ("gave_up" if attempts >= MAX_ATTEMPTS else "failed")
    db.table("notifications").upsert({
        "story_id": story_id, "status": status, "attempts": attempts, "last_error": error,
        "created_at": old["created_at"] if old else now, "last_attempt_at": now,
        "sent_at": now if ok else None}, pk="story_id")


def notify_new_stories(db: Database, cfg: Config, sender: Sender | None = None
                       ) -> NotifyReport:
    """Send one message per new story; failures are recorded, logged, never raised."""
    if cfg.notify is None:
        return NotifyReport(enabled=False)
    report = NotifyReport()
    todo = pending(db, cfg.notify.min_severity)
    if not todo:
        return report
    try:
        send = sender or apprise_sender(cfg.notify.urls)
    except RuntimeError as exc:
        log.error("notify: %s", exc)
        report.errors.append(str(exc))
        report.failed = [s["id"] for s in todo]
        return report
    for story in todo:
        row = db.execute("select data from alerts where story_id = ? and current = 1 "
                         "order by severity_rank desc, first_seen_at desc limit 1",
                         [story["id"]]).fetchone()
        if row is None:
            continue
        title, body = message(story, json.loads(row[0]))
        error = None
        try:
            ok = send(title, body)
        except Exception as exc:  # a notifier's bug must not stop the others or the cycle
            ok, error = False, redact_text(f"{type(exc).__name__}: {exc}")  # URLs hold tokens
        if not ok:
            error = error or "not delivered (see the log)"
            log.warning("notify: story %s: %s", story["id"], error)
            report.failed.append(story["id"])
            report.errors.append(f"story {story['id']}: {error}")
        else:
            report.sent.append(story["id"])
        with transaction(db):
            _record(db, story["id"], ok, error, now_rfc3339())
    return report


def send_test(cfg: Config, sender: Sender | None = None) -> bool:
    """Send a test message to every configured URL."""
    if cfg.notify is None:
        raise RuntimeError("no [notify] urls in the configuration")
    send = sender or apprise_sender(cfg.notify.urls)
    return send("libya-monitor test", "A test message from `monitor notify --test`.")
