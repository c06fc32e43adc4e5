"""The XML parser feedparser uses here: Python's expat driver, character data buffered.

feedparser asks `xml.sax.make_parser` for the first driver of
`feedparser.api.PREFERRED_XML_PARSERS` that imports (the documented way to
choose one); feedparse.py puts this module first. Without buffering, expat
hands over text in pieces at every line break and entity, and feedparser
handles each piece in Python (a tenth of its time on full-content feeds).
Buffered, the same text arrives in fewer, longer pieces: feedparser joins them
either way, so what it returns is the same (tests/test_sources.py). Everything
else (no external entities, namespaces) is the standard driver's.
"""

from __future__ import annotations

from typing import Any
from xml.sax.expatreader import ExpatParser


class BufferedExpatParser(ExpatParser):
    def reset(self) -> None:
        super().reset()
        self._parser.buffer_text = True  # type: ignore[attr-defined]


def create_parser(*args: Any, **kwargs: Any) -> BufferedExpatParser:
    return BufferedExpatParser(*args, **kwargs)
