"""Dead reckoning, orientation from the velocity, and when to send an Entity State PDU.

Dead-reckoning models (IEEE 1278.1-2012 Annex E, world coordinates), from the last PDU's location
``P0``, velocity ``V0`` and acceleration ``A0`` after ``dt`` seconds:

* algorithm 1, Static: ``P = P0``;
* algorithm 2, DRM(F,P,W): ``P = P0 + V0 dt``;
* algorithm 4, DRM(R,V,W): ``P = P0 + V0 dt + A0 dt^2 / 2`` (its orientation turns with the body angular
  velocity; iadsim does not dead-reckon orientation, see below);
* algorithm 5, DRM(F,V,W): the same position as 4 with a fixed orientation.

iadsim sends moving entities with algorithm 4 and the angular velocity of a body whose x axis follows the
velocity (``omega = v x a / |v|^2``, in body axes), static sites with algorithm 1.

When to send (IEEE 1278.1-2012 5.3.2 and its DIS parameters): an entity's PDU is issued when it first
appears, when the position its receivers dead-reckon from the last PDU is more than ``DRA_POS_THRESH``
from its true position, when ``HBT_ESPDU`` has passed since the last PDU (the heartbeat), and a last time
when it leaves the exercise (deactivated). The standard's defaults: ``DRA_POS_THRESH = 1 m``,
``HBT_ESPDU = 5 s``, an entity is timed out by receivers after ``HBT_TIMEOUT_MPLIER = 2.4`` heartbeats.
The sender checks at each of its ticks (:mod:`iadsim.dis.output`), so the threshold holds at those ticks;
the receiver's extrapolation uses the float32 velocity and acceleration actually sent, and so does the check.

Orientation (6.2.32): Euler angles ``psi, theta, phi`` (rotations about z, y, x) of the body frame (x forward,
y right, z down) from the world frame (ECEF). The body's x axis is along the velocity and its wings are
level with the local horizontal: ``x = v / |v|``, ``y = normalize(d x x)``, ``z = x x y`` with ``d`` the
local geodetic down; then ``psi = atan2(x2, x1)``, ``theta = -asin(x3)``, ``phi = atan2(y3, z3)`` (with the
body x along the world z axis, where these angles are singular, ``psi = 0`` and ``phi`` from ``y``).
"""

from __future__ import annotations

import numpy as np

from iadsim.frames import ecef2geodetic

DR_STATIC, DR_FPW, DR_RVW, DR_FVW = 1, 2, 4, 5
#: the standard's defaults (module docstring)
DRA_POS_THRESH = 1.0
HBT_ESPDU = 5.0
HBT_TIMEOUT_MPLIER = 2.4


def dead_reckon(algorithm, p0, v0, a0, dt) -> np.ndarray:
    """Dead-reckoned positions ``(n, 3)`` (module docstring); ``algorithm (n,)`` or a scalar, ``dt (n,)``."""
    p0, v0, a0 = (np.asarray(x, float).reshape(-1, 3) for x in (p0, v0, a0))
    dt = np.broadcast_to(np.asarray(dt, float), (p0.shape[0],))[:, None]
    alg = np.broadcast_to(np.asarray(algorithm), (p0.shape[0],))[:, None]
    first = np.where(alg == DR_STATIC, 0.0, 1.0)
    second = np.where((alg == DR_RVW) | (alg == DR_FVW) | (alg == 8) | (alg == 9), 0.5, 0.0)
    return p0 + first * v0 * dt + second * a0 * dt * dt


def local_frame(p) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors ``(n, 3)`` of the local geodetic north and down at ECEF points ``p (n, 3)``."""
    lat, lon, _ = (np.reshape(x, -1) for x in ecef2geodetic(np.asarray(p, float).reshape(-1, 3)))
    sl, cl = np.sin(lat), np.cos(lat)
    north = np.stack([-sl * np.cos(lon), -sl * np.sin(lon), cl], -1)
    down = -np.stack([cl * np.cos(lon), cl * np.sin(lon), sl], -1)
    return north, down


def body_axes(p, forward) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Body axes ``x, y, z (n, 3)`` with x along ``forward`` and level wings (module docstring). With no
    forward direction x is the local north; with a vertical one, y is the local east."""
    north, d = local_frame(p)
    f = np.asarray(forward, float).reshape(-1, 3)
    nf = np.linalg.norm(f, axis=1, keepdims=True)
    x = np.where(nf > 1e-9, f / np.maximum(nf, 1e-300), north)
    y = np.cross(d, x)
    ny = np.linalg.norm(y, axis=1, keepdims=True)
    y = np.where(ny > 1e-9, y / np.maximum(ny, 1e-300), np.cross(d, north))
    return x, y, np.cross(x, y)


