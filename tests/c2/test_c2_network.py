"""The C2 network (issue 10): exact traces of order latency, cut links driving a fire unit autonomous and
back, lost orders, and the link queue and routes of :class:`iadsim.c2.network.Network` against hand-computed
numbers."""

from copy import deepcopy
from pathlib import Path

import numpy as np
import pytest
import yaml

from iadsim.c2.network import Network
from iadsim.engine.simulation import Simulation
from iadsim.errors import InputError
from iadsim.scenario.load import scenario_from_data
from iadsim.scenario.model import Network as NetworkModel

ROOT = Path(__file__).resolve().parents[2]
BASE = yaml.safe_load((ROOT / "examples" / "scenarios" / "quickstart.yaml").read_text())
BASE["raids"] = BASE["raids"][:2]  # drones and cruise missiles, all inside 10 min
BASE["duration"] = "10 min"


def scenario(order_latency="0 s", cuts=(), order_link=None, **net):
    d = deepcopy(BASE)
    d["network"] = {"links": [{"name": "radar", "ends": ["FCR-1", "command post"], "latency": "0 s"},
                              {"name": "orders", "ends": ["command post", "Bravo-1"], "latency": order_latency,
                               **(order_link or {})}],
                    "cuts": list(cuts), **net}
    return d


def run(data, seed=1):
    sim = Simulation(scenario_from_data(data), seed)
    result = sim.run()
    return sim, result


def events(result, kinds):
    ev = result.tables["events"].to_pydict()
    return [(t, k, tr, fu, d) for t, k, tr, fu, d in zip(ev["time"], ev["kind"], ev["track"], ev["fire_unit"],
                                                         ev["detail"], strict=True) if k in kinds]


def engagements(result):
    return result.tables["engagements"].to_pydict()


def test_order_latency_delays_the_order_by_exactly_L():
    _, r0 = run(scenario("0 s"))
    _, r3 = run(scenario("3 s"))
    e0, e3 = engagements(r0), engagements(r3)
    # the first decision is taken on the same picture (the sensor link has no latency in both)
    assert e0["t_decision"][0] == e3["t_decision"][0]
    t_dec = e0["t_decision"][0]
    got0 = events(r0, {"order_received", "interceptor_launch"})[:2]
    got3 = events(r3, {"order_received", "interceptor_launch"})[:2]
    assert [g[1] for g in got3] == ["order_received", "interceptor_launch"]
    assert got0[0][0] == t_dec and got0[0][4] == "delay 0.000 s"
    assert got3[0][0] == t_dec + 3.0 and got3[0][4] == "delay 3.000 s"
    assert got3[1][0] - got0[1][0] == pytest.approx(3.0, abs=1e-9)  # the first interceptor leaves 3 s later
    assert e3["t_launch"][0] - e0["t_launch"][0] == pytest.approx(3.0, abs=1e-9)
    assert e3["t_intercept_planned"][0] - e0["t_intercept_planned"][0] == pytest.approx(3.0, abs=1e-9)


def test_cut_link_makes_the_unit_autonomous_and_back():
    sim, r = run(scenario("0 s", cuts=[{"link": "orders", "start": "420 s", "end": "480 s"}]))
    modes = events(r, {"link_cut", "link_up", "c2_autonomous", "c2_connected"})
    assert [(t, k) for t, k, *_ in modes] == [(420.0, "link_cut"), (420.0, "c2_autonomous"), (480.0, "link_up"),
                                            (480.0, "c2_connected")]
    received = [t for t, *_ in events(r, {"order_received"})]
    assert received and not any(420.0 <= t < 480.0 for t in received)  # no order crosses a cut link
    assert any(t >= 480.0 for t in received)  # orders again once the link is back
    dec = np.array(engagements(r)["t_decision"])
    inside = dec[(dec >= 420.0) & (dec < 480.0)]
    assert inside.size > 0  # the unit engaged on its own radar's tracks meanwhile
    # under autonomous: hold it does not fire while cut off
    _, rh = run(scenario("0 s", cuts=[{"link": "orders", "start": "420 s", "end": "480 s"}], autonomous="hold"))
    dh = np.array(engagements(rh)["t_decision"])
    assert not np.any((dh >= 420.0) & (dh < 480.0))
    assert np.any(dh >= 480.0)


def test_lost_orders_never_fire_and_time_out():
    _, r = run(scenario("0 s", order_link={"loss": 1.0}, order_timeout="10 s"))
    assert len(engagements(r)["t_decision"]) == 0
    lost = [t for t, *_ in events(r, {"order_lost"})]
    assert lost
    # the same track is ordered again only after the order timeout
    by_track = {}
    for t, _, tr, _, _ in events(r, {"order_lost"}):
        by_track.setdefault(tr, []).append(t)
    gaps = np.concatenate([np.diff(v) for v in by_track.values() if len(v) > 1])
    assert gaps.size and gaps.min() >= 10.0


def test_no_network_section_is_the_plain_command_post():
    sim, _ = run(deepcopy(BASE))
    assert sim.c2.net is None and not sim.c2.active


