r"""Whole-engine analytic oracles: seeded Monte Carlo of small scenarios against closed forms.

Each oracle runs the real engine (:class:`iadsim.engine.simulation.Simulation`: doctrine, fire units,
interceptor fly-out, kill assessment) on scenarios of :mod:`iadsim.validation.scenarios` built so that the
conditions of its formula hold, in the idealised validation modes (perfect tracking, a constant Pk per
shot: docs/validation.md), and compares the outcome with the formula by a stated test
(:mod:`iadsim.validation.stats`). It first checks the conditions on every replication (every round flew to
its own target, the shots a threat could get, ...) and raises :class:`OracleConditionError` naming the
oracle when they do not hold: a failed precondition is a broken set-up, not a statistical failure.

Oracles (``ORACLES``; ``p`` single-shot kill probability, ``q = 1 - p``):

* ``salvo`` - one layer, one salvo of ``n`` independent shots per threat: the leak fraction is ``q^n``
  (Washburn & Kress, *Combat Modeling*, Springer 2009, ch. 2: independent shots).
* ``shoot_look_shoot`` - ``k`` shoot-look-shoot opportunities: kill probability ``1 - q^k`` and expected
  shots per threat ``E[S] = sum_{i<k} q^i = (1 - q^k) / p``, with ``P(S = i) = p q^(i-1)`` for ``i < k`` and
  ``P(S = k) = q^(k-1)`` (shot ``i`` is fired only if the ``i - 1`` before it missed; Washburn & Kress 2009,
  ch. 2; Wilkening, "A simple model for calculating ballistic missile defense effectiveness", Science &
  Global Security 8(2), 1999, for shoot-look-shoot).
* ``layers`` - independent layers with kill probabilities ``p_i``: each threat leaks with probability
  ``prod_i (1 - p_i)``, so the number of leakers of a raid of ``N`` is
  ``Binomial(N, prod_i (1 - p_i))`` (Gould, "Analysis of a layered defense model", Operations Research
  30(3), 1982), tested on its distribution, not only its mean.
* ``raid_annihilation`` - the probability of raid annihilation (no leaker) of independent threats is
  ``PRA = prod_j P_kill,j`` (Washburn & Kress 2009, ch. 2; e.g. 10 threats at 0.97: 0.737).
* ``magazine`` - magazine exhaustion: ``R`` rounds, salvo ``s``, ``N > R / s`` threats and ``Pk = 1``:
  exactly ``floor(R / s)`` threats are engaged and killed, ``R mod s`` rounds are left, the other
  ``N - floor(R / s)`` leak (deterministic accounting).
* ``detection`` - the engine's radar objects (:meth:`iadsim.sensors.radar.Radar.measure`, the real radar
  path, no validation mode): the fraction of scans that detect a target at fixed range and RCS equals the
  Pd of the radar equation ``SNR = SNR_ref (sigma / sigma_ref) (r_ref / r)^4`` (Skolnik, *Introduction to
  Radar Systems*, 3rd ed., ch. 2) with Swerling 1, ``Pd = Pfa^(1 / (1 + SNR))`` for one pulse (Richards,
  *Fundamentals of Radar Signal Processing*, 2nd ed., ch. 6), or Swerling 0 with ``n`` pulses integrated,
  ``Pd = Q_ncx2(2T; 2n, 2 n SNR)`` with ``Pfa = Q_chi2(2T; 2n)`` (Marcum 1960), or Swerling 1 with ``n``
  pulses, the Swerling 0 Pd averaged over an exponential SNR (Swerling 1960), all recomputed here with
  ``scipy`` independently of :mod:`iadsim.sensors.detection`; the false alarms per scan are Poisson with
  the stated mean, per scan and over a whole run's summary counters.

* ``damage`` - damage by impact point of undefended threats with a circular error probable ``CEP``
  (per-axis ``sigma = CEP / 1.1774``) on a point asset of hardness ``H`` destroyed at the damage threshold
  ``T``: a warhead that works (probability ``p``) destroys the asset when ``D(r) (1 - H) >= T``, i.e. within
  ``r* = R`` (cookie-cutter, when ``1 - H >= T``) or ``r* = R sqrt(ln((1 - H) / T))`` (Carleton
  ``D = exp(-r^2 / R^2)``), so ``P(destroyed) = p (1 - exp(-r*^2 / (2 sigma^2)))`` (the Rayleigh CDF), and
  the mean damage is ``p (1 - H) E[D]`` with ``E[D] = 1 - exp(-R^2 / 2 sigma^2)`` (cookie-cutter) or
  ``R^2 / (R^2 + 2 sigma^2)`` (Carleton) (Przemieniecki, *Mathematical Methods in Defense Analyses*, 3rd ed.,
  AIAA 2000, sect. 4.2-4.3).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import integrate, optimize, stats

from iadsim.engine.simulation import Simulation
from iadsim.frames import aer2enu, enu2ecef
from iadsim.status import INTERCEPTED, LEAKED
from iadsim.validation import scenarios as sc
from iadsim.validation.stats import Check, binomial, chi_square_gof, mean_z, poisson_count

WASHBURN = "Washburn & Kress 2009, ch. 2"
GOULD = "Gould, Oper. Res. 30(3), 1982"


class OracleConditionError(AssertionError):
    """The conditions of an oracle's formula did not hold in a replication (a set-up error)."""