def euler_angles(x, y, z) -> np.ndarray:
    """``(psi, theta, phi) (n, 3)`` of body axes given in world coordinates (module docstring)."""
    psi = np.arctan2(x[:, 1], x[:, 0])
    theta = -np.arctan2(x[:, 2], np.hypot(x[:, 0], x[:, 1]))  # = -asin(x3), accurate near +-90 deg
    phi = np.arctan2(y[:, 2], z[:, 2])
    # body x along the world z axis: only psi -/+ phi is defined; take psi = 0 (then y = (-+sin phi, cos phi, 0))
    lock = np.hypot(x[:, 0], x[:, 1]) < 1e-12
    if lock.any():
        s = np.sign(x[lock, 2])
        psi[lock] = 0.0
        phi[lock] = np.arctan2(-s * y[lock, 0], y[lock, 1])
    return np.stack([psi, theta, phi], -1)


def body_x(orientation) -> np.ndarray:
    """The body x axis ``(n, 3)`` in world coordinates of Euler angles ``(n, 3)`` (the inverse of the above)."""
    o = np.asarray(orientation, float).reshape(-1, 3)
    psi, theta = o[:, 0], o[:, 1]
    return np.stack([np.cos(theta) * np.cos(psi), np.cos(theta) * np.sin(psi), -np.sin(theta)], -1)


def orientation_and_rates(p, v, a):
    """Euler angles ``(n, 3)`` from the velocity and the body angular velocity ``(n, 3)`` of that frame
    (``omega = v x a / |v|^2`` in body axes; module docstring)."""
    v = np.asarray(v, float).reshape(-1, 3)
    a = np.asarray(a, float).reshape(-1, 3)
    x, y, z = body_axes(p, v)
    w = np.cross(v, a) / np.maximum(np.einsum("ij,ij->i", v, v), 1e-9)[:, None]
    rates = np.stack([np.einsum("ij,ij->i", x, w), np.einsum("ij,ij->i", y, w), np.einsum("ij,ij->i", z, w)], -1)
    return euler_angles(x, y, z), rates


class DeadReckoningState:
    """What the receivers know of ``n`` entities: the float32 state of the last PDU sent and its time.

    :meth:`due` applies the issuance rules of the module docstring to the true states at time ``t``."""

    def __init__(self, n: int, threshold: float = DRA_POS_THRESH, heartbeat: float = HBT_ESPDU):
        self.threshold = float(threshold)
        self.heartbeat = float(heartbeat)
        self.t_sent = np.full(n, -np.inf)
        self.p = np.zeros((n, 3))
        self.v = np.zeros((n, 3))
        self.a = np.zeros((n, 3))
        self.alg = np.full(n, DR_STATIC, np.int64)
        self.active = np.zeros(n, bool)

    def grow(self, n: int) -> None:
        k = n - self.t_sent.size
        if k <= 0:
            return
        self.t_sent = np.concatenate([self.t_sent, np.full(k, -np.inf)])
        self.p, self.v, self.a = (np.concatenate([x, np.zeros((k, 3))]) for x in (self.p, self.v, self.a))
        self.alg = np.concatenate([self.alg, np.full(k, DR_STATIC, np.int64)])
        self.active = np.concatenate([self.active, np.zeros(k, bool)])

    def predicted(self, rows, t) -> np.ndarray:
        """Where the receivers place entities ``rows`` at time(s) ``t``."""
        rows = np.asarray(rows, int)
        dt = np.where(self.active[rows], t - np.where(self.active[rows], self.t_sent[rows], 0.0), 0.0)
        return dead_reckon(self.alg[rows], self.p[rows], self.v[rows], self.a[rows], dt)

    def due(self, rows, t, p) -> np.ndarray:
        """Mask over ``rows``: a PDU is due at time(s) ``t`` for true positions ``p (n, 3)``."""
        rows = np.asarray(rows, int)
        t = np.broadcast_to(np.asarray(t, float), rows.shape)
        new = ~self.active[rows]
        beat = t - self.t_sent[rows] >= self.heartbeat - 1e-9
        drift = np.linalg.norm(self.predicted(rows, t) - np.asarray(p, float).reshape(-1, 3), axis=1) > self.threshold
        return new | beat | drift

    def sent(self, rows, t, p, v, a, alg) -> None:
        """Record PDUs sent for ``rows`` at time(s) ``t`` (with the float32 rounding of the wire)."""
        rows = np.asarray(rows, int)
        self.t_sent[rows] = t
        self.p[rows] = p
        self.v[rows] = np.asarray(v, np.float32)
        self.a[rows] = np.asarray(a, np.float32)
        self.alg[rows] = alg
        self.active[rows] = True
