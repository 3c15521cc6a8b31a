"""Reference PDUs made by opendis 1.0 (an independent DIS implementation), for tests/dis/test_pdu.py.

Run in an environment of its own (opendis 1.0 requires numpy<2, which iadsim does not use)::

    python3.11 -m venv /tmp/opendis && /tmp/opendis/bin/pip install opendis==1.0
    /tmp/opendis/bin/python tests/dis/data/make_opendis_reference.py > tests/dis/data/opendis_reference.json
    /tmp/opendis/bin/python tests/dis/data/make_opendis_reference.py --check RUN.pcap   # decode a recording

The first form writes, for a few Entity State, Fire and Detonation PDUs, the field values given to opendis and
the bytes opendis serialized. The second decodes every PDU of a pcap recording (``iadsim run --dis-file``)
with opendis and prints one JSON line per PDU (type, entity or event ids, time stamp, location).
"""

import json
import struct
import sys
from io import BytesIO

from opendis.DataOutputStream import DataOutputStream
from opendis.dis7 import (
    DeadReckoningParameters,
    DetonationPdu,
    EntityID,
    EntityMarking,
    EntityStatePdu,
    EntityType,
    EulerAngles,
    EventIdentifier,
    FirePdu,
    MunitionDescriptor,
    SimulationAddress,
    Vector3Double,
    Vector3Float,
)
from opendis.PduFactory import createPdu


def _id(v):
    return EntityID(*v)


def _type(v):
    return EntityType(*v)


def _event(v):
    return EventIdentifier(SimulationAddress(v[0], v[1]), v[2])


def _bytes(pdu, length):
    # set on the instance: opendis 1.0's base constructor leaves type, family and status at 0 / an object
    pdu.pduType = {EntityStatePdu: 1, FirePdu: 2, DetonationPdu: 3}[type(pdu)]
    pdu.pduStatus = 0
    pdu.exerciseID = 3
    pdu.timestamp = 123456789
    pdu.length = length
    pdu.protocolFamily = 1 if isinstance(pdu, EntityStatePdu) else 2
    buf = BytesIO()
    pdu.serialize(DataOutputStream(buf))
    return buf.getvalue()


def entity_state(case):
    m = EntityMarking()
    m.characterSet = 1
    m.characters = [ord(c) for c in case["marking"].ljust(11, "\0")]
    pdu = EntityStatePdu(
        entityID=_id(case["entity_id"]), forceId=case["force"], entityType=_type(case["entity_type"]),
        alternativeEntityType=_type([0] * 7), entityLinearVelocity=Vector3Float(*case["velocity"]),
        entityLocation=Vector3Double(*case["location"]), entityOrientation=EulerAngles(*case["orientation"]),
        entityAppearance=case["appearance"],
        deadReckoningParameters=DeadReckoningParameters(case["dr_algorithm"], [0] * 15,
                                                        Vector3Float(*case["acceleration"]),
                                                        Vector3Float(*case["angular_velocity"])),
        marking=m, capabilities=case["capabilities"])
    return _bytes(pdu, 144)


def _descriptor(case):
    d = case["descriptor"]
    return MunitionDescriptor(_type(d["munition"]), d["warhead"], d["fuse"], d["quantity"], d["rate"])


def fire(case):
    pdu = FirePdu(munitionExpendableID=_id(case["munition"]), eventID=_event(case["event"]),
                  fireMissionIndex=case["fire_mission"], location=Vector3Double(*case["location"]),
                  descriptor=_descriptor(case), velocity=Vector3Float(*case["velocity"]), range_=case["range"])
    pdu.firingEntityID = _id(case["firing"])
    pdu.targetEntityID = _id(case["target"])
    return _bytes(pdu, 96)


