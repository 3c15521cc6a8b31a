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

The radar stressors (issue 10), each off unless its parameters are given, so a radar without them
behaves (and draws its random numbers) exactly as above:

* **Terrain** (a :class:`~iadsim.terrain.Terrain`): line of sight over the grid on the same 4/3 earth
  joins the coverage test.
* **Resolution** (``range_resolution`` with both beamwidths): the cells searched per scan
  (:func:`~iadsim.sensors.resolution.cells_per_scan`) give the false alarms, ``Pfa x cells`` (the engine
  sets ``fa_per_scan`` from them unless the type states it), and detected objects that share a cell give
  one merged detection (:func:`~iadsim.sensors.resolution.merge_unresolved`).
* **Clutter and Doppler** (resolution known): the constant-gamma surface clutter of the patch at the
  target's range (:mod:`iadsim.sensors.clutter`), attenuated by ``clutter_attenuation`` when
  ``mti_notch`` is set; a target inside the notch (``|rdot| < mti_notch``) is not detected.
* **Noise jamming** (``wavelength``, ``antenna_gain``, ``noise_figure``, ``bandwidth`` and the
  beamwidths): each active jammer adds ``JNR`` through the antenna gain toward it with the beam on the
  target (:mod:`iadsim.sensors.jamming`), ``SINR = SNR / (1 + CNR + JNR)``; a jammer whose main-beam
  ``JNR`` reaches :data:`STROBE_JNR` gives a strobe, a bearing-only report (az, el) of the jammer.
* **Rotating scan** (``sectors > 1``): :meth:`Radar.measure` with ``sector=j`` looks only at the azimuths
  of sector ``j`` (the engine gives each sector its own time, :mod:`iadsim.sensors.scan`), with that
  sector's share of the false alarms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from iadsim._numba import njit
from iadsim.frames import WGS84, ecef2geodetic, enu2aer, enu_rotation, geodetic2ecef
from iadsim.sensors.clutter import GAMMA_LAND, GAMMA_SEA, beam_gain, clutter_rcs, grazing_angles
from iadsim.sensors.detection import (
    pd_marcum_exact,
    pd_swerling1,
    snr_from_reference,
    snr_marcum_exact,
    snr_swerling1,
)
from iadsim.sensors.jamming import ActiveJammers, jnr
from iadsim.sensors.resolution import cells_per_scan, merge_unresolved

__all__ = ["STROBE_JNR", "ActiveJammers", "Detections", "Radar", "RadarParams", "Strobes", "horizon_visible"]

#: main-beam jamming-to-noise ratio (linear, 10 dB) at which a jammer shows as a strobe: the noise floor of
#: the whole beam position 10 dB up is unmistakable, whatever the CFAR
STROBE_JNR = 10.0

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


_TWO_PI = 2.0 * np.pi


@njit
def _target_geometry(pos, i, vx, vy, vz, ecef, C, r_min, r_max, el_min, el_max, az_center, az_width, sectors, sector,
                     k_earth, tol, n02, kR, ax):
    """``(r, az, el, rdot, covered)`` of target ``i`` (velocity ``vx, vy, vz``): ENU rotation,
    :func:`~iadsim.frames.enu2aer`, the range rate, the coverage window, the scan sector and
    :func:`horizon_visible` (``n02 = |ecef|^2``, ``kR = k R``, ``ax = kR + h_r`` of the radar, as there)."""
    r0, r1, r2 = pos[i, 0] - ecef[0], pos[i, 1] - ecef[1], pos[i, 2] - ecef[2]
    e = r0 * C[0, 0] + r1 * C[0, 1] + r2 * C[0, 2]
    nn = r0 * C[1, 0] + r1 * C[1, 1] + r2 * C[1, 2]
    u = r0 * C[2, 0] + r1 * C[2, 1] + r2 * C[2, 2]
    horiz = np.hypot(e, nn)
    az = np.arctan2(e, nn) % _TWO_PI
    el = np.arctan2(u, horiz)
    r = np.sqrt(horiz * horiz + u * u)
    rd = (r0 * vx + r1 * vy + r2 * vz) / (r if r > 0 else 1.0)
    ok = r >= r_min and r <= r_max and el >= el_min and el <= el_max
    if ok and az_width < _TWO_PI:
        off = (az - az_center + np.pi) % _TWO_PI - np.pi
        ok = abs(off) <= 0.5 * az_width
    if ok and sector >= 0 and sectors > 1:
        ok = int(np.floor((az % _TWO_PI) * (sectors / _TWO_PI))) % sectors == sector
    if ok:  # horizon_visible
        px, py, pz = pos[i, 0], pos[i, 1], pos[i, 2]
        nt2 = px * px + py * py + pz * pz
        nt = np.sqrt(nt2)
        h_t = nt - _A * _B / np.sqrt(_B * _B * (1.0 - pz * pz / nt2) + _A * _A * (pz * pz / nt2))
        dot = px * ecef[0] + py * ecef[1] + pz * ecef[2]
        theta = np.arctan2(np.sqrt(max(n02 * nt2 - dot * dot, 0.0)), dot)
        te = theta / k_earth
        bx, by = (kR + h_t) * np.cos(te), (kR + h_t) * np.sin(te)
        dx, dy = bx - ax, by
        dd = dx * dx + dy * dy
        s = -(ax * dx) / dd if dd > 0 else 0.0
        if s > 0.0 and s < 1.0:
            dmin = abs(ax * dy) / np.sqrt(dd if dd > 0 else 1.0)
        else:
            dmin = min(abs(ax), np.hypot(bx, by))
        ok = dmin >= kR - tol and h_t >= -tol
    return r, az, el, rd, ok


