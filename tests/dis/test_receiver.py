"""The receiver under bad input: random and mutated datagrams (hypothesis) never raise, every PDU lands in
exactly one counter, only plausible states get through; the bounded queue drops its oldest and counts."""

import logging
import math
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.dis import pdu as P
from iadsim.dis.receiver import REJECTIONS, BoundedQueue, Receiver


def espdu(entity=1, ts=2, loc=(6.4e6, 0.0, 0.0), site=9, exercise=1):
    return P.EntityState(entity_id=P.EntityId(site, 9, entity), force=2, entity_type=P.EntityType(2, 11, 0, 1),
                         velocity=(240.0, 0.0, 0.0), location=loc, dr_algorithm=2, timestamp=ts,
                         exercise=exercise).encode()


FIRE = P.Fire(firing=P.EntityId(9, 9, 1), target=P.EntityId(1, 1, 5), munition=P.EntityId(9, 9, 2),
              event=P.EntityId(9, 9, 1), location=(6.4e6, 0.0, 0.0),
              descriptor=P.MunitionDescriptor(P.EntityType(2, 1, 0, 1))).encode()


def balanced(r: Receiver) -> bool:
    c = r.counts
    return c["pdus"] == c["accepted"] + sum(c[k] for k in REJECTIONS)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=400), max_size=20))
def test_random_datagrams_never_raise_and_the_counts_add_up(datagrams):
    r = Receiver(exercise=1, own=(1, 1))
    for d in datagrams:
        for p in r.feed(d, ("127.0.0.1", 1)):
            assert isinstance(p, P.EntityState)
    assert r.counts["datagrams"] == len(datagrams)
    assert balanced(r)


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 143), st.integers(1, 255)),
    st.tuples(st.just("cut"), st.integers(0, 143), st.just(0)),
    st.tuples(st.just("grow"), st.integers(1, 64), st.just(0)),
    st.tuples(st.just("float"), st.integers(0, 8), st.sampled_from([math.nan, math.inf, -1e30, 0.0, 1e12])),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(0, 2**32 - 1), mutation), min_size=1, max_size=30))
def test_mutated_entity_states_never_raise_and_only_plausible_states_pass(cases):
    r = Receiver(exercise=1, own=(1, 1))
    for entity, ts, (how, where, val) in cases:
        d = bytearray(espdu(entity, ts))
        if how == "flip":
            d[where] ^= val
        elif how == "cut":
            d = d[:where]
        elif how == "grow":
            d += bytes(where)
        else:  # overwrite one of the velocity (36..47) or location (48..71) numbers
            off = 36 + 4 * where if where < 3 else 48 + 8 * (where - 3) if where < 6 else 48 + 8 * (where - 6)
            struct.pack_into(">f" if where < 3 else ">d", d, off, val)
        for p in r.feed(bytes(d)):
            assert all(math.isfinite(x) for x in (*p.location, *p.velocity, *p.acceleration))
            assert 6.0e6 <= math.dist(p.location, (0, 0, 0)) <= 5.0e7
    assert balanced(r)
    assert r.counts["datagrams"] == len(cases)


def test_each_kind_is_counted_and_logged_once(caplog):
    r = Receiver(exercise=1, own=(1, 1))
    with caplog.at_level(logging.WARNING, logger="iadsim.dis"):
        assert len(r.feed(espdu(1, ts=10))) == 1
        assert r.feed(espdu(1, ts=10)) == []  # not newer: out of order
        assert r.feed(espdu(1, ts=8)) == []  # older: out of order
        assert len(r.feed(espdu(1, ts=12))) == 1
        assert r.feed(espdu(2, loc=(0.0, 0.0, 0.0))) == []  # implausible
        assert r.feed(espdu(3, site=1)[:0] + P.EntityState(
            entity_id=P.EntityId(1, 1, 3), force=1, entity_type=P.EntityType(1, 1, 0, 28),
            location=(6.4e6, 0, 0), exercise=1).encode()) == []  # own
        assert r.feed(espdu(4, exercise=2)) == []
        assert r.feed(FIRE) == [] and r.feed(FIRE) == []
        assert r.feed(espdu(5)[:-10]) == []
        assert r.feed(b"\x09" + espdu(5)[1:]) == []
        # a bundle of two good PDUs and one of another type
        assert len(r.feed(espdu(6, ts=4) + FIRE + espdu(7, ts=4))) == 2
    c = r.counts
    assert (c["accepted"], c["out_of_order"], c["implausible"], c["own"], c["other_exercise"], c["unused_type"],
            c["truncated"], c["bad_version"]) == (4, 2, 1, 1, 1, 3, 1, 1)
    assert balanced(r)
    logged = [m for m in caplog.messages if "first" in m]
    assert len(logged) == 7 and sum("out of order" in m for m in logged) == 1


def test_the_queue_is_bounded_and_drops_the_oldest():
    q = BoundedQueue(4)
    for i in range(10):
        q.put(i)
    assert len(q) == 4 and q.dropped == 6 and q.put_count == 10
    assert q.take(3) == [6, 7, 8] and q.take(10) == [9] and q.take(1) == []
