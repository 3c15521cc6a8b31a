"""Summary-only results (Monte Carlo): the same summary as a full run, without the tables.

The summary of a run built without tables must equal the full run's summary exactly (all but the wall-clock
``time`` entry); its tracking numbers must also equal those recomputed from the full run's Parquet tables
with the dense reference GOSPA (:func:`iadsim.metrics.tracking.gospa_dense`), so the sparse GOSPA and the
shared continuity pairing change nothing; and Monte Carlo rows are the same with either path.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from iadsim.engine import Simulation, simulate
from iadsim.engine.result import build_result
from iadsim.metrics.engagement import GOSPA_C, _frames
from iadsim.metrics.tracking import gospa_dense, track_continuity
from iadsim.montecarlo import run_monte_carlo
from iadsim.scenario import load_scenario

QUICK = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "quickstart.yaml"
SEEDS = (1, 2)


def _canon(summary):
    """The summary without its wall-clock entry, as exact text (floats by repr; NaN compares equal)."""
    return json.dumps({k: v for k, v in summary.items() if k != "time"}, sort_keys=True)


@pytest.fixture(scope="module")
def compiled():
    return load_scenario(QUICK)


@pytest.fixture(scope="module")
def full_runs(compiled):
    return {s: simulate(compiled, s) for s in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
def test_summary_only_run_equals_full_summary(compiled, full_runs, seed):
    sim = Simulation(compiled, seed)
    res = sim.run(tables=False)
    assert res.tables == {}
    full = full_runs[seed]
    assert set(full.tables) == {"events", "truth", "tracks", "engagements"}
    assert _canon(res.summary) == _canon(full.summary)
    assert res.manifest == full.manifest
    assert res.summary["tracking"]["frames"] > 0 and res.summary["tracking"]["tracks_confirmed"] > 0
    # the explicit flag on a finished simulation gives the same summary, and the full build its tables
    again = build_result(sim, 1.0, tables=False)
    assert again.tables == {} and _canon(again.summary) == _canon(full.summary)
    assert set(build_result(sim, 1.0, tables=True).tables) == set(full.tables)


def _dense_quality(truth_cols, tracks_cols, c=GOSPA_C):
    """The tracking numbers as computed before the sparse GOSPA: dense assignment, solved twice per frame."""
    frames = list(_frames(truth_cols, tracks_cols))
    g = [gospa_dense(tp, kp, c) for _, tp, _, kp in frames]
    cont = track_continuity(frames, c, pairs=[gospa_dense(tp, kp, c).pairs for _, tp, _, kp in frames])
    return {"frames": len(g), "gospa_mean_m": float(np.mean([x.total for x in g])),
            "gospa_localisation_rms_m": float(np.sqrt(sum(x.localisation for x in g) /
                                                      max(1, sum(len(x.pairs) for x in g)))),
            "missed_target_frames_mean": float(np.mean([x.n_missed for x in g])),
            "false_track_frames_mean": float(np.mean([x.n_false for x in g])),
            "track_breaks": cont.total_breaks, "id_switches": cont.total_id_switches}


@pytest.mark.parametrize("seed", SEEDS)
def test_tracking_summary_equals_dense_reference_on_the_tables(full_runs, seed):
    res = full_runs[seed]
    truth = {k: np.asarray(v) for k, v in res.tables["truth"].to_pydict().items()}
    tracks = {k: np.asarray(v) for k, v in res.tables["tracks"].to_pydict().items()}
    ref = _dense_quality(truth, tracks)
    tr = res.summary["tracking"]
    assert tr["frames"] == ref["frames"]
    assert tr["track_breaks"] == ref["track_breaks"] and tr["id_switches"] == ref["id_switches"]
    for k in ("gospa_mean_m", "gospa_localisation_rms_m", "missed_target_frames_mean", "false_track_frames_mean"):
        assert tr[k] == pytest.approx(ref[k], rel=1e-12, abs=1e-9), k
    assert tr["tracks_confirmed"] == len(np.unique(tracks["track"]))


def test_monte_carlo_rows_identical_with_either_path():
    fast = run_monte_carlo(QUICK, list(SEEDS), summary_only=True)
    full = run_monte_carlo(QUICK, list(SEEDS), summary_only=False)

    def strip(rows):
        return [{k: v for k, v in r.items() if k != "wall_s"} for r in rows]

    assert strip(fast.rows) == strip(full.rows)
    assert [r["seed"] for r in fast.rows] == list(SEEDS)
