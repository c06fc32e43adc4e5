"""What one article may hold: caps on its title and text, and text SQLite can store.

Every reader passes what it yields through `checked`, so no source can hand the
pipeline an article too long to match in seconds, or a string that cannot be
written (a lone surrogate from a JSON escape or a file name; a NUL byte).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from ..article import Article
from . import Problem

# Characters of text kept per article (title + body). A UN Panel of Experts
# report runs to about 1.5 million characters; matching runs at roughly 1 MB/s
# of dense text, so the longest article costs seconds, never minutes. The rest
# is cut (at a word boundary) and the cut is recorded as a warning with the
# original size. Evidence offsets point into the kept text.
MAX_TEXT_CHARS = 2_000_000
MAX_TITLE_CHARS = 1_000  # a longer "title" is a body without line breaks: cut it
_CUT_SLACK = 200  # characters searched back from a limit for a space to cut at

# Lone surrogates cannot be encoded as UTF-8 (SQLite would refuse the whole
# batch); NUL ends strings in C and hides text on terminals.
_UNSTORABLE = re.compile("[\ud800-\udfff\x00]")


def storable(s: str) -> str:
    """`s` with lone surrogates replaced by U+FFFD and NUL characters removed."""
    if not _UNSTORABLE.search(s):
        return s
    # A valid surrogate pair (UTF-16 written as two escapes) becomes its character.
    s = s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return s.replace("\x00", "")


def _cut(s: str, limit: int) -> str:
    """The first `limit` characters of `s`, ending at a space when one is near."""
    if len(s) <= limit:
        return s
    space = max(s.rfind(" ", limit - _CUT_SLACK, limit + 1),
                s.rfind("\n", limit - _CUT_SLACK, limit + 1))
    return s[:space if space > 0 else limit].rstrip()


def checked(item: Article | Problem) -> Iterator[Article | Problem]:
    """The item made storable; an article over a limit is cut, with a warning first."""
    if isinstance(item, Problem):
        yield Problem(storable(item.source), storable(item.error), item.line,
                      storable(item.record) if item.record is not None else None, item.level)
        return
    a = item
    source = storable(a.source)
    # Only the fields that change: the usual article is passed on as it was built.
    fields = {k: kept for k, v in (("source", a.source), ("title", a.title), ("text", a.text),
                                   ("url", a.url), ("published_at", a.published_at),
                                   ("guid", a.guid))
              if v is not None and (kept := storable(v)) is not v}
    if fields:
        a = replace(a, **fields)
    if "title" in fields:  # a NUL gone may leave a space at an end
        a = replace(a, title=" ".join(a.title.split()))
    notes = []
    if len(a.title) > MAX_TITLE_CHARS:
        notes.append(f"title of {len(a.title):,} characters cut to {MAX_TITLE_CHARS:,}")
        a = replace(a, title=_cut(a.title, MAX_TITLE_CHARS - 1) + "…")
    if len(a.text) > MAX_TEXT_CHARS:
        notes.append(f"text of {len(a.text):,} characters cut to the first "
                     f"{MAX_TEXT_CHARS:,} (the limit per article)")
        a = replace(a, text=_cut(a.text, MAX_TEXT_CHARS))
    if notes:
        yield Problem(source, f"article {a.id}: " + "; ".join(notes), level="warning")
    yield a