@dataclass
class OracleResult:
    """The checks of one oracle and how they were obtained."""

    name: str
    title: str
    setup: str
    replications: int
    checks: list[Check] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def report(self) -> str:
        return "\n".join([f"oracle {self.name}: {self.title} ({self.replications} replications, "
                          f"{self.seconds:.1f} s)"] + ["  " + c.line() for c in self.checks])


def _seeds(name: str, n: int, seed: int) -> range:
    """Seeds of an oracle: its own block (a stable hash of its name), so oracles never share a stream."""
    base = (zlib.crc32(name.encode()) % 10_000) * 100_000 + seed
    return range(base, base + n)


def _run(c, seed: int) -> Simulation:
    sim = Simulation(c, seed)
    sim.run()
    return sim


def _require(ok: bool, oracle: str, what: str) -> None:
    if not ok:
        raise OracleConditionError(f"oracle {oracle}: precondition failed: {what}")


def _rounds_on_target(sim: Simulation, oracle: str) -> None:
    """Every round drew its kill on the threat it was fired at (kill or miss at its closest approach, inside
    the fuze window), or found that threat already killed by an earlier round; every engagement ended."""
    ev = sim.log.events
    t_kill = sim.threat_state.t_kill
    for kind, t, j, tid, detail in zip(ev["kind"], ev["time"], ev["threat"], ev["track"], ev["detail"],
                                       strict=True):
        if kind not in ("intercept", "miss"):
            continue
        result = detail.split(",")[0]
        if result in ("kill", "miss"):
            _require(j == tid - 1, oracle, f"a round fired at threat {tid - 1} drew on threat {j}")
        else:
            _require(bool(t_kill[tid - 1] <= t + 1e-9), oracle,
                     f"a round at threat {tid - 1} ended '{result}' with its target alive at t = {t:.1f} s")
    done = np.isfinite(np.asarray(sim.engagements.cols["t_complete"], float))
    _require(bool(done.all()), oracle, "an engagement was still in flight at the end of the run")


def _engaged(sim: Simulation) -> np.ndarray:
    """Engagements per threat."""
    tracks = np.asarray(sim.engagements.cols["track"], np.int64)
    return np.bincount(tracks - 1, minlength=len(sim.threats))


