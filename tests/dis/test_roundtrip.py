"""DIS out of a whole run: the recorded PDUs decode into the entities, times and positions of
``truth.parquet`` within the dead-reckoning threshold; Fire and Detonation PDUs match the event log and are
linked by event ids; observing a run does not change it."""

import collections

import numpy as np
import pyarrow.parquet as pq
import pytest

from iadsim.dis import pdu as P
from iadsim.dis.dead_reckoning import dead_reckon
from iadsim.dis.output import DisOutput
from iadsim.dis.transport import PcapWriter, read_pcap
from iadsim.engine.simulation import Simulation
from iadsim.scenario import load_scenario

THRESHOLD = 1.0


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dis")
    c = load_scenario("examples/scenarios/quickstart.yaml")
    epoch = c.scenario.start.timestamp()
    w = PcapWriter(tmp / "run.dis", epoch)
    out = DisOutput([w], threshold=THRESHOLD)
    res = Simulation(c, 1, observers=[out]).run()
    w.close()
    res.write(tmp / "run")
    recs = [(t - epoch, P.decode(d)) for t, d in read_pcap(tmp / "run.dis")]
    return c, res, out, recs, tmp


def _read(path):
    return {k: np.asarray(v) for k, v in pq.read_table(path).to_pydict().items()}


def test_recorded_entity_states_dead_reckon_to_the_truth_table(run):
    c, res, out, recs, tmp = run
    truth = _read(tmp / "run" / "truth.parquet")
    S, N = out.S, out.N
    es = [(t, p) for t, p in recs if isinstance(p, P.EntityState)]
    times = np.array([t for t, _ in es])
    assert np.all(np.diff(times) >= -1e-6)  # the recording is in time order
    by_entity = collections.defaultdict(list)
    for t, p in es:
        by_entity[p.entity_id.entity].append((t, p))
    checked = 0
    for time, obj, i, x, y, z in zip(truth["time"], truth["object"], truth["id"], truth["x"], truth["y"],
                                     truth["z"], strict=True):
        number = S + 1 + i if obj == "threat" else S + N + 1 + i
        hist = [(t, p) for t, p in by_entity[number] if t <= time + 1e-6]
        assert hist, f"{obj} {i} at {time}: no PDU before"
        t0, p = hist[-1]
        assert not p.appearance & (1 << 23), f"{obj} {i} deactivated at {t0} but in truth at {time}"
        got = dead_reckon(p.dr_algorithm, p.location, p.velocity, p.acceleration, time - t0)[0]
        err = np.linalg.norm(got - np.array([x, y, z]))
        assert err <= THRESHOLD + 1e-3, f"{obj} {i} at {time}: {err:.3f} m"
        checked += 1
    assert checked == truth["time"].size and checked > 100
    # the same entities: every threat and interceptor of the truth table, and the static sites
    threats = {S + 1 + i for i in truth["id"][truth["object"] == "threat"]}
    interceptors = {S + N + 1 + i for i in truth["id"][truth["object"] == "interceptor"]}
    assert threats | interceptors | set(range(1, S + 1)) <= set(by_entity)
    assert set(range(S + 1, S + N + 1)) & set(by_entity) == threats
    # every entity leaves with a deactivated PDU
    assert all(hist[-1][1].appearance & (1 << 23) for hist in by_entity.values())


def test_fires_and_detonations_follow_the_event_log_and_share_event_ids(run):
    c, res, out, recs, tmp = run
    kind = _read(tmp / "run" / "events.parquet")["kind"]
    fires = [p for _, p in recs if isinstance(p, P.Fire)]
    dets = [p for _, p in recs if isinstance(p, P.Detonation)]
    assert len(fires) == np.sum(kind == "interceptor_launch") > 0
    assert len(dets) == np.isin(kind, ["intercept", "miss", "leak"]).sum()
    fire_of = {f.event: f for f in fires}
    assert len(fire_of) == len(fires)
    linked = [d for d in dets if d.firing != P.NO_ENTITY]
    assert len(linked) == np.isin(kind, ["intercept", "miss"]).sum()
    for d in linked:
        f = fire_of[d.event]
        assert d.exploding == f.munition and d.firing == f.firing
    kills = [d for d in linked if d.result in (1, 2)]
    assert len(kills) == np.sum(kind == "intercept")
    impacts = [d for d in dets if d.firing == P.NO_ENTITY]
    assert all(d.result == 3 for d in impacts) and len(impacts) == np.sum(kind == "leak")


def test_observing_a_run_does_not_change_it(run):
    c, res, out, recs, tmp = run
    plain = Simulation(c, 1).run()
    assert plain.summary["threats"] == res.summary["threats"]
    for name in ("engagements", "truth", "events", "tracks"):
        a, b = plain.tables[name].to_pydict(), res.tables[name].to_pydict()
        assert a.keys() == b.keys()
        for k in a:
            assert np.array_equal(np.asarray(a[k]), np.asarray(b[k]), equal_nan=np.asarray(a[k]).dtype.kind == "f")
