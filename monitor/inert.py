"""Untrusted text made inert at the output edge: every command's output goes through here.

What is neutralised: ANSI/VT escape sequences, C0 controls (U+0000-001F), DEL, C1
controls (U+0080-009F), and the bidi controls that can reorder what a reader sees
(U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C; CVE-2021-42574). Stored data is never
touched: this runs only on what is printed.

Two forms:

* `text()` - terminal, Markdown and Atom output: the characters are **dropped** (an
  escape sequence as a whole); newlines and tabs become spaces unless kept.
* `data()` / `dumps()` - JSON output: every string in the structure has each such
  character **escaped one-for-one** by a visible stand-in (a C0 control by its Unicode
  Control Picture, e.g. ESC -> U+241B, anything else by U+FFFD), newline and tab kept.
  One character for one keeps `start`/`end` offsets into an article's text true, and
  nothing raw comes back out through `jq -r`.
"""

from __future__ import annotations

import json
import re
from typing import Any

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC (... ST), any other
# two-character ESC sequence; also the 8-bit C1 forms of each.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c)"
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f]).*?(?:\x1b\\|\x9c)"
    r"|\x1b[@-Z\\-_]?",
    re.S,
)
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# Every character neutralised (newline and tab included: the callers decide about those).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f" + BIDI + "\ud800-\udfff]")


def _dropper(keep_newlines: bool) -> Any:
    def drop(m: re.Match[str]) -> str:
        c = m.group()
        if c in "\n\t" and keep_newlines:
            return c
        return " " if c in "\n\t\r\v\f" else ""
    return drop


_DROP, _DROP_KEEP = _dropper(False), _dropper(True)


def text(value: object, *, keep_newlines: bool = False) -> str:
    """For terminals and reports: escape sequences and controls dropped, spaces squeezed.

    With keep_newlines, newlines and tabs stay (other whitespace controls become spaces)
    and spacing is left as it is.
    """
    s = "" if value is None else str(value)
    s = _ESCAPES.sub("", s)
    if keep_newlines:
        return UNSAFE.sub(_DROP_KEEP, s.replace("\r\n", "\n"))
    return " ".join(UNSAFE.sub(_DROP, s).split())


def _stand_in(m: re.Match[str]) -> str:
    c = ord(m.group())
    if c in (0x0A, 0x09):
        return m.group()
    if c < 0x20:
        return chr(0x2400 + c)  # Control Pictures: U+2400 NUL .. U+241F US
    if c == 0x7F:
        return "\u2421"  # DEL
    return "\ufffd"


def escape(value: str) -> str:
    """One string for JSON: each unsafe character replaced one-for-one by a visible one."""
    return UNSAFE.sub(_stand_in, value)


def data(obj: Any) -> Any:
    """A JSON-ready structure with every string (keys too) passed through escape()."""
    if isinstance(obj, str):
        return escape(obj)
    if isinstance(obj, dict):
        return {escape(k) if isinstance(k, str) else k: data(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [data(v) for v in obj]
    return obj


def dumps(obj: Any, *, indent: int | None = 2) -> str:
    """json.dumps of data(obj): UTF-8 text kept readable, nothing unsafe left in any string."""
    return json.dumps(data(obj), ensure_ascii=False, indent=indent)


def is_inert(s: str) -> bool:
    """True when `s` holds no escape, control (but newline and tab) or bidi character."""
    return not any(m.group() not in "\n\t" for m in UNSAFE.finditer(s))
