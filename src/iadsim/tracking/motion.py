"""Motion (dynamic) models for target tracking, batched over tracks.

Every model is a small class with the same three verbs, all vectorized over ``M`` tracks:

* ``f(x, dt) -> (M, n)``: propagate the state by ``dt`` seconds (``dt`` scalar or ``(M,)``);
* ``F(x, dt) -> (M, n, n)``: Jacobian of ``f`` with respect to ``x`` (analytic for the linear models,
  complex-step, i.e. exact to machine precision, for the nonlinear ones);
* ``Q(x, dt) -> (M, n, n)``: discrete-time process-noise covariance (evaluated for ``|dt|``, so a
  backward prediction still inflates the covariance; the tracker normally predicts forward).

State layout (shared tracking contract): ``x[:, 0:3]`` position (m), ``x[:, 3:6]`` velocity (m/s), then
model-specific extras, named by ``extra_names`` (used by the IMM to map states between models), with a
prior ``extra_mean``/``extra_cov`` used by ``augment(x0, P0)`` to initiate from a 6-D estimate.
The Cartesian frame is chosen by the caller: ``"ecef"`` (WGS-84 ECEF metres, gravity ``-GM r/|r|^3``,
local up ``r/|r|``) or ``"enu"`` (flat local east-north-up, gravity ``(0, 0, -9.80665)``, up = ``z``).

References
----------
* Y. Bar-Shalom, X. R. Li, T. Kirubarajan, *Estimation with Applications to Tracking and Navigation*,
  Wiley 2001 (BLK2001), sec. 6.2.2 (continuous white-noise acceleration), 6.2.3 (Wiener-process
  acceleration), 11.7 (coordinated turn).
* X. R. Li, V. P. Jilkov, "Survey of maneuvering target tracking. Part I: dynamic models",
  IEEE TAES 39(4), 2003.
* X. R. Li, V. P. Jilkov, "Survey of maneuvering target tracking. Part II: motion models of ballistic
  and space targets", IEEE TAES 46(1), 2010.
"""

from __future__ import annotations

import numpy as np

from iadsim.frames import GM_EARTH
from iadsim.physics.atmosphere import exponential_density, us1976_density  # noqa: F401 (re-exported)

#: Standard gravity (m/s^2), used as the flat-earth gravity of the ``"enu"`` frame.
G0 = 9.80665
FRAMES = ("ecef", "enu")


def _check_frame(frame: str) -> str:
    if frame not in FRAMES:
        raise ValueError(f"frame must be one of {FRAMES}, got {frame!r}")
    return frame


def _as_dt(dt, M: int) -> np.ndarray:
    """Broadcast ``dt`` (scalar or ``(M,)``) to a float array ``(M,)``."""
    return np.broadcast_to(np.asarray(dt, dtype=float), (M,)).astype(float, copy=False)


def _eye_blocks(a: np.ndarray) -> np.ndarray:
    """``(M,)`` scalars to ``(M, 3, 3)`` scaled identities."""
    return a[:, None, None] * np.eye(3)


