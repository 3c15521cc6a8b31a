"""Multifunction radar resources: a frame-based time budget shared by uplinks, track dwells and search.

A multifunction (electronically steered) radar has one beam and a fixed amount of radar time. The model is
the frame-based time budget of multifunction array radar resource management (Billetter, *Multifunction
Array Radar*, Artech House, 1989, ch. 4 and 7, the time-budget and track-capacity analysis; Moo & Ding,
*Adaptive Radar Resource Management*, Academic Press, 2015, ch. 2, priority-based frame schedulers):

* **Frame.** Radar time is allotted in frames of length ``T`` (the radar type's ``scan_period``); one
  frame is one scan event of the engine. Of each frame at most ``B = T (1 - search_reserve)`` goes to
  uplinks and track dwells; the rest, at least ``T search_reserve``, is kept for search, so search slows
  under load but never stops.
* **Uplinks first.** Every interceptor in midcourse that the radar guides takes one ``uplink_dwell`` per
  frame; granted ``min(n, floor(B / uplink_dwell))`` (the engagement channel check,
  :func:`engagement_channels`, keeps ``n`` within the budget, so the cap only bites when the check is off).
* **Track capacity.** The radar maintains at most ``track_capacity`` tracks: the candidates (tracks whose
  predicted position is in its coverage) ranked by priority class, then by track id (older tracks first);
  the others get no dwells (only search still sees them).
* **Track dwells by priority.** Classes: 0 engaged (an engagement in flight or awaiting its kill
  assessment), 1 threatening (a declared asset threatened, :mod:`iadsim.evaluation.threat_evaluation`),
  2 others (tentative tracks included). Class ``p`` wants a dwell of ``track_dwell`` every
  ``n_p = max(1, round(revisit_p / T))`` frames; a track is *due* when its last dwell is at least
  ``(n_p - 1/2) T`` old (never dwelled: due). Due tracks are served in the order (class, most overdue
  first by ``age / (n_p T)``, track id) while a whole dwell still fits in ``B``; the others wait for the
  next frame, so their update intervals stretch. **The priority rule**: a due track waits only when every
  dwell of the frame went to uplinks or to tracks ranked before it, and the frame has no room left for
  one more dwell (work-conserving). Consequence (tested): with ``M`` track dwells per frame, the classes
  whose cumulative track count fits in ``M`` keep their revisit exactly; the overloaded class shares what
  is left round-robin, its interval ``N_q / (M - sum_{p<q} N_p / n_p)`` frames; lower classes starve.
* **Search.** What is left, ``S = T - uplinks - dwells``, searches: a full search of the sector takes
  ``search_time`` of radar time, so a frame covers the share ``f = min(1, S / search_time)`` of the
  sector, an azimuth slice that advances frame after frame; the search frame time is ``T / f``.

What a dwell sees: a track dwell points the beam at the track's constant-velocity extrapolation to the
frame time and illuminates what lies inside the 3-dB beam (``|d az| cos el <= theta_az / 2`` and
``|d el| <= theta_el / 2``); the search slice illuminates its share of the sector at every range.
The engine measures only the illuminated objects and keeps only the false alarms and strobes of the
slice (:meth:`Scheduler.keep_detections`), and the tracker counts a scan against a track only where the
frame looked (:meth:`Scheduler.looked`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["BudgetParams", "FramePlan", "Scheduler", "engagement_channels", "schedule_frame"]

#: priority classes of track dwells
ENGAGED, THREATENING, OTHER = 0, 1, 2


@dataclass(frozen=True)
class BudgetParams:
    """A radar's time budget in SI (module docstring): ``frame`` T (s), ``search_time`` (s of radar time for
    one full search of the sector), ``track_dwell`` and ``uplink_dwell`` (s), ``revisit`` (s) per priority
    class (engaged, threatening, other), ``track_capacity`` (tracks), ``search_reserve`` (share of T)."""

    frame: float
    search_time: float
    track_dwell: float
    uplink_dwell: float
    revisit: tuple[float, float, float]
    track_capacity: int
    search_reserve: float = 0.1

    def __post_init__(self):
        if not (self.frame > 0 and self.search_time > 0 and self.track_dwell > 0 and self.uplink_dwell > 0):
            raise ValueError("frame, search_time, track_dwell and uplink_dwell must be positive")
        if len(self.revisit) != 3 or min(self.revisit) <= 0:
            raise ValueError("revisit needs three positive intervals (engaged, threatening, other)")
        if self.track_capacity < 1 or not 0.0 <= self.search_reserve < 1.0:
            raise ValueError("need track_capacity >= 1 and 0 <= search_reserve < 1")

    @property
    def budget(self) -> float:
        """``B = T (1 - search_reserve)``: the time of a frame uplinks and track dwells may take (s)."""
        return self.frame * (1.0 - self.search_reserve)

    @property
    def frames(self) -> np.ndarray:
        """Revisit of each class in frames, ``n_p = max(1, round(revisit_p / T))`` (3,) int."""
        return np.maximum(1, np.rint(np.asarray(self.revisit) / self.frame)).astype(np.int64)


@dataclass(frozen=True)
class FramePlan:
    """One frame's allotment: ``uplinks`` granted; ``tracks`` (indices into the candidates, in service order);
    ``maintained`` and ``due`` (n,) bool masks; ``busy`` (s) taken by uplinks and dwells; ``search`` (s) left
    for search and ``search_fraction`` of the sector it covers."""

    uplinks: int
    tracks: np.ndarray
    maintained: np.ndarray
    due: np.ndarray
    busy: float
    search: float
    search_fraction: float


def _rank(priority, key, ids):
    """Candidates ordered by (priority, key, id): lexsort with the last key primary."""
    return np.lexsort((ids, key, priority))


def schedule_frame(p: BudgetParams, n_uplinks: int, priority, age, ids) -> FramePlan:
    """Allot one frame (module docstring): ``n_uplinks`` interceptors asking for an uplink; candidate tracks
    with ``priority`` (n,) class 0-2, ``age`` (n,) s since their last dwell (inf: never) and ``ids`` (n,)."""
    priority = np.asarray(priority, np.int64)
    age = np.asarray(age, float)
    ids = np.asarray(ids, np.int64)
    n = priority.size
    B = p.budget
    uplinks = int(min(max(int(n_uplinks), 0), np.floor(B / p.uplink_dwell + 1e-9)))
    used = uplinks * p.uplink_dwell
    maintained = np.zeros(n, bool)
    maintained[_rank(priority, np.zeros(n), ids)[: p.track_capacity]] = True
    interval = p.frames[priority] * p.frame
    due = maintained & (age >= interval - 0.5 * p.frame - 1e-9)
    cand = np.flatnonzero(due)
    order = cand[_rank(priority[cand], -np.minimum(age[cand] / interval[cand], 1e300), ids[cand])]
    room = int(np.floor((B - used) / p.track_dwell + 1e-9))
    tracks = order[: max(room, 0)]
    used += tracks.size * p.track_dwell
    search = p.frame - used
    return FramePlan(uplinks=uplinks, tracks=tracks, maintained=maintained, due=due, busy=used, search=search,
                     search_fraction=min(1.0, search / p.search_time))


def engagement_channels(p: BudgetParams, salvo: int) -> int:
    """Engagements the radar's budget can guide at once: each takes per frame ``salvo`` uplinks and its
    engaged track's dwell every ``n_0`` frames, ``c = salvo uplink_dwell + track_dwell / n_0``, so
    ``min(track_capacity, floor(B / c))`` (Billetter 1989, ch. 7: the channel count of a multifunction radar
    follows from its time budget)."""
    c = salvo * p.uplink_dwell + p.track_dwell / float(p.frames[ENGAGED])
    return int(min(p.track_capacity, np.floor(p.budget / c + 1e-9)))


@dataclass
class Scheduler:
    """One radar's scheduler across frames: the last dwell time of each track it maintains, the search
    pointer, and the frame's beams. ``beamwidths`` (az, el) rad; ``sector`` (centre, width) rad of the
    azimuth coverage. ``dwells`` logs ``(t, track id, class)`` of every track dwell (diagnostics, tests)."""

    params: BudgetParams
    beamwidths: tuple[float, float]
    sector: tuple[float, float]
    last: dict = field(default_factory=dict)
    pointer: float = 0.0
    slice: tuple[float, float] = (0.0, 1.0)
    beams: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    dwells: list = field(default_factory=list)
    frames: list = field(default_factory=list)

    def plan(self, t: float, ids, priority, n_uplinks: int) -> FramePlan:
        """Allot the frame at ``t`` to the candidate tracks ``ids`` with ``priority``; remembers the dwells
        and advances the search slice."""
        ids = np.asarray(ids, np.int64)
        age = np.array([t - self.last[i] if i in self.last else np.inf for i in ids.tolist()])
        fp = schedule_frame(self.params, n_uplinks, priority, age, ids)
        # forget a track 4 longest revisits after its last dwell (one that leaves the coverage briefly, or
        # drops out of the candidates, keeps its age meanwhile)
        horizon = 4.0 * max(self.params.revisit)
        self.last = {i: v for i, v in self.last.items() if t - v <= horizon}
        for j in fp.tracks.tolist():
            self.last[int(ids[j])] = t
            self.dwells.append((t, int(ids[j]), int(priority[j])))
        self.slice = (self.pointer, fp.search_fraction)
        self.pointer = (self.pointer + fp.search_fraction) % 1.0
        self.frames.append((t, fp.uplinks, fp.tracks.size, int(np.count_nonzero(fp.due)), fp.search_fraction))
        return fp

    def set_beams(self, az, el) -> None:
        """Beam directions (az, el) rad of this frame's track dwells."""
        self.beams = np.stack([np.asarray(az, float), np.asarray(el, float)], -1).reshape(-1, 2)

    def in_slice(self, az) -> np.ndarray:
        """Azimuths inside this frame's search slice: the share ``f`` of the sector from the pointer on."""
        center, width = self.sector
        if width >= 2 * np.pi:
            u = np.mod(az, 2 * np.pi) / (2 * np.pi)
        else:
            u = (np.mod(az - center + np.pi, 2 * np.pi) - np.pi + 0.5 * width) / width
        s, f = self.slice
        return (f >= 1.0) | (np.mod(u - s, 1.0) < f)

    def in_beams(self, az, el) -> np.ndarray:
        """Directions inside the 3-dB beam of one of this frame's track dwells."""
        az = np.atleast_1d(az)
        el = np.atleast_1d(el)
        if self.beams.shape[0] == 0 or az.size == 0:
            return np.zeros(az.size, bool)
        bw_az, bw_el = self.beamwidths
        daz = np.abs(np.mod(az[:, None] - self.beams[None, :, 0] + np.pi, 2 * np.pi) - np.pi) * np.cos(el[:, None])
        de = np.abs(el[:, None] - self.beams[None, :, 1])
        return np.any((daz <= 0.5 * bw_az) & (de <= 0.5 * bw_el), axis=1)

    def looked(self, az, el) -> np.ndarray:
        """Where this frame looked: the search slice or a track dwell's beam."""
        return self.in_slice(az) | self.in_beams(az, el)

    def keep_detections(self, det, components):
        """``det`` (:class:`~iadsim.sensors.radar.Detections` of the illuminated objects) without the false
        alarms outside the search slice (the dwells' few cells are neglected), and only the strobes of the
        slice; ``components`` names the columns of ``det.z``."""
        from dataclasses import replace

        j = list(components).index("az")
        keep = (det.truth_id >= 0) | self.in_slice(det.z[:, j])
        strobes = det.strobes
        if len(strobes):
            s = self.in_slice(strobes.z[:, 0])
            strobes = replace(strobes, z=strobes.z[s], R=strobes.R[s], jnr=strobes.jnr[s], jammer=strobes.jammer[s])
        if keep.all() and strobes is det.strobes:
            return det
        R = det.R[keep] if np.ndim(det.R) == 3 else det.R
        return replace(det, z=det.z[keep], R=R, truth_id=det.truth_id[keep], snr=det.snr[keep], strobes=strobes)
