"""Read article files and folders: .txt .md .html .json .jsonl, and feed files.

Every reader yields Articles and Problems; nothing here raises on bad input.
Only paths the user named (config or command line) are ever opened.
"""

from __future__ import annotations

import errno
import json
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import dates
from ..article import Article, make_article
from ..normalize import drop_elements, element_text, html_to_text
from . import Problem
from .feedparse import FEED_SUFFIXES, iter_feed_articles, looks_like_feed
from .filebytes import NotRead, decode, file_kind, read_bounded
from .limits import checked

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSON_SUFFIXES + FEED_SUFFIXES
MAX_FILE_BYTES = 50 * 1024 * 1024  # a seed file larger than this is refused, not read
_MAX_RECORD = 2000  # characters of a bad record kept in `rejected`


def iter_paths(paths: Iterable[Path]) -> Iterator[Path | Problem]:
    """Expand folders (sorted, recursive, hidden files skipped) into files.

    Only regular files are yielded: a named pipe or a device (or a link to one)
    would block or never end when read, so it is reported and left alone.
    """
    for p in paths:
        kind = _classified(p, missing="no such file or folder")
        if kind is None:
            yield from _walk(p)
        else:
            yield kind


def _classified(p: Path, missing: str | None = None) -> Path | Problem | None:
    """`p` if it is a regular file, None for a folder, else what is wrong with it
    (`missing`: the words for a path that does not exist, if not the system's)."""
    try:
        mode = p.stat().st_mode
    except OSError as exc:  # gone since listed, or a dangling link
        return Problem(str(p), missing if missing and exc.errno == errno.ENOENT
                       else f"cannot read: {exc.strerror or exc}")
    if stat.S_ISREG(mode):
        return p
    if stat.S_ISDIR(mode):
        return None
    return Problem(str(p), f"not a regular file ({file_kind(mode)}); not read")


def _walk(folder: Path) -> Iterator[Path | Problem]:
    try:
        found = sorted(folder.rglob("*"))
    except OSError as exc:
        yield Problem(str(folder), f"cannot list folder: {exc.strerror or exc}")
        return
    for f in found:
        rel = f.relative_to(folder).parts
        if any(part.startswith(".") for part in rel) or f.suffix.lower() not in SUFFIXES:
            continue
        kind = _classified(f)
        if kind is not None:
            yield kind


def read_paths(paths: Iterable[Path], source_kind: str = "seed",
               roots: Iterable[Path] | None = None) -> Iterator[Article | Problem]:
    """Articles and problems from every file under `paths`.

    A record's own id is scoped by its file's path relative to the folder of
    `roots` (default: `paths`) holding it, so two folders' `a/x.jsonl` and
    `b/x.jsonl` never share ids, and one file keeps its ids whatever path
    reaches it (`monitor once` and `monitor ingest seeds/` agree).
    """
    paths = list(paths)
    folders = resolved_folders(paths, roots)
    for p in iter_paths(paths):
        if isinstance(p, Problem):
            yield from checked(p)
        else:
            yield from read_file(p, source_kind, scope=scope_of(p, folders))


def scope_of(path: Path, folders: Iterable[Path]) -> str:
    """The path of a file relative to the first folder holding it, else its name.

    `folders` are resolved already (`resolved_folders`): once per read, not once per file."""
    try:
        resolved = path.resolve()
    except OSError:
        return path.name
    for f in folders:
        try:
            return resolved.relative_to(f).as_posix()
        except ValueError:
            continue
    return path.name


def resolved_folders(paths: list[Path], roots: Iterable[Path] | None) -> list[Path]:
    """The folders among `roots` (default: `paths`) that scope record ids, resolved."""
    out = []
    for r in paths if roots is None else roots:
        try:
            if r.is_dir():
                out.append(r.resolve())
        except OSError:
            continue
    return out


def read_file(path: Path, source_kind: str = "seed",
              scope: str | None = None) -> Iterator[Article | Problem]:
    """Articles and problems from one file; nothing in the file can raise out of here."""
    src = str(path)
    try:
        for item in _read_file(path, source_kind, scope or path.name):
            if isinstance(item, _Storable):  # a feed's items: parse_feed checked them
                yield item.item
            else:
                yield from checked(item)
    except RecursionError:
        yield from checked(Problem(src, "nested too deeply to read; not read"))
    except Exception as exc:  # a bug or a resource limit: this file's problem, not the run's
        yield from checked(Problem(src, f"cannot read: {type(exc).__name__}: {exc}"))


