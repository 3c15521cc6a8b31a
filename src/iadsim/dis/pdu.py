"""DIS PDUs on the wire: the header, Entity State, Fire and Detonation records with encode/decode.

Layouts of IEEE 1278.1-2012 (DIS 7), big-endian, as its clauses give them (sizes in bytes):

* PDU header (6.2.66), 12: protocol version, exercise id, PDU type, protocol family (u8 each), timestamp
  (u32, 6.2.88), length (u16, the whole PDU), PDU status (u8, 6.2.67), padding (u8).
* Entity State PDU (7.2.2; type 1, family 1), 144 + 16 n: entity id (site, application, entity: u16 x 3),
  force id (u8), number n of variable parameters (u8), entity type and alternative entity type (6.2.30:
  kind u8, domain u8, country u16, category, subcategory, specific, extra u8), linear velocity (3 f32,
  m/s, world), location (3 f64, m, world = WGS-84 ECEF), orientation (psi, theta, phi: 3 f32, rad, Euler
  angles of the body from the world frame, 6.2.32), appearance (u32), dead-reckoning parameters (6.2.29:
  algorithm u8, 15 bytes of other parameters, linear acceleration 3 f32, angular velocity 3 f32 in body
  axes), marking (character set u8 + 11 characters), capabilities (u32), n variable-parameter records of
  16 bytes (kept raw).
* Fire PDU (7.3.2; type 2, family 2), 96: firing, target and munition entity ids, event id (site,
  application, event number: u16 x 3, 6.2.33), fire mission index (u32), location (3 f64), munition
  descriptor (6.2.19.2: munition entity type, warhead u16, fuse u16, quantity u16, rate u16), velocity
  (3 f32), range (f32).
* Detonation PDU (7.3.3; type 3, family 2), 104 + 16 n: firing, target and exploding entity ids, event id,
  velocity (3 f32), location (3 f64, world), descriptor, location in the target's entity coordinates
  (3 f32), detonation result (u8), n (u8), padding (u16), n variable-parameter records.

Why not a library: opendis, the maintained Python DIS implementation, has one release on PyPI (1.0),
which requires ``numpy<2``; installing it would take the whole project back to numpy 1.26 (and has no
wheels for Python 3.13). The codec here covers exactly the three PDUs iadsim exchanges, with
``struct``; ``tests/dis/test_pdu.py`` checks it byte for byte against PDUs built and decoded by opendis 1.0
(``tests/dis/data/opendis_reference.json``, made by ``tests/dis/data/make_opendis_reference.py`` in a
separate environment).

Timestamps (6.2.88): ``timestamp(t)`` is the time past the hour in units of 3600 / 2^31 s in the upper 31
bits, the low bit 0 for a relative timestamp (1 absolute).

Decoding raises :class:`PduError` with a ``kind`` the receiver counts: ``truncated`` (shorter than its
header or its own length says), ``malformed`` (a length field inconsistent with the PDU type), or
``unknown_type`` (a PDU type other than the three).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

#: DIS protocol version written (7 = IEEE 1278.1-2012)
PROTOCOL_VERSION = 7
ENTITY_STATE, FIRE, DETONATION = 1, 2, 3
FAMILY = {ENTITY_STATE: 1, FIRE: 2, DETONATION: 2}
PDU_NAMES = {ENTITY_STATE: "entity_state", FIRE: "fire", DETONATION: "detonation"}

HEADER = struct.Struct(">BBBBIHBB")
_ID = "HHH"
_TYPE = "BBHBBBB"
_ES = struct.Struct(">" + _ID + "BB" + _TYPE + _TYPE + "3f3d3fI" + "B15s3f3f" + "B11s" + "I")
_DESC = _TYPE + "HHHH"
_FIRE = struct.Struct(">" + _ID * 3 + _ID + "I3d" + _DESC + "3ff")
_DET = struct.Struct(">" + _ID * 3 + _ID + "3f3d" + _DESC + "3fBBH")
ES_SIZE = HEADER.size + _ES.size  # 144
FIRE_SIZE = HEADER.size + _FIRE.size  # 96
DET_SIZE = HEADER.size + _DET.size  # 104
VP_SIZE = 16  # one variable-parameter record


class PduError(ValueError):
    """A datagram that is not a PDU iadsim can use; ``kind`` is the receiver's counter."""

    def __init__(self, kind: str, message: str):
        self.kind = kind
        super().__init__(message)


@dataclass(frozen=True)
class EntityId:
    site: int
    application: int
    entity: int

    def __str__(self) -> str:
        return f"{self.site}:{self.application}:{self.entity}"


NO_ENTITY = EntityId(0, 0, 0)


