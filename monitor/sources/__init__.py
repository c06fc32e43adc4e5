"""Sources turn files and feeds into Articles (and Problems for what they cannot)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """Something a source could not read: kept in the `rejected` table."""

    source: str  # file path or feed URL
    error: str  # what is wrong, in words
    line: int | None = None
    record: str | None = None  # the raw input, when there is one (truncated)
    level: str = "error"  # error: nothing stored for it; warning: stored anyway