def detonation(case):
    pdu = DetonationPdu(explodingEntityID=_id(case["exploding"]), eventID=_event(case["event"]),
                        velocity=Vector3Float(*case["velocity"]), location=Vector3Double(*case["location"]),
                        descriptor=_descriptor(case),
                        locationInEntityCoordinates=Vector3Float(*case["location_in_entity"]),
                        detonationResult=case["result"])
    pdu.firingEntityID = _id(case["firing"])
    pdu.targetEntityID = _id(case["target"])
    return _bytes(pdu, 104)


DESC = {"munition": [2, 1, 0, 1, 0, 0, 0], "warhead": 5000, "fuse": 1000, "quantity": 1, "rate": 0}
CASES = [
    {"pdu": "entity_state", "entity_id": [1, 1, 12], "force": 2, "entity_type": [2, 11, 0, 2, 0, 0, 0],
     "velocity": [1250.5, -300.25, 800.0], "location": [5621434.123456789, -1510231.5, -2167889.25],
     "orientation": [-0.25, 1.0, 0.125], "appearance": 0, "dr_algorithm": 4,
     "acceleration": [-3.5, 1.0, -9.75], "angular_velocity": [0.0, 0.001, -0.002], "marking": "BAL12",
     "capabilities": 0},
    {"pdu": "entity_state", "entity_id": [7, 4242, 65534], "force": 1, "entity_type": [1, 1, 0, 28, 0, 0, 0],
     "velocity": [0.0, 0.0, 0.0], "location": [5.6e6, -1.5e6, -2.17e6], "orientation": [3.0, -1.5, 2.5],
     "appearance": (1 << 23) | (3 << 3), "dr_algorithm": 1, "acceleration": [0.0, 0.0, 0.0],
     "angular_velocity": [0.0, 0.0, 0.0], "marking": "Bravo-1 long", "capabilities": 0},
    {"pdu": "fire", "firing": [1, 1, 3], "target": [1, 1, 12], "munition": [1, 1, 40], "event": [1, 1, 7],
     "fire_mission": 0, "location": [5621000.5, -1510000.25, -2167000.125], "descriptor": DESC,
     "velocity": [10.0, 20.0, 30.0], "range": 41234.5},
    {"pdu": "detonation", "firing": [1, 1, 3], "target": [9, 9, 1001], "exploding": [1, 1, 40],
     "event": [1, 1, 7], "velocity": [-900.0, 100.5, 50.25], "location": [5622000.5, -1511000.25, -2166000.125],
     "descriptor": DESC, "location_in_entity": [0.5, -1.25, 2.0], "result": 1},
]


def check(path):
    data = open(path, "rb").read()
    off = 24
    while off + 16 <= len(data):
        sec, usec, n, _ = struct.unpack("<IIII", data[off: off + 16])
        payload = data[off + 16 + 28: off + 16 + n]
        off += 16 + n
        pdu = createPdu(payload)
        row = {"time": sec + usec * 1e-6, "type": pdu.pduType, "timestamp": pdu.timestamp}
        if pdu.pduType == 1:
            e = pdu.entityID
            loc = pdu.entityLocation
            row.update(entity=[e.siteID, e.applicationID, e.entityID], location=[loc.x, loc.y, loc.z],
                       velocity=[pdu.entityLinearVelocity.x, pdu.entityLinearVelocity.y, pdu.entityLinearVelocity.z],
                       acceleration=[pdu.deadReckoningParameters.entityLinearAcceleration.x,
                                     pdu.deadReckoningParameters.entityLinearAcceleration.y,
                                     pdu.deadReckoningParameters.entityLinearAcceleration.z],
                       dr=pdu.deadReckoningParameters.deadReckoningAlgorithm, appearance=pdu.entityAppearance)
        else:
            ev = pdu.eventID
            row.update(event=[ev.simulationAddress.site, ev.simulationAddress.application, ev.eventNumber])
        print(json.dumps(row))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        make = {"entity_state": entity_state, "fire": fire, "detonation": detonation}
        out = [{**c, "hex": make[c["pdu"]](c).hex()} for c in CASES]
        json.dump({"generator": "opendis 1.0 (PyPI)", "cases": out}, sys.stdout, indent=1)
        sys.stdout.write("\n")
