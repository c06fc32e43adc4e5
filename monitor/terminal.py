"""Make untrusted text inert before it reaches a terminal or a report."""

from __future__ import annotations

from .inert import text


def clean(value: object, *, keep_newlines: bool = False) -> str:
    """Remove escape sequences, control characters and bidi controls (see monitor.inert)."""
    return text(value, keep_newlines=keep_newlines)


def truncate(text: str, width: int) -> str:
    """Cut to `width` characters with an ellipsis."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"
