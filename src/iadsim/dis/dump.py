"""One line per PDU, for ``iadsim dis-dump``: what a datagram holds, decoded (a diagnostic, not a parser).

Entity State: entity id, force, entity type, marking, geodetic position (deg, deg, m), speed, dead-reckoning
algorithm, appearance flags. Fire and Detonation: event id, firing, target and munition entities, position,
range or result. Undecodable datagrams: the reason (:class:`iadsim.dis.pdu.PduError`).
"""

from __future__ import annotations

import math

import numpy as np

from iadsim.dis import pdu as P
from iadsim.dis.entity_types import APPEARANCE_DEACTIVATED, APPEARANCE_DESTROYED, RESULT_NAMES
from iadsim.frames import ecef2geodetic


def _where(loc) -> str:
    if not all(map(math.isfinite, loc)) or np.linalg.norm(loc) < 1.0:
        return f"ecef ({loc[0]:.6g}, {loc[1]:.6g}, {loc[2]:.6g})"
    lat, lon, alt = (float(np.reshape(x, -1)[0]) for x in ecef2geodetic(np.asarray(loc, float)))
    return f"{math.degrees(lat):9.5f} {math.degrees(lon):10.5f} {alt:9.1f} m"


def describe(p) -> str:
    """One line for a decoded PDU."""
    ts = f"ts {P.timestamp_seconds(p.timestamp):8.3f}"
    if isinstance(p, P.EntityState):
        flags = [n for bit, n in ((APPEARANCE_DEACTIVATED, "deactivated"),) if p.appearance & bit]
        if p.appearance & APPEARANCE_DESTROYED == APPEARANCE_DESTROYED:
            flags.append("destroyed")
        speed = math.sqrt(sum(v * v for v in p.velocity)) if all(map(math.isfinite, p.velocity)) else math.nan
        return (f"ES   {str(p.entity_id):14s} force {p.force} type {str(p.entity_type):16s} {p.marking!r:14s} "
                f"{_where(p.location)} {speed:7.1f} m/s DR {p.dr_algorithm}"
                + (f" [{', '.join(flags)}]" if flags else "") + f" {ts}")
    if isinstance(p, P.Fire):
        return (f"FIRE event {p.event} firing {p.firing} target {p.target} munition {p.munition} "
                f"type {p.descriptor.munition} at {_where(p.location)} range {p.range:.0f} m {ts}")
    return (f"DET  event {p.event} firing {p.firing} target {p.target} exploding {p.exploding} "
            f"at {_where(p.location)} result {p.result} ({RESULT_NAMES.get(p.result, '?')}) {ts}")


def describe_datagram(data: bytes, counts: dict) -> list[str]:
    """Lines for the PDUs of one datagram; ``counts`` (by PDU kind or error kind) is updated."""
    counts["datagrams"] = counts.get("datagrams", 0) + 1
    try:
        pdus = P.split(data)
    except P.PduError as exc:
        counts[exc.kind] = counts.get(exc.kind, 0) + 1
        return [f"{exc.kind.upper()}: {exc}"]
    lines = []
    for d in pdus:
        try:
            p = P.decode(d)
        except P.PduError as exc:
            counts[exc.kind] = counts.get(exc.kind, 0) + 1
            lines.append(f"{exc.kind.upper()}: {exc}")
            continue
        counts[P.PDU_NAMES[p.pdu_type]] = counts.get(P.PDU_NAMES[p.pdu_type], 0) + 1
        lines.append(describe(p))
    return lines
