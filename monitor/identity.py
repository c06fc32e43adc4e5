"""Article identity across a batch and the store: never merge two different items.

An article's id is its canonical URL, else its source's GUID (scoped by the
source), else its content (article.make_id). Two items can still arrive under
one id; `resolve` decides, against what the batch and the store already hold:

- the same item read again (same source, same GUID), or the same URL from
  another source (the contract: one article, stored once): not stored again;
- items of one source with one link but different GUIDs (a feed that links every
  item to its home page): different items, the later one stored under the id of
  (canonical URL, GUID);
- anything else with different content: a collision, recorded as a warning
  naming both sources (the first stays stored), never a silent drop.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from sqlite_utils import Database

from .article import Article
from .sources import Problem

_LINE = re.compile(r":\d+$")  # a file source names its line: "seeds/x.jsonl:12"


@dataclass(frozen=True)
class Held:
    """What already holds an id: a stored article or an earlier one of the batch."""

    source: str
    guid: str | None
    title: str
    text: str


def held(a: Article) -> Held:
    return Held(a.source, a.guid, a.title, a.text)


def origin(source: str) -> str:
    """The source without a line number: the feed, or the file."""
    return _LINE.sub("", source)


def _content(title: str, text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", f"{title}\n{text}").casefold().split())


def verdict(a: Article, h: Held) -> str:
    """same | distinct | collision: how `a` relates to the item already under its id."""
    if a.source == h.source and a.guid == h.guid:
        return "same"  # read again (perhaps edited): the first write wins
    same_origin = origin(a.source) == origin(h.source)
    if a.item_id and h.guid and a.guid != h.guid and same_origin:
        return "distinct"
    if a.id.startswith("u") and not same_origin:
        return "same"  # one URL reached through two sources: one article
    return "same" if _content(a.title, a.text) == _content(h.title, h.text) else "collision"


def stored(db: Database, ids: Iterable[str]) -> dict[str, Held]:
    """The stored articles holding these ids."""
    ids = list(dict.fromkeys(ids))
    out: dict[str, Held] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        q = ("select id, source, guid, title, text from articles where id in (%s)"
             % ",".join("?" * len(chunk)))
        for r in db.execute(q, chunk).fetchall():
            out[r[0]] = Held(r[1], r[2], r[3] or "", r[4] or "")
    return out


def resolve(batch: list[Article], lookup: Callable[[Iterable[str]], dict[str, Held]]
            ) -> tuple[list[Article], list[Problem]]:
    """The batch's articles to store (each under an id nothing holds) and the collisions."""
    known = lookup([x for a in batch for x in (a.id, a.item_id) if x])
    fresh: dict[str, Article] = {}
    problems: list[Problem] = []
    for a in batch:
        for _ in range(2):  # the article's id, then (if a distinct item) its item id
            h = held(fresh[a.id]) if a.id in fresh else known.get(a.id)
            if h is None:
                fresh[a.id] = a
                break
            v = verdict(a, h)
            if v == "distinct" and a.item_id and a.id != a.item_id:
                a = replace(a, id=a.item_id)
                continue
            if v == "collision":
                problems.append(collision(a, h))
            break
    return list(fresh.values()), problems


def collision(a: Article, h: Held) -> Problem:
    what = {"u": "link", "g": "id"}.get(a.id[:1], "content")
    return Problem(origin(a.source),
                   f"not stored: same {what} as a different article already read from "
                   f"{h.source} (article {a.id}, title {a.title[:80]!r}); the first is kept",
                   line=line_of(a.source), level="warning")


def line_of(source: str) -> int | None:
    m = _LINE.search(source)
    return int(m.group(0)[1:]) if m else None
