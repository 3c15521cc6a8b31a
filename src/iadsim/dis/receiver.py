"""DIS in: a bounded queue of datagrams, and a receiver that counts everything it does not use.

:class:`UdpListener` reads a UDP socket on a thread of its own into a :class:`BoundedQueue` of
``QUEUE_SIZE`` datagrams; when the queue is full the *oldest* datagram is dropped (and counted): under a
flood the freshest states win, which is what dead reckoning wants. The live mode takes at most
``MAX_PER_STEP`` datagrams from the queue per step of 0.05 s of simulated time (so at most 5120 per
simulated second); the rest wait, and the queue bounds the backlog.

:class:`Receiver` turns one datagram into the Entity State PDUs the live mode can use. Every PDU (or the
undecodable remainder of a datagram) lands in exactly one counter:

* ``accepted``: an Entity State PDU of another simulation, newer than that entity's previous one;
* ``truncated``, ``malformed``, ``unknown_type``: :class:`~iadsim.dis.pdu.PduError` kinds;
* ``unused_type``: a valid Fire or Detonation PDU (iadsim does not act on others' fires);
* ``implausible``: an Entity State PDU whose location, velocity or acceleration is not finite, or whose
  location is not within 6000-50 000 km of the earth's centre;
* ``other_exercise``: another exercise id; ``own``: iadsim's own site and application (a loop back);
* ``out_of_order``: not newer than the entity's last accepted PDU (timestamps compared on their hourly
  circle: up to half an hour ahead is newer);
* ``bad_version``: a protocol version other than 5, 6 or 7.

So ``pdus = accepted + the sum of the rejection counters``. The first rejection of each kind is logged
(logger ``iadsim.dis``) with its source and reason; later ones are only counted.
"""

from __future__ import annotations

import collections
import logging
import math
import socket
import threading

from iadsim.dis import pdu as P
from iadsim.errors import InputError

log = logging.getLogger("iadsim.dis")

QUEUE_SIZE = 4096
MAX_PER_STEP = 256
REJECTIONS = ("truncated", "malformed", "unknown_type", "unused_type", "implausible", "other_exercise", "own",
              "out_of_order", "bad_version")
_HALF_HOUR = 2**29  # timestamp units (2^31 per hour) in half an hour


class BoundedQueue:
    """A thread-safe FIFO of at most ``size`` items that drops its oldest item when full (counted)."""

    def __init__(self, size: int = QUEUE_SIZE):
        self.size = int(size)
        self._q: collections.deque = collections.deque()
        self._lock = threading.Lock()
        self.put_count = 0
        self.dropped = 0

    def put(self, item) -> None:
        with self._lock:
            self.put_count += 1
            if len(self._q) >= self.size:
                self._q.popleft()
                self.dropped += 1
            self._q.append(item)

    def take(self, k: int) -> list:
        with self._lock:
            n = min(k, len(self._q))
            return [self._q.popleft() for _ in range(n)]

    def __len__(self) -> int:
        return len(self._q)


class UdpListener:
    """A UDP socket bound to ``host:port`` (port 0: the OS chooses; see :attr:`port`) read on a daemon
    thread into :attr:`queue` as ``(bytes, (host, port))``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, queue_size: int = QUEUE_SIZE):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.sock.bind((host, port))
        except OSError as exc:
            self.sock.close()
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}", field="--dis-in") from None
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.queue = BoundedQueue(queue_size)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dis-in", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                break
            self.queue.put((data, addr))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1.0)
        self.sock.close()


class Receiver:
    """Decodes and screens datagrams (module docstring); :attr:`counts` by kind."""

    def __init__(self, exercise: int | None = None, own: tuple[int, int] | None = None):
        self.exercise = exercise
        self.own = own
        self.counts = {"datagrams": 0, "pdus": 0, "accepted": 0, **{k: 0 for k in REJECTIONS}}
        self.last_ts: dict[P.EntityId, int] = {}
        self._logged: set[str] = set()

    def _reject(self, kind: str, source, why: str) -> None:
        self.counts[kind] += 1
        if kind not in self._logged:
            self._logged.add(kind)
            log.warning("dis: first %s PDU from %s: %s (further ones are counted, not logged)",
                        kind.replace("_", " "), _fmt(source), why)

    def feed(self, datagram: bytes, source=None) -> list[P.EntityState]:
        """The accepted Entity State PDUs of one datagram, in order; never raises on bad content."""
        self.counts["datagrams"] += 1
        try:
            pdus = P.split(bytes(datagram))
        except P.PduError as exc:
            self.counts["pdus"] += 1
            self._reject(exc.kind, source, str(exc))
            return []
        out = []
        for data in pdus:
            self.counts["pdus"] += 1
            es = self._one(data, source)
            if es is not None:
                out.append(es)
        return out

    def _one(self, data: bytes, source):
        if data[0] not in (5, 6, 7):
            self._reject("bad_version", source, f"protocol version {data[0]}")
            return None
        try:
            p = P.decode(data)
        except P.PduError as exc:
            self._reject(exc.kind, source, str(exc))
            return None
        if self.exercise is not None and p.exercise != self.exercise:
            self._reject("other_exercise", source, f"exercise {p.exercise}, not {self.exercise}")
            return None
        if not isinstance(p, P.EntityState):
            self._reject("unused_type", source, f"{P.PDU_NAMES[p.pdu_type]} PDU (not acted on)")
            return None
        if self.own is not None and (p.entity_id.site, p.entity_id.application) == self.own:
            self._reject("own", source, f"entity {p.entity_id} is iadsim's own")
            return None
        vals = (*p.location, *p.velocity, *p.acceleration)
        r = math.sqrt(sum(x * x for x in p.location)) if all(map(math.isfinite, vals)) else math.nan
        if not 6.0e6 <= r <= 5.0e7:
            self._reject("implausible", source, f"entity {p.entity_id} at {p.location} m (ECEF)")
            return None
        prev = self.last_ts.get(p.entity_id)
        if prev is not None:
            d = ((p.timestamp >> 1) - (prev >> 1)) % 2**31
            if d == 0 or d > _HALF_HOUR:
                self._reject("out_of_order", source, f"entity {p.entity_id}: timestamp not after the last one")
                return None
        self.last_ts[p.entity_id] = p.timestamp
        self.counts["accepted"] += 1
        return p


def _fmt(source) -> str:
    if isinstance(source, tuple) and len(source) == 2:
        return f"{source[0]}:{source[1]}"
    return str(source) if source is not None else "?"