class NCV:
    r"""Nearly-constant velocity (white-noise acceleration, "continuous WNA") model, n = 6.

    Continuous time :math:`\dot p = v,\ \dot v = w(t)` with white acceleration noise of power spectral
    density ``q`` (m^2/s^3) on each axis. Exact discretization over ``T = dt`` (BLK2001 sec. 6.2.2,
    the continuous white-noise acceleration model, CWNA) with ``I`` the 3x3 identity::

        F = [[I, T I],         Q = q [[T^3/3 I, T^2/2 I],
             [0,   I]]                [T^2/2 I,     T I]]

    Gravity is not modelled (a target in level flight is held up by lift); ``frame`` is accepted for a
    uniform interface with the gravity-aware models.
    """

    name = "ncv"
    n = 6
    extra_mean = np.zeros(0)
    extra_cov = np.zeros((0, 0))
    extra_names: tuple = ()

    def __init__(self, q: float, frame: str = "ecef"):
        if not q >= 0:
            raise ValueError(f"q must be >= 0, got {q}")
        self.q = float(q)
        self.frame = _check_frame(frame)

    def F(self, x, dt) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        T = _as_dt(dt, x.shape[0])
        F = np.broadcast_to(np.eye(6), (x.shape[0], 6, 6)).copy()
        F[:, 0:3, 3:6] = _eye_blocks(T)
        return F

    def f(self, x, dt) -> np.ndarray:
        x = np.asarray(x)
        T = _as_dt(dt, x.shape[0])
        out = x.copy()
        out[:, 0:3] = x[:, 0:3] + T[:, None] * x[:, 3:6]
        return out

    def Q(self, x, dt) -> np.ndarray:
        x = np.asarray(x)
        return _wna_Q(self.q, np.abs(_as_dt(dt, x.shape[0])), 6)

    def augment(self, x0, P0):
        """Initial ``(x, P)`` in this model's state space from a 6-D position/velocity initiation."""
        return _augment(self, x0, P0)


# ---------------------------------------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------------------------------------

#: WGS-84 semi-major and semi-minor axes (m), used for the altitude in the drag density.
_A_WGS84 = 6378137.0
_B_WGS84 = 6356752.314245


def _augment(model, x0, P0):
    """Append the model's prior ``extra_mean``/``extra_cov`` to 6-D ``x0 (K, 6)``, ``P0 (K, 6, 6)``."""
    x0 = np.asarray(x0, dtype=float)
    P0 = np.asarray(P0, dtype=float)
    K, n, ne = x0.shape[0], model.n, model.n - 6
    x = np.zeros((K, n))
    P = np.zeros((K, n, n))
    x[:, :6] = x0[:, :6]
    P[:, :6, :6] = P0[:, :6, :6]
    if ne:
        x[:, 6:] = model.extra_mean
        P[:, 6:, 6:] = model.extra_cov
    return x, P


def _dot(a, b):
    """Row-wise dot product without ``abs`` (stays analytic for the complex-step Jacobian)."""
    return np.sum(a * b, axis=-1)


def up(p, frame: str):
    """Local up unit vector ``(M, 3)`` at positions ``p (M, 3)``: ``r/|r|`` in ECEF, ``z`` in ENU."""
    p = np.asarray(p)
    if frame == "enu":
        u = np.zeros(p.shape, dtype=p.dtype)
        u[..., 2] = 1.0
        return u
    return p / np.sqrt(_dot(p, p))[..., None]


def gravity(p, frame: str):
    """Gravitational acceleration ``(M, 3)`` (m/s^2) at ``p (M, 3)``.

    ECEF: point-mass (spherical) earth ``g = -GM r / |r|^3`` with ``GM`` = 3.986004418e14 m^3/s^2 (WGS-84),
    over a non-rotating earth as in the threat fly-out models; ENU: ``(0, 0, -g0)``, ``g0 = 9.80665``.
    """
    p = np.asarray(p)
    if frame == "enu":
        g = np.zeros(p.shape, dtype=p.dtype)
        g[..., 2] = -G0
        return g
    r2 = _dot(p, p)
    return -GM_EARTH * p / (r2 * np.sqrt(r2))[..., None]


def altitude(p, frame: str, alt0: float = 0.0):
    """Altitude (m) above the WGS-84 ellipsoid used for air density.

    ECEF: ``|r| - r_e(phi_c)`` with the ellipsoid radius at geocentric latitude
    ``r_e = a b / sqrt(b^2 cos^2 phi_c + a^2 sin^2 phi_c)``; this differs from the geodetic height by less
    than ~10 m below 100 km (the angle between the normal and the radius is < 0.2 deg), far below the
    7 km density scale height. ENU: ``alt0 + z``. Written without ``abs`` so it is complex-step safe.
    """
    p = np.asarray(p)
    if frame == "enu":
        return alt0 + p[..., 2]
    r2 = _dot(p, p)
    s2 = p[..., 2] * p[..., 2] / r2
    re = _A_WGS84 * _B_WGS84 / np.sqrt(_B_WGS84**2 * (1.0 - s2) + _A_WGS84**2 * s2)
    return np.sqrt(r2) - re


