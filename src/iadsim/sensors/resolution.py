"""Resolution cells from the waveform and the antenna; false alarms per scan; unresolved targets merged.

Units: SI (m, Hz, rad).

* **Range resolution** of a pulse (compressed or not) of bandwidth ``B``: ``dR = c / (2 B)`` (Richards,
  Scheer & Holm, *Principles of Modern Radar*, 2010, sect. 1.4.4 and ch. 20; Skolnik, *Introduction to
  Radar Systems*, 3rd ed., 2001, sect. 6.5).
* **Beamwidth** of a uniformly illuminated rectangular aperture of side ``D`` at wavelength
  ``lambda = c / f``: ``theta_3dB = 0.886 lambda / D`` (Richards et al. 2010, sect. 9.2, eq. 9.12; a tapered
  aperture is wider, so a catalog entry may state its beamwidths instead).
* **Cells searched per scan**: range cells x azimuth beam positions x elevation beam positions x Doppler
  filters, ``N = ceil(span_R / dR) ceil(span_az / theta_az) ceil(span_el / theta_el) n_D``. With the
  detection threshold set for a false-alarm probability ``Pfa`` per cell, the false alarms of one scan are
  a binomial count of ``N`` cells, Poisson with mean ``Pfa N`` since ``Pfa << 1`` and ``N >> 1``
  (Skolnik 2001, sect. 2.5, false-alarm time ``T_fa = 1 / (Pfa B)``, i.e. ``Pfa`` per resolution cell;
  Richards et al. 2010, sect. 15.2).
* **Merged detections**: two objects are resolved when they are separated by at least one resolution
  width in at least one measured dimension (range ``dR``, azimuth ``theta_az``, elevation ``theta_el``;
  range rate ``dv = lambda / (2 T_cpi)`` when Doppler is resolved); otherwise they share a cell and give
  one detection (Richards et al. 2010, sect. 1.4.4). Chains of unresolved pairs form one group (connected
  components); the group's report is at the SNR-weighted centroid of its members' true measurements (the
  centroid of unresolved returns, Blackman & Popoli, *Design and Analysis of Modern Tracking Systems*,
  1999, sect. 9.6), reported with the strongest member's identity for the metrics.
"""

from __future__ import annotations

import numpy as np

__all__ = ["C_LIGHT", "beamwidth", "cells_per_scan", "merge_unresolved", "range_resolution"]

#: speed of light in vacuum, m/s
C_LIGHT = 299_792_458.0
#: 3-dB beamwidth of a uniformly illuminated aperture, in units of lambda / D
UNIFORM_BEAMWIDTH = 0.886


def range_resolution(bandwidth):
    """``dR = c / (2 B)`` (m) for a waveform of bandwidth ``B`` (Hz)."""
    return C_LIGHT / (2.0 * np.asarray(bandwidth, float))


def beamwidth(aperture, frequency):
    """3-dB beamwidth (rad) of a uniformly illuminated aperture of side ``aperture`` (m) at ``frequency``
    (Hz): ``0.886 lambda / D``."""
    return UNIFORM_BEAMWIDTH * (C_LIGHT / np.asarray(frequency, float)) / np.asarray(aperture, float)


def cells_per_scan(range_span, d_range, az_span, theta_az, el_span, theta_el, doppler_filters=1) -> int:
    """Resolution cells searched in one scan (module docstring): range x azimuth x elevation x Doppler."""
    n = (np.ceil(range_span / d_range) * np.ceil(az_span / theta_az - 1e-9)
         * np.ceil(el_span / theta_el - 1e-9) * int(doppler_filters))
    return int(n)


def merge_unresolved(z, widths, weight, periodic=None):
    """Groups of unresolved detections and their merged measurements.

    Parameters
    ----------
    z : (K, m) true measurements (e.g. ``r, az, el``) of the detected objects.
    widths : (m,) resolution width of each column (``dR, theta_az, theta_el[, dv]``).
    weight : (K,) positive weights of the centroid (the objects' SNRs).
    periodic : optional (m,) period of each column (``2 pi`` for azimuth, 0 for none).

    Returns ``(label, zc, lead)``: ``label`` (K,) group of each detection (groups numbered in order of
    their first member), ``zc`` (G, m) weighted centroids (periodic columns averaged on the circle), and
    ``lead`` (G,) the index of each group's strongest member.

    Two objects are unresolved when ``|dz_j| < widths_j`` in every column ``j`` (Chebyshev distance below
    one in resolution units), found with a k-d tree (``scipy.spatial.cKDTree.query_pairs``, periodic
    columns on a torus); groups are the connected components of that relation.
    """
    z = np.asarray(z, float)
    K, m = z.shape
    w = np.asarray(weight, float)
    if K < 2:
        return np.arange(K), z.copy(), np.arange(K)
    widths = np.asarray(widths, float)
    u = z / widths
    box = None
    if periodic is not None:
        per = np.asarray(periodic, float)
        # non-periodic columns get a box wider than the data (no wrap-around), periodic ones their period
        lo = u.min(axis=0)
        u = u - np.where(per > 0, 0.0, lo)
        span = u.max(axis=0) + 2.0
        box = np.where(per > 0, per / widths, span)
        u = np.where(per > 0, np.mod(u, box), u)
    from scipy.sparse import coo_matrix  # here: radars without resolution cells do not pay the import
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    tree = cKDTree(u, boxsize=box)
    pairs = tree.query_pairs(1.0, p=np.inf, output_type="ndarray")
    if pairs.shape[0] == 0:
        return np.arange(K), z.copy(), np.arange(K)
    # pairs at exactly one width are resolved (strict inequality)
    d = np.abs(u[pairs[:, 0]] - u[pairs[:, 1]])
    if box is not None:
        d = np.minimum(d, box - d)
    pairs = pairs[np.max(d, axis=1) < 1.0]
    graph = coo_matrix((np.ones(pairs.shape[0]), (pairs[:, 0], pairs[:, 1])), shape=(K, K))
    _, raw = connected_components(graph, directed=False)
    # renumber groups in order of their first member (deterministic)
    _, first = np.unique(raw, return_index=True)
    order = np.argsort(first, kind="stable")
    remap = np.empty_like(order)
    remap[order] = np.arange(order.size)
    label = remap[raw]
    G = order.size
    wsum = np.bincount(label, weights=w, minlength=G)
    zc = np.empty((G, m))
    for j in range(m):
        if periodic is not None and periodic[j] > 0:
            a = z[:, j] * (2 * np.pi / periodic[j])
            s = np.bincount(label, weights=w * np.sin(a), minlength=G)
            c = np.bincount(label, weights=w * np.cos(a), minlength=G)
            zc[:, j] = np.mod(np.arctan2(s, c), 2 * np.pi) * (periodic[j] / (2 * np.pi))
        else:
            zc[:, j] = np.bincount(label, weights=w * z[:, j], minlength=G) / wsum
    # strongest member of each group (ties: the first)
    by = np.lexsort((np.arange(K), -w, label))
    lead = by[np.r_[0, np.flatnonzero(np.diff(label[by])) + 1]]
    return label, zc, lead
