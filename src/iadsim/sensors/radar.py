"""A surveillance / fire-control radar: coverage, detection draw, noisy measurements, false alarms.

Frame: each radar measures in its local ENU frame (:mod:`iadsim.frames`): range ``r`` (m), azimuth
``az`` clockwise from north in [0, 2 pi), elevation ``el`` above the local horizontal (geodetic normal),
range rate ``rdot = (p - p_radar) . v / r`` (m/s, positive opening; the radar is fixed in ECEF and
target velocities are ECEF velocities).  Elevation is geometric: refraction is modelled only through the
4/3-earth horizon below.

Per scan (:meth:`Radar.measure`):

1. **Coverage**: ``r_min <= r <= r_max``, azimuth within the sector ``|wrap(az - az_center)| <= az_width/2``
   (all azimuths when ``az_width >= 2 pi``), ``el_min <= el <= el_max``, and line of sight over the
   4/3 effective earth (:func:`horizon_visible`).
2. **SNR** from the radar equation referenced to the stated detection (:func:`snr_from_reference`); the
   per-pulse reference SNR is the one that gives ``pd_ref`` at ``r_ref`` on ``rcs_ref`` with the radar's
   own fluctuation model and ``n_pulses``.
3. **Detection**: a Bernoulli draw with ``Pd(SNR)`` of the fluctuation model, square-law detector and
   ``n_pulses`` noncoherently integrated: Swerling 1 (:func:`pd_swerling1`, exact) or Swerling 0
   (:func:`pd_marcum_exact`, exact Marcum via the noncentral chi-square; Albersheim's closed form,
   :func:`pd_albersheim`, agrees within 0.35 dB for Pd >= 0.5 but extrapolates badly at low SNR, where
   most of a radar's targets are).
4. **Noise**: zero-mean Gaussian with standard deviations ``sigma_r, sigma_az, sigma_el, sigma_rdot``.
   Optionally (``beamwidth_az`` / ``beamwidth_el`` set) the angle accuracy depends on SNR as for a
   monopulse radar, ``sigma = sqrt(sigma_floor^2 + (theta_3dB / (k_m sqrt(2 SNR_int)))^2)``, with
   ``SNR_int = n_pulses * SNR`` (Richards, Scheer & Holm, *Principles of Modern Radar*, 2010, ch. 18,
   angle precision ``theta_3dB / (k_m sqrt(2 SNR))``; Barton, *Radar System Analysis and Modeling*, 2005,
   bias/fixed-error floor added in root-sum-square); ``sigma_az`` / ``sigma_el`` are then the floors.
5. **False alarms**: a Poisson number with mean ``fa_per_scan`` per scan, uniformly distributed over the
   covered measurement space (uniform in ``r``, ``az``, ``el`` and ``rdot`` within
   ``[-rdot_max, rdot_max]``: every resolution cell equally likely); their SNR is reported as the
   single-pulse threshold-to-noise ratio ``-ln(Pfa)``.

Detections are returned in a deterministic order: real detections sorted by truth id, then false alarms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from iadsim.frames import WGS84, enu2aer, enu_rotation, geodetic2ecef
from iadsim.sensors.detection import (
    pd_marcum_exact,
    pd_swerling1,
    snr_from_reference,
    snr_marcum_exact,
    snr_swerling1,
)

__all__ = ["Detections", "Radar", "RadarParams", "horizon_visible"]

_COMPONENTS = ("r", "az", "el", "rdot")
_A = WGS84.semimajor_axis
_B = WGS84.semiminor_axis


def _ellipsoid_radius(r, r2):
    """WGS-84 geocentric radius along ``r`` given ``r2 = |r|^2`` (polar equation of the ellipse)."""
    s2 = r[..., 2] ** 2 / r2
    return _A * _B / np.sqrt(_B * _B * (1.0 - s2) + _A * _A * s2)


def horizon_visible(radar_ecef, target_ecef, k=4.0 / 3.0, *, tol=1e-6):
    """Line of sight over a smooth effective earth of radius ``k R`` (standard refraction, k = 4/3).

    Refraction in a standard atmosphere bends rays with curvature about 1/4 of the earth's; replacing the
    earth radius ``R`` by ``k R`` makes rays straight (Skolnik 3rd ed. ch. 8, propagation; Doerry, "Earth
    curvature and atmospheric refraction effects on radar signal propagation", SAND2012-10690, 2013).
    Geometry in the effective earth: radar at radius ``kR + h_r``, target at ``kR + h_t`` separated by the
    central angle ``theta / k`` (``theta``: true geocentric angle, so the ground distance ``R theta`` is
    preserved).  The target is visible when the segment between them stays at or above radius ``kR``
    (minus ``tol`` m) and the target is not below the ground.
    ``R`` is the ellipsoid radius below the radar; heights ``h`` are radial heights above the ellipsoid.
    For a target on the ground this gives the radar horizon ``d = k R acos(kR / (kR + h_r))
    ~ sqrt(2 k R h_r)`` (~4.12 sqrt(h[m]) km).

    Parameters
    ----------
    radar_ecef : (3,) m; target_ecef : (N, 3) m.  Returns (N,) bool.
    """
    p0 = np.asarray(radar_ecef, float)
    pt = np.atleast_2d(np.asarray(target_ecef, float))
    n02 = float(p0 @ p0)
    R = float(_ellipsoid_radius(p0, n02))
    n0 = np.sqrt(n02)
    nt2 = np.einsum("ij,ij->i", pt, pt)
    nt = np.sqrt(nt2)
    h_r = n0 - R
    h_t = nt - _ellipsoid_radius(pt, nt2)
    dot = pt @ p0
    theta = np.arctan2(np.sqrt(np.maximum(n02 * nt2 - dot * dot, 0.0)), dot)
    kR = k * R
    te = theta / k
    ax, ay = kR + h_r, 0.0
    bx, by = (kR + h_t) * np.cos(te), (kR + h_t) * np.sin(te)
    dx, dy = bx - ax, by - ay
    dd = dx * dx + dy * dy
    s = np.where(dd > 0, -(ax * dx + ay * dy) / np.where(dd > 0, dd, 1.0), 0.0)
    inside = (s > 0.0) & (s < 1.0)
    perp = np.abs(ax * dy - ay * dx) / np.sqrt(np.where(dd > 0, dd, 1.0))
    dmin = np.where(inside, perp, np.minimum(np.hypot(ax, ay), np.hypot(bx, by)))
    return (dmin >= kR - tol) & (h_t >= -tol)


@dataclass(frozen=True)
class RadarParams:
    """Radar parameters in SI units and radians (converted once at scenario load).

    Position: ``lat, lon`` (rad), ``alt`` (m, geodetic).  Coverage: ``r_min, r_max`` (m, instrumented
    window), ``az_center, az_width`` (rad; ``az_width >= 2 pi`` is all round), ``el_min, el_max`` (rad).
    ``scan_period`` (s, used by the engine to schedule scans).  Reference detection: ``pd_ref`` at
    ``r_ref`` (m) on ``rcs_ref`` (m^2) with false-alarm probability ``pfa`` per cell.  ``swerling``: 1
    (Rayleigh, scan-to-scan) or 0 (nonfluctuating, exact Marcum); ``n_pulses`` noncoherently integrated.
    Noise: ``sigma_r`` (m), ``sigma_az, sigma_el`` (rad), ``sigma_rdot`` (m/s); ``beamwidth_az`` /
    ``beamwidth_el`` (rad) switch on SNR-dependent angle accuracy with monopulse slope ``k_mono``.
    ``measured``: ordered components of ``z``, a subsequence of ``("r", "az", "el", "rdot")`` starting with
    ``"r", "az"``.  False alarms: ``fa_per_scan`` (Poisson mean), ``rdot_max`` (m/s) bounds their range
    rate.  ``k_earth``: effective earth-radius factor.
    """

    name: str
    lat: float
    lon: float
    alt: float
    r_max: float
    r_ref: float
    rcs_ref: float = 1.0
    pd_ref: float = 0.9
    pfa: float = 1e-6
    r_min: float = 0.0
    az_center: float = 0.0
    az_width: float = 2.0 * np.pi
    el_min: float = 0.0
    el_max: float = 0.5 * np.pi
    scan_period: float = 1.0
    swerling: int = 1
    n_pulses: int = 1
    sigma_r: float = 50.0
    sigma_az: float = 2e-3
    sigma_el: float = 2e-3
    sigma_rdot: float = 5.0
    measured: tuple[str, ...] = ("r", "az", "el", "rdot")
    fa_per_scan: float = 0.0
    rdot_max: float = 3000.0
    k_earth: float = 4.0 / 3.0
    beamwidth_az: float | None = None
    beamwidth_el: float | None = None
    k_mono: float = 1.6

    def __post_init__(self):
        if not (0.0 <= self.r_min < self.r_max):
            raise ValueError("need 0 <= r_min < r_max")
        if not (self.r_ref > 0 and self.rcs_ref > 0 and 0 < self.pfa < self.pd_ref < 1):
            raise ValueError("need r_ref > 0, rcs_ref > 0 and 0 < pfa < pd_ref < 1")
        if self.swerling not in (0, 1):
            raise ValueError("swerling must be 0 or 1")
        if self.n_pulses < 1 or self.scan_period <= 0 or self.fa_per_scan < 0:
            raise ValueError("need n_pulses >= 1, scan_period > 0, fa_per_scan >= 0")
        if not (self.el_min < self.el_max) or self.az_width <= 0:
            raise ValueError("need el_min < el_max and az_width > 0")
        m = tuple(self.measured)
        if m[:2] != ("r", "az") or list(m) != [c for c in _COMPONENTS if c in m] or len(set(m)) != len(m):
            raise ValueError(f"measured must be an ordered subsequence of {_COMPONENTS} starting r, az")


@dataclass
class Detections:
    """One scan's detections (radar-local measurements).

    ``z`` (K, m) in the order of ``components``; ``R`` (m, m) or (K, m, m) measurement covariance;
    ``truth_id`` (K,) int, -1 for a false alarm (for metrics only; trackers must not read it);
    ``snr`` (K,) expected integrated SNR (linear, ``n_pulses`` x per-pulse SNR from the radar equation;
    not a fluctuated draw) of each detection; for false alarms the threshold ratio ``-ln(Pfa)``.
    """

    t: float
    sensor: int | str
    z: np.ndarray
    R: np.ndarray
    truth_id: np.ndarray
    snr: np.ndarray
    components: tuple[str, ...] = field(default=_COMPONENTS)

    def __len__(self) -> int:
        return self.z.shape[0]


class Radar:
    """A radar at a fixed site; one verb, :meth:`measure` (see the module docstring for the model)."""

    def __init__(self, params: RadarParams, sensor: int | str = 0):
        self.params = params
        self.sensor = sensor
        self.ecef = geodetic2ecef(params.lat, params.lon, params.alt)
        self.C = enu_rotation(params.lat, params.lon)
        p = params
        if p.swerling == 1:
            self.snr_ref = float(snr_swerling1(p.pd_ref, p.pfa, p.n_pulses))
        else:
            self.snr_ref = float(snr_marcum_exact(p.pd_ref, p.pfa, p.n_pulses))
        self._cols = [_COMPONENTS.index(c) for c in p.measured]
        self._sigma = np.array([p.sigma_r, p.sigma_az, p.sigma_el, p.sigma_rdot])[self._cols]
        self._snr_angles = p.beamwidth_az is not None or p.beamwidth_el is not None

    def pd(self, snr):
        """Detection probability of the radar's fluctuation model for per-pulse ``snr``."""
        p = self.params
        if p.swerling == 1:
            return pd_swerling1(snr, p.pfa, p.n_pulses)
        return pd_marcum_exact(snr, p.pfa, p.n_pulses)

    def geometry(self, pos, vel):
        """Exact (noise-free) ``(r, az, el, rdot)`` ``(N, 4)`` and the coverage mask ``(N,)``."""
        p = self.params
        pos = np.atleast_2d(np.asarray(pos, float))
        vel = np.atleast_2d(np.asarray(vel, float))
        rel = pos - self.ecef
        az, el, r = enu2aer(rel @ self.C.T)
        rdot = np.einsum("ij,ij->i", rel, vel) / np.where(r > 0, r, 1.0)
        cover = (r >= p.r_min) & (r <= p.r_max) & (el >= p.el_min) & (el <= p.el_max)
        if p.az_width < 2 * np.pi:
            off = np.mod(az - p.az_center + np.pi, 2 * np.pi) - np.pi
            cover &= np.abs(off) <= 0.5 * p.az_width
        if cover.any():
            cover[cover] = horizon_visible(self.ecef, pos[cover], p.k_earth)
        return np.stack([r, az, el, rdot], axis=-1), cover

    def _angle_sigmas(self, snr_int):
        p = self.params
        sig = np.broadcast_to(self._sigma, (snr_int.size, self._sigma.size)).copy()
        for name, bw, floor in (("az", p.beamwidth_az, p.sigma_az), ("el", p.beamwidth_el, p.sigma_el)):
            if bw is not None and name in p.measured:
                j = p.measured.index(name)
                sig[:, j] = np.sqrt(floor ** 2 + (bw / (p.k_mono * np.sqrt(2.0 * snr_int))) ** 2)
        return sig

    def measure(self, t, pos, vel, rcs, ids, rng: np.random.Generator) -> Detections:
        """One scan at time ``t`` of N targets (ECEF ``pos``, ``vel`` (N, 3), ``rcs`` (N,) m^2, ``ids``).

        Random draws, in this order: N uniforms (detection), K x m normals (noise), the Poisson false-alarm
        count, then its (r, az, el, rdot) uniforms; so the stream depends only on N and the outcomes.
        """
        p = self.params
        ids = np.asarray(ids)
        geo, cover = self.geometry(pos, vel)
        snr = snr_from_reference(geo[:, 0], rcs, p.r_ref, p.rcs_ref, self.snr_ref)
        u = rng.random(ids.size)
        det = cover & (u < np.where(cover, self.pd(snr), 0.0))
        sel = np.nonzero(det)[0]
        sel = sel[np.argsort(ids[sel], kind="stable")]
        z_true = geo[sel][:, self._cols]
        snr_int = p.n_pulses * snr[sel]
        m = len(self._cols)
        if self._snr_angles:
            sig = self._angle_sigmas(snr_int)
        else:
            sig = np.broadcast_to(self._sigma, (sel.size, m))
        z = z_true + rng.normal(size=(sel.size, m)) * sig
        # false alarms
        n_fa = int(rng.poisson(p.fa_per_scan)) if p.fa_per_scan > 0 else 0
        fa = np.empty((n_fa, 4))
        fa[:, 0] = rng.uniform(p.r_min, p.r_max, n_fa)
        if p.az_width >= 2 * np.pi:
            fa[:, 1] = rng.uniform(0.0, 2 * np.pi, n_fa)
        else:
            fa[:, 1] = p.az_center + rng.uniform(-0.5, 0.5, n_fa) * p.az_width
        fa[:, 2] = rng.uniform(p.el_min, p.el_max, n_fa)
        fa[:, 3] = rng.uniform(-p.rdot_max, p.rdot_max, n_fa)
        z = np.vstack([z, fa[:, self._cols]])
        z[:, 1] = np.mod(z[:, 1], 2 * np.pi)
        snr_fa = np.full(n_fa, -np.log(p.pfa))
        snr_all = np.concatenate([snr_int, snr_fa])
        if self._snr_angles:
            sig_all = np.vstack([sig, self._angle_sigmas(snr_fa)])
            R = np.einsum("ki,ij->kij", sig_all ** 2, np.eye(m))
        else:
            R = np.diag(self._sigma ** 2)
        truth = np.concatenate([ids[sel].astype(int), np.full(n_fa, -1, int)])
        return Detections(t=float(t), sensor=self.sensor, z=z, R=R, truth_id=truth, snr=snr_all,
                          components=tuple(p.measured))
