"""The severity model, in one place: from the events and actors found to a score.

score = the weight of the gravest event found (0.15 when only actors are named)
      + 0.04 for each further violent event (weight >= 0.6), at most 0.16
      + 0.01 for each further non-violent event
      + 0.03 when three or more Libyan actors are named
clamped to [0, 1]. severity: critical >= 0.85 > high >= 0.65 > medium >= 0.4 > low.

That is an alert's own score, fixed when it is stored (alerts are immutable).
A story (the same news from several publishers, see stories.py) is scored as

story score = the best score among its current alerts
            + SOURCE_BONUS for each further distinct source, at most SOURCE_CAP

kept on the `stories` table and recomputed when an article joins. So one
killing, bombing or airstrike is high; two of them, or one reported by three
sources, is critical; talks or an election alone is low, and stays at most
medium however many outlets repeat it.
"""

from __future__ import annotations

from collections.abc import Iterable

EVENT_WEIGHTS: dict[str, float] = {
    "killing": 0.8,
    "bombing": 0.8,
    "airstrike": 0.8,
    "aircraft_downed": 0.7,
    "armed_clash": 0.7,
    "offensive": 0.7,
    "abduction": 0.65,
    "disaster": 0.65,
    "oil_disruption": 0.55,
    "foreign_fighters": 0.5,
    "ceasefire": 0.45,
    "sanctions": 0.4,
    "protest": 0.4,
    "migration": 0.4,
    "election": 0.3,
    "talks": 0.3,
}
DEFAULT_EVENT_WEIGHT = 0.4  # an event added to the watchlist without a weight here
ACTORS_ONLY = 0.15
VIOLENT = 0.6
LEVELS = (("critical", 0.85), ("high", 0.65), ("medium", 0.4), ("low", 0.0))
SEVERITIES = ("low", "medium", "high", "critical")
SOURCE_BONUS = 0.03  # per further publisher: independent confirmation raises confidence
SOURCE_CAP = 0.12  # ... but repetition alone never lifts talks (0.3) past medium


def score(events: Iterable[str], libyan_actors: int = 0, sources: int = 1) -> float:
    """The alert's score in [0, 1] (see the module docstring)."""
    weights = sorted((EVENT_WEIGHTS.get(e, DEFAULT_EVENT_WEIGHT) for e in set(events)),
                     reverse=True)
    s = weights[0] if weights else ACTORS_ONLY
    rest = weights[1:]
    s += min(0.16, 0.04 * sum(1 for w in rest if w >= VIOLENT))
    s += 0.01 * sum(1 for w in rest if w < VIOLENT)
    if libyan_actors >= 3:
        s += 0.03
    s += _source_bonus(sources)
    return round(max(0.0, min(1.0, s)), 3)


def _source_bonus(sources: int) -> float:
    return min(SOURCE_CAP, SOURCE_BONUS * max(0, sources - 1))


def story_score(best_alert_score: float, sources: int) -> float:
    """A story's score: its best alert's score plus the bonus for further sources."""
    return round(max(0.0, min(1.0, best_alert_score + _source_bonus(sources))), 3)


def severity(value: float) -> str:
    """The severity level of a score."""
    for name, threshold in LEVELS:
        if value >= threshold:
            return name
    return "low"

