"""``iadsim live``, ``iadsim dis-dump`` and the DIS options of ``iadsim run``: thin commands over
:mod:`iadsim.dis` and :mod:`iadsim.live` (imported inside the commands, so ``iadsim --help`` stays fast)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import typer
from rich.console import Console

from iadsim.errors import InputError

console = Console(highlight=False, soft_wrap=True)


def dis_sinks(dis: str | None, dis_file: Path | None, broadcast: bool, epoch: float):
    """The DIS out sinks of ``--dis HOST:PORT`` and ``--dis-file FILE`` (either may be None)."""
    from iadsim.dis.transport import PcapWriter, UdpSender, parse_address

    sinks = []
    port = 3000
    if dis is not None:
        host, port = parse_address(dis, "--dis")
        sinks.append(UdpSender(host, port, broadcast=broadcast))
    if dis_file is not None:
        sinks.append(PcapWriter(dis_file, epoch, port))
    return sinks


def close_sinks(sinks) -> None:
    for s in sinks:
        s.close()


def dis_line(counts: dict) -> str:
    return "DIS out: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items() if v or k != "unnumbered")


def live(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    dis_in: str | None = typer.Option(None, "--dis-in", help="Listen for Entity State PDUs on HOST:PORT or PORT."),
    dis: str | None = typer.Option(None, "--dis", help="Send DIS PDUs to HOST:PORT or PORT (default host 127.0.0.1)."),
    dis_file: Path | None = typer.Option(None, "--dis-file", help="Record the DIS PDUs sent to a pcap file."),
    broadcast: bool = typer.Option(False, "--dis-broadcast", help="Allow sending to a broadcast address."),
    speed: float = typer.Option(1.0, "--speed", help="Simulated seconds per wall-clock second."),
    external: int = typer.Option(8, "--external", help="Slots for external threats (entities from --dis-in)."),
    external_threat: str = typer.Option("cruise_missile", "--external-threat",
                                        help="Catalog threat type of external entities of unknown type."),
    site: int = typer.Option(1, "--site", help="DIS site id of iadsim."),
    application: int = typer.Option(1, "--application", help="DIS application id of iadsim."),
    exercise: int = typer.Option(1, "--exercise", help="DIS exercise id (PDUs of other exercises are ignored)."),
    seed: int = typer.Option(0, "--seed", help="Replication seed."),
    out: Path | None = typer.Option(None, "--out", help="Run directory (default runs/<scenario>_live_seed<N>)."),
) -> None:
    """Run SCENARIO paced to the wall clock, with external threats from DIS and DIS out (Ctrl-C stops it and
    still writes the run directory)."""
    from iadsim.dis.receiver import UdpListener
    from iadsim.dis.transport import parse_address
    from iadsim.live.run import run_live
    from iadsim.scenario import load_scenario

    if not speed > 0:
        raise InputError(f"must be positive, got {speed}", field="--speed")
    for name, v, hi in (("--site", site, 65535), ("--application", application, 65535), ("--exercise", exercise, 255)):
        if not 1 <= v <= hi:
            raise InputError(f"must be within 1-{hi}, got {v}", field=name)
    compiled = load_scenario(scenario)
    out = out or Path("runs") / f"{scenario.stem}_live_seed{seed}"
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a directory", file=str(out), field="--out")
    listener = None
    if dis_in is not None:
        host, port = parse_address(dis_in, "--dis-in")
        listener = UdpListener(host, port)
    sinks = dis_sinks(dis, dis_file, broadcast, compiled.scenario.start.timestamp())
    holder = {}

    def stop(signum, frame):
        pacer = holder.get("pacer")
        if pacer is not None:
            pacer.stop_requested = True

    old = signal.signal(signal.SIGINT, stop)
    try:
        console.print(f"live: {compiled.scenario.name!r} at {speed:g}x"
                      + (f", DIS in on {listener.sock.getsockname()[0]}:{listener.port}" if listener else "")
                      + (f", DIS out to {dis}" if dis else "") + " (Ctrl-C stops)")
        result, pacer, output = run_live(compiled, seed, speed=speed, listener=listener, external_slots=external,
                                         external_type=external_threat, sinks=sinks, site=site,
                                         application=application, exercise=exercise,
                                         on_start=lambda p: holder.update(pacer=p))
    finally:
        signal.signal(signal.SIGINT, old)
        if listener is not None:
            listener.close()
        close_sinks(sinks)
    try:
        path = result.write(out)
    except OSError as exc:
        raise InputError(f"cannot write the run directory: {exc.strerror}", file=str(out)) from None
    from iadsim.cli.run import print_summary

    print_summary(result.summary)
    lv = result.summary["live"]
    rc = lv["receiver"]
    console.print("DIS in: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in rc.items() if v or k in
                                         ("datagrams", "accepted")) + f"; queue dropped {lv['queue_dropped']}")
    console.print("external threats: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in lv["external"].items()))
    if output is not None:
        console.print(dis_line(output.counts))
    console.print(f"pacing: {lv['wall_s']:.1f} s wall at {speed:g}x, {lv['late_steps']} late steps")
    console.print(f"run directory: {path}")


def dis_dump(
    source: str = typer.Argument(..., help="A pcap recording (FILE), or PORT / HOST:PORT to listen on."),
    count: int | None = typer.Option(None, "--count", help="Stop after this many datagrams (listening)."),
    seconds: float | None = typer.Option(None, "--seconds", help="Stop after this many seconds (listening)."),
) -> None:
    """Decode and print the DIS PDUs of a recording or of what arrives on a UDP port."""
    from iadsim.dis.dump import describe_datagram
    from iadsim.dis.transport import parse_address, read_pcap

    counts: dict[str, int] = {}
    path = Path(source)
    if path.exists() or not source.replace(":", "").replace(".", "").isdigit():
        if not path.exists():
            raise InputError("no such file (and not a PORT or HOST:PORT)", file=source)
        records = read_pcap(path)
        t0 = records[0][0] if records else 0.0
        for t, data in records:
            for line in describe_datagram(data, counts):
                typer.echo(f"{t - t0:10.3f}  {line}")
    else:
        import socket

        host, port = parse_address(source, "SOURCE")
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}", field="SOURCE") from None
        sock.settimeout(0.2)
        console.print(f"listening on {host}:{sock.getsockname()[1]} (Ctrl-C stops)", style="dim")
        t0 = time.perf_counter()
        n = 0
        try:
            while (count is None or n < count) and (seconds is None or time.perf_counter() - t0 < seconds):
                try:
                    data, addr = sock.recvfrom(65535)
                except TimeoutError:
                    continue
                n += 1
                for line in describe_datagram(data, counts):
                    typer.echo(f"{time.perf_counter() - t0:10.3f}  {addr[0]}:{addr[1]}  {line}")
        except KeyboardInterrupt:
            pass
        finally:
            sock.close()
    typer.echo(f"{counts.pop('datagrams', 0)} datagrams: "
               + (", ".join(f"{v} {k.replace('_', ' ')}" for k, v in sorted(counts.items())) or "no PDUs"))
