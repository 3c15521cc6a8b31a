"""Resolution cells, Pfa x cells false alarms (Poisson), merged detections of unresolved objects."""

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from iadsim.engine.simulation import radar_params
from iadsim.frames import aer2enu, enu2ecef
from iadsim.scenario.catalog import resolve
from iadsim.sensors import Radar, RadarParams
from iadsim.sensors.resolution import beamwidth, cells_per_scan, merge_unresolved, range_resolution


def _site(type_name, **override):
    return SimpleNamespace(spec=resolve("radar", type_name, override), name="R", lat=np.radians(-20.0),
                           lon=np.radians(-15.0), alt=30.0, facing=0.0)


def test_range_resolution_and_beamwidth_closed_forms():
    # c / 2B: 1 MHz -> 149.896 m; 0.886 lambda / D: 3 GHz (lambda 0.09993 m) over 4 m -> 1.268 deg
    assert range_resolution(1e6) == pytest.approx(149.896229, rel=1e-9)
    assert np.degrees(beamwidth(4.0, 3e9)) == pytest.approx(np.degrees(0.886 * 0.0999308 / 4.0), rel=1e-6)
    # an aperture in the catalog becomes the same beamwidth
    spec = resolve("radar", "doppler_surveillance_radar", {"beamwidth_azimuth": None, "aperture_width": "4 m"})
    assert spec.beamwidths[0] == pytest.approx(float(beamwidth(4.0, 3e9)))


def test_cells_counted_by_hand():
    # 100 km / 150 m = 666.7 -> 667 range cells; 360/1.5 = 240 azimuths; 30/2 = 15 elevations; 4 Doppler
    assert cells_per_scan(100e3, 150.0, 2 * np.pi, np.radians(1.5), np.radians(30), np.radians(2), 4) == \
        667 * 240 * 15 * 4
    p = radar_params(_site("doppler_surveillance_radar"))
    n = np.ceil(449e3 / range_resolution(2e6)) * 240 * 36
    assert p.cells == n and p.fa_per_scan == pytest.approx(1e-7 * n)


def test_stated_false_alarms_win_over_the_cells():
    assert radar_params(_site("doppler_surveillance_radar", false_alarms_per_scan=3)).fa_per_scan == 3
    # a radar type without resolution fields keeps its stated rate
    assert radar_params(_site("surveillance_radar")).fa_per_scan == 5


@pytest.mark.parametrize("sector", [None, 5])
def test_false_alarms_per_scan_are_poisson_with_mean_pfa_times_cells(sector):
    """Over 3000 empty scans the false-alarm count per scan follows Poisson(Pfa x cells) (per sector of a
    rotating scan: the sector's share): mean within 4 standard errors, dispersion index near 1, and a
    chi-square goodness of fit against the Poisson pmf."""
    p = radar_params(_site("doppler_surveillance_radar", pfa=4e-7))
    radar = Radar(p)
    lam = p.pfa * p.cells / (p.sectors if sector is not None else 1)
    rng = np.random.default_rng(7)
    none = np.zeros((0, 3))
    counts = np.array([len(radar.measure(0.0, none, none, np.zeros(0), np.zeros(0, int), rng, sector=sector))
                       for _ in range(3000)])
    assert abs(counts.mean() - lam) < 4 * np.sqrt(lam / counts.size)
    assert counts.var() / counts.mean() == pytest.approx(1.0, abs=0.12)
    k = np.arange(int(lam + 5 * np.sqrt(lam)) + 1)
    expected = stats.poisson.pmf(k, lam) * counts.size
    expected[-1] += stats.poisson.sf(k[-1], lam) * counts.size
    observed = np.bincount(np.minimum(counts, k[-1]), minlength=k.size)
    keep = expected >= 5  # pool the thin tails into their neighbours
    obs = np.r_[observed[keep], observed[~keep].sum()]
    exp = np.r_[expected[keep], expected[~keep].sum()]
    chi2 = np.sum((obs - exp) ** 2 / np.where(exp > 0, exp, 1.0))
    assert chi2 < stats.chi2.ppf(0.999, obs.size - 2)
    if sector is not None:  # a sector's false alarms stay in its azimuths
        fa = radar.measure(0.0, none, none, np.zeros(0), np.zeros(0, int), np.random.default_rng(1), sector=sector)
        S = p.sectors
        assert np.all((fa.z[:, 1] >= sector * 2 * np.pi / S) & (fa.z[:, 1] < (sector + 1) * 2 * np.pi / S))


