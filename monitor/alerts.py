"""Article + decision -> alert record (the contract's alert JSON)."""

from __future__ import annotations

import hashlib
from typing import Any

from .article import Article
from .dates import now_rfc3339
from .rules import Counted, Decision
from .severity import score as score_of
from .severity import severity as severity_of
from .watchlist import ACTOR, EVENT, Watchlist

SNIPPET_CHARS = 80  # characters of context on each side of a piece of evidence
# Spans kept per actor/event: `mentions` still counts them all, and
# `evidence_omitted` says how many spans were left out (a long report can name
# Haftar thousands of times; the alert stays small and its snippets few).
EVIDENCE_PER_ID = 3


def alert_id(article_id: str, watchlist_version: str) -> str:
    """Stable: one alert per article per watchlist version."""
    return "a" + hashlib.sha256(f"{article_id}|{watchlist_version}".encode()).hexdigest()[:16]


def snippet(text: str, start: int, end: int, width: int = SNIPPET_CHARS) -> str:
    """The evidence with some words around it, on one line."""
    lo, hi = max(0, start - width), min(len(text), end + width)
    # Do not cut words in half at the edges.
    while lo > 0 and not text[lo - 1].isspace() and start - lo < width + 20:
        lo -= 1
    while hi < len(text) and not text[hi].isspace() and hi - end < width + 20:
        hi += 1
    s = " ".join(text[lo:hi].split())
    return ("…" if lo > 0 else "") + s + ("…" if hi < len(text) else "")


def _evidence(kind: str, c: Counted, text: str) -> dict[str, Any]:
    h = c.hit
    return {
        "kind": kind,
        "id": h.term.id,
        "text": h.text,
        "start": h.start,
        "end": h.end,
        "snippet": snippet(text, h.start, h.end),
        "alias": h.term.alias + ("*" if h.term.prefix else ""),
        "rule": c.rule,
    }


def in_text_order(found: dict[str, list[Counted]]) -> list[str]:
    """The ids found, by where each is first mentioned (the alert's order)."""
    return [i for i, _ in sorted(found.items(), key=lambda kv: kv[1][0].hit.start)]


def build_alert(article: Article, decision: Decision, watchlist: Watchlist, *,
                story_id: str | None = None, sources: int = 1,
                created_at: str | None = None) -> dict[str, Any]:
    """The alert record for an article the policy flags."""
    def group(kind: str, found: dict[str, list[Counted]]) -> list[dict[str, Any]]:
        return [{"id": i, "name": watchlist.entry(kind, i).name, "mentions": len(found[i])}
                for i in in_text_order(found)]

    evidence = []
    omitted = 0
    if decision.context is not None:
        evidence.append(_evidence("context", decision.context, article.text))
    for kind, found in ((ACTOR, decision.actors), (EVENT, decision.events)):
        for cs in found.values():
            evidence.extend(_evidence(kind, c, article.text) for c in cs[:EVIDENCE_PER_ID])
            omitted += max(0, len(cs) - EVIDENCE_PER_ID)
    evidence.sort(key=lambda e: (e["start"], e["kind"]))
    libyan = sum(1 for i in decision.actors if watchlist.entry(ACTOR, i).libyan)
    value = score_of(decision.events, libyan, sources)
    return {
        "id": alert_id(article.id, watchlist.version),
        "article": {
            "id": article.id,
            "title": article.title,
            "url": article.url,
            "source": article.source,
            "published_at": article.published_at,
            "guid": article.guid,
        },
        "actors": group(ACTOR, decision.actors),
        "events": group(EVENT, decision.events),
        "severity": severity_of(value),
        "score": value,
        "evidence": evidence,
        "evidence_omitted": omitted,
        "reason": decision.reason,
        "created_at": created_at or now_rfc3339(),
        "watchlist_version": watchlist.version,
        "story_id": story_id or ("s" + article.id[1:]),
    }
