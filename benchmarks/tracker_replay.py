"""CPU time of the tracker alone on the scans of a real run, replayed (the speed work's tracker clock).

    python benchmarks/tracker_replay.py record SCENARIO --seed 1 --out scans.pkl
    python benchmarks/tracker_replay.py replay SCENARIO --seed 1 --scans scans.pkl [--repeat 3] [--path numpy]
    python benchmarks/tracker_replay.py compare SCENARIO --seed 1 --scans scans.pkl

``record`` runs one replication and saves every ``Tracker.step`` input (time, sensor, detections, their
covariances, the rotating radar's sector). ``replay`` builds the same tracker as the simulation (same
geometry, filter, configuration and ``counted``), feeds it the recorded scans and prints the CPU time
(``time.process_time``) per repeat and a hash of its final track file (ids, status, ``x``, ``P`` bytes),
so the same recording replayed by two versions of the code compares both their speed and their result.
``--path`` picks the tracker's scan: ``fast`` (the compiled kernels of ``iadsim.tracking._kernels``, the
default where the configuration has them) or ``numpy`` (the batched reference, ``Tracker.fast = False``).
The compiled path agrees with the reference to round-off, not to the bit, so the hashes differ; ``compare``
replays both paths and prints what must agree: ids, status and counters exactly, ``x``, ``P`` and the
score to a relative tolerance.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import time

import numpy as np


def _sim(path, seed):
    import iadsim
    from iadsim.engine import Simulation

    return Simulation(iadsim.load_scenario(path), seed)


def record(args) -> None:
    sim = _sim(args.scenario, args.seed)
    tr, scans = sim.tracker, []
    step = tr.step

    def rec(t, sensor, z, R):
        scans.append((t, sensor, np.array(z), np.array(R), sim.radars[sensor].last_sector))
        return step(t, sensor, z, R)

    tr.step = rec
    sim.run()
    with open(args.out, "wb") as f:
        pickle.dump(scans, f)
    print(f"recorded {len(scans)} scans to {args.out}")


def _replay(args, scans, fast):
    """One replay: the tracker after the last scan and the CPU time of its ``step`` calls."""
    sim = _sim(args.scenario, args.seed)
    tr = sim.tracker
    if fast is not None:
        tr.fast = fast
    cpu = time.process_time()
    for t, sensor, z, R, sector in scans:
        sim.radars[sensor].last_sector = sector
        tr.step(t, sensor, z, R)
    return tr, time.process_time() - cpu


def _load(args):
    with open(args.scans, "rb") as f:
        return pickle.load(f)


def replay(args) -> None:
    scans = _load(args)
    fast = None if args.path is None else args.path == "fast"
    for rep in range(args.repeat):
        tr, cpu = _replay(args, scans, fast)
        h = hashlib.sha256()
        for a in (tr.id, tr.status, tr.state.x, tr.state.P, tr.n_updates, tr.score):
            h.update(np.ascontiguousarray(a).tobytes())
        print(f"repeat {rep}: {len(scans)} scans, tracker CPU {cpu:.3f} s ({1e3 * cpu / len(scans):.3f} ms/scan), "
              f"{len(tr)} tracks, path {'fast' if getattr(tr, 'fast', False) else 'numpy'}, "
              f"state sha256 {h.hexdigest()[:16]}")


def _rel(a, b) -> float:
    """Largest difference relative to the largest magnitude of the same array (per track for ``P``)."""
    if a.size == 0:
        return 0.0
    scale = np.max(np.abs(b).reshape(b.shape[0], -1), axis=1)
    diff = np.max(np.abs(a - b).reshape(a.shape[0], -1), axis=1)
    return float(np.max(diff / np.maximum(scale, 1e-300)))


def compare(args) -> None:
    scans = _load(args)
    (a, ca), (b, cb) = _replay(args, scans, True), _replay(args, scans, False)
    print(f"fast CPU {ca:.3f} s, numpy CPU {cb:.3f} s (first replay in the process: the fast one includes "
          f"loading its compiled kernels)")
    same = len(a) == len(b) and np.array_equal(a.id, b.id)
    print(f"tracks {len(a)} / {len(b)}, next id {a.next_id} / {b.next_id}, ids equal {same}")
    if not same:
        return
    for f in ("status", "hist", "scans", "misses", "n_updates", "last_update", "last_sensor", "t"):
        print(f"  {f:12s} equal {np.array_equal(getattr(a, f), getattr(b, f))}")
    for f, u, v in (("x", a.state.x, b.state.x), ("P", a.state.P, b.state.P), ("score", a.score[:, None],
                                                                            b.score[:, None])):
        print(f"  {f:12s} max relative difference {_rel(u, v):.3e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("record", "replay", "compare"))
    ap.add_argument("scenario")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="scans.pkl")
    ap.add_argument("--scans", default="scans.pkl")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--path", choices=("fast", "numpy"), default=None,
                    help="the tracker's scan (default: the tracker's own choice)")
    args = ap.parse_args()
    {"record": record, "replay": replay, "compare": compare}[args.mode](args)


if __name__ == "__main__":
    main()
