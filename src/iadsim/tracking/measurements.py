r"""Radar measurement geometry: range, azimuth, elevation, range rate, batched over tracks.

Conventions (shared tracking contract)
--------------------------------------
The tracker works in one Cartesian frame (``"ecef"`` or flat ``"enu"``). Each sensor ``s`` sits at
``position[s]`` (tracker frame, metres) and is stationary in that frame; ``C[s]`` rotates a tracker-frame
vector into the sensor's local East-North-Up frame (identity for a flat ENU tracker frame, the matrix of
:func:`iadsim.frames.enu_rotation` for ECEF). With ``d = C (p - p_s) = (e, n, u)`` and ``w = C v``::

    r     = |d|                               slant range (m)
    az    = atan2(e, n)  in [0, 2 pi)         azimuth, clockwise from north (rad)
    el    = atan2(u, rho),  rho = hypot(e, n) elevation above the local horizontal (rad)
    rdot  = d . w / r                         range rate, positive when opening (m/s)

Jacobians with respect to the local vectors (BLK2001 sec. 1.6 / 10.2, written out here)::

    dr/dd    = d^T / r
    daz/dd   = [ n, -e, 0 ] / rho^2
    del/dd   = [ -e u / (r^2 rho), -n u / (r^2 rho), rho / r^2 ]
    drdot/dd = (w - rdot d / r)^T / r        drdot/dw = d^T / r

and the chain rule through ``C``: ``dh/dp = (dh/dd) C``, ``dh/dv = (dh/dw) C``. Columns beyond the first
six (model extras) are zero.

Measurement components are named by the strings ``"r"``, ``"az"``, ``"el"``, ``"rdot"``; a sensor measures
any ordered subset (``dims[s]``), and every function takes the tuple ``comps`` of the components in the
columns of ``z``.

Reference: Y. Bar-Shalom, X. R. Li, T. Kirubarajan, *Estimation with Applications to Tracking and
Navigation*, Wiley 2001 (BLK2001), sec. 10.2 (polar/spherical measurements, extended Kalman filter) and
S. Blackman, R. Popoli, *Design and Analysis of Modern Tracking Systems*, Artech 1999, sec. 3.6
(conversion of polar measurements and their covariance, used for track initiation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COMPONENTS = ("r", "az", "el", "rdot")
TWO_PI = 2.0 * np.pi


@dataclass(frozen=True)
class SensorGeometry:
    """Positions and orientations of ``S`` sensors, expressed in the tracker frame.

    Attributes
    ----------
    position : (S, 3) sensor positions in the tracker frame (m).
    C : (S, 3, 3) rotations tracker frame -> sensor local ENU.
    dims : per sensor, the tuple of measured components, e.g. ``("r", "az", "el", "rdot")``.
    """

    position: np.ndarray
    C: np.ndarray
    dims: tuple

    def __post_init__(self):
        pos = np.atleast_2d(np.asarray(self.position, dtype=float))
        C = np.asarray(self.C, dtype=float)
        if C.ndim == 2:
            C = np.broadcast_to(C, (pos.shape[0], 3, 3)).copy()
        dims = tuple(tuple(d) for d in self.dims)
        if pos.shape[1] != 3 or C.shape != (pos.shape[0], 3, 3) or len(dims) != pos.shape[0]:
            raise ValueError("SensorGeometry: position (S,3), C (S,3,3) and dims (S) must agree")
        for d in dims:
            bad = [c for c in d if c not in COMPONENTS]
            if bad or len(set(d)) != len(d) or "r" not in d:
                raise ValueError(f"SensorGeometry: bad measured components {d}; range 'r' is required")
        object.__setattr__(self, "position", pos)
        object.__setattr__(self, "C", C)
        object.__setattr__(self, "dims", dims)

    @property
    def S(self) -> int:
        return self.position.shape[0]

    @classmethod
    def flat(cls, position, dims) -> SensorGeometry:
        """Sensors in a flat ENU tracker frame (``C`` = identity)."""
        pos = np.atleast_2d(np.asarray(position, dtype=float))
        return cls(pos, np.broadcast_to(np.eye(3), (pos.shape[0], 3, 3)).copy(), dims)


def _sensor_index(sensor, M: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(sensor, dtype=np.intp), (M,))


def _local(x, geom: SensorGeometry, sensor):
    """Local ENU relative position ``d`` and velocity ``w`` (M, 3) and the rotations ``C`` (M, 3, 3)."""
    x = np.asarray(x, dtype=float)
    s = _sensor_index(sensor, x.shape[0])
    C = geom.C[s]
    d = np.einsum("mij,mj->mi", C, x[:, 0:3] - geom.position[s])
    w = np.einsum("mij,mj->mi", C, x[:, 3:6])
    return d, w, C


def h(x, geom: SensorGeometry, sensor, comps: tuple) -> np.ndarray:
    """Predicted measurement ``zhat (M, m)`` of states ``x (M, n)`` seen by ``sensor (M,)`` (or scalar).

    Components in the order of ``comps``; azimuth in [0, 2 pi). See the module docstring for equations.
    """
    d, w, _ = _local(x, geom, sensor)
    e, n, u = d[:, 0], d[:, 1], d[:, 2]
    rho = np.hypot(e, n)
    r = np.sqrt(rho * rho + u * u)
    out = np.empty((d.shape[0], len(comps)))
    for j, c in enumerate(comps):
        if c == "r":
            out[:, j] = r
        elif c == "az":
            out[:, j] = np.mod(np.arctan2(e, n), TWO_PI)
        elif c == "el":
            out[:, j] = np.arctan2(u, rho)
        elif c == "rdot":
            out[:, j] = np.einsum("mi,mi->m", d, w) / np.maximum(r, 1e-9)
        else:
            raise ValueError(f"unknown measurement component {c!r}")
    return out


def H(x, geom: SensorGeometry, sensor, comps: tuple) -> np.ndarray:
    """Jacobian ``(M, m, n)`` of :func:`h` with respect to the state (zeros beyond column 6)."""
    x = np.asarray(x, dtype=float)
    d, w, C = _local(x, geom, sensor)
    M, nx = x.shape
    e, n, u = d[:, 0], d[:, 1], d[:, 2]
    rho2 = np.maximum(e * e + n * n, 1e-18)
    rho = np.sqrt(rho2)
    r2 = rho2 + u * u
    r = np.sqrt(r2)
    Jd = np.zeros((M, len(comps), 3))   # d h / d d (local)
    Jw = np.zeros((M, len(comps), 3))   # d h / d w (local)
    for j, c in enumerate(comps):
        if c == "r":
            Jd[:, j] = d / r[:, None]
        elif c == "az":
            Jd[:, j, 0] = n / rho2
            Jd[:, j, 1] = -e / rho2
        elif c == "el":
            Jd[:, j, 0] = -e * u / (r2 * rho)
            Jd[:, j, 1] = -n * u / (r2 * rho)
            Jd[:, j, 2] = rho / r2
        elif c == "rdot":
            rdot = np.einsum("mi,mi->m", d, w) / r
            Jd[:, j] = (w - (rdot / r)[:, None] * d) / r[:, None]
            Jw[:, j] = d / r[:, None]
        else:
            raise ValueError(f"unknown measurement component {c!r}")
    Hm = np.zeros((M, len(comps), nx))
    Hm[:, :, 0:3] = Jd @ C
    Hm[:, :, 3:6] = Jw @ C
    return Hm


def residual(z, zhat, comps: tuple) -> np.ndarray:
    """Innovation ``z - zhat`` (``(..., m)``) with the azimuth column wrapped to (-pi, pi]."""
    y = np.asarray(z, dtype=float) - np.asarray(zhat, dtype=float)
    if "az" in comps:
        j = comps.index("az")
        a = y[..., j]
        y[..., j] = a - TWO_PI * np.ceil((a - np.pi) / TWO_PI)
    return y


def cart_from_polar(z, geom: SensorGeometry, sensor, comps: tuple, R=None, up=None, up_sigma=None):
    r"""Measurement ``z (K, m)`` to a tracker-frame position ``(K, 3)`` and its covariance ``(K, 3, 3)``.

    Local position ``d = r (cos el sin az, cos el cos az, sin el)``, tracker-frame position
    ``p = p_s + C^T d``; covariance by first-order propagation ``Rcart = C^T J R_pol J^T C`` with ``J`` the
    Jacobian of ``d`` wrt ``(r, az, el)`` (Blackman & Popoli 1999, sec. 3.6). Range rate is ignored.

    Without an elevation column, ``el = arcsin(up / r)`` where ``up`` (scalar or ``(K,)``, metres above
    the sensor's local horizontal plane; default 0) is the caller's altitude guess, and ``up_sigma``
    (m, default 0) its standard deviation, entered as an elevation variance ``(up_sigma / r)^2``.
    ``R`` is ``(K, m, m)`` or ``(m, m)``; when ``None`` the returned covariance is ``None``.
    """
    z = np.atleast_2d(np.asarray(z, dtype=float))
    K = z.shape[0]
    s = _sensor_index(sensor, K)
    r = z[:, comps.index("r")]
    az = z[:, comps.index("az")] if "az" in comps else np.zeros(K)
    if "el" in comps:
        el = z[:, comps.index("el")]
    else:
        upv = np.broadcast_to(np.asarray(0.0 if up is None else up, dtype=float), (K,))
        el = np.arcsin(np.clip(upv / np.maximum(r, 1e-9), -1.0, 1.0))
    ca, sa, ce, se = np.cos(az), np.sin(az), np.cos(el), np.sin(el)
    rce, rse = r * ce, r * se
    d = np.empty((K, 3))  # columns written in place: the same products as stacking them, fewer temporaries
    np.multiply(rce, sa, out=d[:, 0])
    np.multiply(rce, ca, out=d[:, 1])
    d[:, 2] = rse
    C = geom.C[s]
    pos = geom.position[s] + np.einsum("mji,mj->mi", C, d)
    if R is None:
        return pos, None
    R = np.broadcast_to(np.asarray(R, dtype=float), (K, len(comps), len(comps)))
    Rp = np.zeros((K, 3, 3))       # covariance of (r, az, el)
    idx = [comps.index(c) if c in comps else -1 for c in ("r", "az", "el")]
    for a, ia in enumerate(idx):
        for b, ib in enumerate(idx):
            if ia >= 0 and ib >= 0:
                Rp[:, a, b] = R[:, ia, ib]
    if "el" not in comps:
        sig = 0.0 if up_sigma is None else up_sigma
        Rp[:, 2, 2] = (np.broadcast_to(np.asarray(sig, dtype=float), (K,)) / np.maximum(r, 1e-9)) ** 2
    if "az" not in comps:
        Rp[:, 1, 1] = np.pi ** 2
    J = np.empty((K, 3, 3))   # d d / d (r, az, el)
    J[:, 0, 0], J[:, 1, 0], J[:, 2, 0] = ce * sa, ce * ca, se
    J[:, 0, 1], J[:, 1, 1], J[:, 2, 1] = d[:, 1], -rce * sa, 0.0
    J[:, 0, 2], J[:, 1, 2], J[:, 2, 2] = -rse * sa, -rse * ca, rce
    G = np.einsum("mji,mjk->mik", C, J)          # C^T J
    Rcart = G @ Rp @ np.swapaxes(G, 1, 2)
    return pos, 0.5 * (Rcart + np.swapaxes(Rcart, 1, 2))