def _resolved_radar(**kw):
    base = dict(name="res", lat=0.0, lon=0.0, alt=10.0, r_max=300e3, r_ref=300e3, sigma_r=1e-3, sigma_az=1e-7,
                sigma_el=1e-7, sigma_rdot=1e-3, range_resolution=150.0, beamwidth_az=np.radians(2.0),
                beamwidth_el=np.radians(2.0), k_mono=1e9)
    base.update(kw)
    return Radar(RadarParams(**base))


def _at(radar, az, el, r):
    return enu2ecef(aer2enu(np.asarray(az, float), np.asarray(el, float), np.asarray(r, float)), radar.ecef,
                    radar.C)


def test_objects_in_one_cell_give_one_detection_at_their_snr_weighted_centroid():
    radar = _resolved_radar()
    # two objects 60 m apart in range, 0.5 deg apart in azimuth (inside 150 m and 2 deg), rcs 1 and 4 m^2
    az = np.radians([40.0, 40.5])
    r = np.array([50e3, 50.06e3])
    pos = _at(radar, az, np.radians([3.0, 3.0]), r)
    rcs = np.array([1.0, 4.0])
    det = radar.measure(0.0, pos, np.zeros_like(pos), rcs, np.array([10, 11]), np.random.default_rng(0))
    assert len(det) == 1 and det.truth_id[0] == 11  # reported as the stronger one
    w = rcs / r ** 4  # SNR weights
    assert det.z[0, 0] == pytest.approx(np.sum(w * r) / w.sum(), abs=0.01)
    assert det.z[0, 1] == pytest.approx(np.sum(w * az) / w.sum(), abs=1e-6)
    # 200 m apart in range: resolved, two detections
    pos2 = _at(radar, az, np.radians([3.0, 3.0]), np.array([50e3, 50.2e3]))
    det2 = radar.measure(0.0, pos2, np.zeros_like(pos2), rcs, np.array([10, 11]), np.random.default_rng(0))
    assert len(det2) == 2 and sorted(det2.truth_id) == [10, 11]


def test_merging_wraps_azimuth_through_north():
    radar = _resolved_radar()
    pos = _at(radar, np.radians([0.3, 359.6]), np.radians([3.0, 3.0]), np.array([40e3, 40e3]))
    det = radar.measure(0.0, pos, np.zeros_like(pos), np.ones(2), np.array([1, 2]), np.random.default_rng(0))
    assert len(det) == 1
    assert np.degrees(np.mod(det.z[0, 1] + np.pi, 2 * np.pi) - np.pi) == pytest.approx(-0.05, abs=1e-4)


def _groups_brute_force(u, periodic):
    """Union-find over every pair unresolved in all columns (a plain double loop)."""
    K = u.shape[0]
    parent = list(range(K))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(K):
        for j in range(i + 1, K):
            d = np.abs(u[i] - u[j])
            d = np.where(periodic > 0, np.minimum(d, periodic - d), d)
            if np.all(d < 1.0):
                parent[find(i)] = find(j)
    return [find(i) for i in range(K)]


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 40), st.integers(0, 10_000))
def test_merge_groups_match_a_brute_force_union_find(K, seed):
    rng = np.random.default_rng(seed)
    widths = np.array([150.0, 0.02, 0.03])
    z = np.column_stack([rng.uniform(10e3, 11e3, K), rng.uniform(0, 2 * np.pi, K) * 0.02 + rng.choice(
        [0.0, 2 * np.pi - 0.1], K), rng.uniform(0.0, 0.15, K)])
    z[:, 1] = np.mod(z[:, 1], 2 * np.pi)
    label, zc, lead = merge_unresolved(z, widths, rng.uniform(1, 10, K), periodic=[0.0, 2 * np.pi, 0.0])
    ref = _groups_brute_force(z / widths, np.array([0.0, 2 * np.pi / widths[1], 0.0]))
    # the same partition (labels may differ)
    same = label[:, None] == label[None, :]
    same_ref = np.array(ref)[:, None] == np.array(ref)[None, :]
    assert np.array_equal(same, same_ref)
    assert zc.shape[0] == lead.size == label.max() + 1
    assert np.all(label[lead] == np.arange(lead.size))