def complex_step_jacobian(f, x, dt, h: float = 1e-30):
    r"""Jacobian ``(M, n, n)`` of ``f(x, dt)`` by complex-step differentiation.

    :math:`\partial f_i / \partial x_j = \mathrm{Im}\, f_i(x + i h e_j) / h` (Squire & Trapp, SIAM Review
    40(1), 1998; Martins, Sturdza, Alonso, ACM TOMS 29(3), 2003). There is no subtractive cancellation, so
    with ``h = 1e-30`` the result equals the analytic derivative of the discrete map ``f`` to machine
    precision ("numerically exact"), provided ``f`` is analytic in ``x`` (no ``abs``; branches only on
    real parts).
    All ``M * n`` perturbed states are propagated in one batched call.
    """
    x = np.asarray(x, dtype=float)
    M, n = x.shape
    X = np.repeat(x[:, None, :], n, axis=1).astype(complex)
    X[:, np.arange(n), np.arange(n)] += 1j * h
    T = np.repeat(_as_dt(dt, M), n)
    out = f(X.reshape(M * n, n), T).reshape(M, n, n)
    return np.ascontiguousarray(np.swapaxes(out.imag / h, 1, 2))


def _wna_Q(q: float, T: np.ndarray, n: int) -> np.ndarray:
    """White-noise-acceleration ``Q`` (CWNA, BLK2001 sec. 6.2.2) in the first 6 of ``n`` components."""
    Q = np.zeros((T.shape[0], n, n))
    Q[:, 0:3, 0:3] = _eye_blocks(q * T**3 / 3.0)
    Q[:, 0:3, 3:6] = _eye_blocks(q * T**2 / 2.0)
    Q[:, 3:6, 0:3] = Q[:, 0:3, 3:6]
    Q[:, 3:6, 3:6] = _eye_blocks(q * T)
    return Q


# ---------------------------------------------------------------------------------------------------------
# NCA
# ---------------------------------------------------------------------------------------------------------


class NCA:
    r"""Nearly-constant acceleration (Wiener-process acceleration) model, n = 9 (BLK2001 sec. 6.2.3).

    State ``[p (3), v (3), a (3)]``; continuous time :math:`\dddot p = w(t)` with white jerk noise of PSD
    ``q`` (m^2/s^5) per axis. Exact discretization over ``T`` (BLK2001 sec. 6.2.3)::

        F = [[I, T I, T^2/2 I],        Q = q [[T^5/20 I, T^4/8 I, T^3/6 I],
             [0,   I,     T I],               [T^4/8 I,  T^3/3 I, T^2/2 I],
             [0,   0,       I]]               [T^3/6 I,  T^2/2 I,     T I]]

    ``sigma_a0`` (m/s^2) is the prior standard deviation of the acceleration used by :meth:`augment`.
    """

    name = "nca"
    n = 9
    extra_names = ("ax", "ay", "az")

    def __init__(self, q: float, frame: str = "ecef", sigma_a0: float = 30.0):
        if not q >= 0:
            raise ValueError(f"q must be >= 0, got {q}")
        self.q = float(q)
        self.frame = _check_frame(frame)
        self.extra_mean = np.zeros(3)
        self.extra_cov = np.eye(3) * float(sigma_a0) ** 2

    def F(self, x, dt) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        T = _as_dt(dt, x.shape[0])
        F = np.broadcast_to(np.eye(9), (x.shape[0], 9, 9)).copy()
        F[:, 0:3, 3:6] = _eye_blocks(T)
        F[:, 3:6, 6:9] = _eye_blocks(T)
        F[:, 0:3, 6:9] = _eye_blocks(T**2 / 2.0)
        return F

    def f(self, x, dt) -> np.ndarray:
        x = np.asarray(x)
        T = _as_dt(dt, x.shape[0])[:, None]
        out = x.copy()
        out[:, 0:3] = x[:, 0:3] + T * x[:, 3:6] + 0.5 * T**2 * x[:, 6:9]
        out[:, 3:6] = x[:, 3:6] + T * x[:, 6:9]
        return out

    def Q(self, x, dt) -> np.ndarray:
        x = np.asarray(x)
        T = np.abs(_as_dt(dt, x.shape[0]))
        c = {(0, 0): T**5 / 20, (0, 1): T**4 / 8, (0, 2): T**3 / 6,
             (1, 1): T**3 / 3, (1, 2): T**2 / 2, (2, 2): T}
        Q = np.zeros((x.shape[0], 9, 9))
        for (i, j), v in c.items():
            Q[:, 3 * i:3 * i + 3, 3 * j:3 * j + 3] = _eye_blocks(self.q * v)
            Q[:, 3 * j:3 * j + 3, 3 * i:3 * i + 3] = _eye_blocks(self.q * v)
        return Q

    def augment(self, x0, P0):
        """Initial ``(x, P)`` with acceleration prior ``N(0, sigma_a0^2 I)``."""
        return _augment(self, x0, P0)


