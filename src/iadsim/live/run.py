"""The live mode: one replication paced to the wall clock, with threats from outside over DIS.

:class:`Pacer` is a :class:`~iadsim.engine.simulation.Simulation` observer with a period of ``STEP`` =
0.05 s of simulated time. At each of its steps at simulated time ``t`` it

1. waits until the wall clock reaches ``wall0 + t / speed`` (``wall0``: its first step); a simulation that
   falls behind does not wait and counts the steps it was late by more than 0.25 s (``late_steps``);
2. takes at most :data:`~iadsim.dis.receiver.MAX_PER_STEP` datagrams from the listener's bounded queue
   (the rest wait; a full queue drops its oldest), screens them with the
   :class:`~iadsim.dis.receiver.Receiver` and gives the accepted Entity State PDUs to the
   :class:`~iadsim.live.external.ExternalThreats` (new pieces of their truth, launches, ends, time-outs);
3. stops the run if asked (Ctrl-C in ``iadsim live``: the run directory is still written up to there).

At the end it waits for the wall time of the run's last instant, so ``D`` simulated seconds at speed ``s`` take
``D / s`` of wall time from the first step (``tests/dis/test_live.py``: 20 s at speed 4 in 5.0-5.25 s).

Everything else is the ordinary engine: scenario raids fly as in ``iadsim run``, and the events between two
steps run as fast as the machine goes. DIS out is the :class:`~iadsim.dis.output.DisOutput` observer.
Pacing is only as good as the sleep of the operating system and the machine's headroom: the events of a
step must take less wall time than ``STEP / speed``.
"""

from __future__ import annotations

import time

from iadsim.dis.receiver import MAX_PER_STEP, Receiver

STEP = 0.05
LATE = 0.25


class Pacer:
    """The live mode's pacing and DIS-in observer (module docstring)."""

    def __init__(self, speed: float, listener, receiver: Receiver, external, max_per_step: int = MAX_PER_STEP,
                 clock=time.perf_counter, sleep=time.sleep):
        if not speed > 0:
            raise ValueError("speed must be positive")
        self.period = STEP
        self.speed = float(speed)
        self.listener = listener
        self.receiver = receiver
        self.external = external
        self.max_per_step = int(max_per_step)
        self.clock, self.sleep = clock, sleep
        self.wall0 = None
        self.late_steps = 0
        self.stop_requested = False

    def observe(self, t: float, sim) -> None:
        now = self.clock()
        if self.wall0 is None:
            self.wall0 = now - t / self.speed
        wait = self.wall0 + t / self.speed - now
        if wait > 0:
            self.sleep(wait)
        elif wait < -LATE:
            self.late_steps += 1
        if self.listener is not None:
            for data, addr in self.listener.queue.take(self.max_per_step):
                pdus = self.receiver.feed(data, addr)
                if pdus and self.external is not None:
                    self.external.apply(t, pdus, sim)
        if self.external is not None:
            self.external.tick(t, sim)
        if self.stop_requested:
            sim.stopped = True

    def finish(self, t: float, sim) -> None:
        """The run ends at the wall time of its last simulated instant (a 20 s run at speed 4 lasts 5 s)."""
        if self.wall0 is not None:
            wait = self.wall0 + t / self.speed - self.clock()
            if wait > 0:
                self.sleep(wait)

    def wall_elapsed(self) -> float:
        return 0.0 if self.wall0 is None else self.clock() - self.wall0


def run_live(compiled, seed: int = 0, *, speed: float = 1.0, listener=None, external_slots: int = 0,
             external_type: str = "cruise_missile", sinks=(), site: int = 1, application: int = 1,
             exercise: int = 1, receiver: Receiver | None = None, on_start=None):
    """Run ``compiled`` live (module docstring). ``listener``: a :class:`~iadsim.dis.receiver.UdpListener`
    (None: no DIS in); ``sinks``: where DIS out goes (none: no DIS out). Returns ``(result, pacer, output)``
    with the :class:`~iadsim.engine.result.RunResult`, the :class:`Pacer` (its receiver's and external
    threats' counters) and the :class:`~iadsim.dis.output.DisOutput` (or None). ``on_start(pacer)`` is called
    before the run (the CLI keeps the pacer to stop it on Ctrl-C)."""
    from iadsim.dis.output import DisOutput
    from iadsim.engine.simulation import Simulation
    from iadsim.live.external import ExternalThreats

    external = ExternalThreats(compiled, external_slots, external_type)
    receiver = receiver or Receiver(exercise=exercise, own=(site, application))
    pacer = Pacer(speed, listener, receiver, external)
    if on_start is not None:
        on_start(pacer)
    observers = [pacer]
    output = None
    if sinks:
        output = DisOutput(sinks, site=site, application=application, exercise=exercise, external=external)
        observers.append(output)
    sim = Simulation(compiled, seed, observers=observers, threats_hook=external.hook)
    result = sim.run()
    _live_summary(result.summary, sim, pacer, output)
    return result, pacer, output


def _live_summary(s: dict, sim, pacer: Pacer, output) -> None:
    """The summary of a live run: external slots never used are not threats (the engine's summary counts
    every threat of a class as launched), and a ``live`` section with the DIS counters."""
    from iadsim.scenario.catalog_models import THREAT_CLASSES
    from iadsim.status import NOT_LAUNCHED

    ext = pacer.external
    unused = ext.is_external & (sim.threat_state.status == NOT_LAUNCHED)
    for k in sim.threats.cls[unused].tolist():
        row = s["threats"]["by_class"].get(THREAT_CLASSES[k])
        if row is not None:
            row["launched"] -= 1
            s["threats"]["total"]["launched"] -= 1
            if row["launched"] == 0 and not any(row.values()):
                del s["threats"]["by_class"][THREAT_CLASSES[k]]
    s["live"] = {"speed": pacer.speed, "late_steps": pacer.late_steps, "wall_s": pacer.wall_elapsed(),
                 "receiver": dict(pacer.receiver.counts), "external": dict(ext.counts),
                 "queue_dropped": pacer.listener.queue.dropped if pacer.listener is not None else 0,
                 "dis_out": dict(output.counts) if output is not None else None}
