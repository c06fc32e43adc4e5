"""Parse RSS/Atom bytes into Articles with feedparser (never from a URL)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from typing import Any

import feedparser

from .. import dates
from ..article import Article, make_article
from ..normalize import html_to_text
from . import Problem
from .limits import MAX_TITLE_CHARS, checked, storable

# feedparser never fetches external entities when given bytes. It resolves an
# entry's own links whatever these options say; its HTML sanitiser and its
# rewriting of links inside content are for programs that show the HTML. We
# never do: every piece of markup becomes plain text (normalize.html_to_text,
# which drops script and style content as the sanitiser would), and that text is
# made inert wherever it is printed. Skipping them halves feedparser's time on
# full-content feeds (benchmarks/ingest_vs_parse.py).
_OPTIONS = {"sanitize_html": False, "resolve_relative_uris": False}
_DRIVER = "monitor.sources.saxdriver"  # expat, text buffered (see saxdriver.py)
if _DRIVER not in feedparser.api.PREFERRED_XML_PARSERS:
    feedparser.api.PREFERRED_XML_PARSERS.insert(0, _DRIVER)

FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf", ".feed")

# feedparser drops risky entity declarations only from a DOCTYPE at the start of a
# line; elsewhere expat expands them until its amplification limit stops it (seconds
# of work per feed). We keep only plain-text entities, wherever the DOCTYPE sits.
_PROLOG = 64 * 1024  # a DOCTYPE further in than this is no prolog: left to expat's limits
# Every DOCTYPE in the prolog is cleaned (one inside a comment must not shield
# the real one), in one pass: each search result is reused while it lies ahead,
# so many unclosed "<!DOCTYPE [" cost one scan, not one scan each.
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_SUBSET_OR_END = re.compile(rb"[\[>]")
_SUBSET_END = re.compile(rb"\]\s*>")
_PLAIN_ENTITY = re.compile(rb'<!ENTITY\s+[\w.-]+\s+"[^&%"<]*"\s*>')


def strip_entities(body: bytes) -> bytes:
    """Drop DTD declarations that could expand or fetch (billion laughs, XXE)."""
    head = body[:_PROLOG]
    out: list[bytes] = []
    pos = 0
    opening = closing = None
    for m in _DOCTYPE.finditer(head):
        if m.start() < pos:
            continue  # inside a subset already cleaned
        if opening is None or opening.start() < m.end():
            opening = _SUBSET_OR_END.search(head, m.end())
        if opening is None:
            break
        if opening.group() != b"[":
            continue  # no internal subset: nothing declared
        if closing is None or closing.start() < opening.end():
            closing = _SUBSET_END.search(head, opening.end())
        if closing is None:
            break
        kept = _PLAIN_ENTITY.findall(head, opening.end(), closing.start())
        out += [body[pos:opening.end()], *kept, b"]>"]
        pos = closing.end()
    return b"".join(out) + body[pos:] if out else body


def looks_like_feed(head: bytes) -> bool:
    """Sniff the first bytes of a file for an RSS/Atom/RDF document."""
    h = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return h.startswith(b"<?xml") or h.startswith(b"<rss") or h.startswith(b"<feed") \
        or h.startswith(b"<rdf")


def _published(entry: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The entry's date (published, else updated, else created) and why one was dropped."""
    why = None
    for key in ("published", "updated", "created"):
        # feedparser's parsed tuple, else its raw text (a format feedparser cannot read)
        for value in (entry.get(f"{key}_parsed"), entry.get(key)):
            if not value:
                continue
            text, problem = dates.read(value)
            if text:
                return text, None
            why = why or f"{key}: {problem}"
    return None, why


def _body(entry: Mapping[str, Any]) -> str:
    parts = []
    for c in entry.get("content") or ():
        if isinstance(c, Mapping) and c.get("value"):
            parts.append(c["value"])
    if not parts:
        parts.append(entry.get("summary") or entry.get("description") or "")
    return html_to_text("\n\n".join(str(p) for p in parts))


def parse_feed(body: bytes, source: str, *, headers: Mapping[str, str] | None = None,
               source_kind: str = "feed") -> tuple[list[Article], list[Problem], dict[str, Any]]:
    """Parse feed bytes. Returns articles, problems and feed-level info (title), all
    made storable (limits.checked)."""
    problems: list[Problem] = []
    try:
        parsed = feedparser.parse(io.BytesIO(strip_entities(body)),
                                  response_headers=dict(headers or {}), **_OPTIONS)
    except Exception as exc:  # feedparser should never raise; if it does, report it
        problem = Problem(source, f"not a readable feed: {exc}")
        return [], [p for p in checked(problem) if isinstance(p, Problem)], {}
    if parsed.get("bozo"):
        bozo = parsed.get("bozo_exception")
        level = "warning" if parsed.entries else "error"
        problems.append(Problem(source, f"ill-formed feed: {type(bozo).__name__}: {bozo}",
                                level=level))
    if not parsed.entries and not parsed.get("bozo") and not parsed.feed:
        problems.append(Problem(source, "not a feed: no channel and no entries"))
    seen: dict[str, int] = {}
    articles: list[Article] = []
    for n, entry in enumerate(parsed.entries):
        try:
            items = _entry(entry, n, seen, source, source_kind)
        except Exception as exc:  # one odd entry is that entry's problem, not the feed's
            items = [Problem(source, f"entry {n + 1} cannot be read: {type(exc).__name__}: "
                             f"{exc}")]
        for item in items:
            if isinstance(item, Article):
                articles.append(item)
            else:
                problems.append(item)
    info = {"title": html_to_text(str(parsed.feed.get("title") or "")) if parsed.feed else ""}
    out_articles: list[Article] = []
    out_problems: list[Problem] = []
    every: list[Article | Problem] = [*problems, *articles]
    for one in every:
        for x in checked(one):  # storable text; long articles cut, with a warning
            if isinstance(x, Article):
                out_articles.append(x)
            else:
                out_problems.append(x)
    return out_articles, out_problems, {"title": storable(info["title"])[:MAX_TITLE_CHARS]}


def _entry(entry: Mapping[str, Any], n: int, seen: dict[str, int], source: str,
           source_kind: str) -> list[Article | Problem]:
    """One entry as an Article (with a warning for a date dropped), or a Problem."""
    title = html_to_text(str(entry.get("title") or ""))
    text = _body(entry)
    link = entry.get("link") or None
    guid = entry.get("id") or None
    if guid:
        # A GUID repeated inside one feed names two items: tell them apart.
        k = seen.get(guid, 0)
        seen[guid] = k + 1
        if k:
            guid = f"{guid}#{k}"
    if not title and not text:
        return [Problem(source, f"entry {n + 1} has no title and no text", level="warning")]
    out: list[Article | Problem] = []
    published, why = _published(entry)
    if why:
        out.append(Problem(source, f"entry {n + 1}: {why}; stored without a date",
                           level="warning"))
    out.append(make_article(title=title, body=text, source=source, source_kind=source_kind,
                            url=link, published_at=published, guid=guid, scope=source))
    return out


def iter_feed_articles(body: bytes, source: str) -> Iterator[Article | Problem]:
    arts, probs, _ = parse_feed(body, source, source_kind="file")
    yield from probs
    yield from arts
