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
    INTERCEPT = 1  # interceptors reach their predicted intercept point
    IMPACT = 2  # a threat reaches the end of its flight (a leaker, if still alive)
    RELOAD = 3  # a launcher is refilled from the reserve
    SCAN = 4  # a radar scan is processed by the tracker
    KILL_ASSESS = 5  # the command post looks at the track of an engaged threat again
    C2 = 6  # command-post cycle: threat evaluation, weapon assignment, launch orders
    SAMPLE = 7  # the fixed physics step: truth and tracks are sampled for the outputs


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
