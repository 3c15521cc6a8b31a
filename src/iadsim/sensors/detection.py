"""Detection theory: radar equation referenced to a detection range, Pd/Pfa/SNR relations.

All SNRs are **linear power ratios** (not dB) per pulse; ``n`` is the number of pulses integrated
noncoherently.  Probabilities are floats in (0, 1).  Functions broadcast over numpy arrays.

Sources
-------
* Skolnik, *Introduction to Radar Systems*, 3rd ed., 2001, ch. 2 (radar equation, Swerling models).
* Richards, *Fundamentals of Radar Signal Processing*, 2nd ed., 2014, ch. 6 (threshold detection:
  square-law detector, Swerling 1 ``Pd = Pfa^(1/(1+SNR))`` for one pulse).
* Albersheim, "A closed-form approximation to Robertson's detection characteristics", Proc. IEEE 69(7),
  1981, p. 839; Tufts & Cann, "On Albersheim's detection equation", IEEE Trans. AES-19(4), 1983,
  pp. 643-646 (inverse form for Pd).
* DiFranco & Rubin, *Radar Detection*, 1968 (Swerling 1 with N noncoherently integrated pulses); the
  same expression is in Mahafza, *Radar Systems Analysis and Design Using MATLAB*, ch. on detection).
"""

from __future__ import annotations

import numpy as np

# scipy.special is imported by the functions that need it (several pulses, the Marcum model): a radar of one
# pulse per look, Swerling 1, has closed forms, and a run of such radars does not pay the import

__all__ = [
    "db2lin",
    "lin2db",
    "pd_albersheim",
    "pd_marcum_exact",
    "pfa_from_threshold",
    "pd_swerling1",
    "snr_albersheim",
    "snr_from_reference",
    "snr_marcum_exact",
    "snr_swerling1",
]


def db2lin(x_db):
    """Power ratio from decibels: ``10^(x/10)``."""
    return 10.0 ** (np.asarray(x_db, float) / 10.0)


def lin2db(x):
    """Decibels from a power ratio: ``10 log10 x``."""
    return 10.0 * np.log10(np.asarray(x, float))


def snr_from_reference(r, rcs, r_ref, rcs_ref, snr_ref):
    """Radar equation scaled from a reference detection: ``SNR = SNR_ref (rcs/rcs_ref) (r_ref/r)^4``.

    The monostatic radar equation ``SNR = Pt G^2 lambda^2 sigma / ((4 pi)^3 k T0 B F L R^4)``
    (Skolnik 3rd ed., ch. 2) has every factor but ``sigma`` and ``R`` fixed for a given radar and
    waveform, so one stated pair (``SNR_ref`` at ``r_ref`` on ``rcs_ref``) fixes it.  r in m, rcs in m^2.
    """
    r = np.asarray(r, float)
    q = r_ref / r
    return snr_ref * (np.asarray(rcs, float) / rcs_ref) * (q * q) * (q * q)


def _threshold(pfa, n):
    """Normalised threshold T of the sum of n square-law samples (unit noise power): Pfa = Q(n, T)."""
    from scipy.special import gammainccinv

    return gammainccinv(n, pfa)


def pd_swerling1(snr, pfa, n=1):
    """Pd of a Swerling 1 target (slow Rayleigh fluctuation), square-law detector, n pulses.

    ``n = 1``: ``Pd = Pfa^(1 / (1 + SNR))`` (Richards 2014 ch. 6; Skolnik 3rd ed. ch. 2).
    ``n > 1`` (noncoherent integration, threshold ``T`` with ``Pfa = Q(n, T)``; DiFranco & Rubin)::

        Pd = 1 - P(n-1, T) + (1 + 1/(n SNR))^(n-1) P(n-1, T / (1 + 1/(n SNR))) exp(-T / (1 + n SNR))

    with ``P(a, x)`` the regularised lower incomplete gamma function.
    """
    snr = np.asarray(snr, float)
    pfa = np.asarray(pfa, float)
    if np.all(np.asarray(n) == 1):
        return pfa ** (1.0 / (1.0 + snr))
    from scipy.special import gammainc

    n = np.asarray(n, float)
    T = _threshold(pfa, n)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        g = 1.0 + 1.0 / (n * snr)
        pd = (1.0 - gammainc(n - 1, T) + g ** (n - 1) * gammainc(n - 1, T / g)
              * np.exp(-T / (1.0 + n * snr)))
    return np.clip(np.where(snr > 0, pd, pfa), 0.0, 1.0)