def _spec(links, n_nodes, cuts=()):
    from iadsim.scenario.compiled import NetworkSpec

    model = NetworkModel.model_validate({"links": [{k: v for k, v in lk.items() if k != "nodes"} for lk in links]})
    ends = np.array([lk["nodes"] for lk in links], np.int64).reshape(-1, 2)
    wired = np.zeros(n_nodes, bool)
    wired[ends.ravel()] = True
    return NetworkSpec(nodes=tuple(f"n{i}" for i in range(n_nodes)), link_ends=ends, links=tuple(model.links),
                       cuts=tuple(cuts), wired=wired)


def _link(name, a, b, **kw):
    return {"name": name, "ends": [f"n{a}", f"n{b}"], "nodes": (a, b), **kw}


def test_link_capacity_queues_first_come_first_served():
    links = [_link("a", 0, 1, latency="0.5 s", capacity=2.0)]
    spec = _spec(links, 2)
    net = Network(spec, np.random.default_rng(0))
    t1, ok1 = net.send(0.0, 0, 1, 4)  # 4 messages at 2 per second: on the link until 2 s, then 0.5 s
    t2, ok2 = net.send(1.0, 0, 1, 1)  # waits for the link until 2 s, 0.5 s on it, then 0.5 s
    t3, _ = net.send(0.0, 1, 0, 1)  # the other direction is free
    assert (t1, t2, t3) == (2.5, 3.0, 1.0)
    assert ok1.all() and ok2.all()


def test_routes_follow_the_links_that_are_up_and_the_nodes_alive():
    links = [_link("a", 0, 1, latency="1 s"), _link("b", 1, 2, latency="1 s"), _link("c", 0, 2, latency="5 s")]
    spec = _spec(links, 4)
    net = Network(spec, np.random.default_rng(0))
    assert net.route(0, 2) == [(2, 0)]  # fewest hops
    assert net.send(0.0, 0, 2)[0] == 5.0
    net.link_up[2] = False
    assert net.route(0, 2) == [(0, 0), (1, 0)]
    assert net.send(0.0, 2, 0)[0] == 2.0
    net.node_alive[1] = False  # the relay is lost: no route at all
    assert net.route(0, 2) is None and net.send(0.0, 0, 2)[0] is None
    assert net.route(3, 0) == []  # node 3 is in no link: it sits with the command post


def test_latency_distributions_and_loss_are_seeded_and_bounded():
    links = [_link("u", 0, 1, latency={"kind": "uniform", "low": "1 s", "high": "2 s"}, loss=0.25),
             _link("l", 1, 2, latency={"kind": "lognormal", "median": "1 s", "sigma": 0.5}, jitter="0.1 s")]
    spec = _spec(links, 3)
    a = [Network(spec, np.random.default_rng(7)).send(0.0, 0, 1, 4000) for _ in range(2)]
    assert a[0][0] == a[1][0] and np.array_equal(a[0][1], a[1][1])
    assert 1.0 <= a[0][0] <= 2.0
    assert abs(a[0][1].mean() - 0.75) < 0.03  # Bernoulli loss of 1/4
    net = Network(spec, np.random.default_rng(3))
    d = np.array([net.send(0.0, 1, 2)[0] for _ in range(4000)])
    assert d.min() >= 0.0 and abs(np.median(d) - 1.0) < 0.05


@pytest.mark.parametrize(("network", "expect"), [
    ({"links": [{"name": "x", "ends": ["FCR-1", "Nowhere"]}]}, "link joins 'Nowhere'"),
    ({"links": [{"name": "x", "ends": ["FCR-1", "Bravo-1"]}], "cuts": [{"link": "y", "start": "1 s"}]},
     "cut of link 'y'"),
    ({"links": [{"name": "x", "ends": ["FCR-1", "Bravo-1"], "latency": "2 km"}]}, "is not a duration"),
    ({"links": [{"name": "x", "ends": ["FCR-1", "FCR-1"]}]}, "two different nodes"),
    ({"links": [{"name": "x", "ends": ["FCR-1", "Bravo-1"], "loss": 1.5}]}, "loss"),
])
def test_bad_network_input_is_one_clear_line(network, expect):
    d = deepcopy(BASE)
    d["network"] = network
    with pytest.raises(InputError) as exc:
        scenario_from_data(d)
    msg = str(exc.value)
    assert expect in msg and "\n" not in msg


def test_engage_on_remote_lets_a_unit_fire_on_another_radars_track():
    def data(remote):
        d = scenario("0 s", engage_on_remote=remote)
        d["sensors"].append({"name": "EW-1", "type": "surveillance_radar",
                             "position": {"lat": -20.0, "lon": -15.1, "alt": "30 m"}})
        d["network"]["links"].append({"name": "ew", "ends": ["EW-1", "command post"], "latency": "0 s"})
        d["emcon"] = [{"radar": "FCR-1", "silent": [{"start": "0 s", "end": "10 min"}]}]  # its own radar is silent
        return d

    _, r_on = run(data(True))
    _, r_off = run(data(False))
    assert len(engagements(r_on)["t_decision"]) > 0  # on the surveillance radar's tracks
    assert len(engagements(r_off)["t_decision"]) == 0  # its own radar holds none
