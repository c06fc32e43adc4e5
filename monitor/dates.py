"""Dates, in one place: tolerant parsing, a sane range, one RFC 3339 formatter.

Every date the project reads (feed entries, seed records, stored columns, the
command line) goes through `parse`; every date it writes comes from `rfc3339`.
Sources write dates in many shapes: RFC 3339 and ISO 8601 (JSON records,
Atom), RFC 2822 (RSS `pubDate`, e-mail style) and feedparser's parsed tuples.
A date outside MIN_YEAR..MAX_YEAR is a typo or a placeholder
("Fri, 31 Dec 9999"), never a news date: it is dropped, and `read` says why,
so a source can record a warning instead of losing the whole item.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

MIN_YEAR, MAX_YEAR = 1900, 2100  # a date outside these years is dropped with a warning
_SHOWN = 60  # characters of an unreadable value quoted in a warning


class DateError(ValueError):
    """A date value that is present but unreadable or out of range: the reason in words."""


def strict(value: Any, *, bounded: bool = True) -> datetime | None:
    """Parse a date-ish value to an aware UTC datetime; None for no value.

    Accepts datetime, date, feedparser's parsed 9-tuples (time.struct_time,
    UTC), RFC 3339 / ISO 8601 strings (a date alone is midnight UTC; no zone is
    UTC) and RFC 2822 strings. Raises DateError when the value is unreadable or
    its year is outside MIN_YEAR..MAX_YEAR (unless not `bounded`: a query's bound
    such as `--since 2999-01-01` is the user's to choose).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        dt = _parse(value)
    except (ValueError, TypeError, OverflowError, IndexError):
        dt = None
    if dt is None:
        raise DateError(f"not a date (RFC 3339, ISO 8601 or RFC 2822): {_show(value)}")
    if bounded and not MIN_YEAR <= dt.year <= MAX_YEAR:
        raise DateError(f"date outside {MIN_YEAR}-{MAX_YEAR}: {_show(value)}")
    return dt


def parse(value: Any) -> datetime | None:
    """`strict`, but None (not an error) for an unreadable or out-of-range value."""
    try:
        return strict(value)
    except DateError:
        return None


def read(value: Any) -> tuple[str | None, str | None]:
    """(RFC 3339 string or None, why the value was dropped or None)."""
    try:
        dt = strict(value)
    except DateError as exc:
        return None, str(exc)
    return (rfc3339(dt) if dt else None), None


def to_rfc3339(value: Any) -> str | None:
    """Any accepted date value -> RFC 3339 UTC, or None if absent or unreadable."""
    dt = parse(value)
    return rfc3339(dt) if dt else None


def rfc3339(dt: datetime) -> str:
    """An aware (or naive UTC) datetime -> 'YYYY-MM-DDTHH:MM:SSZ' (year always 4 digits)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC)
    # Not strftime("%Y"): glibc writes year 202 as "202", which is not RFC 3339.
    return (f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}"
            f"T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}Z")


def now() -> datetime:
    """The current time, aware, UTC."""
    return datetime.now(UTC)


def now_rfc3339() -> str:
    """The current time as RFC 3339 UTC."""
    return rfc3339(now())


def ago(delta: timedelta, at: datetime | None = None) -> str:
    """RFC 3339 of `delta` before `at` (default now)."""
    return rfc3339((at or now()) - delta)


def _parse(value: Any) -> datetime | None:
    dt: datetime | None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, (time.struct_time, Sequence)) and not isinstance(value, (str, bytes)):
        # feedparser's *_parsed: a UTC 9-tuple
        y, mo, d, h, mi, s = (int(x) for x in tuple(value)[:6])
        dt = datetime(y, mo, d, h, mi, s)
    elif isinstance(value, str):
        dt = _parse_text(value.strip())
    else:
        return None
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _parse_text(text: str) -> datetime | None:
    iso = text[:-1] + "+00:00" if text[-1:] in "Zz" else text
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)  # RFC 2822; naive when the zone is -0000
    except (TypeError, ValueError, IndexError):
        return None


def _show(value: Any) -> str:
    s = repr(tuple(value)[:6]) if isinstance(value, time.struct_time) else repr(value)
    return s if len(s) <= _SHOWN else s[:_SHOWN] + "..."
