"""The watchlist: tracked actors and events, their aliases and context rules.

Built from the `[watchlist]` tables of config.toml (see that file for the
vocabulary itself). Pure data: no I/O here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from .normalize import fold_alias
from .variants import variant_keys

ACTOR, EVENT, CONTEXT, BLOCK, UNLESS = "actor", "event", "context", "block", "unless"
WEAK = "weak"  # phrases in which a context term is only a passing mention
PEOPLE = "people"  # nouns for people: "Egyptian workers" are nationals, not the state
HEDGE = "hedge"  # words before an event that make it feared or hypothetical ("threatened to")
HEDGE_AFTER = "hedge_after"  # the same after the event ("is feared")
VICTIM = "victim"  # civilians, hostages, children: a death word near one is a killing
SPORT = "sport"  # sport vocabulary: in a sports report, match words are not events
# Bump when monitor/rules.py or the matcher decide differently on the same
# config: the watchlist version (and so every alert id) then changes too.
RULES_VERSION = 3


@dataclass(frozen=True)
class Term:
    """One alias of one watchlist entry, as the matcher looks for it."""

    kind: str  # actor | event | context | block | unless
    id: str  # entry id (for context/block/unless: the phrase itself)
    alias: str  # the alias as written in the config (without a trailing *)
    key: str  # the folded form the matcher searches for
    prefix: bool = False  # trailing * in the config: any word continuing it
    needs_context: bool = False  # counts only in an article about Libya
    valid_from: date | None = None
    valid_until: date | None = None
    unless: tuple[str, ...] = ()  # context terms: void if any of these appear
    variant_of: str | None = None  # generated spelling: the alias it came from
    implies: tuple[str, ...] = ()  # actor ids this alias also names ("Haftar's forces")
    defer: tuple[str, ...] = ()  # event ids that, when found, take this alias's place

    def valid_on(self, day: date | None) -> bool:
        """Whether a date-bounded alias applies to an article of `day`."""
        if day is None:
            return True
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)


@dataclass(frozen=True)
class Entry:
    """A tracked actor or event."""

    kind: str
    id: str
    name: str
    libyan: bool  # Libyan actors count wherever the story is set
    terms: tuple[Term, ...]
    hedged: bool = True  # events: a hedge before it voids it ("threatened to launch an offensive")


@dataclass(frozen=True)
class Watchlist:
    actors: tuple[Entry, ...]
    events: tuple[Entry, ...]
    context: tuple[Term, ...] = ()
    block: tuple[Term, ...] = ()
    weak: tuple[Term, ...] = ()
    people: tuple[Term, ...] = ()
    hedge: tuple[Term, ...] = ()  # kind HEDGE or HEDGE_AFTER
    sport: tuple[Term, ...] = ()
    victims: tuple[Term, ...] = ()
    version: str = ""
    notes: tuple[str, ...] = ()  # build remarks for `monitor check` (dropped variants)
    by_id: dict[str, Entry] = field(default_factory=dict, compare=False, hash=False)

    def terms(self) -> list[Term]:
        """Every term the matcher must find, in a stable order."""
        out: list[Term] = []
        for entry in self.actors + self.events:
            out.extend(entry.terms)
        out.extend(self.context)
        out.extend(self.block)
        out.extend(self.weak)
        out.extend(self.people)
        out.extend(self.hedge)
        out.extend(self.sport)
        out.extend(self.victims)
        for t in self.context:
            for word in t.unless:
                out.append(_term(UNLESS, word, word))
        return out

    def entry(self, kind: str, id: str) -> Entry:
        return self.by_id[f"{kind}:{id}"]


def _term(kind: str, id: str, spec: str | dict[str, Any], **extra: Any) -> Term:
    if isinstance(spec, str):
        spec = {"text": spec}
    text = spec["text"].strip()
    prefix = text.endswith("*")
    text = text.rstrip("*").strip()
    return Term(
        kind=kind,
        id=id,
        alias=text,
        key=fold_alias(text),
        prefix=prefix,
        needs_context=bool(spec.get("needs_context", False)),
        valid_from=_day(spec.get("from")),
        valid_until=_day(spec.get("until")),
        unless=tuple(spec.get("unless", ())),
        implies=tuple(spec.get("implies", ())),
        defer=tuple(spec.get("defer", ())),
        **extra,
    )


def _with_variants(kind: str, id: str, spec: str | dict[str, Any]) -> list[Term]:
    """The alias's term, then one term per generated spelling if it asks for them."""
    base = _term(kind, id, spec)
    if isinstance(spec, str) or not spec.get("variants"):
        return [base]
    keys, _ = variant_keys(base.alias)
    return [base] + [replace(base, key=k, alias=k, variant_of=base.alias) for k in keys]


