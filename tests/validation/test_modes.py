"""The idealised validation modes: perfect tracking (TruthTracker), the constant-Pk lethality, the refusals,
and the default behaviour left as it was (no validation section, the catalog's lethality kinds)."""

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml
from pydantic import ValidationError

from iadsim.engine.simulation import Simulation
from iadsim.errors import InputError
from iadsim.scenario import load_scenario, scenario_from_data
from iadsim.scenario.catalog import resolve
from iadsim.scenario.catalog_models import Lethality
from iadsim.status import INTERCEPTED
from iadsim.tracking.truth_tracker import TruthTracker
from iadsim.validation import scenarios as sc

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
BASE = yaml.safe_load((EXAMPLES / "quickstart.yaml").read_text())
FIXED = {"lethality": {"kind": "fixed", "pk": {"ballistic": 1.0, "cruise": 1.0, "drone": 1.0}}}


def _quickstart(**top):
    d = copy.deepcopy(BASE)
    d.update(top)
    return d


def test_lethality_validates_per_kind():
    assert Lethality(kind="fixed", pk={"drone": 0.7}).pk == {"drone": 0.7}
    ok = Lethality(kind="carleton", radius="10 m", vulnerability={"drone": 1.0})
    assert ok.pk is None and ok.radius == 10.0
    with pytest.raises(ValidationError, match="takes only pk"):
        Lethality(kind="fixed", pk={"drone": 0.7}, radius="10 m")
    with pytest.raises(ValidationError, match="needs pk"):
        Lethality(kind="fixed")
    with pytest.raises(ValidationError, match="needs radius"):
        Lethality(kind="carleton", vulnerability={"drone": 1.0})
    with pytest.raises(ValidationError, match="only for lethality kind 'fixed'"):
        Lethality(kind="hit_to_kill", radius="1 m", vulnerability={"drone": 1.0}, pk={"drone": 1.0})
    with pytest.raises(ValidationError):
        Lethality(kind="fixed", pk={"drone": 1.5})


def test_default_dumps_are_unchanged():
    # the catalog kinds dump without the new field and a scenario without the section without its key, so
    # scenario hashes and envelope cache keys are what they were
    dump = resolve("interceptor", "mr_interceptor").model_dump()["lethality"]
    assert sorted(dump) == ["kind", "miss_sigma", "radius", "reliability", "vulnerability"]
    c = scenario_from_data(_quickstart())
    assert "validation" not in c.scenario.model_dump()
    assert sorted(Lethality(kind="fixed", pk={"drone": 0.5}).model_dump()) == ["kind", "pk"]


def test_fixed_pk_is_refused_without_the_validation_section():
    d = _quickstart()
    d["fire_units"][0]["interceptor"] = {"type": "mr_interceptor", "override": FIXED}
    with pytest.raises(InputError, match="only accepted with a top-level validation section") as err:
        scenario_from_data(d)
    assert "\n" not in str(err.value)
    d["validation"] = {}
    assert scenario_from_data(d).scenario.validation.perfect_tracking is False


def test_refusals_name_file_line_and_field(tmp_path):
    d = _quickstart()
    d["fire_units"][0]["interceptor"] = {"type": "mr_interceptor", "override": FIXED}
    path = tmp_path / "fixed.yaml"
    text = yaml.safe_dump(d, sort_keys=False)
    path.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "kind: fixed" in t)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert str(err.value).startswith(f"{path}:{line}: fire_units[0].interceptor.override.lethality.kind: ")


def test_perfect_tracking_refuses_a_tracker_section():
    with pytest.raises(InputError, match="perfect_tracking replaces the tracker"):
        scenario_from_data(_quickstart(validation={"perfect_tracking": True}, tracker={"filter": "imm_ncv"}))
    with pytest.raises(InputError, match="unknown field"):
        scenario_from_data(_quickstart(validation={"perfect_traking": True}))


def test_fixed_pk_with_the_real_tracker():
    # Pk 1 at every closest approach inside the fuze window: every such round on a live target kills
    d = _quickstart(validation={})
    d["fire_units"][0]["interceptor"] = {"type": "mr_interceptor", "override": FIXED}
    sim = Simulation(scenario_from_data(d), 1)
    res = sim.run()
    ev = res.tables["events"].to_pydict()
    results = [d.split(",")[0] for k, d in zip(ev["kind"], ev["detail"], strict=True) if k in ("intercept", "miss")]
    assert "kill" in results and "miss" not in results
    assert type(sim.tracker).__name__ == "Tracker"


def test_truth_tracker_contract():
    c = sc.ring(["owa_drone", "cruise_missile"] * 4, {"drone": 0.5, "cruise": 0.5}, duration="90 s", window="20 s")
    sim = Simulation(c, 3)
    assert isinstance(sim.tracker, TruthTracker)
    th = sim.threats
    seen = []

    def check(t):
        tr = sim.tracker.predict_confirmed(t)
        idx = np.flatnonzero(sim.threat_state.flying(t))
        np.testing.assert_array_equal(tr.id, idx + 1)
        pos, vel = th.truth.state(t, idx)
        np.testing.assert_array_equal(tr.x, np.concatenate([pos, vel], axis=1))
        np.testing.assert_array_equal(tr.cls, th.cls[idx])
        assert (tr.status == 1).all() and not tr.P.any()
        assert (tr.last_update <= t).all()
        # the track file of the last scan: the threats flying then, updated then
        k = sim.tracker
        if len(k):
            assert (k.last_update == k.time).all()
            np.testing.assert_array_equal(k.state.take(np.arange(len(k))).x[:, :3],
                                          th.truth.state(k.time, k.id - 1)[0])
        seen.append(len(tr))

    res = sim.run(progress=check)
    assert max(seen) > 0 and res.summary["tracking"]["scans"] > 0
    # every kill assessment is right: a kill is not seen again, a miss is
    eng = sim.engagements.cols
    ev = sim.log.events
    verdicts = {e: d for k, e, d in zip(ev["kind"], ev["engagement"], ev["detail"], strict=True)
                if k == "kill_assessment"}
    assert verdicts
    for e, d in verdicts.items():
        killed = sim.threat_state.status[eng["track"][e] - 1] == INTERCEPTED and eng["result"][e] == "kill"
        assert d == ("not seen: assessed killed" if killed else "seen again: re-engage")
    # perfect tracks: no localisation error, no missed or false tracks
    q = res.summary["tracking"]
    assert q["gospa_localisation_rms_m"] == 0.0 and q["false_track_frames_mean"] == 0.0
    assert q["missed_target_frames_mean"] == 0.0 and q["id_switches"] == 0


def test_validation_runs_are_deterministic():
    c = sc.ring(["owa_drone"] * 6, {"drone": 0.5}, duration="60 s")
    a, b = Simulation(c, 11).run().summary, Simulation(c, 11).run().summary
    a.pop("time"), b.pop("time")
    assert a == b