def snr_swerling1(pd, pfa, n=1):
    """Per-pulse SNR giving ``pd`` for a Swerling 1 target (inverse of :func:`pd_swerling1`).

    ``n = 1``: ``SNR = ln(Pfa) / ln(Pd) - 1``.  ``n > 1``: vectorised bisection in dB (60 halvings of
    [-40, 80] dB, i.e. ~1e-16 dB), since Pd grows monotonically with SNR.
    """
    pd = np.asarray(pd, float)
    pfa = np.asarray(pfa, float)
    if np.all(np.asarray(n) == 1):
        return np.log(pfa) / np.log(pd) - 1.0
    return _invert_increasing(pd_swerling1, pd, pfa, n)


def _albersheim_coeffs(pfa, n):
    A = np.log(0.62 / np.asarray(pfa, float))
    n = np.asarray(n, float)
    return A, -5.0 * np.log10(n), 6.2 + 4.54 / np.sqrt(n + 0.44)


def snr_albersheim(pd, pfa, n=1):
    """Per-pulse SNR for a nonfluctuating (Swerling 0) target, n pulses, linear detector (Albersheim).

    ``SNR_dB = -5 log10 n + (6.2 + 4.54 / sqrt(n + 0.44)) log10(A + 0.12 A B + 1.7 B)``,
    ``A = ln(0.62 / Pfa)``, ``B = ln(Pd / (1 - Pd))``.  Stated accuracy 0.2 dB for
    1e-7 <= Pfa <= 1e-3, 0.1 <= Pd <= 0.9, 1 <= n <= 8096.  Returns a linear ratio.
    """
    pd = np.asarray(pd, float)
    A, c0, c1 = _albersheim_coeffs(pfa, n)
    B = np.log(pd / (1.0 - pd))
    return db2lin(c0 + c1 * np.log10(A + 0.12 * A * B + 1.7 * B))


def pd_albersheim(snr, pfa, n=1):
    """Pd of a nonfluctuating target from per-pulse SNR (inverse Albersheim, Tufts & Cann 1983).

    ``Z = (SNR_dB + 5 log10 n) / (6.2 + 4.54 / sqrt(n + 0.44))``,
    ``B = (10^Z - A) / (1.7 + 0.12 A)``, ``Pd = 1 / (1 + exp(-B))``.
    Only meaningful inside the fitted range (about 0.1 <= Pd <= 0.9): as SNR -> 0 it tends to
    ``1 / (1 + exp(A / (1.7 + 0.12 A)))`` (1.7 % at Pfa 1e-6), not to Pfa, which is why
    :class:`~iadsim.sensors.radar.Radar` draws Swerling 0 detections from :func:`pd_marcum_exact`.
    """
    snr = np.asarray(snr, float)
    A, c0, c1 = _albersheim_coeffs(pfa, n)
    with np.errstate(divide="ignore"):
        Z = (lin2db(snr) - c0) / c1
    B = (10.0 ** Z - A) / (1.7 + 0.12 * A)
    return 1.0 / (1.0 + np.exp(-np.clip(B, -700.0, 700.0)))


def pd_marcum_exact(snr, pfa, n=1):
    """Exact Pd of a nonfluctuating target, square-law detector, n pulses (reference for Albersheim).

    With unit noise power per pulse the integrated statistic ``y`` satisfies ``2 y ~ chi^2_2n`` under
    noise alone and ``2 y ~ noncentral chi^2_2n(2 n SNR)`` with the target (Marcum; Richards 2014 ch. 6),
    so ``Pfa = Q(n, T)`` and ``Pd = 1 - F_ncx2(2 T; 2 n, 2 n SNR)`` (``scipy.special.chndtr``).
    """
    T = _threshold(pfa, n)
    n = np.asarray(n, float)
    from scipy.special import chndtr

    return 1.0 - chndtr(2.0 * T, 2.0 * n, 2.0 * n * np.asarray(snr, float))


def _invert_increasing(pd_fn, pd, pfa, n):
    """Per-pulse SNR with ``pd_fn(snr, pfa, n) = pd``: vectorised bisection in dB on [-40, 80] dB."""
    shape = np.broadcast(np.asarray(pd), np.asarray(pfa), np.asarray(n)).shape
    lo = np.full(shape, -40.0)
    hi = np.full(shape, 80.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = pd_fn(db2lin(mid), pfa, n) > pd
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return db2lin(0.5 * (lo + hi))


def snr_marcum_exact(pd, pfa, n=1):
    """Per-pulse SNR for ``pd`` on a nonfluctuating target (inverse of :func:`pd_marcum_exact`)."""
    return _invert_increasing(pd_marcum_exact, np.asarray(pd, float), np.asarray(pfa, float), n)


def pfa_from_threshold(T, n=1):
    """False-alarm probability of threshold ``T`` on n square-law samples of unit noise: ``Q(n, T)``."""
    from scipy.special import gammaincc

    return gammaincc(n, T)
