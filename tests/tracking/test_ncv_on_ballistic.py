"""The simulation's default track filter on ballistic truth: the consistency it actually achieves.

The default tracker section of a scenario (``iadsim.scenario.model.TrackerSpec()``: ``filter =
"ekf_ncv"``, ``q = 150 m^2/s^3``) gives ``tracking_filter`` of ``iadsim.engine.simulation`` =
``EKF(NCV(150, frame="ecef"))``: no gravity in the model, the ~9.8 m/s^2 of free fall is left to the
process noise. Truth here is one vacuum free flight (``propagate_ballistic``, minimum-energy arc of
~320 km, 262 s, apogee 80 km) measured in range, azimuth, elevation and range rate by a radar with the
catalog's accuracies, Pd = 1, no clutter; 200 seeded Monte Carlo runs differ in the measurement noise.
Initiation is the tracker's one-point initiation with the simulation's ``v_max = 3500 m/s``; each scan
then runs the filter's predict and update, i.e. the tracker's recursion when association is right.

A consistent filter would give an average NEES of 6 (position + velocity) and an average NIS of 4;
the values below are the ones measured with these seeds, asserted within bands so that a regression
or an improvement of the default filter shows.
"""

import numpy as np
import pytest
from scipy.stats import chi2

from iadsim.engine.simulation import tracking_filter
from iadsim.frames import enu_rotation, geodetic2ecef
from iadsim.scenario.model import TrackerSpec
from iadsim.threats.ballistic import ballistic_velocity, propagate_ballistic
from iadsim.tracking import EKF, SensorGeometry, TrackerConfig, h
from iadsim.tracking.management import initiate_from_detections
from iadsim.tracking.measurements import residual
from iadsim.tracking.motion import NCV

COMPS = ("r", "az", "el", "rdot")
RUNS = 200
BURN_IN = 5  # scans after the one-point initiation left out (test_initiation_transient)
#: catalog radars.yaml: scan period (s), sigma of (range m, az rad, el rad, range rate m/s), max range (m)
RADARS = {
    "early_warning_radar": (5.0, np.array([30.0, np.radians(0.15), np.radians(0.15), 5.0]), 1000e3),
    "fire_control_radar": (2.0, np.array([15.0, np.radians(0.08), np.radians(0.08), 2.0]), 200e3),
}


def _truth():
    """Radar site, truth states ``X (T, 6)`` ECEF at 1 s intervals from burnout, impact time (s)."""
    lat, lon = np.radians(32.0), np.radians(35.0)
    site = geodetic2ecef(lat, lon, 0.0)
    geom = SensorGeometry(site[None], enu_rotation(lat, lon)[None], [COMPS])
    r0 = geodetic2ecef(np.radians([32.6]), np.radians([38.6]), np.array([0.0]))
    r1 = geodetic2ecef(np.radians([32.1]), np.radians([35.2]), np.array([0.0]))
    v0, _ = ballistic_velocity(r0, r1)
    _, pos, vel, t_impact = propagate_ballistic(r0, v0, 1.0, 400.0)  # samples every 1 s
    return geom, np.concatenate([pos[0], vel[0]], axis=1), float(t_impact[0])


def run(radar, seed=7):
    """Per-run NEES ``(RUNS, K)`` and NIS ``(RUNS, K - 1)`` over the K scans of the radar's window."""
    T, sig, r_max = RADARS[radar]
    geom, X, t_impact = _truth()
    rng_m = np.linalg.norm(X[:, :3] - geom.position[0], axis=1)
    # scans every T s from 30 s after burnout (above the radar's horizon) to 5 s before impact
    k = np.arange(30, int(t_impact) - 5, int(T))
    k = k[rng_m[k] <= r_max]
    X = X[k]
    filt = tracking_filter(TrackerSpec())
    assert isinstance(filt, EKF) and isinstance(filt.motion, NCV) and filt.motion.q == 150.0
    cfg = TrackerConfig(v_max=3500.0, pos_std_max=8000.0)  # as iadsim.engine.simulation builds it
    rng = np.random.default_rng(seed)
    R = np.diag(sig**2)
    sensor = np.zeros(RUNS, int)
    z0 = h(X, geom, 0, COMPS)
    eps, nis = [], []
    for i in range(len(k)):
        z = z0[i] + rng.normal(size=(RUNS, 4)) * sig
        if i == 0:
            s = filt.initiate(*initiate_from_detections(z, np.broadcast_to(R, (RUNS, 4, 4)), geom, 0,
                                                        COMPS, cfg))
        else:
            s = filt.predict(s, np.full(RUNS, T))
            zhat, S0 = filt.predicted_measurement(s, geom, sensor, COMPS)
            y = residual(z, zhat, COMPS)
            nis.append(np.einsum("mi,mi->m", y, np.linalg.solve(S0 + R, y[..., None])[..., 0]))
            s = filt.update(s, z, R, geom, sensor, COMPS)
        e = X[i] - s.x
        eps.append(np.einsum("mi,mi->m", e, np.linalg.solve(s.P, e[..., None])[..., 0]))
    return np.array(eps).T, np.array(nis).T


