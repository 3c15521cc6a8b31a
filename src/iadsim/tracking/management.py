r"""Track management: configuration, M-of-N confirmation, deletion, single-point initiation.

All functions act on arrays over tracks (no Python object per track).

Confirmation: M-of-N logic (Blackman & Popoli 1999, sec. 6.2; Bar-Shalom & Li 1995, sec. 5.3.1)
-------------------------------------------------------------------------------------------------
Each track keeps a bit history ``hist`` of its last scans: a *counted scan* is a scan of any sensor whose
coverage (``max_range`` of that sensor, unlimited by default) contains the track's predicted position;
bit 0 is the newest, 1 when the track was updated by a detection of that scan. A tentative track is
confirmed as soon as ``popcount(hist) >= M`` within its first ``N`` counted scans, and deleted as soon
as that has become impossible (``hits + (N - scans) < M``). Tentative tracks never appear among the
confirmed tracks.

Deletion of confirmed tracks: after ``max_misses`` consecutive counted scans without a detection, or
when the horizontal position standard deviation ``sqrt(trace((I - u u^T) P_pos (I - u u^T)))`` exceeds
``pos_std_max`` (``u`` the local up: ``z`` in ENU, ``r / |r|`` in ECEF). The vertical is excluded because
radars without elevation do not observe it.

Score-based confirmation (option ``confirmation="sprt"``): the track log-likelihood ratio (track score)
of Blackman & Popoli 1999, sec. 6.2.3-6.2.4 (after Sittler 1964), with measurement dimension ``m``,
detection probability ``P_D``, false-alarm density ``beta_FT`` and new-target density ``beta_NT`` (both
per unit measurement volume, e.g. per m rad for range/azimuth)::

    L(1)       = ln(beta_NT / beta_FT)                                          first detection
    dL_hit     = ln(P_D / ((2 pi)^(m/2) beta_FT sqrt|S|)) - d2 / 2               update, S = H P H^T + R
    dL_miss    = ln(1 - P_D)                                                    counted scan, no detection

and Wald's sequential probability ratio test: a tentative track is confirmed when
``L >= ln((1 - beta) / alpha)`` and deleted when ``L <= ln(beta / (1 - alpha))`` (``alpha`` the
false-track confirmation probability, ``beta`` the true-track rejection probability). Confirmed tracks
are deleted by the same miss/covariance rules as above.

Initiation ("two-point" initiation, Blackman & Popoli sec. 6.3 / BLK2001 sec. 3.4 one-point
variant): every detection left unassigned starts a tentative track at its converted position
(:func:`iadsim.tracking.measurements.cart_from_polar`, covariance by linearization) with zero velocity and
velocity covariance ``(v_max / kappa)^2 I``, ``kappa = config.v_max_sigmas`` (default 2: ``v_max`` is a
2-sigma bound); the second detection, gated with that covariance, then fixes the velocity, which is
the two-point differencing estimate in Kalman form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from iadsim.tracking.measurements import cart_from_polar


def _chi2_sf_pdf(x: float, k: int) -> tuple[float, float]:
    """Upper tail ``Q(x | k)`` and density of the chi-square distribution with an integer number ``k`` of
    degrees of freedom, in closed form (Abramowitz & Stegun 1964, 26.4.4 and 26.4.5):

        k even:  Q = exp(-x/2) sum_{j < k/2} (x/2)^j / j!
        k odd:   Q = erfc(sqrt(x/2)) + exp(-x/2) sqrt(2x/pi) sum_{r=1}^{(k-1)/2} x^(r-1) / (1 3 5 ... (2r - 1))
        pdf    = x^(k/2 - 1) exp(-x/2) / (2^(k/2) Gamma(k/2))
    """
    h = 0.5 * x
    if k % 2 == 0:
        term, total = 1.0, 1.0
        for j in range(1, k // 2):
            term *= h / j
            total += term
        q = math.exp(-h) * total
    else:
        term, total = 1.0, 0.0
        for r in range(1, (k - 1) // 2 + 1):
            if r > 1:
                term *= x / (2 * r - 1)
            total += term
        q = math.erfc(math.sqrt(h)) + math.exp(-h) * math.sqrt(2.0 * x / math.pi) * total
    pdf = math.exp((0.5 * k - 1.0) * math.log(x) - h - 0.5 * k * math.log(2.0) - math.lgamma(0.5 * k))
    return q, pdf


def _chi2_cdf_series(x: float, k: int) -> float:
    """Lower tail ``P(x | k)`` by the series of the incomplete gamma function (A&S 6.5.29),
    ``P(a, h) = h^a e^-h / Gamma(a + 1) sum_n h^n / ((a + 1) ... (a + n))`` with ``a = k/2, h = x/2``: no
    cancellation where ``P`` is small."""
    a, h = 0.5 * k, 0.5 * x
    term, total, n = 1.0, 1.0, 0
    while term > 1e-17 * total:
        n += 1
        term *= h / (a + n)
        total += term
    return math.exp(a * math.log(h) - h - math.lgamma(a + 1.0)) * total


def _chi2_ppf_integer(p: float, k: int) -> float:
    """``x`` with ``P(chi2_k <= x) = p``: Newton's iteration on the smaller tail (the series of
    :func:`_chi2_cdf_series` below the median, the closed form of :func:`_chi2_sf_pdf` above it), from the
    Wilson-Hilferty approximation (Johnson, Kotz & Balakrishnan 1994, ch. 18), kept inside a bisection
    bracket."""
    from statistics import NormalDist

    lower = p < 0.5
    target = p if lower else 1.0 - p
    c = 2.0 / (9.0 * k)
    x = k * max(1.0 - c + NormalDist().inv_cdf(p) * math.sqrt(c), 0.05) ** 3
    lo, hi = 0.0, math.inf
    for _ in range(200):
        q, f = _chi2_sf_pdf(x, k)
        g = _chi2_cdf_series(x, k) - target if lower else target - q  # increasing in x, g' = pdf
        if g < 0.0:
            lo = x
        else:
            hi = x
        nxt = x - g / f if f > 0.0 else math.nan
        if not lo < nxt < hi:  # Newton left the bracket: bisect (or double while it is unbounded)
            nxt = 0.5 * (lo + hi) if hi < math.inf else 2.0 * x
        if abs(nxt - x) <= 1e-15 * x:
            return nxt
        x = nxt
    return x


def chi2_ppf(p, df):
    """Quantile of the chi-square distribution with ``df`` degrees of freedom.

    For an integer ``df`` from 1 to 200 (every gate: ``df`` is the number of measured components) it is
    :func:`_chi2_ppf_integer`, from the closed-form tail, without importing ``scipy.special`` (which a run of
    single-pulse Swerling 1 radars needs nowhere else; most of its import cost, ``scipy._lib``, numba pays
    anyway through ``scipy.linalg``, so the saving is a few tens of ms); it agrees with ``scipy.stats.chi2.ppf`` to
    a few units in the last place (tested). Otherwise ``2 P^-1(df/2, p)``, the inverse of the regularized
    lower incomplete gamma function (``scipy.special.gammaincinv``, as ``scipy.stats.chi2.ppf`` computes it).
    Arrays broadcast."""
    p_arr, df_arr = np.broadcast_arrays(np.asarray(p, float), np.asarray(df, float))
    integer = (df_arr == np.round(df_arr)) & (df_arr >= 1) & (df_arr <= 200) & (p_arr > 0) & (p_arr < 1)
    if integer.all():
        out = np.array([_chi2_ppf_integer(float(a), int(b)) for a, b in zip(p_arr.ravel(), df_arr.ravel(),
                                                                            strict=True)])
        out = out.reshape(p_arr.shape)
        return float(out) if out.ndim == 0 else out
    from scipy.special import gammaincinv

    return 2.0 * gammaincinv(df_arr / 2.0, p_arr)


@dataclass(frozen=True)
class TrackerConfig:
    """Tracker parameters (SI units).

    gate_probability : P_G of the chi-square gate ``G = chi2.ppf(P_G, m)``.
    confirm_m, confirm_n : M-of-N confirmation (default 3 of 5 counted scans).
    max_misses : consecutive missed counted scans that delete a confirmed track.
    pos_std_max : horizontal position standard deviation (m) above which a track is deleted.
    v_max : speed bound for initiation (m/s); ``v_max_sigmas`` is how many sigmas it is.
    init_up, init_up_sigma : altitude (m above the sensor's horizontal plane) and its sigma assumed when
        a sensor does not measure elevation.
    max_range : per-sensor coverage radius (m) for counted scans, or None (unlimited).
    pregate : use the KD-tree pre-gate (True) or the full cost matrix (False).
    tentative_timeout : delete a tentative track that has had no detection for this long (s), or None;
        a tuple gives one timeout per sensor, applied by the sensor of the track's last detection. With
        several sensors of different coverage a false alarm's tentative track may lie where no scan
        counts against it (see ``Tracker(counted=...)``); the timeout retires it.
    confirmed_first : associate confirmed tracks first, tentative tracks on the remaining detections
        (True), or all tracks in one global assignment (False).
    confirmation : ``"m_of_n"`` or ``"sprt"`` (score-based, module docstring).
    association : ``"gnn"`` or ``"jpda"`` (confirmed tracks updated by JPDA with ``pd`` and
        ``clutter_density``, tentative tracks by GNN; see
        :func:`iadsim.tracking.association.jpda_probabilities`).
    pd, clutter_density, new_target_density, sprt_alpha, sprt_beta : SPRT (and JPDA: ``pd``,
        ``clutter_density``) parameters, densities per unit measurement volume.
    """

    gate_probability: float = 0.999
    confirm_m: int = 3
    confirm_n: int = 5
    max_misses: int = 3
    pos_std_max: float = 5_000.0
    v_max: float = 1_000.0
    v_max_sigmas: float = 2.0
    init_up: float = 0.0
    init_up_sigma: float = 0.0
    max_range: tuple | None = None
    pregate: bool = True
    tentative_timeout: float | tuple | None = None
    confirmed_first: bool = True
    confirmation: str = "m_of_n"
    association: str = "gnn"
    pd: float = 0.9
    clutter_density: float = 1e-4
    new_target_density: float = 1e-5
    sprt_alpha: float = 1e-4
    sprt_beta: float = 0.05

    def __post_init__(self):
        if not 0.0 < self.gate_probability < 1.0:
            raise ValueError("gate_probability must be in (0, 1)")
        if not 1 <= self.confirm_m <= self.confirm_n <= 62:
            raise ValueError("need 1 <= confirm_m <= confirm_n <= 62")
        if self.max_misses < 1 or self.pos_std_max <= 0 or self.v_max <= 0:
            raise ValueError("max_misses >= 1, pos_std_max > 0 and v_max > 0 required")
        if self.confirmation not in ("m_of_n", "sprt"):
            raise ValueError("confirmation must be 'm_of_n' or 'sprt'")
        if self.association not in ("gnn", "jpda"):
            raise ValueError("association must be 'gnn' or 'jpda'")
        if not (0 < self.pd < 1 and self.clutter_density > 0 and self.new_target_density > 0
                and 0 < self.sprt_alpha < 1 and 0 < self.sprt_beta < 1):
            raise ValueError("SPRT parameters: 0 < pd, alpha, beta < 1 and densities > 0 required")

    def sprt_thresholds(self) -> tuple[float, float]:
        """Wald's (delete, confirm) thresholds ``ln(beta / (1 - alpha))``, ``ln((1 - beta) / alpha)``."""
        a, b = self.sprt_alpha, self.sprt_beta
        return float(np.log(b / (1 - a))), float(np.log((1 - b) / a))

    def gate(self, m: int) -> float:
        """Chi-square gate threshold for ``m`` measured components."""
        return float(chi2_ppf(self.gate_probability, m))


def popcount(a: np.ndarray) -> np.ndarray:
    """Number of set bits of each element of an int64 array (values < 2**62).

    One ufunc call (``numpy.bitwise_count``, numpy >= 2.0) where numpy has it, else shift and mask bit by
    bit (:func:`_popcount_shift`); both are exact integer counts."""
    a = np.asarray(a, dtype=np.int64)
    if _bitwise_count is not None:
        return _bitwise_count(a).astype(np.int64)
    return _popcount_shift(a)


_bitwise_count = getattr(np, "bitwise_count", None)


def _popcount_shift(a: np.ndarray) -> np.ndarray:
    """The plain popcount: add the lowest bit and shift right until every element is zero."""
    a = np.asarray(a, dtype=np.int64)
    out = np.zeros(a.shape, np.int64)
    while np.any(a):
        out += a & 1
        a = a >> 1
    return out


def record_scan(hist, scans, misses, counted, hit, n_window: int):
    """Shift a counted scan into the histories; returns new ``hist, scans, misses`` arrays.

    ``counted`` (M,) bool: the scan counts for the track; ``hit`` (M,) bool: the track was updated.
    """
    mask = (1 << n_window) - 1
    hist = np.where(counted, ((hist << 1) | hit.astype(np.int64)) & mask, hist)
    scans = scans + counted
    misses = np.where(counted, np.where(hit, 0, misses + 1), misses)
    return hist, scans, misses


def confirm_and_delete(status, hist, scans, misses, pos_std, cfg: TrackerConfig, score=None):
    """Confirmation and deletion. ``status`` 0 tentative / 1 confirmed. Returns ``(new_status, keep)``.

    M-of-N on the bit histories, or the SPRT on ``score`` when ``cfg.confirmation == "sprt"``.
    """
    if cfg.confirmation == "sprt":
        status, dead_tent = sprt_decide(status, score, cfg)
    else:
        hits = popcount(hist)
        tent = status == 0
        newly = tent & (hits >= cfg.confirm_m) & (scans <= cfg.confirm_n)
        status = np.where(newly, 1, status)
        tent = status == 0
        dead_tent = tent & (hits + (cfg.confirm_n - scans) < cfg.confirm_m)
    dead_conf = (status == 1) & ((misses >= cfg.max_misses) | (pos_std > cfg.pos_std_max))
    return status, ~(dead_tent | dead_conf)


def score_increment_hit(d2, S, cfg: TrackerConfig) -> np.ndarray:
    """``dL = ln(P_D / ((2 pi)^(m/2) beta_FT sqrt|S|)) - d2 / 2`` for ``d2 (K,)``, ``S (K, m, m)``."""
    m = S.shape[-1]
    _, logdet = np.linalg.slogdet(S)
    return (np.log(cfg.pd / cfg.clutter_density) - 0.5 * m * np.log(2 * np.pi) - 0.5 * logdet
            - 0.5 * np.asarray(d2, float))


def sprt_decide(status, score, cfg: TrackerConfig):
    """SPRT on tentative tracks: returns ``(new_status, dead_tentative)``."""
    lo, hi = cfg.sprt_thresholds()
    tent = status == 0
    status = np.where(tent & (score >= hi), 1, status)
    return status, (status == 0) & (score <= lo)


def horizontal_pos_std(x, P, frame: str) -> np.ndarray:
    """``sqrt(trace)`` of the position covariance projected on the local horizontal plane, ``(M,)``."""
    Pp = P[:, 0:3, 0:3]
    if frame == "enu":
        return np.sqrt(np.maximum(Pp[:, 0, 0] + Pp[:, 1, 1], 0.0))
    u = x[:, 0:3] / np.linalg.norm(x[:, 0:3], axis=1, keepdims=True)
    vert = np.einsum("mi,mij,mj->m", u, Pp, u)
    return np.sqrt(np.maximum(np.einsum("mii->m", Pp) - vert, 0.0))


def initiate_from_detections(z, R, geom, sensor: int, comps: tuple, cfg: TrackerConfig):
    """Single-detection initial states ``x0 (K, 6)``, ``P0 (K, 6, 6)`` (see module docstring)."""
    pos, Rc = cart_from_polar(z, geom, sensor, comps, R=R, up=cfg.init_up, up_sigma=cfg.init_up_sigma)
    K = pos.shape[0]
    x0 = np.zeros((K, 6))
    x0[:, 0:3] = pos
    P0 = np.zeros((K, 6, 6))
    P0[:, 0:3, 0:3] = Rc
    P0[:, 3:6, 3:6] = np.eye(3) * (cfg.v_max / cfg.v_max_sigmas) ** 2
    return x0, P0
