"""The policy: which hits count, and whether an article gets an alert.

An article gets an alert when (1) it is about Libya or names a Libyan actor,
and (2) it names at least one tracked actor or event that counts. Libyan
actors count wherever the story is set; foreign states, global groups,
events and ambiguous aliases count only in an article about Libya.
Every counted hit carries the rule that made it count, for `monitor show`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .matcher import Hit
from .watchlist import ACTOR, CONTEXT, EVENT, UNLESS, Watchlist

RULE_LIBYAN = "Libyan actor: counts wherever the story is set"
RULE_CONTEXT = "Libya context: {what} '{text}' at offset {start}"


@dataclass(frozen=True)
class Counted:
    hit: Hit
    rule: str


@dataclass(frozen=True)
class Decision:
    alert: bool
    actors: dict[str, list[Counted]]  # id -> counted hits, in text order
    events: dict[str, list[Counted]]
    context: Counted | None  # the evidence that the article is about Libya
    reason: str  # one line: why there is, or is not, an alert


def decide(watchlist: Watchlist, hits: list[Hit], published: date | None) -> Decision:
    """Apply the policy to the hits of one article."""
    hits = [h for h in hits if h.term.valid_on(published)]
    present = {h.term.id for h in hits if h.term.kind == UNLESS}
    context_hits = [
        h for h in hits
        if h.term.kind == CONTEXT and not any(u in present for u in h.term.unless)
    ]
    strong_libyan = [
        h for h in hits
        if h.term.kind == ACTOR
        and not h.term.needs_context
        and watchlist.entry(ACTOR, h.term.id).libyan
    ]
    context: Counted | None = None
    if context_hits:
        h = context_hits[0]
        context = Counted(h, RULE_CONTEXT.format(what="place/country", text=h.text, start=h.start))
    elif strong_libyan:
        h = strong_libyan[0]
        context = Counted(h, RULE_CONTEXT.format(what="Libyan actor", text=h.text, start=h.start))

    actors: dict[str, list[Counted]] = {}
    events: dict[str, list[Counted]] = {}
    for h in hits:
        if h.term.kind not in (ACTOR, EVENT):
            continue
        entry = watchlist.entry(h.term.kind, h.term.id)
        if entry.libyan and not h.term.needs_context:
            rule = RULE_LIBYAN
        elif context is not None:
            what = "ambiguous alias" if h.term.needs_context else (
                "foreign actor" if h.term.kind == ACTOR else "event")
            rule = f"{what} + {context.rule}"
        else:
            continue
        target = actors if h.term.kind == ACTOR else events
        target.setdefault(h.term.id, []).append(Counted(h, rule))

    if context is None:
        reason = "not about Libya and no Libyan actor"
    elif not actors and not events:
        reason = "about Libya but no tracked actor or event"
    else:
        reason = "about Libya with tracked " + " and ".join(
            x for x, d in (("actors", actors), ("events", events)) if d)
    alert = context is not None and bool(actors or events)
    return Decision(alert, actors, events, context, reason)
