"""``iadsim replay``: the static folder, the loopback server (in process and as a command), and bad run
directories giving one line and exit code 3."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from iadsim.cli import main
from iadsim.replay.data import replay_document
from iadsim.replay.serve import DATA_SCRIPT, STATIC_FILES, ReplayServer, is_loopback, static_dir
from iadsim.rundir import RUN_FORMAT


def _data_of(script: bytes) -> dict:
    text = script.decode()
    prefix = "window.IADSIM_REPLAY = "
    assert text.startswith(prefix) and text.rstrip().endswith(";")
    return json.loads(text[len(prefix):].rstrip().rstrip(";"))


def test_static_folder(run_dir, tmp_path, capsys):
    out = tmp_path / "page"
    assert main(["replay", str(run_dir), "--out", str(out), "--no-browser"]) == 0
    for f in (*STATIC_FILES, DATA_SCRIPT):
        assert (out / f).is_file(), f
    assert (out / "app.js").read_bytes() == (static_dir() / "app.js").read_bytes()
    data = _data_of((out / DATA_SCRIPT).read_bytes())
    assert data["scenario"].startswith("Quickstart") and len(data["threats"]) == 8
    assert "index.html" in capsys.readouterr().out
    html = (out / "index.html").read_text()
    # the page names no other origin: everything it loads is in the folder
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert "default-src 'self'" in html


def test_built_page_loads_nothing_from_elsewhere():
    js = (static_dir() / "app.js").read_text(encoding="utf-8")
    css = (static_dir() / "app.css").read_text(encoding="utf-8")
    for url in ("tile.openstreetmap", "unpkg.com", "cdn.jsdelivr", "cdnjs", "googleapis"):
        assert url not in js and url not in css
    lic = (static_dir() / "LICENSES.md").read_text()
    for pkg in ("leaflet", "milsymbol", "world-atlas", "topojson-client"):
        assert f"| {pkg} |" in lic


def test_server_serves_the_page_and_the_data(run):
    doc = replay_document(run)
    with ReplayServer(doc, "127.0.0.1", 0) as srv:
        assert srv.port > 0 and srv.url == f"http://127.0.0.1:{srv.port}/"
        page = urllib.request.urlopen(srv.url, timeout=10).read()
        assert b"app.js" in page and b"replay-data.js" in page
        r = urllib.request.urlopen(srv.url + DATA_SCRIPT, timeout=10)
        assert r.headers["Content-Type"].startswith("text/javascript")
        assert _data_of(r.read())["t1"] == doc["t1"]
        assert urllib.request.urlopen(srv.url + "app.js", timeout=10).read() == (static_dir() / "app.js").read_bytes()
        for bad in ("nope.html", "../pyproject.toml", "%2e%2e/rundir.py"):
            with pytest.raises(urllib.error.HTTPError) as exc:
                urllib.request.urlopen(srv.url + bad, timeout=10)
            assert exc.value.code == 404


def test_loopback_names():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("example.org")


def test_replay_command_serves_on_loopback(run_dir):
    """The command as a user runs it: it prints its URL, serves the page, and stops on SIGINT."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    p = subprocess.Popen([sys.executable, "-c", "from iadsim.cli import entry; entry()", "replay", str(run_dir),
                          "--port", "0", "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env,
                         # started with SIGINT ignored, as a child of a runner or pool that ignores it inherits:
                         # Ctrl-C must still stop the server (found when the full suite ran it after such tests)
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        line = p.stdout.readline()
        assert " at http://127.0.0.1:" in line, line + p.stderr.read()
        url = line.split(" at ", 1)[1].split()[0]
        body = urllib.request.urlopen(url, timeout=10).read()
        assert b"<title>iadsim replay</title>" in body
    finally:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=30)  # generous: a loaded 2-core CI host
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    assert p.returncode == 0
    assert p.stderr.read() == ""  # loopback: no warning


def _copy(run_dir, tmp_path):
    d = tmp_path / "run"
    shutil.copytree(run_dir, d)
    return d


@pytest.mark.parametrize("cmd", [["replay", "--no-browser", "--out", "OUT"], ["export", "--kml", "OUT/x.kml"]])
def test_missing_table_is_one_line_and_exit_3(run_dir, tmp_path, capsys, cmd):
    d = _copy(run_dir, tmp_path)
    (d / "engagements.parquet").unlink()
    argv = [a.replace("OUT", str(tmp_path / "o")) for a in cmd]
    assert main([argv[0], str(d), *argv[1:]]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "missing engagements.parquet" in err[0]
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("cmd", ["replay", "export"])
def test_other_iadsim_version_is_one_line_and_exit_3(run_dir, tmp_path, capsys, cmd):
    d = _copy(run_dir, tmp_path)
    m = json.loads((d / "manifest.json").read_text())
    m.update(run_format=RUN_FORMAT + 1, iadsim_version="9.9.9")
    (d / "manifest.json").write_text(json.dumps(m))
    extra = ["--no-browser", "--out", str(tmp_path / "o")] if cmd == "replay" else ["--czml", str(tmp_path / "x")]
    assert main([cmd, str(d), *extra]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "manifest.json" in err[0] and "iadsim 9.9.9" in err[0]


def test_damaged_table_is_one_line_and_exit_3(run_dir, tmp_path, capsys):
    d = _copy(run_dir, tmp_path)
    (d / "truth.parquet").write_bytes(b"PAR1 not really")
    assert main(["replay", str(d), "--no-browser", "--out", str(tmp_path / "o")]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "truth.parquet: not a readable Parquet table" in err[0]


def test_out_is_a_file_is_one_line(run_dir, tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    assert main(["replay", str(run_dir), "--no-browser", "--out", str(f)]) == 3
    assert "exists and is not a directory" in capsys.readouterr().err


def test_decimation_is_reported(run, run_dir, tmp_path, capsys):
    rows = run.table("truth").num_rows + run.table("tracks").num_rows
    assert main(["replay", str(run_dir), "--no-browser", "--out", str(tmp_path / "a")]) == 0
    assert "decimated" not in capsys.readouterr().out
    assert main(["replay", str(run_dir), "--no-browser", "--out", str(tmp_path / "b"), "--max-points", "1000"]) == 0
    kept = _data_of((tmp_path / "b" / DATA_SCRIPT).read_bytes())["decimation"]["kept"]
    assert rows > 1000 and kept < rows
    assert f"decimated for the page: {rows} samples, {kept} kept (one in {-(-rows // 1000)})" in capsys.readouterr().out
