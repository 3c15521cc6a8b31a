"""The event queue: a heap keyed ``(time, priority, sequence)`` (after SimPy's kernel).

Equal times resolve by priority, then by insertion order, so a run is a deterministic function of its
inputs. Payloads are small tuples; no event object per target per step.
"""

from __future__ import annotations

import heapq
from enum import IntEnum


class Ev(IntEnum):
    """Event kinds; the value is the priority at equal times (lower first)."""

    LAUNCH = 0  # a threat leaves its launcher
    ROUND = 1  # an interceptor leaves its launcher
    FLYOUT = 2  # the interceptors in flight are advanced (at least every FLYOUT_TICK while any fly)
    IMPACT = 3  # a threat reaches the end of its flight (a leaker, if still alive)
    RELOAD = 4  # a launcher is refilled from the reserve
    SCAN = 5  # a radar scan is processed by the tracker
    KILL_ASSESS = 6  # the command post looks at the track of an engaged threat again
    # the C2 network's messages and link changes (iadsim.c2) come before the command-post cycle at equal
    # times, so a report arriving at a cycle's time is in that cycle's picture; the values after KILL_ASSESS
    # moved up by four when they were added (only the order matters: the values are not stored anywhere)
    LINK = 7  # a scheduled link cut or restoration
    TRACK_REPORT = 8  # a radar's track reports reach the command post
    ORDER = 9  # a launch order reaches its fire unit
    KA_REPORT = 10  # a fire unit's kill-assessment report reaches the command post
    C2 = 11  # command-post cycle: threat evaluation, weapon assignment, launch orders
    SAMPLE = 12  # the output sampling tick: truth, tracks and interceptors are sampled
    OBSERVE = 13  # an observer of the run looks at the world (DIS output, live pacing: Simulation observers)


class EventQueue:
    """Min-heap of ``(time, priority, sequence, kind, payload)``."""

    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple] = []
        self._seq = 0

    def push(self, time: float, kind: Ev, payload=None) -> None:
        heapq.heappush(self._heap, (float(time), int(kind), self._seq, kind, payload))
        self._seq += 1

    def pop(self) -> tuple[float, Ev, object]:
        t, _, _, kind, payload = heapq.heappop(self._heap)
        return t, kind, payload

    def peek_time(self) -> float:
        return self._heap[0][0] if self._heap else float("inf")

    def __len__(self) -> int:
        return len(self._heap)


class EventLog:
    """Column lists of the event log (events are few: appended per happening)."""

    COLUMNS = ("time", "kind", "threat", "track", "fire_unit", "engagement", "asset", "detail")

    def __init__(self) -> None:
        self.events = {k: [] for k in self.COLUMNS}

    def event(self, t, kind, threat=-1, track=-1, fire_unit=-1, engagement=-1, asset=-1, detail="") -> None:
        ev = self.events
        ev["time"].append(float(t))
        ev["kind"].append(kind)
        ev["threat"].append(int(threat))
        ev["track"].append(int(track))
        ev["fire_unit"].append(int(fire_unit))
        ev["engagement"].append(int(engagement))
        ev["asset"].append(int(asset))
        ev["detail"].append(detail)
