"""The live mode on loopback: an external threat played as Entity State PDUs is detected, tracked and
engaged, and iadsim's Fire and Detonation PDUs naming it come back; pacing to the wall clock."""

import socket
import threading
import time

import numpy as np
import pytest
import yaml

from iadsim.dis import pdu as P
from iadsim.dis.receiver import Receiver, UdpListener
from iadsim.dis.transport import UdpSender
from iadsim.frames import enu_rotation, geodetic2ecef
from iadsim.live.run import STEP, Pacer, run_live
from iadsim.scenario import load_scenario

EXTERNAL = P.EntityId(9, 9, 1)


def scenario(tmp_path, duration):
    d = yaml.safe_load(open("examples/scenarios/quickstart.yaml"))
    d["duration"] = duration
    # the scenario's own raid: one drone far away, never in coverage during the test
    d["raids"] = [{"name": "far", "threat": "owa_drone", "count": 1, "targets": ["Port Aurel"],
                   "launch_area": {"center": {"lat": -20.0, "lon": -19.0}},
                   "launch_window": {"start": "0 s", "end": "0 s"}}]
    f = tmp_path / "live.yaml"
    f.write_text(yaml.safe_dump(d))
    return load_scenario(f)


def test_an_external_threat_is_engaged_and_the_fire_and_detonation_come_back(tmp_path):
    c = scenario(tmp_path, "90 s")
    speed = 8.0
    listener = UdpListener("127.0.0.1", 0)
    back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    back.bind(("127.0.0.1", 0))
    back.settimeout(0.02)
    # a cruise missile 40 km west of the port at 60 m, flying east at 240 m/s, updated at 5 Hz of wall time
    lat0, lon0 = np.radians(-20.0), np.radians(-15.4)
    p0 = geodetic2ecef(lat0, lon0, 60.0)
    v = enu_rotation(lat0, lon0).T @ np.array([240.0, 0.0, 0.0])
    stop = threading.Event()
    got = []

    def player():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        w0 = time.perf_counter()
        while not stop.is_set():
            t = (time.perf_counter() - w0) * speed
            pdu = P.EntityState(entity_id=EXTERNAL, force=2, entity_type=P.EntityType(2, 11, 0, 1), velocity=tuple(v),
                                location=tuple(p0 + v * t), dr_algorithm=2, timestamp=P.timestamp(t))
            s.sendto(pdu.encode(), ("127.0.0.1", listener.port))
            try:
                while True:
                    got.append(P.decode(back.recvfrom(65535)[0]))
            except TimeoutError:
                pass
            time.sleep(0.2)
        s.close()

    th = threading.Thread(target=player, daemon=True)
    th.start()
    try:
        res, pacer, out = run_live(c, 1, speed=speed, listener=listener, external_slots=2,
                                   sinks=[UdpSender("127.0.0.1", back.getsockname()[1])])
        time.sleep(0.3)
    finally:
        stop.set()
        th.join(timeout=5)
        listener.close()
        back.close()
    s = res.summary
    assert s["threats"]["by_class"]["cruise"] == {"launched": 1, "intercepted": 1, "leaked": 0, "in_flight": 0}
    assert s["live"]["external"]["entities"] == 1 and s["live"]["receiver"]["accepted"] >= 20
    fires = [p for p in got if isinstance(p, P.Fire) and p.target == EXTERNAL]
    dets = [p for p in got if isinstance(p, P.Detonation) and p.target == EXTERNAL]
    assert fires and dets
    kill = [d for d in dets if d.result in (1, 2)]
    assert len(kill) == 1 and kill[0].event in {f.event for f in fires}
    # iadsim's own entities came back too (its fire unit and the interceptor)
    assert any(isinstance(p, P.EntityState) and p.entity_id.entity == kill[0].exploding.entity for p in got)


def test_twenty_simulated_seconds_at_speed_four_take_five_seconds(tmp_path):
    c = scenario(tmp_path, "20 s")
    t0 = time.perf_counter()
    res, pacer, _ = run_live(c, 1, speed=4.0)
    total = time.perf_counter() - t0
    # the paced part (first step to the end of the run): 5 s, within -0 / +0.25 s (5 %); set-up excluded
    assert 5.0 - 1e-3 <= res.summary["live"]["wall_s"] <= 5.25, res.summary["live"]
    assert pacer.late_steps == 0
    assert total >= 5.0


def test_the_pacer_sleeps_to_the_scaled_wall_clock():
    now = [100.0]
    slept = []

    def sleep(dt):
        slept.append(dt)
        now[0] += dt

    p = Pacer(2.0, None, Receiver(), None, clock=lambda: now[0], sleep=sleep)

    class Sim:
        stopped = False

    for k in range(41):
        now[0] += 0.001  # the work of a step
        p.observe(k * STEP, Sim)
    assert now[0] == pytest.approx(100.0 + 0.001 + 40 * STEP / 2.0)
    assert p.late_steps == 0 and len(slept) == 40
    with pytest.raises(ValueError):
        Pacer(0.0, None, Receiver(), None)