@dataclass(frozen=True)
class _Storable:
    """An item already made storable (`limits.checked`): not checked again."""
    item: Article | Problem


def _read_file(path: Path, source_kind: str, scope: str
               ) -> Iterator[Article | Problem | _Storable]:
    src = str(path)
    raw = read_bounded(path, MAX_FILE_BYTES)
    if isinstance(raw, NotRead):
        yield Problem(src, raw.why)
        return
    suffix = path.suffix.lower()
    if suffix in FEED_SUFFIXES or (suffix not in SUFFIXES and looks_like_feed(raw)):
        yield from map(_Storable, iter_feed_articles(raw, src))
        return
    text, note = decode(raw)
    if note:
        yield Problem(src, note, level="warning")
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


# Both stop at '<': a link tag never holds one, and hostile markup stays linear.
_CANON = re.compile(r"<link[^<>]+rel=[\"']canonical[\"'][^<>]*>", re.I)
_HREF = re.compile(r"href=[\"']([^\"']+)[\"']", re.I)


def _read_html(markup: str, src: str, kind: str) -> Iterator[Article | Problem]:
    raw_title = element_text(markup, "title")
    if raw_title is None:
        raw_title = element_text(markup, "h1")
    title = html_to_text(raw_title) if raw_title else ""
    body = html_to_text(drop_elements(markup, ("title",)))
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
            scope: str) -> list[Article | Problem]:
    """One JSON record as an Article (and a date warning); else a Problem."""
    try:
        return _article(obj, src, kind, line, scope)
    except (RecursionError, ValueError) as exc:  # absurd nesting, a 5,000-digit id
        return [Problem(src, f"record cannot be read: {type(exc).__name__}: {exc}", line)]


def _article(obj: Any, src: str, kind: str, line: int | None,
             scope: str) -> list[Article | Problem]:
    where = f"{src}:{line}" if line else src
    if not isinstance(obj, dict):
        return [Problem(src, f"expected a JSON object, got {type(obj).__name__}", line,
                        _dump(obj))]
    title, text = obj.get("title"), obj.get("text", obj.get("body"))
    if not isinstance(title, str) or not title.strip():
        if not isinstance(text, str) or not text.strip():
            return [Problem(src, "record has neither 'title' nor 'text'", line, _dump(obj))]
        title = text.strip().splitlines()[0]
    out: list[Article | Problem] = []
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    key = "published_at" if "published_at" in obj else "date"
    published, why = dates.read(obj.get(key))
    if why:
        out.append(Problem(src, f"{key}: {why}; stored without a date", line, level="warning"))
    guid = obj.get("id")
    out.append(make_article(title=title, body=text if isinstance(text, str) else "",
                            source=where, source_kind=kind, url=url, published_at=published,
                            guid=str(guid) if guid is not None else None, scope=scope))
    return out


def _dump(obj: Any) -> str:
    """The start of a record as JSON, for the `rejected` table."""
    try:
        return json.dumps(obj, ensure_ascii=False)[:_MAX_RECORD]
    except (RecursionError, ValueError):
        return "(not shown: nested too deeply)"


def _loads(text: str) -> tuple[Any, str | None, int | None]:
    """json.loads, or what is wrong (and on which line) in words."""
    try:
        return json.loads(text), None, None
    except json.JSONDecodeError as exc:
        return None, f"{exc.msg} at line {exc.lineno} column {exc.colno}", exc.lineno
    except RecursionError:
        # Python's parser recurses once per level: 100,000 '[' would stop the run.
        return None, "nested too deeply to parse", None
    except ValueError as exc:  # e.g. an integer longer than Python converts
        return None, str(exc), None


def _read_json(text: str, src: str, kind: str, scope: str) -> Iterator[Article | Problem]:
    data, err, line = _loads(text)
    if err:
        yield Problem(src, f"invalid JSON: {err}", line, text[:_MAX_RECORD])
        return
    records = data if isinstance(data, list) else [data]
    for i, obj in enumerate(records):
        yield from _record(obj, src, kind, i + 1 if isinstance(data, list) else None, scope)


def _read_jsonl(text: str, src: str, kind: str, scope: str) -> Iterator[Article | Problem]:
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        obj, err, _ = _loads(line)
        if err:
            yield Problem(src, f"invalid JSON on line {n}: {err}", n, line[:_MAX_RECORD])
            continue
        yield from _record(obj, src, kind, n, scope)

