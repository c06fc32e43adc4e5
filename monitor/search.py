"""Full-text search over stored articles: the FTS5 index, queries, ranked hits, snippets.

The index (`articles_fts`, created by migrations.m008_search) holds a *folded* copy
of each article's title and text (normalize.fold: case, accents, Arabic harakat
and letter variants), so "Derna", "DERNA", "Dérna" and vocalised or bare Arabic
all find the same words. SQLite's own `unicode61 remove_diacritics 2` tokenizer
strips Latin accents but splits vocalised Arabic into single letters, hence the
folding. New articles are indexed after they are stored, in chunks
(search_index.catch_up); triggers re-index a changed article and drop a deleted
one. Both call the SQL function `monitor_fold`, which `register()` adds to every
connection.

Queries use FTS5 syntax (words, "phrases", prefix*, AND/OR/NOT, NEAR,
title:word); the query's words are folded like the index. Hits come in BM25
order (a title match weighs more than one in the body), each with a snippet of
the original text around the matched words, made inert with terminal.clean.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from .normalize import fold, folded_text
from .terminal import clean

TOKENIZE = "unicode61 remove_diacritics 2"
WEIGHTS = (0.0, 10.0, 1.0)  # bm25 weights of the columns: article_id (unindexed), title, text
SNIPPET_CHARS = 220  # about two lines of a terminal
MARK = ("**", "**")  # marks around matched words in plain-text snippets

_OPERATORS = {"AND", "OR", "NOT", "NEAR"}
# A run of characters that is not FTS5 syntax ("():*^{}+-,) nor whitespace.
_WORD = re.compile(r'[^\s"():*^{}+,\-]+')
_TERM = re.compile(r'(\w+)(\s*:)?(\*)?')
# Messages SQLite gives for a bad MATCH expression (the query is the only user input).
_SYNTAX = ("fts5:", "unterminated string", "no such column", "unknown special query")


class SearchSyntaxError(ValueError):
    """The user's query is not valid FTS5 syntax."""


def fold_text(text: str | None) -> str:
    """The folded form stored in the index (SQL: monitor_fold)."""
    return folded_text(text) if text else ""


def fts_query(query: str) -> str:
    """Fold the words of an FTS5 query, keeping its operators and syntax."""
    return _WORD.sub(lambda m: m.group() if m.group() in _OPERATORS
                     else fold_text(m.group()), query)


def terms(query: str) -> list[tuple[str, bool]]:
    """The folded words of a query to highlight: (word, is_prefix); no operators, columns."""
    out = []
    for m in _TERM.finditer(fts_query(query)):
        if m.group(2) or m.group(1) in _OPERATORS:
            continue  # a column filter (title:) or an operator
        out.append((m.group(1), bool(m.group(3))))
    return out


def register(conn: sqlite3.Connection) -> None:
    """Add the SQL function the index triggers call (every connection that writes)."""
    conn.create_function("monitor_fold", 1, fold_text, deterministic=True)


def create_index(db: Database) -> None:
    """The FTS5 table and its triggers on `articles` (m008). The articles already
    stored are indexed by search_index.catch_up, not while the database opens."""
    register(db.conn)
    db.execute(f"create virtual table articles_fts using fts5("
               f"article_id unindexed, title, text, tokenize='{TOKENIZE}')")
    # rowid = articles.rowid, so Datasette's table search (fts_pk rowid) works;
    # `monitor search` joins on article_id, which nothing can renumber.
    db.executescript("""
        create trigger articles_fts_ai after insert on articles begin
          insert into articles_fts(rowid, article_id, title, text)
          values (new.rowid, new.id, monitor_fold(new.title), monitor_fold(new.text));
        end;
        create trigger articles_fts_ad after delete on articles begin
          delete from articles_fts where rowid = old.rowid;
        end;
        create trigger articles_fts_au after update of id, title, text on articles begin
          delete from articles_fts where rowid = old.rowid;
          insert into articles_fts(rowid, article_id, title, text)
          values (new.rowid, new.id, monitor_fold(new.title), monitor_fold(new.text));
        end;
    """)
    # `rank` is BM25 with these weights, so `order by rank` is the index's own order.
    db.execute("insert into articles_fts(articles_fts, rank) values ('rank', ?)",
               [f"bm25({', '.join(map(str, WEIGHTS))})"])


@dataclass(frozen=True)
class Query:
    text: str  # FTS5 syntax
    since: str | None = None  # RFC 3339 lower bound on the article's first_seen_at
    actors: Sequence[str] = ()  # any of these actors in the article's current alert
    events: Sequence[str] = ()
    alerts_only: bool = False  # only articles with a current alert
    limit: int = 20


@dataclass
class Hit:
    article: dict[str, Any]  # id, title, url, source, published_at, first_seen_at
    story_id: str | None
    alert: dict[str, Any] | None  # id, severity, actors, events (ids) of the current alert
    rank: float  # bm25: lower is better
    snippet: str  # plain, inert
    highlights: list[tuple[int, int]] = field(default_factory=list)  # spans in snippet

    def marked(self, mark: tuple[str, str] = MARK) -> str:
        """The snippet with `mark` around each matched word."""
        return marked(self.snippet, self.highlights, mark)

    def as_json(self) -> dict[str, Any]:
        return {"article": self.article, "story_id": self.story_id, "alert": self.alert,
                "rank": round(self.rank, 4), "snippet": self.snippet,
                "highlights": [list(h) for h in self.highlights]}