# ---------------------------------------------------------------------------------------------------------
# CT
# ---------------------------------------------------------------------------------------------------------


class _ComplexStepWNA:
    """Shared parts of the nonlinear models (CT, Ballistic): the complex-step Jacobian of ``f``, the
    white-noise-acceleration ``Q`` with a random walk of PSD ``_extra_psd()`` on the extra state (element 6,
    when the model has one), and the prior of :func:`_augment`."""

    def F(self, x, dt) -> np.ndarray:
        return complex_step_jacobian(self.f, x, dt)

    def Q(self, x, dt) -> np.ndarray:
        x = np.asarray(x)
        T = np.abs(_as_dt(dt, x.shape[0]))
        Q = _wna_Q(self.q, T, self.n)
        extra = self._extra_psd()
        if extra is not None:
            Q[:, 6, 6] = extra * T
        return Q

    def augment(self, x0, P0):
        """Initial ``(x, P)`` with the model's prior on its extra state (``extra_mean``, ``extra_cov``)."""
        return _augment(self, x0, P0)


class CT(_ComplexStepWNA):
    r"""Coordinated turn with unknown turn rate (omega as state element 6), n = 7.

    State ``[p (3), v (3), omega]``, omega in rad/s, positive counter-clockwise seen from above (right-hand
    rule about local up ``u``; a left turn). Over one step the horizontal velocity
    ``v_h = (I - u u^T) v`` rotates about the local up axis ``u`` at the track position (``z`` in ENU,
    ``r/|r|`` in ECEF, held fixed over the step) while the vertical velocity ``v_u = u^T v`` stays constant.
    With ``theta = omega T``, ``k = u x v`` (BLK2001 sec. 11.7; Li & Jilkov 2003 Part I,
    coordinated turn with unknown turn rate; written here in vector form with Rodrigues' rotation)::

        p' = p + v_u u T + (sin theta / omega) v_h + ((1 - cos theta) / omega) k
        v' = v_u u + cos(theta) v_h + sin(theta) k
        omega' = omega

    For ``|theta| < 1e-5`` the ratios use their Taylor series (limit omega -> 0 is the NCV model).
    Process noise: white-noise acceleration of PSD ``q`` (m^2/s^3) on all three axes (so the vertical
    velocity is "nearly" constant) plus a random walk of the turn rate with PSD ``q_omega`` (rad^2/s^3):
    ``Q = blockdiag(Q_WNA(q, T), q_omega T)`` (the usual structure for the CT model with unknown turn rate,
    BLK2001 sec. 11.7).
    ``F`` is the complex-step Jacobian of ``f`` (exact to machine precision, including the dependence of
    ``u`` on position in ECEF). ``sigma_omega0`` (rad/s) is the turn-rate prior used by :meth:`augment`.
    """

    name = "ct"
    n = 7
    extra_names = ("omega",)

    def __init__(self, q: float, q_omega: float, frame: str = "ecef", sigma_omega0: float = np.deg2rad(10.0)):
        if not (q >= 0 and q_omega >= 0):
            raise ValueError(f"q and q_omega must be >= 0, got {q}, {q_omega}")
        self.q = float(q)
        self.q_omega = float(q_omega)
        self.frame = _check_frame(frame)
        self.extra_mean = np.zeros(1)
        self.extra_cov = np.array([[float(sigma_omega0) ** 2]])

    def f(self, x, dt) -> np.ndarray:
        x = np.asarray(x)
        T = _as_dt(dt, x.shape[0])
        p, v, w = x[:, 0:3], x[:, 3:6], x[:, 6]
        u = up(p, self.frame)
        vu = _dot(v, u)
        vh = v - vu[:, None] * u
        k = np.cross(u, vh)
        th = w * T
        small = np.abs(np.real(th)) < 1e-5
        w_safe = np.where(small, 1.0, w)
        th2 = th * th
        s_over_w = np.where(small, T * (1.0 - th2 / 6.0 + th2 * th2 / 120.0), np.sin(th) / w_safe)
        c_over_w = np.where(small, T * th * (0.5 - th2 / 24.0 + th2 * th2 / 720.0),
                            (1.0 - np.cos(th)) / w_safe)
        out = x.copy()
        out[:, 0:3] = p + (vu * T)[:, None] * u + s_over_w[:, None] * vh + c_over_w[:, None] * k
        out[:, 3:6] = vu[:, None] * u + np.cos(th)[:, None] * vh + np.sin(th)[:, None] * k
        return out

    def _extra_psd(self):
        return self.q_omega


