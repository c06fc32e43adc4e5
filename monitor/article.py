"""The one shape every source produces: an Article, with a stable id."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from . import dates
from .dates import now_rfc3339, to_rfc3339

__all__ = ["Article", "canonical_url", "make_article", "make_id", "now_rfc3339",
           "to_rfc3339"]

# Query parameters that only track the reader, never change the article.
_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid", "at_medium",
             "at_campaign", "smid", "ref", "src")


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str  # title + body: evidence offsets point into this string
    source: str  # where it came from: a file path (with :line) or a feed URL
    source_kind: str  # seed | file | feed
    url: str | None = None
    published_at: str | None = None  # RFC 3339, UTC, or None
    guid: str | None = None  # the source's own id for the item, if any

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Article:
        """The Article of an `articles` table row."""
        return cls(row["id"], row["title"], row["text"], row["source"], row["source_kind"],
                   row["url"], row["published_at"], row["guid"])

    @property
    def canonical_url(self) -> str | None:
        return canonical_url(self.url) if self.url else None

    @property
    def item_id(self) -> str | None:
        """The id of (canonical URL, GUID): tells apart distinct items that share a link."""
        canon = self.canonical_url
        return "u" + _digest(canon, self.guid) if canon and self.guid else None

    @property
    def published_date(self) -> date | None:
        dt = dates.parse(self.published_at)
        return dt.date() if dt else None


@lru_cache(maxsize=4096)  # asked for by id, identity and storing: worked out once
def canonical_url(url: str) -> str | None:
    """Lower-case scheme and host, no fragment, no tracking parameters."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(_TRACKING)]
    path = parts.path or "/"
    if path != "/" and path.endswith("/"):
        path = path[:-1]
    host = parts.netloc.lower()
    if host.startswith("www."):
        host = host[4:]
    # http and https copies of one page are the same article.
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))


def _digest(*parts: str) -> str:
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return h[:20]


def make_id(*, url: str | None, guid: str | None, scope: str, title: str, text: str) -> str:
    """Stable article id: canonical URL, else the source's GUID, else content.

    The canonical URL comes first so the same article reached through two
    feeds (with two different GUIDs) is one article. Items of one source that
    share a link but not a GUID (a feed linking every item to its home page)
    are told apart by `Article.item_id` when they are stored (identity.py).
    """
    canon = canonical_url(url) if url else None
    if canon:
        return "u" + _digest(canon)
    if guid:
        return "g" + _digest(scope, guid)
    body = unicodedata.normalize("NFKC", f"{title}\n{text}").casefold()
    return "c" + _digest(" ".join(body.split()))


def make_article(*, title: str, body: str, source: str, source_kind: str,
                 url: str | None = None, published_at: str | None = None,
                 guid: str | None = None, scope: str = "") -> Article:
    """Build an Article; its text is the title, a blank line, then the body."""
    title = " ".join((title or "").split())
    body = (body or "").strip()
    if body.startswith(title) and title:
        text = body  # the title is already the body's first line
    else:
        text = f"{title}\n\n{body}" if body else title
    if url and not canonical_url(url):
        url = None  # only http(s) links are kept: feed text never names a file to open
    aid = make_id(url=url, guid=guid, scope=scope or source, title=title, text=body)
    return Article(aid, title, text, source, source_kind, url or None,
                   to_rfc3339(published_at), guid)
