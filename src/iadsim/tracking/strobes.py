r"""Triangulation of jamming strobes from two radars into position fixes for the tracker.

A jammed radar still measures the jammer's bearing (azimuth, elevation): a strobe, a line of sight from
the radar. Two radars' lines to one jammer cross near it; the fix is the midpoint of the shortest segment
between the two lines (the closest points ``p_a + s_a u_a`` and ``p_b + s_b u_b``, from the 2 x 2 normal
equations of ``min |p_a + s_a u_a - p_b - s_b u_b|``; Blackman & Popoli, *Design and Analysis of Modern
Tracking Systems*, 1999, sect. 12.5 on passive (angle-only) multi-sensor location; Bar-Shalom, Willett &
Tian, *Tracking and Data Fusion*, 2011, ch. on angle-only triangulation).

A pair is accepted when both ranges are positive and within ``max_range``, the lines cross at least at
``min_crossing`` (a shallow crossing puts the fix anywhere along the lines), and their miss distance is
within ``gate`` standard deviations of the lines' cross-range errors (``r sigma_angle`` each, plus the
jammer's motion ``v_max dt`` between the two strobes). The last rule is what removes most ghost crossings
of several jammers: ghosts of lines in three dimensions rarely meet in elevation. With jammers at the same
elevation, ghosts remain (a known limit of two-station triangulation). Each new strobe gives at most one
fix, with the partner strobe (of any other radar) whose line passes closest in its standard deviations, so
one jammer is not reported twice in one scan.

The fix enters the tracker as a detection of the radar of the newer strobe, in that radar's components:
range to the fix, the strobe's own azimuth and elevation, and, when the radar measures range rate, an
uninformative 0 with standard deviation ``sigma_rdot``. Its range error, to first order in the crossing
geometry at the crossing angle ``gamma``: the other radar's cross-range error ``e_b`` moves the crossing
along this radar's line by ``e_b / sin(gamma)``, and this radar's own cross-range error ``e_a`` moves it
along the other line, ``cos(gamma) e_a / sin(gamma)`` along this one, so
``sigma_r^2 = ((r_b sigma_b)^2 + (v_max dt)^2 + cos^2(gamma) (r_a sigma_a)^2) / sin^2(gamma)``.
"""

from __future__ import annotations

import numpy as np

from iadsim.tracking.measurements import SensorGeometry

__all__ = ["StrobeFixer", "closest_points"]


def closest_points(pa, ua, pb, ub):
    """Parameters ``s_a, s_b`` of the closest points of the lines ``pa + s ua`` and ``pb + s ub`` (unit
    direction vectors; arrays ``(..., 3)``) and the sine of their crossing angle."""
    c = np.einsum("...i,...i->...", ua, ub)
    w = pa - pb
    d_a = np.einsum("...i,...i->...", ua, w)
    d_b = np.einsum("...i,...i->...", ub, w)
    den = 1.0 - c * c
    safe = np.where(den > 1e-12, den, 1.0)
    s_a = (c * d_b - d_a) / safe
    s_b = (d_b - c * d_a) / safe
    return s_a, s_b, np.sqrt(np.maximum(den, 0.0))


def _los(C, az, el):
    """Unit lines of sight in the tracker frame from local (az, el): ``C^T [cos el sin az, cos el cos az,
    sin el]``."""
    ce = np.cos(el)
    local = np.stack([ce * np.sin(az), ce * np.cos(az), np.sin(el)], axis=-1)
    return local @ C


