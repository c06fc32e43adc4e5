"""Read article files and folders: .txt .md .html .json .jsonl, and feed files.

Every reader yields Articles and Problems; nothing here raises on bad input.
Only paths the user named (config or command line) are ever opened.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .. import dates
from ..article import Article, make_article
from ..normalize import html_to_text
from . import Problem
from .feedparse import FEED_SUFFIXES, iter_feed_articles, looks_like_feed

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSON_SUFFIXES + FEED_SUFFIXES
MAX_FILE_BYTES = 50 * 1024 * 1024  # a seed file larger than this is refused, not read
_MAX_RECORD = 2000  # characters of a bad record kept in `rejected`


def iter_paths(paths: Iterable[Path]) -> Iterator[Path | Problem]:
    """Expand folders (sorted, recursive, hidden files skipped) into files."""
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if f.is_file() and not any(part.startswith(".") for part in rel) \
                        and f.suffix.lower() in SUFFIXES:
                    yield f
        elif p.is_file():
            yield p
        else:
            yield Problem(str(p), "no such file or folder")


def read_paths(paths: Iterable[Path], source_kind: str = "seed",
               roots: Iterable[Path] | None = None) -> Iterator[Article | Problem]:
    """Articles and problems from every file under `paths`.

    A record's own id is scoped by its file's path relative to the folder of
    `roots` (default: `paths`) holding it, so two folders' `a/x.jsonl` and
    `b/x.jsonl` never share ids, and one file keeps its ids whatever path
    reaches it (`monitor once` and `monitor ingest seeds/` agree).
    """
    paths = list(paths)
    folders = [r for r in (paths if roots is None else roots) if r.is_dir()]
    for p in iter_paths(paths):
        if isinstance(p, Problem):
            yield p
        else:
            yield from read_file(p, source_kind, scope=scope_of(p, folders))


def scope_of(path: Path, folders: Iterable[Path]) -> str:
    """The path of a file relative to the first folder holding it, else its name."""
    for f in folders:
        try:
            return path.resolve().relative_to(f.resolve()).as_posix()
        except (ValueError, OSError):
            continue
    return path.name


def read_file(path: Path, source_kind: str = "seed",
              scope: str | None = None) -> Iterator[Article | Problem]:
    src = str(path)
    scope = scope or path.name
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            yield Problem(src, f"file larger than {MAX_FILE_BYTES} bytes; not read")
            return
        raw = path.read_bytes()
    except OSError as exc:
        yield Problem(src, f"cannot read: {exc.strerror or exc}")
        return
    suffix = path.suffix.lower()
    if suffix in FEED_SUFFIXES or (suffix not in SUFFIXES and looks_like_feed(raw)):
        yield from iter_feed_articles(raw, src)
        return
    text, bad = _decode(raw)
    if bad:
        yield Problem(src, f"{bad} undecodable byte(s) replaced with U+FFFD (not UTF-8)",
                      level="warning")
    if suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(text, src, source_kind, scope)
    elif suffix == ".json":
        yield from _read_json(text, src, source_kind, scope)
    elif suffix in HTML_SUFFIXES:
        yield from _read_html(text, src, source_kind)
    elif suffix in TEXT_SUFFIXES:
        yield from _read_text(text, src, source_kind)
    else:
        yield Problem(src, f"unknown file type {suffix or '(none)'}; expected one of "
                      + " ".join(SUFFIXES))


def _decode(raw: bytes) -> tuple[str, int]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), 0
    except UnicodeDecodeError:
        text = raw.decode("utf-8", errors="replace")
        return text, text.count("\ufffd")


def _read_text(text: str, src: str, kind: str) -> Iterator[Article | Problem]:
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        yield Problem(src, "empty file")
        return
    title = lines[0].strip().lstrip("#").strip()  # a Markdown heading is a title too
    body = "\n".join(lines[1:]).strip()
    yield make_article(title=title, body=body, source=src, source_kind=kind)


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.I | re.S)
_CANON = re.compile(r"<link[^>]+rel=[\"']canonical[\"'][^>]*>", re.I)
_HREF = re.compile(r"href=[\"']([^\"']+)[\"']", re.I)


def _read_html(markup: str, src: str, kind: str) -> Iterator[Article | Problem]:
    m = _TITLE.search(markup) or _H1.search(markup)
    title = html_to_text(m.group(1)) if m else ""
    body = html_to_text(_TITLE.sub(" ", markup))
    if not title:
        first, _, rest = body.partition("\n")
        title, body = first.strip(), rest
    if not title and not body.strip():
        yield Problem(src, "HTML file has no text")
        return
    url = None
    c = _CANON.search(markup)
    if c and (h := _HREF.search(c.group(0))):
        url = h.group(1)
    yield make_article(title=title, body=body, source=src, source_kind=kind, url=url)


def _record(obj: Any, src: str, kind: str, line: int | None,
            scope: str) -> Iterator[Article | Problem]:
    where = f"{src}:{line}" if line else src
    if not isinstance(obj, dict):
        yield Problem(src, f"expected a JSON object, got {type(obj).__name__}", line,
                      json.dumps(obj)[:_MAX_RECORD])
        return
    title, text = obj.get("title"), obj.get("text", obj.get("body"))
    if not isinstance(title, str) or not title.strip():
        if not isinstance(text, str) or not text.strip():
            yield Problem(src, "record has neither 'title' nor 'text'", line,
                          json.dumps(obj, ensure_ascii=False)[:_MAX_RECORD])
            return
        title = text.strip().splitlines()[0]
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    key = "published_at" if "published_at" in obj else "date"
    published, why = dates.read(obj.get(key))
    if why:
        yield Problem(src, f"{key}: {why}; stored without a date", line, level="warning")
    guid = obj.get("id")
    yield make_article(title=title, body=text if isinstance(text, str) else "",
                       source=where, source_kind=kind, url=url, published_at=published,
                       guid=str(guid) if guid is not None else None, scope=scope)


def _read_json(text: str, src: str, kind: str, scope: str) -> Iterator[Article | Problem]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Problem(src, f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                      exc.lineno, text[:_MAX_RECORD])
        return
    records = data if isinstance(data, list) else [data]
    for i, obj in enumerate(records):
        yield from _record(obj, src, kind, i + 1 if isinstance(data, list) else None, scope)


def _read_jsonl(text: str, src: str, kind: str, scope: str) -> Iterator[Article | Problem]:
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Problem(src, f"invalid JSON on line {n}: {exc.msg} (column {exc.colno})",
                          n, line[:_MAX_RECORD])
            continue
        yield from _record(obj, src, kind, n, scope)
