"""The DIS commands in process: ``run --dis-file``, ``dis-dump`` of a recording and of a UDP port, and
bad input as one line with exit code 3."""

import contextlib
import io
import json
import socket
import subprocess
import sys
import time

import pytest

from iadsim.cli import main
from iadsim.dis import pdu as P


def run_cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    rc, out, err = run_cli(["run", "examples/scenarios/quickstart.yaml", "--seed", "1", "--quiet", "--out",
                            str(tmp / "run"), "--dis-file", str(tmp / "run.dis"), "--dis", "127.0.0.1:9"])
    assert rc == 0, err
    assert "DIS out: " in out and "fire" in out
    return tmp / "run.dis"


def test_dis_dump_of_a_recording_prints_every_pdu(recording):
    rc, out, err = run_cli(["dis-dump", str(recording)])
    assert rc == 0, err
    lines = out.strip().splitlines()
    summary = lines[-1]
    n_es = sum(" ES " in ln for ln in lines)
    n_fire = sum(" FIRE " in ln for ln in lines)
    n_det = sum(" DET " in ln for ln in lines)
    assert summary == f"{n_es + n_fire + n_det} datagrams: {n_det} detonation, {n_es} entity state, {n_fire} fire"
    assert n_fire > 0 and n_det >= n_fire
    assert any("Bravo-1" in ln and "type 1.1.0.28" in ln for ln in lines)


def test_dis_dump_listens_on_a_port_and_names_bad_datagrams():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = subprocess.Popen([sys.executable, "-c", "from iadsim.cli import entry; entry()", "dis-dump", str(port),
                          "--count", "2", "--seconds", "20"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    good = P.EntityState(entity_id=P.EntityId(9, 9, 1), force=2, entity_type=P.EntityType(2, 11, 0, 1),
                         location=(6.4e6, 0.0, 0.0), marking="PLAYER").encode()
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    deadline = time.time() + 15
    try:
        while p.poll() is None and time.time() < deadline:  # until the dump is listening and has its two
            tx.sendto(good, ("127.0.0.1", port))
            tx.sendto(good[:40], ("127.0.0.1", port))
            time.sleep(0.2)
        out, err = p.communicate(timeout=10)
    finally:
        tx.close()
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err
    # the sender alternates a good and a truncated PDU: any two in a row are one of each
    assert "'PLAYER'" in out and "TRUNCATED" in out
    assert out.strip().splitlines()[-1] == "2 datagrams: 1 entity state, 1 truncated"


@pytest.mark.parametrize("argv, message", [
    (["dis-dump", "no_such_file.dis"], "no_such_file.dis: no such file"),
    (["run", "examples/scenarios/quickstart.yaml", "--dis", "127.0.0.1:notaport"], "--dis: expected HOST:PORT"),
    (["run", "examples/scenarios/quickstart.yaml", "--dis", "255.255.255.255:3000"], "broadcast address"),
    (["live", "examples/scenarios/quickstart.yaml", "--speed", "0"], "--speed: must be positive"),
    (["live", "examples/scenarios/quickstart.yaml", "--dis-in", "127.0.0.1:70000"], "--dis-in: port 70000"),
    (["live", "examples/scenarios/quickstart.yaml", "--external-threat", "ufo", "--speed", "1000"],
     "unknown threat type 'ufo'"),
])
def test_bad_input_is_one_line_and_exit_code_3(argv, message):
    rc, out, err = run_cli(argv)
    assert rc == 3
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], err


def test_a_file_that_is_not_pcap_is_refused(tmp_path):
    f = tmp_path / "x.dis"
    f.write_text(json.dumps({"not": "pcap"}) * 3)
    rc, _, err = run_cli(["dis-dump", str(f)])
    assert rc == 3 and "not a pcap file" in err


def test_help_of_the_dis_commands_imports_nothing_heavy():
    code = ("import contextlib, io, sys\nfrom iadsim.cli import main\n"
            "for a in (['live', '--help'], ['dis-dump', '--help']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()):\n        assert main(a) == 0\n"
            "print([m for m in ('numpy', 'iadsim.dis.pdu', 'iadsim.engine', 'iadsim.live.run') if m in sys.modules])")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"