def _dropped(raw: dict[str, Any]) -> list[str]:
    """Notes on generated variants cut because they are common English words."""
    out = []
    for kind in ("actors", "events"):
        for e in raw.get(kind, ()):
            for a in e.get("aliases", ()):
                if isinstance(a, dict) and a.get("variants"):
                    cut = variant_keys(a["text"].rstrip("*").strip())[1]
                    if cut:
                        out.append(f"watchlist.{kind}.{e['id']}: variants of {a['text']!r} "
                                   f"dropped as common English words: {', '.join(cut)}")
    return out


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _entry(kind: str, raw: dict[str, Any]) -> Entry:
    libyan = bool(raw.get("libyan", False)) if kind == ACTOR else False
    seen: set[tuple[str, bool, date | None, date | None]] = set()
    terms = []
    for a in raw.get("aliases", ()):
        for t in _with_variants(kind, raw["id"], a):
            sig = (t.key, t.prefix, t.valid_from, t.valid_until)
            if sig not in seen:  # a variant equal to a listed alias adds nothing
                seen.add(sig)
                terms.append(t)
    return Entry(kind, raw["id"], raw.get("name", raw["id"]), libyan, tuple(terms),
                 hedged=bool(raw.get("hedged", True)))


def build_watchlist(raw: dict[str, Any]) -> Watchlist:
    """Build a Watchlist from the `[watchlist]` table of a (validated) config."""
    actors = tuple(_entry(ACTOR, a) for a in raw.get("actors", ()))
    events = tuple(_entry(EVENT, e) for e in raw.get("events", ()))
    context = tuple(_term(CONTEXT, _text(c), c) for c in raw.get("context", ()))
    block = tuple(_term(BLOCK, _text(b), b) for b in raw.get("block", ()))
    weak = tuple(_term(WEAK, _text(w), w) for w in raw.get("weak", ()))
    people = tuple(_term(PEOPLE, _text(w), w) for w in raw.get("people", ()))
    hedge = tuple(_term(HEDGE_AFTER if isinstance(h, dict) and h.get("after") else HEDGE,
                        _text(h), _text(h)) for h in raw.get("hedge", ()))
    sport = tuple(_term(SPORT, _text(w), w) for w in raw.get("sport", ()))
    victims = tuple(_term(VICTIM, _text(w), w) for w in raw.get("victims", ()))
    by_id = {f"{e.kind}:{e.id}": e for e in actors + events}
    return Watchlist(actors, events, context, block, weak, people, hedge, sport, victims,
                     watchlist_version(raw), tuple(_dropped(raw)), by_id)


def _text(spec: str | dict[str, Any]) -> str:
    return spec if isinstance(spec, str) else spec["text"]


def watchlist_version(raw: dict[str, Any]) -> str:
    """A short digest of the watchlist: changes when any term or rule changes."""
    canonical = json.dumps([RULES_VERSION, raw], sort_keys=True, ensure_ascii=False, default=str)
    return "wl-" + hashlib.sha256(canonical.encode()).hexdigest()[:12]