@njit
def _site_constants(ecef, k_earth):
    n02 = ecef[0] * ecef[0] + ecef[1] * ecef[1] + ecef[2] * ecef[2]
    R0 = _A * _B / np.sqrt(_B * _B * (1.0 - ecef[2] * ecef[2] / n02) + _A * _A * (ecef[2] * ecef[2] / n02))
    kR = k_earth * R0
    return n02, kR, kR + (np.sqrt(n02) - R0)


@njit
def _geometry_kernel(pos, vel, ecef, C, r_min, r_max, el_min, el_max, az_center, az_width, sectors, sector,
                     k_earth, tol):
    """:meth:`Radar.geometry` without terrain, one pass per target (:func:`_target_geometry`, the same
    equations as the array form, :meth:`Radar.geometry_reference`). ``sector < 0``: the whole coverage."""
    n = pos.shape[0]
    geo = np.empty((n, 4))
    cover = np.zeros(n, np.bool_)
    n02, kR, ax = _site_constants(ecef, k_earth)
    for i in range(n):
        r, az, el, rd, ok = _target_geometry(pos, i, vel[i, 0], vel[i, 1], vel[i, 2], ecef, C, r_min, r_max,
                                             el_min, el_max, az_center, az_width, sectors, sector, k_earth, tol,
                                             n02, kR, ax)
        geo[i, 0], geo[i, 1], geo[i, 2], geo[i, 3] = r, az, el, rd
        cover[i] = ok
    return geo, cover


@njit
def _pd_plain_kernel(pos, vel, rcs, ecef, C, r_min, r_max, el_min, el_max, az_center, az_width, k_earth, tol,
                     r_ref, rcs_ref, snr_ref, pfa):
    """:meth:`Radar.pd_expected` of a plain single-pulse Swerling 1 radar in one pass: the coverage of
    :func:`_target_geometry`, the SNR of :func:`~iadsim.sensors.detection.snr_from_reference` and
    ``Pd = Pfa^(1 / (1 + SNR))`` (:func:`~iadsim.sensors.detection.pd_swerling1`, ``n = 1``); 0 outside."""
    n = pos.shape[0]
    out = np.zeros(n)
    n02, kR, ax = _site_constants(ecef, k_earth)
    for i in range(n):
        r, _, _, _, ok = _target_geometry(pos, i, vel[i, 0], vel[i, 1], vel[i, 2], ecef, C, r_min, r_max,
                                          el_min, el_max, az_center, az_width, 1, -1, k_earth, tol, n02, kR, ax)
        if ok:
            q = r_ref / r
            snr = snr_ref * (rcs[i] / rcs_ref) * (q * q) * (q * q)
            out[i] = pfa ** (1.0 / (1.0 + snr))
    return out


@njit
def _near_cover_kernel(pos, ecef, C, r_cut, r_min, r_max, el_min, el_max, az_center, az_width, sectors, sector,
                       k_earth, tol):
    """The coverage of :meth:`Radar.geometry` (without terrain) of the targets within ``r_cut`` of the site
    (``|pos - site|^2 <= r_cut^2``), False beyond; and their azimuth and elevation: the tracker's counting
    (:func:`iadsim.engine.simulation.small_target_counting`) in one pass."""
    n = pos.shape[0]
    cover = np.zeros(n, np.bool_)
    az_el = np.zeros((n, 2))
    n02, kR, ax = _site_constants(ecef, k_earth)
    r2cut = r_cut * r_cut
    for i in range(n):
        d0, d1, d2 = pos[i, 0] - ecef[0], pos[i, 1] - ecef[1], pos[i, 2] - ecef[2]
        if d0 * d0 + d1 * d1 + d2 * d2 > r2cut:
            continue
        _, az, el, _, ok = _target_geometry(pos, i, 0.0, 0.0, 0.0, ecef, C, r_min, r_max, el_min, el_max,
                                            az_center, az_width, sectors, sector, k_earth, tol, n02, kR, ax)
        cover[i] = ok
        az_el[i, 0], az_el[i, 1] = az, el
    return cover, az_el


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
    rate.  ``k_earth``: effective earth-radius factor.  Stressors (module docstring): ``range_resolution``
    (m), ``doppler_filters``, ``sidelobe`` (one-way, linear), ``mti_notch`` (m/s), ``clutter_attenuation``
    (linear improvement factor), ``wavelength`` (m), ``antenna_gain`` (linear), ``noise_figure`` (linear),
    ``bandwidth`` (Hz), ``sectors`` (azimuth sectors of a rotating scan; 1: the whole scan at once).
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
    range_resolution: float | None = None
    doppler_filters: int = 1
    sidelobe: float = 1e-3
    mti_notch: float | None = None
    clutter_attenuation: float = 1.0
    wavelength: float | None = None
    antenna_gain: float | None = None
    noise_figure: float | None = None
    bandwidth: float | None = None
    sectors: int = 1

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
        if self.sectors < 1 or (self.sectors > 1 and self.az_width < 2 * np.pi):
            raise ValueError("need sectors >= 1, and a full circle of azimuth for sectors > 1")
        m = tuple(self.measured)
        if m[:2] != ("r", "az") or list(m) != [c for c in _COMPONENTS if c in m] or len(set(m)) != len(m):
            raise ValueError(f"measured must be an ordered subsequence of {_COMPONENTS} starting r, az")


    @property
    def resolved(self) -> bool:
        """Resolution cells known: range resolution and both beamwidths."""
        return None not in (self.range_resolution, self.beamwidth_az, self.beamwidth_el)

    @property
    def jammable(self) -> bool:
        return self.resolved and None not in (self.wavelength, self.antenna_gain, self.noise_figure,
                                              self.bandwidth)

    @property
    def cells(self) -> int:
        """Resolution cells searched per scan (:func:`~iadsim.sensors.resolution.cells_per_scan`)."""
        if not self.resolved:
            raise ValueError("cells need range_resolution, beamwidth_az and beamwidth_el")
        return cells_per_scan(self.r_max - self.r_min, self.range_resolution, min(self.az_width, 2 * np.pi),
                              self.beamwidth_az, self.el_max - self.el_min, self.beamwidth_el,
                              self.doppler_filters)