class StrobeFixer:
    """Pairs each radar's new strobes with the latest strobes of the other radars (module docstring).

    ``geom``: the tracker's sensor geometry; ``max_age`` (s) oldest partner strobe; ``v_max`` (m/s) jammer
    speed bound; ``min_crossing`` (rad); ``max_range`` (m); ``gate`` (standard deviations);
    ``sigma_rdot`` (m/s) of the uninformative range rate.
    """

    def __init__(self, geom: SensorGeometry, max_age: float = 12.0, v_max: float = 350.0,
                 min_crossing: float = np.radians(3.0), max_range: float = 1.0e6, gate: float = 4.0,
                 sigma_rdot: float = 3000.0):
        self.geom = geom
        self.max_age = float(max_age)
        self.v_max = float(v_max)
        self.min_crossing = float(min_crossing)
        self.max_range = float(max_range)
        self.gate = float(gate)
        self.sigma_rdot = float(sigma_rdot)
        self.latest: dict[int, tuple[float, np.ndarray, np.ndarray]] = {}
        self.n_fixes = 0

    def add(self, t: float, sensor: int, z, R):
        """Strobes ``z`` (J, 2) (az, el) with covariances ``R`` (J, 2, 2) of ``sensor`` at ``t``; returns the
        fixes as detections of ``sensor``: ``(zf (F, m), Rf (F, m, m))`` in ``geom.dims[sensor]``."""
        z = np.asarray(z, float).reshape(-1, 2)
        R = np.asarray(R, float).reshape(-1, 2, 2)
        dims = self.geom.dims[sensor]
        m = len(dims)
        cand = []  # (strobe of this radar, normalised miss distance, fix range, its variance)
        if z.shape[0]:
            g = self.geom
            pa = g.position[sensor]
            ua = _los(g.C[sensor], z[:, 0], z[:, 1])
            sig_a = np.sqrt(np.maximum(R[:, 0, 0], R[:, 1, 1]))
            for other in sorted(self.latest):
                t_b, zb, Rb = self.latest[other]
                age = t - t_b
                if other == sensor or age > self.max_age or zb.shape[0] == 0:
                    continue
                pb = g.position[other]
                ub = _los(g.C[other], zb[:, 0], zb[:, 1])
                sig_b = np.sqrt(np.maximum(Rb[:, 0, 0], Rb[:, 1, 1]))
                ia, ib = np.meshgrid(np.arange(z.shape[0]), np.arange(zb.shape[0]), indexing="ij")
                ia, ib = ia.ravel(), ib.ravel()
                s_a, s_b, sin_g = closest_points(pa, ua[ia], pb, ub[ib])
                qa = pa + s_a[:, None] * ua[ia]
                qb = pb + s_b[:, None] * ub[ib]
                gap = np.linalg.norm(qa - qb, axis=-1)
                cross_b = np.hypot(s_b * sig_b[ib], self.v_max * age)
                scale = np.sqrt((s_a * sig_a[ia]) ** 2 + cross_b ** 2)
                ok = ((s_a > 0) & (s_b > 0) & (s_a <= self.max_range) & (s_b <= self.max_range)
                      & (sin_g >= np.sin(self.min_crossing)) & (gap <= self.gate * scale))
                if ok.any():
                    r_fix = np.linalg.norm(0.5 * (qa[ok] + qb[ok]) - pa, axis=-1)
                    cos2 = 1.0 - sin_g[ok] ** 2
                    var_r = (cross_b[ok] ** 2 + cos2 * (s_a[ok] * sig_a[ia[ok]]) ** 2) / sin_g[ok] ** 2
                    cand.append(np.stack([ia[ok], gap[ok] / scale[ok], r_fix, var_r], -1))
        self.latest[sensor] = (float(t), z, R)
        if not cand:
            return np.zeros((0, m)), np.zeros((0, m, m))
        c = np.vstack(cand)
        # one fix per strobe: the partner whose line passes closest (in its standard deviations)
        order = np.lexsort((c[:, 1], c[:, 0]))
        c = c[order]
        c = c[np.r_[True, np.diff(c[:, 0]) != 0]]
        ia = c[:, 0].astype(int)
        cols = {"r": c[:, 2], "az": z[ia, 0], "el": z[ia, 1], "rdot": np.zeros(ia.size)}
        var = {"r": c[:, 3], "az": R[ia, 0, 0], "el": R[ia, 1, 1], "rdot": np.full(ia.size, self.sigma_rdot ** 2)}
        zf = np.stack([cols[k] for k in dims], axis=-1)
        Rf = np.einsum("ki,ij->kij", np.stack([var[k] for k in dims], axis=-1), np.eye(m))
        self.n_fixes += zf.shape[0]
        return zf, Rf