#: measured with seed 7 (seed 8 within 1 % of each, 1 scan in the count of scans outside)
MEASURED = {
    "early_warning_radar": {"nees": 9.61, "peak": 14.1, "nis": 5.26, "outside": 40, "gate": 0.0033},
    "fire_control_radar": {"nees": 6.37, "peak": 7.94, "nis": 3.59, "outside": 12, "gate": 0.0008},
}


@pytest.mark.parametrize("radar", list(RADARS))
def test_default_ncv_consistency_on_ballistic_truth(radar):
    """NCV with q = 150 is optimistic on ballistic truth: its estimate lags gravity (mean vertical
    velocity error up to ~130 m/s against a stated sigma of ~45 m/s with the 5 s early-warning radar).

    * early-warning radar (5 s scans, 46 scans): average NEES 9.61 (expected 6 if consistent), 14.1 at
      its worst (mid-course); average NIS 5.26 (expected 4); 40 of the 41 scans after the burn-in
      outside the family-wise 95 % chi-square interval [5.24, 6.82], all above it; 0.33 % of the
      innovations beyond the tracker's 0.999 gate (0.1 % if consistent: the tracker then misses the
      detection and starts a second track).
    * fire-control radar (2 s scans, inside its 200 km, 62 scans): average NEES 6.37, 7.94 at its worst;
      average NIS 3.59 (pessimistic innovations: q is large for 2 s); 12 of 57 scans above the
      interval [5.22, 6.85], none below; 0.08 % beyond the gate.

    Bands: NEES, its peak and NIS within 10 %, 10 % and 5 % of the measured values; the count of scans
    outside within -25 % / +50 %; the gate rate within a factor 2.
    """
    exp = MEASURED[radar]
    eps, nis = run(radar)
    avg = eps.mean(axis=0)[BURN_IN:]
    nis = nis[:, BURN_IN - 1:]  # NIS starts at the second scan
    K = avg.size
    a = 0.05 / K  # Bonferroni: family-wise two-sided 95 % over the K scans (BLK2001 sect. 5.4.2)
    lo, hi = chi2.ppf([a / 2, 1 - a / 2], RUNS * 6) / RUNS
    outside_hi, outside_lo = int((avg > hi).sum()), int((avg < lo).sum())
    assert avg.mean() == pytest.approx(exp["nees"], rel=0.10), avg
    assert avg.max() == pytest.approx(exp["peak"], rel=0.10), avg
    assert nis.mean() == pytest.approx(exp["nis"], rel=0.05)
    assert outside_lo == 0
    assert 0.75 * exp["outside"] <= outside_hi <= min(1.5 * exp["outside"], K), (outside_hi, K)
    gate = float((nis > chi2.ppf(0.999, 4)).mean())
    assert exp["gate"] / 2 <= gate <= 2 * exp["gate"], gate
    # optimistic, not merely noisy: the consistency test rejects the default filter on this truth
    assert avg.mean() > hi if radar == "early_warning_radar" else avg.max() > hi


def test_initiation_transient():
    """The first update after the one-point initiation (zero velocity, sigma 1750 m/s) linearizes the
    range rate at that zero velocity, far from the truth: NEES 22.5 (early-warning radar) against 6
    (7.8 when the same radar measures no range rate), back to ~8 one scan later; that is why the first
    BURN_IN scans are left out above."""
    eps, _ = run("early_warning_radar")
    first = eps.mean(axis=0)[:3]
    assert first[1] == pytest.approx(22.5, rel=0.15)
    assert first[2] == pytest.approx(8.0, rel=0.15)
