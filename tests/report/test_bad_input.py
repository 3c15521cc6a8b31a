"""Bad input to ``iadsim report``: one line on stderr, exit code 3, no traceback, and an existing report is
not lost; ``iadsim report --help`` loads neither matplotlib nor Jinja2."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from iadsim.cli import main
from iadsim.engine import simulate
from iadsim.scenario import load_scenario

QUICK = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "quickstart.yaml"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("qs") / "run"
    simulate(load_scenario(QUICK), 0).write(out)
    return out


def _broken(run_dir, tmp_path, how):
    d = tmp_path / "bad"
    shutil.copytree(run_dir, d)
    how(d)
    return d


def _drop_table(d):
    (d / "tracks.parquet").unlink()


def _other_version(d):
    m = json.loads((d / "manifest.json").read_text())
    m.update(run_format=1, iadsim_version="0.0.1")
    (d / "manifest.json").write_text(json.dumps(m))


def _drop_column(d):
    t = pq.read_table(d / "engagements.parquet")
    pq.write_table(t.drop_columns(["t_complete"]), d / "engagements.parquet")


def _layout_gap(d):
    lay = json.loads((d / "layout.json").read_text())
    del lay["fire_units"][0]["max_range_m"]
    (d / "layout.json").write_text(json.dumps(lay))


def _damaged_table(d):
    (d / "truth.parquet").write_bytes(b"PAR1 not really")


def _reload_detail(d):
    t = pq.read_table(d / "events.parquet").to_pylist()
    t[0].update(kind="reload", fire_unit=0, detail="launcher 0 refilled")
    pq.write_table(__import__("pyarrow").Table.from_pylist(t), d / "events.parquet")


CASES = [
    ("missing table", _drop_table, "missing tracks.parquet"),
    ("other version", _other_version, "written by iadsim 0.0.1 in run format 1"),
    ("missing column", _drop_column, "engagements.parquet: missing column(s) t_complete"),
    ("layout gap", _layout_gap, "layout.json: fire_units[0]: missing max_range_m"),
    ("damaged table", _damaged_table, "truth.parquet: not a readable Parquet table"),
    ("reload detail", _reload_detail, "does not end in '+<rounds>'"),
]


@pytest.mark.parametrize("name,how,message", CASES, ids=[c[0] for c in CASES])
def test_bad_run_directory_is_one_line_and_exit_3(run_dir, tmp_path, capsys, name, how, message):
    d = _broken(run_dir, tmp_path, how)
    (d / "report.html").write_text("an earlier report")
    assert main(["report", str(d)]) == 3
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert (d / "report.html").read_text() == "an earlier report"  # nothing already there is lost
    assert not list(d.glob("*.tmp"))


@pytest.mark.parametrize("target,message", [("nope", "no such directory"),
                                            ("empty", "neither a run directory")])
def test_not_a_run_or_study_directory(tmp_path, capsys, target, message):
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / target)]) == 3
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_unwritable_out(run_dir, tmp_path, capsys):
    assert main(["report", str(run_dir), "--out", str(tmp_path / "no" / "such" / "r.html")]) == 3
    err = capsys.readouterr().err.strip()
    assert "cannot write the report" in err and len(err.splitlines()) == 1
    assert main(["report", str(run_dir), "--out", str(tmp_path)]) == 3
    assert "is a directory" in capsys.readouterr().err


def test_report_help_loads_no_plotting_or_template_library():
    code = ("import contextlib, io, sys; from iadsim.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out: rc = main(['report', '--help'])\n"
            "heavy = [m for m in ('matplotlib', 'jinja2', 'iadsim.report', 'pyarrow', 'iadsim.rundir') "
            "if m in sys.modules]\n"
            "print(rc, 'Usage' in out.getvalue(), heavy)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "0 True []"
