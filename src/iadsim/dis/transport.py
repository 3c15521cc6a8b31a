"""Where PDUs go and come from: UDP sockets and recordings (pcap files).

Addresses are ``HOST:PORT`` or ``PORT`` (host 127.0.0.1: loopback by default). Sending to a broadcast
address needs ``broadcast=True`` (``--dis-broadcast``); a multicast group (224.0.0.0/4) is joined with a time
to live of 1 (the local network) only when such an address is given.

Recordings are classic pcap files (the libpcap format read by Wireshark and most DIS loggers and
players): link type 101 (raw IPv4), each PDU one IPv4/UDP datagram to the recording's port, its record time
the scenario epoch (UTC) plus the simulated time, to the microsecond. :func:`read_pcap` reads these and
also captures with Ethernet (1) or Linux cooked (113) link layers, in either byte order, micro- or
nanosecond resolution; it returns the UDP payloads.
"""

from __future__ import annotations

import heapq
import ipaddress
import socket
import struct
from pathlib import Path

from iadsim.errors import InputError

DEFAULT_HOST = "127.0.0.1"
_PCAP_MAGIC_US, _PCAP_MAGIC_NS = 0xA1B2C3D4, 0xA1B23C4D
LINK_ETHERNET, LINK_RAW, LINK_SLL = 1, 101, 113


def parse_address(text: str, field: str = "--dis") -> tuple[str, int]:
    """``HOST:PORT`` or ``PORT`` -> ``(host, port)``; :class:`InputError` naming ``field`` otherwise."""
    host, _, port = str(text).rpartition(":")
    host = host or DEFAULT_HOST
    try:
        p = int(port)
    except ValueError:
        raise InputError(f"expected HOST:PORT or PORT, got {text!r}", field=field) from None
    if not 0 <= p <= 65535:
        raise InputError(f"port {p} outside 0-65535", field=field)
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        try:
            host = socket.gethostbyname(host)
        except OSError:
            raise InputError(f"unknown host {host!r}", field=field) from None
    return host, p


def _is_broadcast(host: str) -> bool:
    return host == "255.255.255.255" or host.endswith(".255")


class UdpSender:
    """Sends datagrams to one address (module docstring); counts what it sent and what failed."""

    def __init__(self, host: str, port: int, broadcast: bool = False):
        if _is_broadcast(host) and not broadcast:
            raise InputError(f"{host} is a broadcast address: add --dis-broadcast to send there", field="--dis")
        self.address = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if broadcast:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        if ipaddress.IPv4Address(host).is_multicast:
            self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        self.sent = 0
        self.errors = 0

    def send(self, t: float, data: bytes) -> None:
        try:
            self.sock.sendto(data, self.address)
            self.sent += 1
        except OSError:  # nobody listening (ICMP unreachable) or a full buffer: DIS is fire and forget
            self.errors += 1

    def close(self) -> None:
        self.sock.close()


def _checksum(b: bytes) -> int:
    s = sum(struct.unpack(f">{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class PcapWriter:
    """Writes each PDU as one raw-IPv4 UDP record of a pcap file (module docstring).

    Records are written in time order: a PDU dated up to ``HOLD`` seconds before PDUs already given (a
    round that ended between two looks of the sender) is held back and sorted in; :meth:`flush` writes what
    is older than its argument, :meth:`close` the rest."""

    HOLD = 5.0

    def __init__(self, path: str | Path, epoch: float, port: int = 3000):
        self.path = Path(path)
        try:
            self.f = open(self.path, "wb")
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror}", file=str(path), field="--dis-file") from None
        self.epoch = float(epoch)
        self.port = int(port)
        self.f.write(struct.pack("<IHHiIII", _PCAP_MAGIC_US, 2, 4, 0, 0, 65535, LINK_RAW))
        self.sent = 0
        self._ident = 0
        self._held: list[tuple[float, int, bytes]] = []
        self._latest = -float("inf")

    def send(self, t: float, data: bytes) -> None:
        heapq.heappush(self._held, (float(t), self.sent, data))
        self.sent += 1
        self._latest = max(self._latest, float(t))
        self.flush(self._latest - self.HOLD)

    def flush(self, before: float) -> None:
        while self._held and self._held[0][0] <= before:
            t, _, data = heapq.heappop(self._held)
            self._write(t, data)

    def _write(self, t: float, data: bytes) -> None:
        us = round((self.epoch + t) * 1e6)
        n = 28 + len(data)
        self._ident = (self._ident + 1) & 0xFFFF
        ip = bytearray(struct.pack(">BBHHHBBH4s4s", 0x45, 0, n, self._ident, 0x4000, 64, 17, 0,
                                   socket.inet_aton("127.0.0.1"), socket.inet_aton("127.0.0.1")))
        ip[10:12] = struct.pack(">H", _checksum(bytes(ip)))
        udp = struct.pack(">HHHH", self.port, self.port, 8 + len(data), 0)
        self.f.write(struct.pack("<IIII", us // 1_000_000, us % 1_000_000, n, n))
        self.f.write(bytes(ip) + udp + data)

    def close(self) -> None:
        self.flush(float("inf"))
        self.f.close()


def read_pcap(path: str | Path) -> list[tuple[float, bytes]]:
    """``(time, UDP payload)`` of every UDP/IPv4 record of a pcap file (module docstring). Records of
    other protocols are skipped; a file that is not pcap, or is cut inside a header, raises
    :class:`InputError`; a record cut at the end of the file is kept as far as it goes (a truncated PDU)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    if len(data) < 24:
        raise InputError("not a pcap file (shorter than its 24-byte header)", file=str(path))
    for endian in "<>":
        magic = struct.unpack(endian + "I", data[:4])[0]
        if magic in (_PCAP_MAGIC_US, _PCAP_MAGIC_NS):
            break
    else:
        raise InputError("not a pcap file (bad magic number; pcapng is not read: save as pcap)", file=str(path))
    scale = 1e-6 if magic == _PCAP_MAGIC_US else 1e-9
    link = struct.unpack(endian + "I", data[20:24])[0]
    skip = {LINK_RAW: 0, LINK_ETHERNET: 14, LINK_SLL: 16}.get(link)
    if skip is None:
        raise InputError(f"pcap link type {link} not supported (raw IPv4, Ethernet or Linux cooked)",
                         file=str(path))
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off: off + 16])
        rec = data[off + 16: off + 16 + incl]
        off += 16 + incl
        pkt = rec[skip:]
        if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[9] != 17:
            continue
        ihl = (pkt[0] & 0x0F) * 4
        out.append((sec + frac * scale, bytes(pkt[ihl + 8:])))
    return out
