"""``iadsim report`` of a Monte Carlo study: 3 replications of the quickstart; the page shows the statistics
of ``summary.json``, the distributions, and for a sweep its curves; damaged or unfinished studies give one
line and exit code 3."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from report_page import lookup, parse, shown_equals

from iadsim.cli import main
from iadsim.montecarlo import run_monte_carlo
from iadsim.report import build_report
from iadsim.report.study import read_study_dir

QUICK = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "quickstart.yaml"


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    out = tmp_path_factory.mktemp("mc") / "study"
    run_monte_carlo(QUICK, seeds=range(3), out=out)
    html = build_report(out).read_text(encoding="utf-8")
    return out, json.loads((out / "summary.json").read_text()), html, parse(html)


def test_sections_figures_and_numbers(study):
    _, summary, html, page = study
    assert page.h2 == [("study", "Study"), ("statistics", "Statistics"), ("distributions", "Distributions"),
                       ("sweep", "Sweep")]
    assert list(page.figures) == ["fig-distributions"]
    assert page.figures["fig-distributions"]["svg"] == 1 and page.figures["fig-distributions"]["marks"] > 20
    for path, text in page.numbers:
        assert shown_equals(text, lookup(summary, path)), (path, text)
    shown = {tuple(p) for p, _ in page.numbers}
    assert ("replications",) in shown and summary["replications"] == 3
    for metric in ("leakage", "assets_lost", "interceptor_cost"):
        assert {(metric, "mean"), (metric, "ci95", 0), (metric, "ci95", 1), (metric, "std")} <= shown
    metrics = {k for k, v in summary.items() if isinstance(v, dict)}
    assert {p[0] for p in shown if len(p) > 1} == metrics
    assert "not a sweep" in page.text
    assert "http://" not in html and "https://" not in html
    assert all(u.startswith("#") for u in page.urls)


def test_sweep_curves(study, tmp_path):
    out, _, _, _ = study
    d = tmp_path / "sweep"
    shutil.copytree(out, d)
    value = {0: 2.0, 1: 4.0, 2: 4.0}
    for part in sorted((d / "replications").glob("seed=*.parquet")):
        t = pq.read_table(part)
        seed = t.column("seed")[0].as_py()
        pq.write_table(t.append_column("sweep_reserve", pa.array([value[seed]])), part)
    st = read_study_dir(d)
    assert st.sweep == ["sweep_reserve"]
    html = build_report(d).read_text(encoding="utf-8")
    page = parse(html)
    assert "fig-sweep_reserve" in page.figures and page.figures["fig-sweep_reserve"]["marks"] > 20
    assert "not a sweep" not in page.text
    # the group means shown in the sweep table, computed here from the rows themselves
    rows = {r["seed"]: r for r in st.rows}
    for v in (2.0, 4.0):
        leak = np.mean([rows[s]["leakage"] for s in value if value[s] == v])
        assert f"{leak:.4g} [" in page.text


def _study_case(study, tmp_path, how):
    out, _, _, _ = study
    d = tmp_path / "bad"
    shutil.copytree(out, d)
    how(d)
    return d


CASES = [
    ("unfinished", lambda d: (d / "summary.json").unlink(), "missing summary.json (the study did not finish"),
    ("fewer parts", lambda d: sorted((d / "replications").glob("*.parquet"))[0].unlink(),
     "summary.json covers 3 replications but replications/ holds 2"),
    ("damaged part", lambda d: sorted((d / "replications").glob("*.parquet"))[1].write_bytes(b"x"),
     "seed=00000001.parquet: not a readable Parquet table"),
    ("broken summary", lambda d: (d / "summary.json").write_text("{"), "summary.json:1: not valid JSON"),
    ("no parts", lambda d: [p.unlink() for p in (d / "replications").glob("*.parquet")],
     "no replication parts"),
]


@pytest.mark.parametrize("name,how,message", CASES, ids=[c[0] for c in CASES])
def test_bad_study_is_one_line_and_exit_3(study, tmp_path, capsys, name, how, message):
    d = _study_case(study, tmp_path, how)
    assert main(["report", str(d)]) == 3
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err, err
    assert len(err.splitlines()) == 1