@dataclass
class Strobes:
    """Bearing-only reports of jammers: ``z`` (J, 2) azimuth and elevation (rad), ``R`` (J, 2, 2), ``jnr``
    (J,) main-beam jamming-to-noise ratio, ``jammer`` (J,) jammer index (metrics only)."""

    z: np.ndarray
    R: np.ndarray
    jnr: np.ndarray
    jammer: np.ndarray

    def __len__(self) -> int:
        return self.z.shape[0]


def _no_strobes() -> Strobes:
    return Strobes(np.zeros((0, 2)), np.zeros((0, 2, 2)), np.zeros(0), np.zeros(0, int))


def _read_only(st: Strobes) -> Strobes:
    for a in (st.z, st.R, st.jnr, st.jammer):
        a.flags.writeable = False
    return st


@dataclass
class Detections:
    """One scan's detections (radar-local measurements).

    ``z`` (K, m) in the order of ``components``; ``R`` (m, m) or (K, m, m) measurement covariance;
    ``truth_id`` (K,) int, -1 for a false alarm (for metrics only; trackers must not read it);
    ``snr`` (K,) expected integrated SNR (linear, ``n_pulses`` x per-pulse SNR from the radar equation;
    not a fluctuated draw) of each detection (with clutter or jamming, the SINR); for false alarms the
    threshold ratio ``-ln(Pfa)``. ``strobes``: bearing-only reports of jammers (:class:`Strobes`).
    """

    t: float
    sensor: int | str
    z: np.ndarray
    R: np.ndarray
    truth_id: np.ndarray
    snr: np.ndarray
    components: tuple[str, ...] = field(default=_COMPONENTS)
    strobes: Strobes = field(default_factory=_no_strobes)

    def __len__(self) -> int:
        return self.z.shape[0]


@njit
def _detected_kernel(geo, cover, u, pd, snr, ids, cols, n_pulses):
    """The plain scan's detections (:meth:`Radar.measure`): ``cover & (u < Pd)``, in increasing target id;
    returns their noise-free measured components ``(k, m)``, integrated SNR and ids."""
    n = cover.shape[0]
    sel = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        if cover[i] and u[i] < pd[i]:
            sel[k] = i
            k += 1
    sel = sel[:k][np.argsort(ids[sel[:k]], kind="mergesort")]
    m = cols.shape[0]
    z = np.empty((k, m))
    snr_int = np.empty(k)
    truth = np.empty(k, np.int64)
    for q in range(k):
        i = sel[q]
        for c in range(m):
            z[q, c] = geo[i, cols[c]]
        snr_int[q] = n_pulses * snr[i]
        truth[q] = ids[i]
    return z, snr_int, truth


@njit
def _plain_scan_kernel(z_true, noise, sigma, fa, cols, snr_int, snr_fa, truth):
    """``z = z_true + noise * sigma`` followed by the false alarms' measured components, azimuth wrapped to
    ``[0, 2 pi)``; their SNRs and truth ids (-1 for false alarms): the assembly of :meth:`Radar.measure`."""
    k, m = z_true.shape
    n_fa = fa.shape[0]
    z = np.empty((k + n_fa, m))
    snr = np.empty(k + n_fa)
    tid = np.empty(k + n_fa, np.int64)
    for q in range(k):
        for c in range(m):
            z[q, c] = z_true[q, c] + noise[q, c] * sigma[c]
        snr[q] = snr_int[q]
        tid[q] = truth[q]
    for q in range(n_fa):
        for c in range(m):
            z[k + q, c] = fa[q, cols[c]]
        snr[k + q] = snr_fa
        tid[k + q] = -1
    for q in range(k + n_fa):
        z[q, 1] = z[q, 1] % _TWO_PI
    return z, snr, tid