@dataclass(frozen=True)
class EntityType:
    """SISO-REF-010 entity type (kind, domain, country, category, subcategory, specific, extra)."""

    kind: int
    domain: int
    country: int
    category: int
    subcategory: int = 0
    specific: int = 0
    extra: int = 0

    def as_tuple(self) -> tuple:
        return (self.kind, self.domain, self.country, self.category, self.subcategory, self.specific, self.extra)

    def __str__(self) -> str:
        return ".".join(str(v) for v in self.as_tuple())


NO_TYPE = EntityType(0, 0, 0, 0)


@dataclass(frozen=True)
class Header:
    pdu_type: int
    exercise: int = 1
    timestamp: int = 0
    length: int = 0
    version: int = PROTOCOL_VERSION
    family: int = 0
    status: int = 0


@dataclass(frozen=True)
class EntityState:
    """Entity State PDU (module docstring); vectors are tuples of floats, angles in radians."""

    entity_id: EntityId
    force: int
    entity_type: EntityType
    velocity: tuple = (0.0, 0.0, 0.0)
    location: tuple = (0.0, 0.0, 0.0)
    orientation: tuple = (0.0, 0.0, 0.0)
    appearance: int = 0
    dr_algorithm: int = 1
    acceleration: tuple = (0.0, 0.0, 0.0)
    angular_velocity: tuple = (0.0, 0.0, 0.0)
    marking: str = ""
    capabilities: int = 0
    alt_type: EntityType = NO_TYPE
    dr_other: bytes = bytes(15)
    variable: bytes = b""
    exercise: int = 1
    timestamp: int = 0
    pdu_type: int = field(default=ENTITY_STATE, init=False)

    def encode(self) -> bytes:
        n = len(self.variable) // VP_SIZE
        mark = self.marking.encode("ascii", "replace")[:11].ljust(11, b"\0")
        body = _ES.pack(self.entity_id.site, self.entity_id.application, self.entity_id.entity, self.force, n,
                        *self.entity_type.as_tuple(), *self.alt_type.as_tuple(), *self.velocity, *self.location,
                        *self.orientation, self.appearance, self.dr_algorithm, self.dr_other, *self.acceleration,
                        *self.angular_velocity, 1, mark, self.capabilities)
        return _header(ENTITY_STATE, self.exercise, self.timestamp, ES_SIZE + len(self.variable)) + body + \
            self.variable


@dataclass(frozen=True)
class MunitionDescriptor:
    munition: EntityType
    warhead: int = 0
    fuse: int = 0
    quantity: int = 1
    rate: int = 0


@dataclass(frozen=True)
class Fire:
    """Fire PDU (module docstring)."""

    firing: EntityId
    target: EntityId
    munition: EntityId
    event: EntityId  # event identifier: (site, application, event number)
    location: tuple
    descriptor: MunitionDescriptor
    velocity: tuple = (0.0, 0.0, 0.0)
    range: float = 0.0
    fire_mission: int = 0
    exercise: int = 1
    timestamp: int = 0
    pdu_type: int = field(default=FIRE, init=False)

    def encode(self) -> bytes:
        d = self.descriptor
        body = _FIRE.pack(*_ids(self.firing, self.target, self.munition, self.event), self.fire_mission,
                          *self.location, *d.munition.as_tuple(), d.warhead, d.fuse, d.quantity, d.rate,
                          *self.velocity, self.range)
        return _header(FIRE, self.exercise, self.timestamp, FIRE_SIZE) + body


@dataclass(frozen=True)
class Detonation:
    """Detonation PDU (module docstring)."""

    firing: EntityId
    target: EntityId
    exploding: EntityId
    event: EntityId
    location: tuple
    descriptor: MunitionDescriptor
    result: int
    velocity: tuple = (0.0, 0.0, 0.0)
    location_in_entity: tuple = (0.0, 0.0, 0.0)
    variable: bytes = b""
    exercise: int = 1
    timestamp: int = 0
    pdu_type: int = field(default=DETONATION, init=False)

    def encode(self) -> bytes:
        d = self.descriptor
        n = len(self.variable) // VP_SIZE
        body = _DET.pack(*_ids(self.firing, self.target, self.exploding, self.event), *self.velocity,
                         *self.location, *d.munition.as_tuple(), d.warhead, d.fuse, d.quantity, d.rate,
                         *self.location_in_entity, self.result, n, 0)
        return _header(DETONATION, self.exercise, self.timestamp, DET_SIZE + len(self.variable)) + body + \
            self.variable


def _ids(*ids: EntityId) -> list[int]:
    return [v for i in ids for v in (i.site, i.application, i.entity)]


