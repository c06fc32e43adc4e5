"""`monitor check` lint of the watchlist: aliases that will misfire."""

from __future__ import annotations

from collections import defaultdict

from .variants import is_common_word
from .watchlist import EVENT, Term, Watchlist

MIN_LETTERS = 3  # shorter aliases are acronyms: they need a context rule


def _label(t: Term) -> str:
    return f"{t.alias!r} (generated from {t.variant_of!r})" if t.variant_of else repr(t.alias)


def lint_watchlist(wl: Watchlist) -> list[str]:
    """Warnings: shared aliases, short aliases without context rule, common-word variants."""
    out: list[str] = list(wl.notes)
    owners: dict[str, set[str]] = defaultdict(set)
    origin: dict[str, str] = {}
    known = {"actor": {a.id for a in wl.actors}, "event": {e.id for e in wl.events}}
    for entry in wl.actors + wl.events:
        for t in entry.terms:
            for field, kind in (("implies", "actor"), ("defer", "event")):
                for ref in sorted(set(getattr(t, field)) - known[kind]):
                    out.append(f"watchlist.{entry.kind}s.{entry.id}: alias {t.alias!r} "
                               f"{field} unknown {kind} id {ref!r}")
            # Same-kind sharing is a conflict unless the dates tell them apart.
            if not (t.valid_from or t.valid_until):
                k = f"{entry.kind}|{t.key}|{t.prefix}"
                owners[k].add(entry.id)
                if t.variant_of:
                    origin[k] = t.variant_of
            letters = sum(ch.isalnum() for ch in t.key)
            needs = t.needs_context or not entry.libyan or entry.kind == EVENT
            if letters < MIN_LETTERS and not needs:
                out.append(f"watchlist.{entry.kind}s.{entry.id}: alias {t.alias!r} is shorter "
                           f"than {MIN_LETTERS} letters and counts without Libya context")
            if t.prefix and letters < 4:
                out.append(f"watchlist.{entry.kind}s.{entry.id}: prefix alias {t.alias!r}* "
                           "is too short: it will match many unrelated words")
            if t.variant_of and is_common_word(t.key):
                out.append(f"watchlist.{entry.kind}s.{entry.id}: variant {_label(t)} "
                           "is a common English word")
    for key, ids in sorted(owners.items()):
        if len(ids) > 1:
            kind, alias, _ = key.split("|")
            via = f" (a variant of {origin[key]!r})" if key in origin else ""
            out.append(f"alias {alias!r}{via} is listed under several {kind}s: "
                       + ", ".join(sorted(ids)))
    return out