@njit
def _one_pass_scan_kernel(pos, vel, rcs, ids, rng, ecef, C, r_min, r_max, el_min, el_max, az_center, az_width,
                          sectors, sector, k_earth, tol, r_ref, rcs_ref, snr_ref, pfa, cols, sigma, snr_fa, fa_mean,
                          rdot_max):
    """:meth:`Radar.measure` of a plain single-pulse Swerling 1 radar without terrain in one compiled pass,
    drawing from the scan's generator ``rng`` itself (numba's ``Generator`` methods are numpy's algorithms
    on the same bit stream): the geometry and coverage of :func:`_target_geometry`, the SNR of
    :func:`~iadsim.sensors.detection.snr_from_reference`, ``Pd = Pfa^(1 / (1 + SNR))``
    (:func:`~iadsim.sensors.detection.pd_swerling1`, ``n = 1``), the detection draw, the noise and the false
    alarms of :meth:`Radar._false_alarms`, with the draws of :meth:`Radar.measure`'s docstring in its order
    (N uniforms, K x m normals, the Poisson count, then r, az, el, rdot uniforms), through
    :func:`_geometry_kernel`, :func:`_detected_kernel` and :func:`_plain_scan_kernel`. ``sector < 0``: the
    whole coverage. Returns ``z``, the SNRs and the truth ids (-1 for false alarms), the two-pass path's
    (tested bit for bit) with two caveats: the Poisson mean must be below :data:`POISSON_EXACT` (the
    caller's rule), and ``Pd`` comes from the C library's ``pow`` here and from numpy's vectorised ``power``
    there, which differ by one ulp in about 5 % of the values on an AVX-512 host: a detection would change
    only if its uniform draw fell inside that ulp (about 1e-17 per target and scan). The plain Python form
    (no numba) computes as the kernel does."""
    n = pos.shape[0]
    u = rng.random(n)
    geo, cover = _geometry_kernel(pos, vel, ecef, C, r_min, r_max, el_min, el_max, az_center, az_width, sectors,
                                  sector, k_earth, tol)
    snr = np.zeros(n)
    pd = np.zeros(n)
    for i in range(n):
        if cover[i]:
            q = r_ref / geo[i, 0] if geo[i, 0] > 0 else np.inf  # numpy's r_ref / 0
            snr[i] = snr_ref * (rcs[i] / rcs_ref) * (q * q) * (q * q)
            pd[i] = pfa ** (1.0 / (1.0 + snr[i]))
    z_true, snr_int, truth = _detected_kernel(geo, cover, u, pd, snr, ids, cols, 1.0)
    k, m = z_true.shape
    noise = rng.normal(size=(k, m))
    n_fa = rng.poisson(fa_mean) if fa_mean > 0 else 0
    fa = np.empty((n_fa, 4))
    fa[:, 0] = rng.uniform(r_min, r_max, n_fa)
    if sector >= 0:
        fa[:, 1] = (sector + rng.uniform(0.0, 1.0, n_fa)) * (2 * np.pi / sectors)
    elif az_width >= 2 * np.pi:
        fa[:, 1] = rng.uniform(0.0, 2 * np.pi, n_fa)
    else:
        fa[:, 1] = az_center + rng.uniform(-0.5, 0.5, n_fa) * az_width
    fa[:, 2] = rng.uniform(el_min, el_max, n_fa)
    fa[:, 3] = rng.uniform(-rdot_max, rdot_max, n_fa)
    return _plain_scan_kernel(z_true, noise, sigma, fa, cols, snr_int, snr_fa, truth)


#: the false alarms' Poisson mean below which numba's ``Generator.poisson`` is numpy's draw for draw (both
#: multiply uniforms there); from 10 on numpy uses the transformed rejection (PTRS, Hormann 1993), where
#: numba 0.68 truncates a candidate numpy floors (``int`` against ``floor`` of a value in (-1, 0): numba
#: accepts a 0 that numpy rejects), so a radar with a larger mean per scan measures on the two-kernel path
POISSON_EXACT = 10.0

#: the strobes of a scan without any (shared, read-only)
_NONE_STROBES = _read_only(_no_strobes())


