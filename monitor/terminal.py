"""Make untrusted text inert before it reaches a terminal or a report."""

from __future__ import annotations

import re
import unicodedata

# ANSI/VT escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST),
# and any other two-character ESC sequence. Also the 8-bit CSI/OSC forms.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c)"
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f]).*?(?:\x1b\\|\x9c)"
    r"|\x1b[@-Z\\-_]?",
    re.S,
)
# Bidi overrides and isolates can reorder what the reader sees (CVE-2021-42574).
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                               "\u200e\u200f\u061c"), None)


def clean(text: object, *, keep_newlines: bool = False) -> str:
    """Remove escape sequences, control characters and bidi controls."""
    s = "" if text is None else str(text)
    s = _ESCAPES.sub("", s).translate(_BIDI)
    out = []
    for ch in s:
        if ch in "\n\t" and keep_newlines:
            out.append(ch)
        elif ch in "\n\t\r\v\f":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cs"):
            continue
        else:
            out.append(ch)
    s = "".join(out)
    return s if keep_newlines else " ".join(s.split())


def truncate(text: str, width: int) -> str:
    """Cut to `width` characters with an ellipsis."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"