def search(db: Database, q: Query) -> list[Hit]:
    """Articles matching `q`, best first; SearchSyntaxError for a bad query."""
    where = ["articles_fts match ?"]
    params: list[Any] = [fts_query(q.text)]
    if q.since:
        where.append("ar.first_seen_at >= ?")
        params.append(q.since)
    if q.alerts_only:
        where.append("al.id is not null")
    for kind, ids in (("actor", q.actors), ("event", q.events)):
        if ids:
            where.append("al.id in (select alert_id from alert_terms where kind = ? "
                         "and term_id in (%s))" % ",".join("?" * len(ids)))
            params += [kind, *ids]
    # Step 1 ranks ids only (no article text carried through the sort). Without
    # filters it is the index alone, in its own rank order. CROSS JOIN keeps the
    # index as the outer loop (the planner may otherwise run the MATCH once per
    # article); "+" looks each alert up by article_id, not by the `current` index.
    joins = ("" if len(where) == 1 else
             "cross join articles ar on ar.id = f.article_id "
             "left join alerts al on al.article_id = ar.id and +al.current = 1 ")
    sql = ("with hit as (select f.article_id as id, f.rank as rank from articles_fts f "
           + joins + "where %s order by f.rank, f.article_id limit ?) "
           "select ar.id, ar.title, ar.text, ar.url, ar.source, ar.published_at, "
           "ar.first_seen_at, ar.story_id, al.id as alert_id, al.severity, hit.rank "
           "from hit join articles ar on ar.id = hit.id "
           "left join alerts al on al.article_id = ar.id and +al.current = 1 "
           "order by hit.rank, hit.id") % " and ".join(where)
    params.append(q.limit)
    try:
        rows = list(db.query(sql, params))
    except sqlite3.OperationalError as exc:
        msg = str(exc)
        if any(s in msg for s in _SYNTAX):
            raise SearchSyntaxError(msg) from None
        raise
    words = terms(q.text)
    hits = []
    for r in rows:
        snippet, spans = highlight(r["text"] or "", words)
        hits.append(Hit(
            # As stored: the output edge makes them inert (inert.dumps, terminal.clean).
            {k: r[k] for k in ("id", "title", "url", "source", "published_at",
                               "first_seen_at")},
            r["story_id"], _alert(db, r["alert_id"], r["severity"]), r["rank"], snippet, spans))
    return hits


def _alert(db: Database, alert_id: str | None, severity: str | None) -> dict[str, Any] | None:
    if alert_id is None:
        return None
    found: dict[str, list[str]] = {"actor": [], "event": []}
    for kind, term in db.execute("select kind, term_id from alert_terms where alert_id = ? "
                                 "order by kind, term_id", [alert_id]).fetchall():
        found.setdefault(kind, []).append(term)
    return {"id": alert_id, "severity": severity, "actors": found["actor"],
            "events": found["event"]}


def _pattern(words: list[tuple[str, bool]]) -> re.Pattern[str] | None:
    if not words:
        return None
    alts = sorted({re.escape(w) + (r"\w*" if p else "") for w, p in words}, key=len,
                  reverse=True)
    return re.compile(r"(?<!\w)(?:%s)(?!\w)" % "|".join(alts))


def highlight(text: str, words: list[tuple[str, bool]], width: int = SNIPPET_CHARS
              ) -> tuple[str, list[tuple[int, int]]]:
    """An inert snippet of `text` around the most matched words, and their spans in it."""
    f = fold(text)
    pat = _pattern(words)
    spans = [f.span(m.start(), m.end()) for m in pat.finditer(f.text)] if pat else []
    start = 0
    if spans:
        # The window holding the most matches, starting a little before its first.
        best = max(range(len(spans)),
                   key=lambda i: (sum(1 for s, _ in spans[i:] if s < spans[i][0] + width), -i))
        start = max(0, spans[best][0] - width // 5)
        if start:
            space = text.find(" ", start, spans[best][0])
            start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    out: list[str] = ["…"] if start else []
    marks: list[tuple[int, int]] = []
    length = len(out[0]) if out else 0
    pos = start
    for s, e in spans:
        if s < pos or e > end:
            continue
        piece, hit = _inert(text[pos:s]), _inert(text[s:e])
        out.append(piece)
        length += len(piece)
        out.append(hit)
        marks.append((length, length + len(hit)))
        length += len(hit)
        pos = e
    out.append(_inert(text[pos:end]))
    if end < len(text):
        out.append("…")
    snippet = "".join(out)
    stripped = snippet.lstrip()
    shift = len(snippet) - len(stripped)
    return stripped.rstrip(), [(s - shift, e - shift) for s, e in marks]


def marked(snippet: str, spans: list[tuple[int, int]], mark: tuple[str, str] = MARK) -> str:
    """`snippet` with `mark` around each span."""
    out, pos = [], 0
    for s, e in spans:
        out += [snippet[pos:s], mark[0], snippet[s:e], mark[1]]
        pos = e
    return "".join(out) + snippet[pos:]


def marked_snippet(text: str | None, query: str | None) -> str:
    """A snippet of `text` with the words of `query` marked (SQL: monitor_snippet)."""
    return marked(*highlight(text or "", terms(query or "")))


_SPACES = re.compile(r"\s+")


def _inert(text: str) -> str:
    """Escape sequences, controls and bidi controls out; whitespace runs one space."""
    return _SPACES.sub(" ", clean(text, keep_newlines=True))
