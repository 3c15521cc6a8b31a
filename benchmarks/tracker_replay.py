"""CPU time of the tracker alone on the scans of a real run, replayed (the speed work's tracker clock).

    python benchmarks/tracker_replay.py record SCENARIO --seed 1 --out scans.pkl
    python benchmarks/tracker_replay.py replay SCENARIO --seed 1 --scans scans.pkl [--repeat 3]

``record`` runs one replication and saves every ``Tracker.step`` input (time, sensor, detections, their
covariances, the rotating radar's sector). ``replay`` builds the same tracker as the simulation (same
geometry, filter, configuration and ``counted``), feeds it the recorded scans and prints the CPU time
(``time.process_time``) per repeat and a hash of its final track file (ids, status, ``x``, ``P`` bytes),
so the same recording replayed by two versions of the code compares both their speed and their result.
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


def replay(args) -> None:
    with open(args.scans, "rb") as f:
        scans = pickle.load(f)
    for rep in range(args.repeat):
        sim = _sim(args.scenario, args.seed)
        tr = sim.tracker
        cpu = time.process_time()
        for t, sensor, z, R, sector in scans:
            sim.radars[sensor].last_sector = sector
            tr.step(t, sensor, z, R)
        cpu = time.process_time() - cpu
        h = hashlib.sha256()
        for a in (tr.id, tr.status, tr.state.x, tr.state.P, tr.n_updates, tr.score):
            h.update(np.ascontiguousarray(a).tobytes())
        print(f"repeat {rep}: {len(scans)} scans, tracker CPU {cpu:.3f} s, {len(tr)} tracks, "
              f"state sha256 {h.hexdigest()[:16]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("record", "replay"))
    ap.add_argument("scenario")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="scans.pkl")
    ap.add_argument("--scans", default="scans.pkl")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    record(args) if args.mode == "record" else replay(args)


if __name__ == "__main__":
    main()
