"""iadsim tracker vs Stone Soup's standard tracker on the same detections, in one process.

Scenario (seeded): ``N`` targets moving nearly-constant-velocity in a plane (east, north), uniformly
placed in a 200 km x 200 km surveillance region, speeds ~ N(0, 100 m/s) per axis; one radar 20 km south
of the region measuring range (sigma 25 m) and azimuth (sigma 1 mrad), scan period 2 s, Pd = 0.9,
Poisson clutter with mean 20 per scan uniform over the region. The same detections are fed to

* Stone Soup: ``MultiTargetTracker`` with EKF (``KalmanPredictor`` on ``ConstantVelocity``,
  ``ExtendedKalmanUpdater`` on ``CartesianToBearingRange``), ``DistanceHypothesiser`` with the
  Mahalanobis measure and gate ``sqrt(chi2.ppf(0.999, 2))``, ``GNNWith2DAssignment`` (or
  ``DetectionKDTreeGNN2D``, its KD-tree pre-gated variant, at large N), ``MultiMeasurementInitiator``
  (confirm at 3 updates; tentative tracks deleted after 2 scans without update) and
  ``UpdateTimeStepsDeleter`` (3 scans without update);
* iadsim: ``Tracker(EKF(NCV))`` with the same q, R, chi-square gate, GNN, M-of-N 3 of 5, deletion after 3
  consecutive misses, same initial velocity prior (v_max / 2 = 200 m/s standard deviation).

Stone Soup tracks in 2-D ``[x, vx, y, vy]``; iadsim in its 3-D state with the unobserved height held at 0
(sensor and targets in one plane). Both score mean GOSPA (alpha 2, c = 1 km, p = 2) on east/north of
the confirmed tracks after each scan; time per scan is wall time of the tracker update only.

Run:  python benchmarks/tracker_vs_stonesoup.py [--sizes 10 100 500] [--iadsim-only 1000] [--scans 20]
      [--seeds 3]     (GOSPA and times averaged over the scenarios; "confirmed at end" listed per run)
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time

import numpy as np
from scipy.stats import chi2

from iadsim.metrics.tracking import gospa
from iadsim.tracking import EKF, SensorGeometry, Tracker, TrackerConfig, h
from iadsim.tracking.motion import NCV

T = 2.0
Q_PSD = 0.5          # acceleration noise PSD (m^2/s^3), truth and both filters
SIG_R, SIG_AZ = 25.0, 1e-3
PD, CLUTTER = 0.9, 20.0
REGION = (-100e3, 100e3, 20e3, 220e3)   # east min/max, north min/max (radar at origin)
V_MAX = 400.0
P_GATE = 0.999
GOSPA_C = 1000.0


def scenario(N: int, scans: int, seed: int):
    rng = np.random.default_rng(seed)
    p = np.column_stack([rng.uniform(REGION[0], REGION[1], N), rng.uniform(REGION[2], REGION[3], N),
                         np.zeros(N)])
    v = np.column_stack([rng.normal(0, 100, N), rng.normal(0, 100, N), np.zeros(N)])
    x = np.concatenate([p, v], 1)
    model = NCV(Q_PSD, "enu")
    Qk = model.Q(x[:1], T)[0][np.ix_([0, 1, 3, 4], [0, 1, 3, 4])]
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [("r", "az")])
    truth, dets = [], []
    for k in range(scans):
        if k:
            x = model.f(x, T)
            w = rng.multivariate_normal(np.zeros(4), Qk, N)
            x[:, [0, 1, 3, 4]] += w
        truth.append(x.copy())
        det = rng.random(N) < PD
        z = h(x[det], geom, 0, ("r", "az")) + rng.normal(size=(int(det.sum()), 2)) * [SIG_R, SIG_AZ]
        nc = rng.poisson(CLUTTER)
        cp = np.column_stack([rng.uniform(REGION[0], REGION[1], nc), rng.uniform(REGION[2], REGION[3], nc),
                              np.zeros((nc, 4))])
        zc = h(cp, geom, 0, ("r", "az"))
        z = np.concatenate([z, zc])
        dets.append((z[rng.permutation(len(z))], len(zc)))
    return geom, truth, dets


def run_iadsim(geom, truth, dets):
    cfg = TrackerConfig(gate_probability=P_GATE, confirm_m=3, confirm_n=5, max_misses=3, v_max=V_MAX,
                        v_max_sigmas=2.0, pos_std_max=1e9)
    trk = Tracker(geom, EKF(NCV(Q_PSD, "enu")), cfg)
    R = np.diag([SIG_R**2, SIG_AZ**2])
    times, g = [], []
    for k, (z, _) in enumerate(dets):
        t0, c0 = time.perf_counter(), time.thread_time()
        trk.step(k * T, 0, z, R)
        times.append((time.perf_counter() - t0, time.thread_time() - c0))
        c = trk.confirmed()
        g.append(gospa(truth[k][:, :2], c.x[:, :2], GOSPA_C, 2).total)
    return np.array(times), np.array(g), len(trk.confirmed())  # times (scans, 2): wall, cpu


def run_stonesoup(truth, dets, kdtree: bool):
    from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
    from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
    from stonesoup.deleter.time import UpdateTimeStepsDeleter
    from stonesoup.hypothesiser.distance import DistanceHypothesiser
    from stonesoup.initiator.simple import MultiMeasurementInitiator
    from stonesoup.measures import Mahalanobis
    from stonesoup.models.measurement.nonlinear import CartesianToBearingRange
    from stonesoup.models.transition.linear import CombinedLinearGaussianTransitionModel, ConstantVelocity
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.tracker.simple import MultiTargetTracker
    from stonesoup.types.detection import Clutter, Detection
    from stonesoup.types.state import GaussianState
    from stonesoup.updater.kalman import ExtendedKalmanUpdater

    trans = CombinedLinearGaussianTransitionModel([ConstantVelocity(Q_PSD), ConstantVelocity(Q_PSD)])
    meas = CartesianToBearingRange(ndim_state=4, mapping=(0, 2), noise_covar=np.diag([SIG_AZ**2, SIG_R**2]))
    predictor = KalmanPredictor(trans)
    updater = ExtendedKalmanUpdater(meas)
    hyp = DistanceHypothesiser(predictor, updater, measure=Mahalanobis(),
                               missed_distance=float(np.sqrt(chi2.ppf(P_GATE, 2))))
    if kdtree:
        # KD-tree on raw (bearing, range) measurement vectors: max_distance acts as a range window (m)
        assoc = DetectionKDTreeGNN2D(hypothesiser=hyp, predictor=predictor, updater=updater,
                                     max_distance=3000.0)
        assoc_init = DetectionKDTreeGNN2D(hypothesiser=hyp, predictor=predictor, updater=updater,
                                          max_distance=3000.0)
    else:
        assoc, assoc_init = GNNWith2DAssignment(hyp), GNNWith2DAssignment(hyp)
    sv = (V_MAX / 2.0) ** 2
    prior = GaussianState(np.zeros((4, 1)), np.diag([0.0, sv, 0.0, sv]))
    initiator = MultiMeasurementInitiator(prior_state=prior, measurement_model=meas,
                                          deleter=UpdateTimeStepsDeleter(2), data_associator=assoc_init,
                                          updater=updater, min_points=3)
    tracker = MultiTargetTracker(initiator=initiator, deleter=UpdateTimeStepsDeleter(3), detector=None,
                                 data_associator=assoc, updater=updater)
    t_start = datetime.datetime(2026, 1, 1)
    times, g = [], []
    for k, (z, nc) in enumerate(dets):
        ts = t_start + datetime.timedelta(seconds=k * T)
        bearing = np.mod(np.pi / 2 - z[:, 1] + np.pi, 2 * np.pi) - np.pi   # CCW from east
        detections = set()
        for j, (b, r) in enumerate(zip(bearing, z[:, 0], strict=True)):
            cls = Clutter if j >= len(z) - nc else Detection
            detections.add(cls(np.array([[b], [r]]), timestamp=ts, measurement_model=meas))
        t0, c0 = time.perf_counter(), time.thread_time()
        _, tracks = tracker.update_tracker(ts, detections)
        times.append((time.perf_counter() - t0, time.thread_time() - c0))
        est = np.array([[tr.state_vector[0, 0], tr.state_vector[2, 0]] for tr in tracks]).reshape(-1, 2)
        g.append(gospa(truth[k][:, :2], est, GOSPA_C, 2).total)
    return np.array(times), np.array(g), len(tracker.tracks)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[10, 100, 500])
    ap.add_argument("--iadsim-only", type=int, nargs="*", default=[1000])
    ap.add_argument("--scans", type=int, default=20)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--seeds", type=int, default=1, help="scenarios per N (seed + N + 1000 r)")
    args = ap.parse_args()
    print(f"CPU: {_cpu_name()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
          f"python {platform.python_version()}, {args.scans} scans, {args.seeds} scenario(s) per N")
    print("time per scan = mean over scans 2..end; wall = perf_counter, cpu = thread_time")
    print("| N | tracker | wall ms/scan | cpu ms/scan | mean GOSPA (m) | confirmed at end "
          "| speed-up (wall, cpu) |")
    print("|---|---|---|---|---|---|---|")
    for N in [*args.sizes, *args.iadsim_only]:
        res = {"iadsim": [], "ss": []}
        for r in range(args.seeds):
            geom, truth, dets = scenario(N, args.scans, args.seed + N + 1000 * r)
            res["iadsim"].append(run_iadsim(geom, truth, dets))
            if N in args.sizes:
                res["ss"].append(run_stonesoup(truth, dets, kdtree=N >= 500))
        wi, ci, gi, ni = _summary(res["iadsim"])
        if N in args.sizes:
            ws, cs, gs, ns = _summary(res["ss"])
            name = "Stone Soup GNN-2D" + (" + KD-tree" if N >= 500 else "")
            print(f"| {N} | {name} | {ws:.1f} | {cs:.1f} | {gs:.1f} | {ns} | |")
            print(f"| {N} | iadsim | {wi:.2f} | {ci:.2f} | {gi:.1f} | {ni} "
                  f"| {ws / wi:.0f}x, {cs / ci:.0f}x |")
        else:
            print(f"| {N} | iadsim | {wi:.2f} | {ci:.2f} | {gi:.1f} | {ni} | |")
        sys.stdout.flush()


def _summary(runs):
    """Mean wall and cpu ms per scan (scans 2..end), mean GOSPA and confirmed tracks over the runs."""
    wall = np.mean([1e3 * t[1:, 0].mean() for t, _, _ in runs])
    cpu = np.mean([1e3 * t[1:, 1].mean() for t, _, _ in runs])
    return wall, cpu, np.mean([g.mean() for _, g, _ in runs]), "/".join(str(n) for _, _, n in runs)


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


if __name__ == "__main__":
    main()
