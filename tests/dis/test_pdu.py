"""The PDU codec against an independent implementation (opendis 1.0: byte-for-byte reference PDUs), round
trips of random records (hypothesis), bundles, and the error kinds of bad input."""

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.dis import pdu as P

REF = json.loads((Path(__file__).parent / "data" / "opendis_reference.json").read_text())["cases"]


def f32(v):
    return tuple(float(x) for x in np.asarray(v, np.float32))


def _build(c):
    common = {"exercise": 3, "timestamp": 123456789}
    d = c.get("descriptor")
    desc = P.MunitionDescriptor(P.EntityType(*d["munition"]), d["warhead"], d["fuse"], d["quantity"], d["rate"]) \
        if d else None
    if c["pdu"] == "entity_state":
        return P.EntityState(entity_id=P.EntityId(*c["entity_id"]), force=c["force"],
                             entity_type=P.EntityType(*c["entity_type"]), velocity=tuple(c["velocity"]),
                             location=tuple(c["location"]), orientation=tuple(c["orientation"]),
                             appearance=c["appearance"], dr_algorithm=c["dr_algorithm"],
                             acceleration=tuple(c["acceleration"]), angular_velocity=tuple(c["angular_velocity"]),
                             marking=c["marking"], capabilities=c["capabilities"], **common)
    if c["pdu"] == "fire":
        return P.Fire(firing=P.EntityId(*c["firing"]), target=P.EntityId(*c["target"]),
                      munition=P.EntityId(*c["munition"]), event=P.EntityId(*c["event"]),
                      fire_mission=c["fire_mission"], location=tuple(c["location"]), descriptor=desc,
                      velocity=tuple(c["velocity"]), range=c["range"], **common)
    return P.Detonation(firing=P.EntityId(*c["firing"]), target=P.EntityId(*c["target"]),
                        exploding=P.EntityId(*c["exploding"]), event=P.EntityId(*c["event"]),
                        velocity=tuple(c["velocity"]), location=tuple(c["location"]), descriptor=desc,
                        location_in_entity=tuple(c["location_in_entity"]), result=c["result"], **common)


@pytest.mark.parametrize("case", REF, ids=[f"{c['pdu']}{i}" for i, c in enumerate(REF)])
def test_encoding_is_byte_for_byte_what_opendis_serializes(case):
    assert _build(case).encode().hex() == case["hex"]


@pytest.mark.parametrize("case", REF, ids=[f"{c['pdu']}{i}" for i, c in enumerate(REF)])
def test_decoding_opendis_bytes_gives_the_fields_it_was_given(case):
    p = P.decode(bytes.fromhex(case["hex"]))
    assert (p.exercise, p.timestamp) == (3, 123456789)
    if case["pdu"] == "entity_state":
        assert p.entity_id == P.EntityId(*case["entity_id"]) and p.force == case["force"]
        assert p.entity_type.as_tuple() == tuple(case["entity_type"])
        assert p.location == tuple(case["location"])  # float64 on the wire: exact
        assert p.velocity == f32(case["velocity"]) and p.orientation == f32(case["orientation"])
        assert p.acceleration == f32(case["acceleration"])
        assert p.angular_velocity == f32(case["angular_velocity"])
        assert p.appearance == case["appearance"] and p.dr_algorithm == case["dr_algorithm"]
        assert p.marking == case["marking"][:11]
    elif case["pdu"] == "fire":
        assert (p.firing, p.target, p.munition, p.event) == tuple(P.EntityId(*case[k]) for k in
                                                                  ("firing", "target", "munition", "event"))
        assert p.location == tuple(case["location"]) and p.range == case["range"]
        assert p.descriptor.munition.as_tuple() == tuple(case["descriptor"]["munition"])
        assert (p.descriptor.warhead, p.descriptor.fuse) == (5000, 1000)
    else:
        assert p.exploding == P.EntityId(*case["exploding"]) and p.result == case["result"]
        assert p.location_in_entity == f32(case["location_in_entity"])


finite32 = st.floats(-1e6, 1e6, allow_nan=False, width=32)
u16 = st.integers(0, 65535)


@settings(max_examples=200, deadline=None)
@given(ids=st.tuples(u16, u16, u16), typ=st.tuples(*[st.integers(0, 255)] * 2, u16, *[st.integers(0, 255)] * 4),
       vel=st.tuples(finite32, finite32, finite32),
       loc=st.tuples(*[st.floats(-1e8, 1e8, allow_nan=False)] * 3), app=st.integers(0, 2**32 - 1),
       mark=st.text(alphabet="ABCXYZ0123456789 -", max_size=11), ts=st.integers(0, 2**32 - 1),
       nvp=st.integers(0, 3))
def test_entity_state_round_trip(ids, typ, vel, loc, app, mark, ts, nvp):
    es = P.EntityState(entity_id=P.EntityId(*ids), force=2, entity_type=P.EntityType(*typ), velocity=vel,
                       location=loc, appearance=app, marking=mark, timestamp=ts, variable=bytes(range(16)) * nvp)
    data = es.encode()
    assert len(data) == 144 + 16 * nvp == struct.unpack(">H", data[8:10])[0]
    assert P.decode(data) == es


def test_bundles_split_and_bad_lengths_are_named():
    a = _build(REF[0]).encode()
    b = _build(REF[2]).encode()
    assert P.split(a + b) == [a, b]
    with pytest.raises(P.PduError) as e:
        P.split(a + b[:50])
    assert e.value.kind == "truncated"
    with pytest.raises(P.PduError) as e:
        P.decode(a[:100])
    assert e.value.kind == "truncated"
    bad = bytearray(a)
    bad[8:10] = struct.pack(">H", 150)  # length inconsistent with 0 variable parameters
    with pytest.raises(P.PduError) as e:
        P.decode(bytes(bad) + bytes(6))
    assert e.value.kind == "malformed"
    other = bytearray(b)
    other[2] = 26  # a PDU type iadsim does not decode
    with pytest.raises(P.PduError) as e:
        P.decode(bytes(other))
    assert e.value.kind == "unknown_type"


def test_timestamp_units_are_those_of_the_standard():
    # 6.2.88: 2^31 units per hour in the upper 31 bits, low bit 0 relative, 1 absolute
    assert P.timestamp(0.0) == 0
    assert P.timestamp(1800.0) == 2**31  # half an hour: 2^30 units, shifted
    assert P.timestamp(3600.0 + 900.0, absolute=True) == (2**29 << 1) | 1
    for t in (0.5, 123.456, 3599.9):
        assert abs(P.timestamp_seconds(P.timestamp(t)) - t) <= 3600.0 / 2**31