def _header(pdu_type: int, exercise: int, timestamp: int, length: int) -> bytes:
    return HEADER.pack(PROTOCOL_VERSION, exercise, pdu_type, FAMILY[pdu_type], timestamp & 0xFFFFFFFF, length, 0, 0)


def timestamp(t: float, absolute: bool = False) -> int:
    """DIS timestamp (6.2.88) of ``t`` seconds (its time past the hour)."""
    units = int((t % 3600.0) / 3600.0 * 2**31) & 0x7FFFFFFF
    return (units << 1) | int(absolute)


def timestamp_seconds(ts: int) -> float:
    """Seconds past the hour of a DIS timestamp."""
    return (ts >> 1) * 3600.0 / 2**31


def decode_header(data: bytes) -> Header:
    if len(data) < HEADER.size:
        raise PduError("truncated", f"{len(data)} bytes, shorter than a PDU header ({HEADER.size})")
    v, ex, typ, fam, ts, length, status, _ = HEADER.unpack_from(data)
    return Header(pdu_type=typ, exercise=ex, timestamp=ts, length=length, version=v, family=fam, status=status)


def split(datagram: bytes) -> list[bytes]:
    """The PDUs of one datagram (DIS allows several in one, each with its own length).

    Raises :class:`PduError` (``truncated``) when a length runs past the datagram, ``malformed`` when it is
    shorter than a header."""
    out, off = [], 0
    while off < len(datagram):
        h = decode_header(datagram[off:])
        if h.length < HEADER.size:
            raise PduError("malformed", f"PDU length {h.length} shorter than its header")
        if off + h.length > len(datagram):
            raise PduError("truncated", f"PDU length {h.length} but {len(datagram) - off} bytes left")
        out.append(bytes(datagram[off: off + h.length]))
        off += h.length
    return out


def decode(data: bytes):
    """One PDU (``data`` exactly its length) -> :class:`EntityState`, :class:`Fire` or :class:`Detonation`."""
    h = decode_header(data)
    if h.pdu_type not in PDU_NAMES:
        raise PduError("unknown_type", f"PDU type {h.pdu_type}")
    if len(data) < h.length:
        raise PduError("truncated", f"{len(data)} bytes, the header says {h.length}")
    data = data[: h.length]
    fixed = {ENTITY_STATE: ES_SIZE, FIRE: FIRE_SIZE, DETONATION: DET_SIZE}[h.pdu_type]
    if len(data) < fixed:
        raise PduError("truncated", f"{PDU_NAMES[h.pdu_type]} PDU of {len(data)} bytes, at least {fixed} expected")
    common = {"exercise": h.exercise, "timestamp": h.timestamp}
    if h.pdu_type == ENTITY_STATE:
        f = _ES.unpack_from(data, HEADER.size)
        n = f[4]
        if len(data) != ES_SIZE + VP_SIZE * n:
            raise PduError("malformed", f"entity state PDU of {len(data)} bytes with {n} variable parameters")
        return EntityState(
            entity_id=EntityId(*f[0:3]), force=f[3], entity_type=EntityType(*f[5:12]), alt_type=EntityType(*f[12:19]),
            velocity=f[19:22], location=f[22:25], orientation=f[25:28], appearance=f[28], dr_algorithm=f[29],
            dr_other=f[30], acceleration=f[31:34], angular_velocity=f[34:37],
            marking=f[38].split(b"\0", 1)[0].decode("ascii", "replace"), capabilities=f[39],
            variable=bytes(data[ES_SIZE:]), **common)
    if h.pdu_type == FIRE:
        if len(data) != FIRE_SIZE:
            raise PduError("malformed", f"fire PDU of {len(data)} bytes, {FIRE_SIZE} expected")
        f = _FIRE.unpack_from(data, HEADER.size)
        return Fire(firing=EntityId(*f[0:3]), target=EntityId(*f[3:6]), munition=EntityId(*f[6:9]),
                    event=EntityId(*f[9:12]), fire_mission=f[12], location=f[13:16],
                    descriptor=MunitionDescriptor(EntityType(*f[16:23]), *f[23:27]), velocity=f[27:30],
                    range=f[30], **common)
    f = _DET.unpack_from(data, HEADER.size)
    n = f[33]
    if len(data) != DET_SIZE + VP_SIZE * n:
        raise PduError("malformed", f"detonation PDU of {len(data)} bytes with {n} variable parameters")
    return Detonation(firing=EntityId(*f[0:3]), target=EntityId(*f[3:6]), exploding=EntityId(*f[6:9]),
                      event=EntityId(*f[9:12]), velocity=f[12:15], location=f[15:18],
                      descriptor=MunitionDescriptor(EntityType(*f[18:25]), *f[25:29]), location_in_entity=f[29:32],
                      result=f[32], variable=bytes(data[DET_SIZE:]), **common)
