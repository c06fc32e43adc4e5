"""`monitor check` lint of the watchlist: aliases that will misfire."""

from __future__ import annotations

from collections import defaultdict

from .watchlist import EVENT, Watchlist

MIN_LETTERS = 3  # shorter aliases are acronyms: they need a context rule


def lint_watchlist(wl: Watchlist) -> list[str]:
    """Warnings: an alias under two ids, short aliases without context rule."""
    out: list[str] = []
    owners: dict[str, set[str]] = defaultdict(set)
    for entry in wl.actors + wl.events:
        for t in entry.terms:
            # Same-kind sharing is a conflict unless the dates tell them apart.
            if not (t.valid_from or t.valid_until):
                owners[f"{entry.kind}|{t.key}|{t.prefix}"].add(entry.id)
            letters = sum(ch.isalnum() for ch in t.key)
            needs = t.needs_context or not entry.libyan or entry.kind == EVENT
            if letters < MIN_LETTERS and not needs:
                out.append(f"watchlist.{entry.kind}s.{entry.id}: alias {t.alias!r} is shorter "
                           f"than {MIN_LETTERS} letters and counts without Libya context")
            if t.prefix and letters < 4:
                out.append(f"watchlist.{entry.kind}s.{entry.id}: prefix alias {t.alias!r}* "
                           "is too short: it will match many unrelated words")
    for key, ids in sorted(owners.items()):
        if len(ids) > 1:
            kind, alias, _ = key.split("|")
            out.append(f"alias {alias!r} is listed under several {kind}s: "
                       + ", ".join(sorted(ids)))
    return out