# --- salvo -----------------------------------------------------------------------------------------
def salvo(replications: int = 40, seed: int = 0, p: float = 0.6, salvos=(1, 2, 3), n_threats: int = 20,
          progress: Callable[[str], None] | None = None) -> OracleResult:
    """One layer, one salvo of ``n`` shots per threat: leak fraction ``(1 - p)^n`` (module docstring).

    Set-up: :func:`~iadsim.validation.scenarios.ring` of ``n_threats`` drones, one battery with ``n`` rounds
    per threat and a channel for each; the kill assessment is delayed past the end of the run, so every
    threat is engaged exactly once (no look, no second salvo). Leakers: the threats not killed.
    """
    name = "salvo"
    res = OracleResult(name, "one layer, salvo of n independent shots: leak fraction (1 - p)^n",
                       f"ring of {n_threats} drones around one mr battery, Pk {p} per shot, one salvo per "
                       f"threat (kill assessment after the end of the run)", replications)
    t0 = time.perf_counter()
    for n in salvos:
        c = sc.ring(["owa_drone"] * n_threats, {"drone": p}, salvo=n, kill_assessment_delay="1000 s")
        leaked = 0
        for s in _seeds(f"{name}{n}", replications, seed):
            sim = _run(c, s)
            _rounds_on_target(sim, name)
            _require(bool((_engaged(sim) == 1).all()), name, "a threat was not engaged exactly once")
            _require(int(sim.fire_units.fired[0]) == n * n_threats, name, "not every salvo was fired in full")
            leaked += int(np.count_nonzero(sim.threat_state.status != INTERCEPTED))
        res.checks.append(binomial(name, f"leak fraction, salvo n = {n}, p = {p}: (1 - p)^n", WASHBURN,
                                   leaked, n_threats * replications, (1 - p) ** n))
        if progress:
            progress(res.checks[-1].line())
    res.seconds = time.perf_counter() - t0
    return res


# --- shoot-look-shoot ------------------------------------------------------------------------------
def shots_pmf(p: float, k: int) -> np.ndarray:
    """``P(S = i)``, ``i = 1..k``, of the shots at one threat under shoot-look-shoot with ``k``
    opportunities: ``p q^(i-1)`` for ``i < k``, ``q^(k-1)`` for ``i = k``."""
    q = 1.0 - p
    pmf = np.array([p * q ** (i - 1) for i in range(1, k)] + [q ** (k - 1)])
    return pmf


def shoot_look_shoot(replications: int = 30, seed: int = 0, p: float = 0.7, ks=(2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3),
                     progress: Callable[[str], None] | None = None) -> OracleResult:
    """Shoot-look-shoot with ``k`` opportunities: kill probability ``1 - (1 - p)^k`` and expected shots
    ``sum_{i<k} (1 - p)^i`` (module docstring; p = 0.7, k = 2: 0.91 and 1.30).

    Set-up: :func:`~iadsim.validation.scenarios.cells`, one drone and one battery per cell holding ``k``
    rounds (``ks[c]`` for cell ``c``), salvo 1, kill assessment 4 s. Exactly ``k`` opportunities: the cell's
    battery is the only one that can reach its threat (the cells are ~260 km apart), so it fires at most
    ``k`` shots; after a miss the kill assessment sees the track updated again and the doctrine re-engages,
    and the drone stays inside the envelope for minutes, far longer than the ``k`` looks take (~35 s each),
    so a threat that survives has received all ``k``. Both are checked on every replication.
    """
    name = "shoot_look_shoot"
    res = OracleResult(name, "shoot-look-shoot with k opportunities: P_kill = 1 - (1 - p)^k, "
                             "E[shots] = sum_{i<k} (1 - p)^i",
                       f"{len(ks)} independent cells (one drone, one mr battery with k rounds, k in "
                       f"{sorted(set(ks))}), Pk {p} per shot, salvo 1", replications)
    t0 = time.perf_counter()
    ks = np.asarray(ks)
    c = sc.cells([[("mr_interceptor", sc.fixed({"drone": p}), int(k))] for k in ks], duration="150 s")
    killed = np.zeros((replications, ks.size), bool)
    shots = np.zeros((replications, ks.size), np.int64)
    for r, s in enumerate(_seeds(name, replications, seed)):
        sim = _run(c, s)
        _rounds_on_target(sim, name)
        eng = sim.engagements.cols
        _require(all(f == t - 1 for f, t in zip(eng["fire_unit"], eng["track"], strict=True)), name,
                 "a battery engaged another cell's threat")
        killed[r] = sim.threat_state.status == INTERCEPTED
        shots[r] = sim.fire_units.fired
        _require(bool((shots[r][~killed[r]] == ks[~killed[r]]).all()), name,
                 "a surviving threat did not receive all k shots")
        _require(bool((shots[r] >= 1).all()), name, "a threat was never engaged")
    for k in sorted(set(ks.tolist())):
        sel = ks == k
        kk = int(killed[:, sel].sum())
        nn = int(sel.sum()) * replications
        res.checks.append(binomial(name, f"kill probability, k = {k}, p = {p}: 1 - (1 - p)^k", WASHBURN, kk, nn,
                                   1 - (1 - p) ** k))
        pmf = shots_pmf(p, k)
        i = np.arange(1, k + 1)
        mu = float((i * pmf).sum())
        sd = float(np.sqrt(((i - mu) ** 2 * pmf).sum()))
        res.checks.append(mean_z(name, f"shots per threat, k = {k}, p = {p}: sum_(i<k) (1 - p)^i", WASHBURN,
                                 shots[:, sel].ravel(), mu, sd))
        if progress:
            progress(res.checks[-2].line() + "\n" + res.checks[-1].line())
    res.seconds = time.perf_counter() - t0
    return res