class Radar:
    """A radar at a fixed site; one verb, :meth:`measure` (see the module docstring for the model).

    ``terrain``: an optional :class:`~iadsim.terrain.Terrain` (masking, land or sea under the clutter
    patches); ``gamma_land`` / ``gamma_sea``: constant-gamma reflectivities (linear) of the clutter model.
    """

    def __init__(self, params: RadarParams, sensor: int | str = 0, *, terrain=None, gamma_land=GAMMA_LAND,
                 gamma_sea=GAMMA_SEA):
        self.params = params
        self.sensor = sensor
        self.terrain = terrain
        self.gamma_land = float(gamma_land)
        self.gamma_sea = float(gamma_sea)
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
        # the plain scan (no stressor touches the detections): measure's compiled path, and its constants
        self._plain = not p.resolved and p.mti_notch is None and not self._snr_angles
        #: the plain scan of a single-pulse Swerling 1 radar without terrain: one compiled pass with the draws
        #: (while the false alarms' mean per scan is below POISSON_EXACT)
        self._one_pass = self._plain and terrain is None and p.swerling == 1 and p.n_pulses == 1
        self._cols_arr = np.asarray(self._cols, np.int64)
        self._snr_fa = float(-np.log(p.pfa))
        self._R_plain = np.diag(self._sigma ** 2)
        self._R_plain.flags.writeable = False
        self._components = tuple(p.measured)
        ground = float(terrain.elevation_at(p.lat, p.lon)) if terrain is not None else 0.0
        #: antenna height above the surface below it (clutter geometry), at least 1 m
        self.height = max(p.alt - max(ground, 0.0), 1.0)
        #: azimuth sector of the latest :meth:`measure` (None: the whole coverage) and its strobes, for the
        #: tracker's counting
        self.last_sector: int | None = None
        self.last_strobes: Strobes = _no_strobes()

    def pd(self, snr):
        """Detection probability of the radar's fluctuation model for per-pulse ``snr``."""
        p = self.params
        if p.swerling == 1:
            return pd_swerling1(snr, p.pfa, p.n_pulses)
        return pd_marcum_exact(snr, p.pfa, p.n_pulses)

    def in_sector(self, az, sector: int) -> np.ndarray:
        """Azimuths ``az`` inside rotating-scan sector ``sector`` (of ``params.sectors``): the sector
        ``[j, j + 1) 2 pi / S``."""
        S = self.params.sectors
        return np.floor(np.mod(az, 2 * np.pi) * (S / (2 * np.pi))).astype(int) % S == sector

    def geometry(self, pos, vel, sector: int | None = None):
        """Exact (noise-free) ``(r, az, el, rdot)`` ``(N, 4)`` and the coverage mask ``(N,)`` (of one azimuth
        sector of a rotating scan when ``sector`` is given), then the terrain's line of sight.

        One compiled pass per call (:func:`_geometry_kernel`); :meth:`geometry_reference` is the same in
        array form (tested equal)."""
        p = self.params
        pos = np.ascontiguousarray(np.atleast_2d(pos), dtype=float)
        vel = np.ascontiguousarray(np.atleast_2d(vel), dtype=float)
        geo, cover = _geometry_kernel(pos, vel, self.ecef, self.C, p.r_min, p.r_max, p.el_min, p.el_max,
                                      p.az_center, p.az_width, p.sectors, -1 if sector is None else int(sector),
                                      p.k_earth, 1e-6)
        if self.terrain is not None and cover.any():
            cover[cover] = self.terrain.visible(p.lat, p.lon, p.alt, pos[cover], p.k_earth)
        return geo, cover

    def cover_within(self, pos, r_cut: float, sector: int | None = None):
        """``(cover (N,), az_el (N, 2))``: :meth:`geometry`'s coverage of the positions ``pos`` within ``r_cut``
        of the site (False beyond it, where ``az_el`` is 0), with the terrain's line of sight; one compiled
        pass (:func:`_near_cover_kernel`)."""
        p = self.params
        pos = np.ascontiguousarray(np.atleast_2d(pos), dtype=float)
        cover, az_el = _near_cover_kernel(pos, *self.cover_args(r_cut, sector), 1e-6)
        if self.terrain is not None and cover.any():
            cover[cover] = self.terrain.visible(p.lat, p.lon, p.alt, pos[cover], p.k_earth)
        return cover, az_el

    def cover_args(self, r_cut: float, sector: int | None = None) -> tuple:
        """The arguments of :func:`_near_cover_kernel` after the positions and before the tolerance: the site,
        ``r_cut``, the coverage window, the sector (-1: the whole coverage) and the earth factor (for
        :meth:`cover_within` and the tracker's fused counting, ``iadsim.tracking._kernels``)."""
        p = self.params
        return (self.ecef, self.C, float(r_cut), float(p.r_min), float(p.r_max), float(p.el_min), float(p.el_max),
                float(p.az_center), float(p.az_width), int(p.sectors), -1 if sector is None else int(sector),
                float(p.k_earth))

    def geometry_reference(self, pos, vel, sector: int | None = None):
        """:meth:`geometry` in array form (numpy over the targets): the reference the compiled pass is tested
        against."""
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
        if sector is not None and p.sectors > 1:
            cover &= self.in_sector(az, sector)
        if cover.any():
            cover[cover] = horizon_visible(self.ecef, pos[cover], p.k_earth)
        if self.terrain is not None and cover.any():
            cover[cover] = self.terrain.visible(p.lat, p.lon, p.alt, pos[cover], p.k_earth)
        return np.stack([r, az, el, rdot], axis=-1), cover

    # --- stressors ---------------------------------------------------------------------------------
    def clutter_to_noise(self, geo) -> np.ndarray:
        """Clutter-to-noise ratio (linear, before Doppler processing) of the surface patch at each target's
        range in the beam pointed at it (:mod:`iadsim.sensors.clutter`); ``geo`` (N, 4) from
        :meth:`geometry`."""
        p = self.params
        r, az, el = geo[:, 0], geo[:, 1], geo[:, 2]
        a_e = p.k_earth * float(np.linalg.norm(self.ecef) - self.params.alt)
        sin_psi, sin_delta = grazing_angles(r, self.height, a_e)
        gamma = np.full(r.size, self.gamma_sea)
        lit = sin_psi > 0
        if self.terrain is not None and lit.any():
            d = r[lit] * np.sqrt(1.0 - sin_delta[lit] ** 2)  # ground distance of the patch
            enu = np.stack([d * np.sin(az[lit]), d * np.cos(az[lit]), -self.height * np.ones(d.size)], -1)
            lat, lon, _ = ecef2geodetic(enu @ self.C + self.ecef)
            gamma[lit] = np.where(self.terrain.is_land(lat, lon), self.gamma_land, self.gamma_sea)
        sigma_c = clutter_rcs(r, sin_psi, gamma, p.range_resolution, p.beamwidth_az, p.beamwidth_el)
        g = beam_gain(el + np.arcsin(sin_delta), p.beamwidth_el, p.sidelobe)
        return snr_from_reference(r, sigma_c * g * g, p.r_ref, p.rcs_ref, self.snr_ref)

    def _jammer_geometry(self, jammers: ActiveJammers):
        """Range, azimuth, elevation of the jammers and whether each is in line of sight."""
        p = self.params
        rel = jammers.pos - self.ecef
        az, el, r = enu2aer(rel @ self.C.T)
        seen = horizon_visible(self.ecef, jammers.pos, p.k_earth)
        if self.terrain is not None and seen.any():
            seen[seen] = self.terrain.visible(p.lat, p.lon, p.alt, jammers.pos[seen], p.k_earth)
        return r, az, el, seen

    def _jnr(self, jammers: ActiveJammers, jgeo, g_rel):
        p = self.params
        r, _, _, seen = jgeo
        return jnr(jammers.power, jammers.gain, jammers.bandwidth, p.antenna_gain * g_rel, p.wavelength,
                   np.maximum(r, 1.0), p.noise_figure, p.bandwidth) * seen

    def jam_to_noise(self, geo, jammers: ActiveJammers, jgeo=None) -> np.ndarray:
        """Total jamming-to-noise ratio (N,) with the beam on each target, summed over ``jammers``
        (:func:`~iadsim.sensors.jamming.jnr`; the radar's gain toward a jammer from the Gaussian beam with
        its sidelobe floor, :func:`~iadsim.sensors.clutter.beam_gain`)."""
        p = self.params
        jgeo = self._jammer_geometry(jammers) if jgeo is None else jgeo
        _, jaz, jel, _ = jgeo
        daz = (np.mod(jaz[None, :] - geo[:, 1, None] + np.pi, 2 * np.pi) - np.pi) * np.cos(geo[:, 2, None])
        dl = jel[None, :] - geo[:, 2, None]
        g = np.maximum(np.exp(-4.0 * np.log(2.0) * ((daz / p.beamwidth_az) ** 2 + (dl / p.beamwidth_el) ** 2)),
                       p.sidelobe)
        return np.sum(self._jnr(jammers, jgeo, g), axis=1)

    def sinr(self, geo, cover, rcs, jammers: ActiveJammers | None = None, jgeo=None):
        """Per-pulse signal-to-interference-plus-noise ratio (N,) and the coverage after the Doppler notch.

        ``SINR = SNR / (1 + CNR / I + JNR)`` (module docstring); without the stressors' parameters it is
        the SNR of the radar equation and ``cover`` is returned unchanged."""
        p = self.params
        snr = snr_from_reference(geo[:, 0], rcs, p.r_ref, p.rcs_ref, self.snr_ref)
        interference = 0.0
        if p.resolved and cover.any():
            cnr = np.zeros(geo.shape[0])
            cnr[cover] = self.clutter_to_noise(geo[cover])
            interference = cnr / p.clutter_attenuation
        if p.mti_notch is not None:
            cover = cover & (np.abs(geo[:, 3]) >= p.mti_notch)
        if jammers is not None and len(jammers) and p.jammable and cover.any():
            jn = np.zeros(geo.shape[0])
            jn[cover] = self.jam_to_noise(geo[cover], jammers, jgeo)
            interference = interference + jn
        if np.ndim(interference):
            snr = snr / (1.0 + interference)
        return snr, cover

    def pd_expected(self, pos, vel, rcs, jammers: ActiveJammers | None = None):
        """Single-look detection probability (N,) of targets at ``pos``, ``vel`` over the whole coverage (0
        outside it), with clutter, the notch and jamming as in :meth:`measure`."""
        p = self.params
        if self._plain and self.terrain is None and p.swerling == 1 and p.n_pulses == 1 and not (
                jammers is not None and len(jammers) and p.jammable):
            return _pd_plain_kernel(np.ascontiguousarray(np.atleast_2d(pos), dtype=float),
                                    np.ascontiguousarray(np.atleast_2d(vel), dtype=float),
                                    np.ascontiguousarray(rcs, dtype=float), self.ecef, self.C, p.r_min, p.r_max,
                                    p.el_min, p.el_max, p.az_center, p.az_width, p.k_earth, 1e-6, p.r_ref,
                                    p.rcs_ref, self.snr_ref, p.pfa)
        return self.pd_expected_reference(pos, vel, rcs, jammers)

    def pd_expected_reference(self, pos, vel, rcs, jammers: ActiveJammers | None = None):
        """:meth:`pd_expected` in array form (geometry, :meth:`sinr`, :meth:`pd`): every radar's path, and
        the reference of the plain radar's compiled pass (:func:`_pd_plain_kernel`)."""
        geo, cover = self.geometry(pos, vel)
        sinr, cover = self.sinr(geo, cover, rcs, jammers)
        return np.where(cover, self.pd(sinr), 0.0)

    def along_strobes(self, pos) -> np.ndarray:
        """(N,) bool: positions within one beamwidth (azimuth and elevation) of one of the latest scan's
        strobes: where the scan saw a jammer, at any range."""
        st = self.last_strobes
        pos = np.atleast_2d(pos)
        if len(st) == 0 or pos.shape[0] == 0:
            return np.zeros(pos.shape[0], bool)
        p = self.params
        az, el, _ = enu2aer((pos - self.ecef) @ self.C.T)
        daz = np.abs(np.mod(az[:, None] - st.z[None, :, 0] + np.pi, 2 * np.pi) - np.pi) * np.cos(el[:, None])
        return np.any((daz < p.beamwidth_az) & (np.abs(el[:, None] - st.z[None, :, 1]) < p.beamwidth_el), axis=1)

    def _angle_sigmas(self, snr_int):
        p = self.params
        sig = np.broadcast_to(self._sigma, (snr_int.size, self._sigma.size)).copy()
        for name, bw, floor in (("az", p.beamwidth_az, p.sigma_az), ("el", p.beamwidth_el, p.sigma_el)):
            if bw is not None and name in p.measured:
                j = p.measured.index(name)
                sig[:, j] = np.sqrt(floor ** 2 + (bw / (p.k_mono * np.sqrt(2.0 * snr_int))) ** 2)
        return sig

    def _strobes(self, jammers, jgeo, sector, rng) -> Strobes:
        """Strobes of the jammers inside the angular coverage (and the sector) whose main-beam JNR reaches
        :data:`STROBE_JNR`; angles measured with the monopulse accuracy at that JNR."""
        p = self.params
        r, az, el, seen = jgeo
        ok = seen & (el >= p.el_min) & (el <= p.el_max)
        if p.az_width < 2 * np.pi:
            ok &= np.abs(np.mod(az - p.az_center + np.pi, 2 * np.pi) - np.pi) <= 0.5 * p.az_width
        if sector is not None and p.sectors > 1:
            ok &= self.in_sector(az, sector)
        main = self._jnr(jammers, jgeo, 1.0)
        sel = np.flatnonzero(ok & (main >= STROBE_JNR))
        if sel.size == 0:
            return _no_strobes()
        jint = p.n_pulses * main[sel]
        sig = np.stack([np.sqrt(p.sigma_az ** 2 + (p.beamwidth_az / (p.k_mono * np.sqrt(2 * jint))) ** 2),
                        np.sqrt(p.sigma_el ** 2 + (p.beamwidth_el / (p.k_mono * np.sqrt(2 * jint))) ** 2)], -1)
        z = np.stack([az[sel], el[sel]], -1) + rng.normal(size=(sel.size, 2)) * sig
        z[:, 0] = np.mod(z[:, 0], 2 * np.pi)
        R = np.einsum("ki,ij->kij", sig ** 2, np.eye(2))
        return Strobes(z=z, R=R, jnr=main[sel], jammer=np.asarray(jammers.index)[sel])

    def fa_mean(self, sector) -> float:
        """The false alarms' Poisson mean of one scan: ``fa_per_scan``, a rotating scan's sector its share."""
        p = self.params
        return p.fa_per_scan / (p.sectors if sector is not None else 1)

    def _false_alarms(self, rng, sector):
        """The scan's false alarms ``(n_fa, 4)``: a Poisson count, then uniform ``r``, ``az`` (in the sector),
        ``el`` and ``rdot`` draws, in that order."""
        p = self.params
        fa_mean = self.fa_mean(sector)
        n_fa = int(rng.poisson(fa_mean)) if fa_mean > 0 else 0
        fa = np.empty((n_fa, 4))
        fa[:, 0] = rng.uniform(p.r_min, p.r_max, n_fa)
        if sector is not None:
            fa[:, 1] = (sector + rng.uniform(0.0, 1.0, n_fa)) * (2 * np.pi / p.sectors)
        elif p.az_width >= 2 * np.pi:
            fa[:, 1] = rng.uniform(0.0, 2 * np.pi, n_fa)
        else:
            fa[:, 1] = p.az_center + rng.uniform(-0.5, 0.5, n_fa) * p.az_width
        fa[:, 2] = rng.uniform(p.el_min, p.el_max, n_fa)
        fa[:, 3] = rng.uniform(-p.rdot_max, p.rdot_max, n_fa)
        return fa

    def _measure_plain(self, t, geo, cover, rcs, ids, rng, sector) -> Detections:
        """:meth:`measure` of a radar without the stressors (no resolution merging, clutter, notch, jamming
        or SNR-dependent angle noise) in two compiled passes between the random draws, which are the same
        draws in the same order, so the detections are the general path's, bit for bit (tested)."""
        p = self.params
        snr = snr_from_reference(geo[:, 0], rcs, p.r_ref, p.rcs_ref, self.snr_ref)
        u = rng.random(ids.size)
        z_true, snr_int, truth = _detected_kernel(geo, cover, u, self.pd(snr), snr, ids.astype(np.int64),
                                                  self._cols_arr, float(p.n_pulses))
        noise = rng.normal(size=z_true.shape)
        fa = self._false_alarms(rng, sector)
        z, snr_all, tid = _plain_scan_kernel(z_true, noise, self._sigma, fa, self._cols_arr, snr_int,
                                             self._snr_fa, truth)
        self.last_strobes = _NONE_STROBES
        return Detections(t=float(t), sensor=self.sensor, z=z, R=self._R_plain, truth_id=tid, snr=snr_all,
                          components=self._components, strobes=_NONE_STROBES)

    def _measure_one_pass(self, t, pos, vel, rcs, ids, rng, sector, fa_mean) -> Detections:
        """:meth:`_measure_plain` of a single-pulse Swerling 1 radar without terrain, geometry included, in
        one compiled pass that draws from ``rng`` itself (:func:`_one_pass_scan_kernel`): the same draws in
        the same order, so the same detections bit for bit (tested)."""
        p = self.params
        z, snr_all, tid = _one_pass_scan_kernel(
            np.ascontiguousarray(np.atleast_2d(pos), dtype=float),
            np.ascontiguousarray(np.atleast_2d(vel), dtype=float), np.ascontiguousarray(rcs, dtype=float),
            np.ascontiguousarray(ids, dtype=np.int64), rng, self.ecef, self.C,
            p.r_min, p.r_max, p.el_min, p.el_max, p.az_center, p.az_width, p.sectors,
            -1 if sector is None else int(sector), p.k_earth, 1e-6, p.r_ref, p.rcs_ref, self.snr_ref, p.pfa,
            self._cols_arr, self._sigma, self._snr_fa, float(fa_mean), p.rdot_max)
        self.last_strobes = _NONE_STROBES
        return Detections(t=float(t), sensor=self.sensor, z=z, R=self._R_plain, truth_id=tid, snr=snr_all,
                          components=self._components, strobes=_NONE_STROBES)

    def measure(self, t, pos, vel, rcs, ids, rng: np.random.Generator, *, jammers: ActiveJammers | None = None,
                sector: int | None = None) -> Detections:
        """One scan at time ``t`` of N targets (ECEF ``pos``, ``vel`` (N, 3), ``rcs`` (N,) m^2, ``ids``);
        ``jammers`` radiating now; ``sector``: the azimuth sector of a rotating scan (None: all).

        Random draws, in this order: N uniforms (detection), K x m normals (noise), the Poisson false-alarm
        count, then its (r, az, el, rdot) uniforms, then the strobes' normals; so the stream depends only
        on N and the outcomes.
        """
        p = self.params
        self.last_sector = sector if p.sectors > 1 else None
        sector = self.last_sector
        ids = np.asarray(ids)
        jam = jammers is not None and len(jammers) > 0 and p.jammable
        fa_mean = self.fa_mean(sector)
        if not jam and self._one_pass and fa_mean < POISSON_EXACT:
            return self._measure_one_pass(t, pos, vel, rcs, ids, rng, sector, fa_mean)
        geo, cover = self.geometry(pos, vel, sector)
        if not jam and self._plain:
            return self._measure_plain(t, geo, cover, rcs, ids, rng, sector)
        jgeo = self._jammer_geometry(jammers) if jam else None
        snr, cover = self.sinr(geo, cover, rcs, jammers if jam else None, jgeo)
        u = rng.random(ids.size)
        det = cover & (u < np.where(cover, self.pd(snr), 0.0))
        sel = np.nonzero(det)[0]
        sel = sel[np.argsort(ids[sel], kind="stable")]
        z_true = geo[sel][:, self._cols]
        snr_int = p.n_pulses * snr[sel]
        truth_sel = ids[sel].astype(int)
        if p.resolved and sel.size > 1:
            widths = np.array([p.range_resolution, p.beamwidth_az, p.beamwidth_el])
            label, zc, lead = merge_unresolved(geo[sel][:, :3], widths, snr_int, periodic=[0.0, 2 * np.pi, 0.0])
            if lead.size < sel.size:
                merged = geo[sel][lead].copy()
                merged[:, :3] = zc
                if "rdot" in p.measured:
                    merged[:, 3] = np.bincount(label, weights=snr_int * geo[sel][:, 3]) / np.bincount(
                        label, weights=snr_int)
                z_true = merged[:, self._cols]
                truth_sel = truth_sel[lead]
                snr_int = np.bincount(label, weights=snr_int)
        m = len(self._cols)
        k = z_true.shape[0]
        if self._snr_angles:
            sig = self._angle_sigmas(snr_int)
        else:
            sig = np.broadcast_to(self._sigma, (k, m))
        z = z_true + rng.normal(size=(k, m)) * sig
        # false alarms (a rotating scan's sector has its share)
        fa = self._false_alarms(rng, sector)
        n_fa = fa.shape[0]
        z = np.vstack([z, fa[:, self._cols]])
        z[:, 1] = np.mod(z[:, 1], 2 * np.pi)
        snr_fa = np.full(n_fa, -np.log(p.pfa))
        snr_all = np.concatenate([snr_int, snr_fa])
        if self._snr_angles:
            sig_all = np.vstack([sig, self._angle_sigmas(snr_fa)])
            R = np.einsum("ki,ij->kij", sig_all ** 2, np.eye(m))
        else:
            R = np.diag(self._sigma ** 2)
        truth = np.concatenate([truth_sel, np.full(n_fa, -1, int)])
        strobes = self._strobes(jammers, jgeo, sector, rng) if jam else _no_strobes()
        self.last_strobes = strobes
        return Detections(t=float(t), sensor=self.sensor, z=z, R=R, truth_id=truth, snr=snr_all,
                          components=tuple(p.measured), strobes=strobes)