# ---------------------------------------------------------------------------------------------------------
# Ballistic
# ---------------------------------------------------------------------------------------------------------


class Ballistic(_ComplexStepWNA):
    r"""Ballistic target: gravity plus optional drag with unknown ballistic coefficient (n = 6 or 7).

    Li & Jilkov 2010 (Part II), ballistic/re-entry models: in an inertial (here non-rotating earth) frame
    ``dp/dt = v``, ``dv/dt = g(p) - rho(h) |v| v / (2 beta) + w(t)`` with ``beta = m / (C_D A)`` (kg/m^2) the
    ballistic coefficient, appended as state element 6 when ``drag=True`` (n = 7) and modelled as a random
    walk with PSD ``q_beta`` (kg^2 m^-4 s^-1). ``g`` is :func:`gravity` of the frame, ``rho`` the
    exponential atmosphere :func:`exponential_density` (``atmosphere="exponential"``, default) or the US
    Standard Atmosphere 1976 :func:`us1976_density` (``"us1976"``) at :func:`altitude`. Without drag
    (n = 6) this is the vacuum Keplerian model used above the sensible atmosphere.

    ``f`` integrates the ODE with classical 4th-order Runge-Kutta in equal sub-steps no longer than
    ``max_step`` seconds (default 1 s: the local error for orbital dynamics is ~1e-9 m) nor a quarter of
    the drag time constant ``tau = 2 beta / (rho |v|)`` at the start of the step (RK4 stability; at most
    ``max_substeps`` sub-steps); ``F`` is the complex-step Jacobian of that discrete map (exact to machine
    precision). ``Q`` is the white-noise-acceleration matrix with PSD ``q`` (absorbs model error: drag/lift
    mismatch, gravity harmonics) plus ``q_beta T`` for beta. Prior for :meth:`augment`:
    ``beta ~ N(beta0, sigma_beta0^2)``. In the drag term beta is held at ``beta_min`` (default 50 kg/m^2;
    re-entry vehicles have thousands) when an estimate or a UKF sigma point falls below it, so the model
    never divides by ~0.
    ``alt0`` is the altitude of the ENU origin (``"enu"`` frame only).
    """

    name = "ballistic"

    def __init__(self, q: float, frame: str = "ecef", drag: bool = False, q_beta: float = 0.0,
                 beta0: float = 5000.0, sigma_beta0: float = 1500.0, max_step: float = 1.0,
                 alt0: float = 0.0, beta_min: float = 50.0, atmosphere: str = "exponential",
                 max_substeps: int = 2000):
        if not (q >= 0 and q_beta >= 0 and max_step > 0 and beta0 > 0):
            raise ValueError("q, q_beta must be >= 0 and max_step, beta0 > 0")
        self.q = float(q)
        self.q_beta = float(q_beta)
        self.frame = _check_frame(frame)
        self.drag = bool(drag)
        self.n = 7 if self.drag else 6
        self.extra_names = ("beta",) if self.drag else ()
        self.max_step = float(max_step)
        self.alt0 = float(alt0)
        self.beta_min = float(beta_min)
        self.max_substeps = int(max_substeps)
        if atmosphere not in ("exponential", "us1976"):
            raise ValueError(f"atmosphere must be 'exponential' or 'us1976', got {atmosphere!r}")
        self.atmosphere = atmosphere
        self._density = exponential_density if atmosphere == "exponential" else us1976_density
        self.extra_mean = np.array([float(beta0)]) if self.drag else np.zeros(0)
        self.extra_cov = np.array([[float(sigma_beta0) ** 2]]) if self.drag else np.zeros((0, 0))

    def acceleration(self, p, v, beta=None):
        """``g(p) - rho(h) |v| v / (2 beta)`` (m/s^2), ``(M, 3)``; drag only if ``beta`` is given."""
        a = gravity(p, self.frame)
        if beta is not None:
            rho = self._density(altitude(p, self.frame, self.alt0))
            speed = np.sqrt(_dot(v, v))
            # sigma points / estimates can put beta near or below 0; hold it at beta_min (real-part
            # branch, so the complex-step Jacobian stays exact elsewhere)
            beta = np.where(np.real(beta) < self.beta_min, self.beta_min, beta)
            a = a - (rho * speed / (2.0 * beta))[:, None] * v
        return a

    def f(self, x, dt) -> np.ndarray:
        x = np.asarray(x)
        T = _as_dt(dt, x.shape[0])
        beta = x[:, 6] if self.drag else None
        p, v = x[:, 0:3], x[:, 3:6]
        step = np.full(x.shape[0], self.max_step)
        if self.drag and x.shape[0]:
            # quadratic drag relaxes the velocity with time constant tau = 2 beta / (rho |v|); RK4 is
            # stable for h < ~1.4 tau, so sub-steps are limited to tau / 4 (margin for the density growth
            # during the step of a descending target)
            xr = np.real(x)
            b = np.maximum(xr[:, 6], self.beta_min)
            rho = np.real(self._density(altitude(xr[:, 0:3], self.frame, self.alt0)))
            tau = 2.0 * b / np.maximum(rho * np.linalg.norm(xr[:, 3:6], axis=1), 1e-12)
            step = np.minimum(step, 0.25 * tau)
        nsub = int(min(self.max_substeps, max(1, np.ceil(np.max(np.abs(T) / step, initial=0.0)))))
        h = (T / nsub)[:, None]
        for _ in range(nsub):
            k1p, k1v = v, self.acceleration(p, v, beta)
            p2, v2 = p + 0.5 * h * k1p, v + 0.5 * h * k1v
            k2p, k2v = v2, self.acceleration(p2, v2, beta)
            p3, v3 = p + 0.5 * h * k2p, v + 0.5 * h * k2v
            k3p, k3v = v3, self.acceleration(p3, v3, beta)
            p4, v4 = p + h * k3p, v + h * k3v
            k4p, k4v = v4, self.acceleration(p4, v4, beta)
            p = p + h / 6.0 * (k1p + 2 * k2p + 2 * k3p + k4p)
            v = v + h / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v)
        out = x.copy()
        out[:, 0:3] = p
        out[:, 3:6] = v
        return out

    def _extra_psd(self):
        return self.q_beta if self.drag else None
