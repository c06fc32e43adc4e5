"""The policy: which hits count, and whether an article gets an alert.

An article gets an alert when (1) it is about Libya or names a Libyan actor,
and (2) it names at least one tracked actor or event that counts. Libyan
actors count wherever the story is set; foreign states, global groups,
events and ambiguous aliases count only in an article about Libya.
Every counted hit carries the rule that made it count, for `monitor show`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from .event_filters import (
    KILLING,
    firm,
    hedged,
    is_sport,
    placed,
    sentence_bounds,
    units,
    with_victims,
)
from .matcher import Hit
from .watchlist import (
    ACTOR,
    CONTEXT,
    EVENT,
    HEDGE,
    HEDGE_AFTER,
    PEOPLE,
    SPORT,
    UNLESS,
    VICTIM,
    WEAK,
    Watchlist,
)

RULE_LIBYAN = "Libyan actor: counts wherever the story is set"
RULE_CONTEXT = "Libya context: {what} '{text}' at offset {start}"
# "Egyptian embassy staff", "American teacher": a nationality followed, within
# one word, by a noun for people names nationals, not the state acting.
PEOPLE_GAP = 12
RULE_IMPLIED = "named by '{alias}' ({via}): {rule}"


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


def decide(watchlist: Watchlist, hits: list[Hit], published: date | None,
           text: str | None = None) -> Decision:
    """Apply the policy to the hits of one article (`text`: its text, for sentence bounds)."""
    hits = reported(watchlist, nationals_dropped(watchlist, dated_hits(hits, published)), text)
    present = {h.term.id for h in hits if h.term.kind == UNLESS}
    inside_weak = _containment([(h.start, h.end) for h in hits if h.term.kind == WEAK])
    context_hits = [
        h for h in hits
        if h.term.kind == CONTEXT and not any(u in present for u in h.term.unless)
        and not inside_weak(h.start, h.end)
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
        for other in h.term.implies if h.term.kind == ACTOR else ():
            implied = Hit(replace(h.term, id=other), h.start, h.end, h.text)
            why = RULE_IMPLIED.format(alias=h.term.alias, via=h.term.id, rule=rule)
            actors.setdefault(other, []).append(Counted(implied, why))
    events = deferred(events)

    if context is None:
        reason = "not about Libya and no Libyan actor"
    elif not actors and not events:
        reason = "about Libya but no tracked actor or event"
    else:
        reason = "about Libya with tracked " + " and ".join(
            x for x, d in (("actors", actors), ("events", events)) if d)
    alert = context is not None and bool(actors or events)
    return Decision(alert, actors, events, context, reason)


def dated_hits(hits: list[Hit], published: date | None) -> list[Hit]:
    """Hits whose alias applies on the article's date.

    Undated, a span that date-bounded aliases give to different ids (a
    "unity government" is the GNA before March 2021, the GNU after) is
    ambiguous: none of them counts.
    """
    if published is not None:
        return [h for h in hits if h.term.valid_on(published)]
    ids_at: dict[tuple[int, int, str], set[str]] = {}
    for h in hits:
        if h.term.valid_from or h.term.valid_until:
            ids_at.setdefault((h.start, h.end, h.term.kind), set()).add(h.term.id)
    return [h for h in hits
            if len(ids_at.get((h.start, h.end, h.term.kind), ())) < 2]


def deferred(events: dict[str, list[Counted]]) -> dict[str, list[Counted]]:
    """Drop hits whose alias defers to an event found by other hits.

    "Killed in clashes" is the clash's toll, not a killing: `kill*` defers
    to armed_clash, airstrike, bombing... and counts only without them.
    """
    firm = {i for i, cs in events.items() if any(not c.hit.term.defer for c in cs)}
    out: dict[str, list[Counted]] = {}
    for i, cs in events.items():
        kept = [c for c in cs if not (set(c.hit.term.defer) & (firm - {i}))]
        if kept:
            out[i] = kept
    return out


def reported_events(watchlist: Watchlist, hits: list[Hit], published: date | None,
                    text: str) -> set[str]:
    """The event ids `text` reports wherever it is set (no Libya rule, no placement)."""
    kept = reported(watchlist, dated_hits(hits, published), text, anywhere=True)
    found: dict[str, list[Counted]] = {}
    for h in kept:
        if h.term.kind == EVENT:
            found.setdefault(h.term.id, []).append(Counted(h, ""))
    return set(deferred(found))


def reported(watchlist: Watchlist, hits: list[Hit], text: str | None,
             anywhere: bool = False) -> list[Hit]:
    """Drop event hits that report no event: hedged, in a sports report, or off-topic.

    A sports report also drops foreign states ("Libya beat Egypt 2-1"): only
    Libyan actors count in it, as they do anywhere. A death word next to
    civilian victims is a killing, whatever else caused it ("killing two sailors").
    """
    hedges = sorted((h for h in hits if h.term.kind == HEDGE), key=lambda h: h.end)
    after = sorted((h for h in hits if h.term.kind == HEDGE_AFTER), key=lambda h: h.start)
    ends, starts = [h.end for h in hedges], [h.start for h in after]
    victims = [h for h in hits if h.term.kind == VICTIM]
    sport = is_sport([h for h in hits if h.term.kind == SPORT])
    if not (hedges or after or sport or text):
        return hits
    # Sentences place and hedge events only: a text without an event hit needs none.
    bounds = sentence_bounds(text) if text and any(h.term.kind == EVENT for h in hits) else []
    if victims:
        victim_units = units(victims, bounds)
        hits = [firm(h) if h.term.kind == EVENT and h.term.id == KILLING and h.term.defer
                and with_victims(h, victim_units, bounds) else h for h in hits]
    anchors = [h for h in hits if h.term.kind == CONTEXT
               or (h.term.kind == ACTOR and watchlist.entry(ACTOR, h.term.id).libyan)]
    anchor_units = sorted(units(anchors, bounds))

    def keep(h: Hit) -> bool:
        if h.term.kind == ACTOR:
            return not sport or watchlist.entry(ACTOR, h.term.id).libyan
        if h.term.kind != EVENT:
            return True
        if sport or not (anywhere or placed(h, anchors, text, bounds,
                                             anchor_units=anchor_units)):
            return False
        return not watchlist.entry(EVENT, h.term.id).hedged or not hedged(
            h, hedges, after, bounds, ends, starts)

    return [h for h in hits if keep(h)]


def nationals_dropped(watchlist: Watchlist, hits: list[Hit]) -> list[Hit]:
    """Drop foreign-actor hits that name a state's nationals, not the state."""
    people = sorted(h.start for h in hits if h.term.kind == PEOPLE)
    if not people:
        return hits

    def nationals(h: Hit) -> bool:
        if h.term.kind != ACTOR or watchlist.entry(ACTOR, h.term.id).libyan:
            return False
        i = bisect_right(people, h.end)  # the first people noun starting after the hit
        return i < len(people) and people[i] - h.end <= PEOPLE_GAP

    return [h for h in hits if not nationals(h)]


def _containment(spans: list[tuple[int, int]]) -> Callable[[int, int], bool]:
    """A test of whether [start, end) lies inside one of `spans`: log n per question.

    Spans sorted by start, with the furthest end reached so far: [start, end)
    is inside one iff some span starting at or before `start` reaches `end`.
    """
    spans = sorted(spans)
    starts = [s for s, _ in spans]
    reach: list[int] = []
    for _, e in spans:
        reach.append(max(e, reach[-1]) if reach else e)

    def inside(start: int, end: int) -> bool:
        i = bisect_right(starts, start)
        return i > 0 and reach[i - 1] >= end

    return inside