# --- independent layers ----------------------------------------------------------------------------
LAYERS_PK = (("upper", 0.5), ("middle", 0.4), ("lower", 0.3))


def layers(replications: int = 30, seed: int = 0, n_cells: int = 10, pks=LAYERS_PK,
           progress: Callable[[str], None] | None = None) -> OracleResult:
    """Independent layers: leakers of a raid of ``N`` ~ ``Binomial(N, prod_i (1 - p_i))`` (module docstring).

    Set-up: :func:`~iadsim.validation.scenarios.cells`, one drone per cell and one battery per layer holding
    one round: ``mr_interceptor`` retyped to the upper layer, ``mr_interceptor`` (middle), ``sr_interceptor``
    (lower), each with its fixed Pk. With layering the upper tier fires first and a lower tier only when no
    upper tier can; every layer gets exactly one shot at a threat that survives the layers above it (checked).
    """
    name = "layers"
    q = float(np.prod([1 - p for _, p in pks]))
    types = {"upper": "mr_interceptor", "middle": "mr_interceptor", "lower": "sr_interceptor"}
    cell = [(types[layer], sc.fixed({"drone": p}, layer="upper" if layer == "upper" else None), 1)
            for layer, p in pks]
    res = OracleResult(name, "independent layers: leakers of a raid of N ~ Binomial(N, prod_i (1 - p_i))",
                       f"{n_cells} independent cells (one drone; {', '.join(f'{lay} Pk {p}' for lay, p in pks)}, "
                       f"one round per layer)", replications)
    t0 = time.perf_counter()
    c = sc.cells([cell] * n_cells, duration="150 s")
    L = len(pks)
    leakers = np.zeros(replications, np.int64)
    for r, s in enumerate(_seeds(name, replications, seed)):
        sim = _run(c, s)
        _rounds_on_target(sim, name)
        eng = sim.engagements.cols
        _require(all(f // L == t - 1 for f, t in zip(eng["fire_unit"], eng["track"], strict=True)), name,
                 "a battery engaged another cell's threat")
        alive = sim.threat_state.status != INTERCEPTED
        fired = sim.fire_units.fired.reshape(n_cells, L)
        _require(bool((fired[alive] == 1).all()), name, "a surviving threat did not meet every layer")
        leakers[r] = int(alive.sum())
    counts = np.bincount(leakers, minlength=n_cells + 1)
    res.checks.append(chi_square_gof(name, f"leakers per raid of {n_cells}: distribution", GOULD, counts,
                                     stats.binom.pmf(np.arange(n_cells + 1), n_cells, q),
                                     f"Binomial({n_cells}, {q:.3f})"))
    res.checks.append(binomial(name, f"leak probability per threat: prod (1 - p_i) = {q:.3f}", GOULD,
                               int(leakers.sum()), n_cells * replications, q))
    if progress:
        progress(res.checks[-2].line() + "\n" + res.checks[-1].line())
    res.seconds = time.perf_counter() - t0
    return res


# --- raid annihilation -----------------------------------------------------------------------------
def raid_annihilation(replications: int = 150, seed: int = 0,
                      progress: Callable[[str], None] | None = None) -> OracleResult:
    """Probability of raid annihilation ``prod_j P_kill,j`` (module docstring).

    Set-ups (:func:`~iadsim.validation.scenarios.ring`, one engagement per threat as in :func:`salvo`):
    10 drones, one shot each at Pk 0.97 (``0.97^10 = 0.737``); and a mixed raid of 5 drones and 5 cruise
    missiles, salvos of 2 at Pk 0.9 (drone) and 0.8 (cruise): ``P_kill = 0.99`` and ``0.96``,
    ``PRA = 0.99^5 0.96^5 = 0.776``. One Bernoulli trial per replication: no leaker.
    """
    name = "raid_annihilation"
    res = OracleResult(name, "probability of raid annihilation: PRA = prod_j P_kill,j",
                       "ring of 10 threats around one mr battery, one engagement per threat", replications)
    t0 = time.perf_counter()
    configs = [("10 drones, 1 shot at Pk 0.97", ["owa_drone"] * 10, {"drone": 0.97}, 1, 0.97 ** 10),
               ("5 drones + 5 cruise, 2 shots at Pk 0.9 / 0.8", ["owa_drone", "cruise_missile"] * 5,
                {"drone": 0.9, "cruise": 0.8}, 2, (1 - 0.1 ** 2) ** 5 * (1 - 0.2 ** 2) ** 5)]
    for k, (label, threats, pk, n, pra) in enumerate(configs):
        c = sc.ring(threats, pk, salvo=n, kill_assessment_delay="1000 s")
        clean = 0
        for s in _seeds(f"{name}{k}", replications, seed):
            sim = _run(c, s)
            _rounds_on_target(sim, name)
            _require(bool((_engaged(sim) == 1).all()), name, "a threat was not engaged exactly once")
            clean += int((sim.threat_state.status == INTERCEPTED).all())
        res.checks.append(binomial(name, f"P(no leaker), {label}", WASHBURN, clean, replications, pra))
        if progress:
            progress(res.checks[-1].line())
    res.seconds = time.perf_counter() - t0
    return res


# --- magazine exhaustion ---------------------------------------------------------------------------
MAGAZINES = ((7, 2, 10), (9, 3, 5), (5, 1, 8))


def magazine(replications: int = 3, seed: int = 0, configs=MAGAZINES,
             progress: Callable[[str], None] | None = None) -> OracleResult:
    """Magazine exhaustion, deterministic accounting (module docstring).

    Set-up: :func:`~iadsim.validation.scenarios.ring` of ``N`` cruise missiles launched over 20 s, one battery
    with ``R`` rounds, salvo ``s``, Pk 1, the default 4 s kill assessment; the run lasts until every threat has
    arrived. Checked on every replication: engagements and engaged threats ``floor(R / s)``, rounds fired
    ``s floor(R / s)``, rounds left ``R mod s``, kills ``floor(R / s)``, leakers ``N - floor(R / s)``.
    """
    name = "magazine"
    res = OracleResult(name, "magazine exhaustion: floor(R/s) threats engaged, the rest leak",
                       "ring of N cruise missiles around one mr battery with R rounds, salvo s, Pk 1", replications)
    t0 = time.perf_counter()
    for R, s, N in configs:
        c = sc.ring(["cruise_missile"] * N, {"cruise": 1.0}, salvo=s, rounds=R, duration="160 s", window="20 s")
        e = R // s
        want = {"engagements": e, "threats engaged": e, "rounds fired": s * e, "rounds left": R % s,
                "threats killed": e, "threats leaked": N - e}
        seen: set[tuple] = set()
        for sd in _seeds(f"{name}{R}.{s}.{N}", replications, seed):
            sim = _run(c, sd)
            _rounds_on_target(sim, name)
            st = sim.threat_state.status
            seen.add((len(sim.engagements.cols["track"]), int(np.count_nonzero(_engaged(sim))),
                      int(sim.fire_units.fired[0]), int(sim.fire_units.rounds()[0]),
                      int(np.count_nonzero(st == INTERCEPTED)), int(np.count_nonzero(st == LEAKED))))
        expected = ", ".join(str(v) for v in want.values())
        measured = ", ".join(str(v) for v in next(iter(seen))) if len(seen) == 1 else \
            " | ".join(", ".join(str(v) for v in t) for t in sorted(seen))
        res.checks.append(Check(name, f"R = {R}, s = {s}, N = {N}: {', '.join(want)}", "deterministic accounting",
                                expected, measured, None, None, f"equal in all {replications} replications", None,
                                replications))
        if progress:
            progress(res.checks[-1].line())
    res.seconds = time.perf_counter() - t0
    return res


# --- detection -------------------------------------------------------------------------------------
def swerling1_pd(snr, pfa):
    """Swerling 1, one pulse, square-law detector: ``Pd = Pfa^(1 / (1 + SNR))``."""
    return pfa ** (1.0 / (1.0 + snr))


def swerling0_pd(snr, pfa, n):
    """Swerling 0 (steady target), ``n`` pulses integrated noncoherently, square-law detector (Marcum):
    ``Pd = P[ncx2(2n, 2 n SNR) > 2T]`` with ``P[chi2(2n) > 2T] = Pfa`` (unit noise power per sample)."""
    t2 = stats.chi2.isf(pfa, 2 * n)
    return stats.ncx2.sf(t2, 2 * n, 2 * n * snr)


def swerling1_pd_n(snr, pfa, n):
    """Swerling 1 (Rayleigh amplitude, constant over the ``n`` pulses of a scan, independent from scan to
    scan), ``n`` pulses integrated: the Marcum Pd averaged over the exponential per-pulse SNR ``s`` of mean
    ``snr``, ``Pd = int_0^inf Pd_0(s) exp(-s / snr) / snr ds`` (Swerling 1960), by quadrature."""
    def f(u):  # s = snr u, u ~ Exp(1)
        return swerling0_pd(snr * u, pfa, n) * np.exp(-u)
    return integrate.quad(f, 0.0, np.inf, epsabs=1e-12, epsrel=1e-10, limit=200)[0]


def _snr_for(p, pd: float) -> float:
    """Per-pulse SNR that gives detection probability ``pd`` for the radar's parameters ``p``, from the
    closed forms above (Swerling 1: ``ln Pfa / ln Pd - 1``; Swerling 0: root of the Marcum Pd)."""
    if p.swerling == 1 and p.n_pulses == 1:
        return float(np.log(p.pfa) / np.log(pd) - 1.0)
    fn = swerling0_pd if p.swerling == 0 else swerling1_pd_n
    return float(optimize.brentq(lambda s: fn(s, p.pfa, p.n_pulses) - pd, 1e-4, 1e4, xtol=1e-13))


def _pd(p, snr: float) -> float:
    if p.swerling == 1 and p.n_pulses == 1:
        return float(swerling1_pd(snr, p.pfa))
    return float((swerling0_pd if p.swerling == 0 else swerling1_pd_n)(snr, p.pfa, p.n_pulses))


def _fixed_targets(radar, r: float, m: int):
    """``m`` targets at slant range ``r`` across the radar's sector, 3 deg elevation (ECEF, zero velocity)."""
    p = radar.params
    half = min(p.az_width, 2 * np.pi) / 2
    az = p.az_center + np.linspace(-0.8 * half, 0.8 * half, m)
    enu = aer2enu(az, np.full(m, np.radians(3.0)), np.full(m, r))
    return enu2ecef(enu, radar.ecef, radar.C), np.zeros((m, 3))


def detection(replications: int = 2000, seed: int = 0, n_targets: int = 10, runs: int = 5,
              progress: Callable[[str], None] | None = None) -> OracleResult:
    """Detection through the engine's radar path against the closed forms (module docstring).

    ``replications`` scans of the engine's own radar object and generator (``Simulation(...).radars[0]``,
    ``radar_rngs[0]``) with ``n_targets`` targets of RCS 0.1 m^2 at a fixed slant range in the sector
    (independent detection draws), at the range where the closed form gives Pd ~ 0.6, for the catalog
    ``fire_control_radar`` (Swerling 1, one pulse) and the same radar overridden to 10 pulses (Swerling 1)
    and to Swerling 0 with 10 pulses; the false alarms per scan of the first (mean 2); and the
    ``false_alarms`` and ``scans`` counters of ``runs`` whole runs of 10 min.
    """
    name = "detection"
    res = OracleResult(name, "detection: Pd(SNR) of the radar equation and Swerling/Marcum; Poisson false alarms",
                       f"the engine's fire_control_radar object, {n_targets} targets of 0.1 m^2 at fixed range, "
                       f"{replications} scans; {runs} runs of 10 min for the summary counters", replications)
    t0 = time.perf_counter()
    rcs = 0.1
    cases = [("Swerling 1, 1 pulse", {}), ("Swerling 1, 10 pulses", {"n_pulses": 10}),
             ("Swerling 0, 10 pulses", {"swerling": 0, "n_pulses": 10})]
    fa_counts = None
    for k, (label, override) in enumerate(cases):
        c = sc.radar_site(override)
        sim = Simulation(c, _seeds(f"{name}{k}", 1, seed)[0])
        radar, rng = sim.radars[0], sim.radar_rngs[0]
        p = radar.params
        # the range (rounded to 1 km) at which the closed form gives Pd ~ 0.6 on the small target
        snr_ref = _snr_for(p, p.pd_ref)
        r = 1e3 * round(p.r_ref * (snr_ref * rcs / (p.rcs_ref * _snr_for(p, 0.6))) ** 0.25 / 1e3)
        pos, vel = _fixed_targets(radar, r, n_targets)
        geo, cover = radar.geometry(pos, vel)
        _require(bool(cover.all()) and bool(np.allclose(geo[:, 0], r, rtol=1e-9)), name,
                 "a fixed target is outside the radar's coverage")
        snr = snr_ref * (rcs / p.rcs_ref) * (p.r_ref / r) ** 4
        pd = _pd(p, snr)
        ids = np.arange(n_targets)
        hits = 0
        fa = np.zeros(replications, np.int64)
        for i in range(replications):
            det = radar.measure(i * p.scan_period, pos, vel, np.full(n_targets, rcs), ids, rng)
            hits += int(np.count_nonzero(det.truth_id >= 0))
            fa[i] = int(np.count_nonzero(det.truth_id < 0))
        res.checks.append(binomial(name, f"Pd per scan, {label}, SNR {10 * np.log10(snr):.2f} dB at "
                                         f"{r / 1e3:.0f} km", "Skolnik ch. 2; Richards ch. 6; Marcum 1960",
                                   hits, n_targets * replications, pd))
        if progress:
            progress(res.checks[-1].line())
        if k == 0:
            fa_counts, lam = fa, p.fa_per_scan
    # false alarms per scan: the distribution (Poisson GOF) and the mean (exact Poisson test of the total)
    kmax = int(fa_counts.max()) + 1
    obs = np.bincount(fa_counts, minlength=kmax + 1)[: kmax + 1].astype(float)
    probs = stats.poisson.pmf(np.arange(kmax + 1), lam)
    probs[-1] = stats.poisson.sf(kmax - 1, lam)
    res.checks.append(chi_square_gof(name, "false alarms per scan: distribution", "radar model (Poisson)", obs,
                                     probs, f"Poisson({lam:g})"))
    res.checks.append(poisson_count(name, "false alarms per scan: mean", "radar model (Poisson)",
                                    int(fa_counts.sum()), lam * fa_counts.size, per=fa_counts.size))
    # the same through whole runs: the summary's counters
    c = sc.radar_site()
    n_fa = n_scans = 0
    for s in _seeds(f"{name}runs", runs, seed):
        summary = Simulation(c, s).run().summary["tracking"]
        n_fa += summary["false_alarms"]
        n_scans += summary["scans"]
    lam = c.radars[0].spec.false_alarms_per_scan
    res.checks.append(poisson_count(name, "false alarms per scan: run summary counters", "radar model (Poisson)",
                                    n_fa, lam * n_scans, per=n_scans))
    if progress:
        progress("\n".join(ch.line() for ch in res.checks[-3:]))
    res.seconds = time.perf_counter() - t0
    return res


@dataclass(frozen=True)
class Oracle:
    """An oracle function with its arguments in CI (``tests/validation``) and in
    ``benchmarks/validation.py`` (more replications)."""

    fn: Callable[..., OracleResult]
    ci: dict
    bench: dict


#: every oracle by name
# --- damage by impact point ----------------------------------------------------------------------------
PRZEMIENIECKI = "Przemieniecki 2000, sect. 4.2-4.3"
DAMAGE_CONFIGS = (("carleton", 30.0, 40.0, 0.9, 0.2, 0.5), ("cookie_cutter", 25.0, 30.0, 0.8, 0.1, 0.5))


def damage(replications: int = 6, seed: int = 0, n_cells: int = 50, configs=DAMAGE_CONFIGS,
           progress: Callable[[str], None] | None = None) -> OracleResult:
    """Damage by impact point against the closed forms (module docstring).

    Set-up (:func:`~iadsim.validation.scenarios.undefended`): ``n_cells`` independent cells, each one drone
    (no flight profile) with the configured CEP, lethal radius, damage function and reliability against a
    point asset of hardness ``H`` and threshold ``T``; every drone arrives. Per configuration: the destroyed
    count against the binomial of ``P(destroyed)`` and the mean damage against ``p (1 - H) E[D]``, its null
    deviation from the damage's second moment computed here by quadrature."""
    from iadsim.threats.damage import CARLETON, COOKIE_CUTTER, expected_coverage

    name = "damage"
    res = OracleResult(name, "damage by impact point: Rayleigh miss, cookie-cutter and Carleton functions",
                       f"{n_cells} undefended cells, one drone each, CEP and lethal radius", replications)
    t0 = time.perf_counter()
    for k, (fn, cep, R, p, H, T) in enumerate(configs):
        sigma = cep / 1.1774100225154747
        over = {"cep": f"{cep} m", "p_damage": p, "warhead": {"lethal_radius": f"{R} m", "damage_function": fn}}
        c = sc.undefended(n_cells, override=over, hardness=H, threshold=T)
        kind = COOKIE_CUTTER if fn == "cookie_cutter" else CARLETON
        r_star = R if kind == COOKIE_CUTTER else R * np.sqrt(np.log((1 - H) / T))
        p_destroy = p * (1.0 - np.exp(-r_star ** 2 / (2 * sigma ** 2))) if (1 - H) >= T or kind == CARLETON else 0.0
        mean_d = p * (1 - H) * expected_coverage(kind, R, sigma)
        # second moment of the damage: E[(w D (1 - H))^2] = p (1 - H)^2 E[D^2]
        if kind == COOKIE_CUTTER:
            ed2 = 1.0 - np.exp(-R ** 2 / (2 * sigma ** 2))
        else:
            def d2_rayleigh(r, R=R, sigma=sigma):  # D(r)^2 times the Rayleigh density of the miss
                return np.exp(-2 * r * r / R ** 2) * r / sigma ** 2 * np.exp(-r * r / (2 * sigma ** 2))

            ed2 = integrate.quad(d2_rayleigh, 0, np.inf)[0]
        sd = np.sqrt(p * (1 - H) ** 2 * ed2 - mean_d ** 2)
        destroyed, dmg = 0, []
        for s in _seeds(f"{name}{k}", replications, seed):
            sim = _run(c, s)
            st = sim.threat_state
            _require(bool((st.status == LEAKED).all()), name, "a threat did not arrive")
            destroyed += int(st.asset_destroyed.sum())
            dmg.extend(st.asset_damage.tolist())
        n = replications * n_cells
        label = f"{fn}, CEP {cep:g} m, R {R:g} m, p {p:g}, H {H:g}, T {T:g}"
        res.checks.append(binomial(name, f"P(asset destroyed), {label}", PRZEMIENIECKI, destroyed, n, p_destroy))
        res.checks.append(mean_z(name, f"mean damage, {label}", PRZEMIENIECKI, dmg, mean_d, sd))
        if progress:
            progress(res.checks[-2].line())
            progress(res.checks[-1].line())
    res.seconds = time.perf_counter() - t0
    return res


ORACLES: dict[str, Oracle] = {
    "salvo": Oracle(salvo, {"replications": 40}, {"replications": 300}),
    "shoot_look_shoot": Oracle(shoot_look_shoot, {"replications": 32}, {"replications": 250}),
    "layers": Oracle(layers, {"replications": 32}, {"replications": 250}),
    "raid_annihilation": Oracle(raid_annihilation, {"replications": 150}, {"replications": 1200}),
    "magazine": Oracle(magazine, {"replications": 3}, {"replications": 20}),
    "detection": Oracle(detection, {"replications": 2000, "runs": 5}, {"replications": 20000, "runs": 15}),
    "damage": Oracle(damage, {"replications": 6}, {"replications": 40}),
}
