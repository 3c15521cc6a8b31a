"""``iadsim report`` of a run: the quickstart (seed 0) is run once with ``iadsim run --report``; the page has
every section and figure, shows the numbers of ``summary.json``, refers to nothing outside itself, and its
derived series agree with the summary's own metrics and with independent columns of the tables."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyarrow.parquet as pq
import pytest
from report_page import lookup, parse, shown_equals

from iadsim.cli import main
from iadsim.frames import ecef2geodetic
from iadsim.report import build_report
from iadsim.report import series as S
from iadsim.rundir import read_run_dir

QUICK = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "quickstart.yaml"
SECTIONS = [("scenario", "Scenario"), ("outcome", "Outcome by threat class"), ("assets", "Assets"),
            ("interceptors", "Interceptors and cost"), ("map", "Engagement map"), ("timeline", "Timeline"),
            ("magazines", "Magazines and fire channels"), ("layers", "Intercepts by layer"),
            ("gospa", "Track quality (GOSPA)"), ("track-error", "Tracker error against truth")]
FIGURES = ["fig-map", "fig-timeline", "fig-magazines", "fig-layers", "fig-gospa", "fig-track_error"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("qs") / "run"
    assert main(["run", str(QUICK), "--seed", "0", "--out", str(out), "--quiet", "--report"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    return out, json.loads((out / "summary.json").read_text()), html, parse(html)


def test_every_section_and_figure(run):
    _, _, _, page = run
    assert page.h2 == SECTIONS
    assert sorted(page.figures) == sorted(FIGURES)
    for fig, seen in page.figures.items():
        assert seen["svg"] == 1, fig
        assert seen["marks"] > 20, fig  # axes, ticks and the data drawn, not an empty frame


def test_numbers_shown_are_those_of_summary_json(run):
    _, summary, _, page = run
    assert len(page.numbers) > 40
    for path, text in page.numbers:
        assert shown_equals(text, lookup(summary, path)), (path, text, lookup(summary, path))
    shown = {tuple(p) for p, _ in page.numbers}
    must = {("seed",), ("cost", "exchange_ratio"), ("cost", "interceptors_fired"), ("cost", "threats_destroyed"),
            ("assets", "surviving"), ("interceptors", "total_fired"), ("tracking", "gospa_mean_m"),
            ("engagements", "total")}
    for cls in summary["threats"]["by_class"]:
        must |= {("threats", "by_class", cls, k) for k in ("launched", "intercepted", "leaked", "in_flight")}
    must |= {("threats", "total", k) for k in ("launched", "intercepted", "leaked", "in_flight")}
    must |= {("assets", "leakers_reaching", a) for a in summary["assets"]["leakers_reaching"]}
    for name in summary["interceptors"]["by_type"]:
        must |= {("interceptors", "by_type", name, "fired"), ("interceptors", "by_type", name, "cost")}
    must |= {("interceptors", "rounds_left", u) for u in summary["interceptors"]["rounds_left"]}
    assert must <= shown, must - shown
    # the quickstart's seed-0 outcome, as printed by iadsim run (a leaker destroys Port Aurel)
    assert summary["threats"]["total"]["leaked"] >= 1 and "destroyed" in page.text


def test_self_contained(run):
    _, _, html, page = run
    assert "http://" not in html and "https://" not in html
    assert all(u.startswith("#") for u in page.urls), [u for u in page.urls if not u.startswith("#")]
    assert not page.tags & {"script", "link", "img", "iframe", "object"}


def test_dense_scatters_are_embedded_images_still_inside_the_file(run, tmp_path, monkeypatch):
    from iadsim.report import figures

    out, _, html, _ = run
    monkeypatch.setattr(figures, "RASTER_POINTS", 10)
    a = build_report(out, tmp_path / "a.html").read_text(encoding="utf-8")
    b = build_report(out, tmp_path / "b.html").read_text(encoding="utf-8")
    assert a == b != html
    page = parse(a)
    embedded = [u for u in page.urls if not u.startswith("#")]
    assert embedded and all(u.startswith("data:image/png;base64,") for u in embedded)
    assert "http://" not in a and "https://" not in a


def test_same_directory_same_bytes_in_another_process(run, tmp_path):
    out, _, html, _ = run
    again = tmp_path / "again.html"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    p = subprocess.run([sys.executable, "-c", "import sys; from iadsim.report import build_report; "
                        "build_report(sys.argv[1], sys.argv[2])", str(out), str(again)],
                       env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert again.read_text(encoding="utf-8") == html


def test_tracking_series_reproduce_the_summary(run):
    out, summary, _, _ = run
    r = read_run_dir(out)
    ts = S.tracking_series(S.columns(r, "truth", S.TRUTH_COLUMNS), S.columns(r, "tracks", S.TRACK_COLUMNS))
    tr = summary["tracking"]
    assert ts.time.size == tr["frames"]
    assert np.all(np.diff(ts.time) > 0)
    assert ts.total.mean() == pytest.approx(tr["gospa_mean_m"], rel=1e-12)
    assert ts.n_missed.mean() == pytest.approx(tr["missed_target_frames_mean"], rel=1e-12)
    assert ts.n_false.mean() == pytest.approx(tr["false_track_frames_mean"], rel=1e-12)
    # the pairs' errors are the localisation part: their RMS is the summary's localisation RMS
    assert np.sqrt(np.mean(ts.pair_error**2)) == pytest.approx(tr["gospa_localisation_rms_m"], rel=1e-9)
    assert np.all(ts.pair_error < tr["gospa_cutoff_m"])
    # GOSPA^2 = localisation + c^2/2 (missed + false), frame by frame
    c = tr["gospa_cutoff_m"]
    assert np.allclose(ts.total**2, ts.localisation + c**2 / 2 * (ts.n_missed + ts.n_false), rtol=1e-9)


def test_magazines_and_channels_agree_with_the_run(run):
    out, summary, _, _ = run
    r = read_run_dir(out)
    eng = S.columns(r, "engagements", S.ENGAGEMENT_COLUMNS)
    units = S.unit_series(r, r.layout, S.columns(r, "events", S.EVENT_COLUMNS), eng)
    for f, (u, lay) in enumerate(zip(units, r.layout["fire_units"], strict=True)):
        assert u.total[0] == lay["rounds"]
        assert u.total[-1] == summary["interceptors"]["rounds_left"][u.name]
        assert (u.ready >= 0).all() and (u.total >= u.ready).all()
        assert u.channels.max() <= lay["fire_channels"]
        # brute force: channels in use at instants between the steps = engagements holding one then
        mine = eng["fire_unit"] == f
        t1 = np.where(np.isfinite(eng["t_complete"]), eng["t_complete"], r.layout["duration_s"])[mine]
        for t in np.linspace(0.5, r.layout["duration_s"] - 0.5, 997):
            k = np.searchsorted(u.t_channels, t, "right") - 1
            assert u.channels[k] == int(((eng["t_decision"][mine] <= t) & (t < t1)).sum())
    assert sum(summary["interceptors"]["by_type"][k]["fired"] for k in summary["interceptors"]["by_type"]) == \
        sum(int(u.total[0] - u.total[-1]) for u in units)


def test_intercept_points_agree_with_the_engagement_table(run):
    """The dead-reckoned threat position at each closest approach is at the altitude the engagement table
    records for the interceptor there (an independent column), and inside the fire unit's reach."""
    out, _, _, _ = run
    r = read_run_dir(out)
    truth = S.columns(r, "truth", S.TRUTH_COLUMNS)
    eng = S.columns(r, "engagements", S.ENGAGEMENT_COLUMNS)
    ok = np.isfinite(eng["t_intercept"]) & (eng["threat"] >= 0)
    xyz = S.threat_positions_at(truth, eng["threat"][ok], eng["t_intercept"][ok])
    alt = ecef2geodetic(xyz)[2]
    assert ok.sum() == 8
    assert np.abs(alt - eng["intercept_alt"][ok]).max() < 300.0
    cuts = S.intercepts(r.layout, S.Frame.of(r.layout), truth, eng)
    reach = np.array([r.layout["fire_units"][f]["max_range_m"] for f in eng["fire_unit"][ok]])
    assert (cuts.ground_range > 1e3).all() and (cuts.ground_range <= reach * 1.02).all()
    # dead reckoning over one sample interval: each threat sample predicted from the one before it
    th = truth["object"] == "threat"
    for tid in np.unique(truth["id"][th]):
        m = th & (truth["id"] == tid)
        t = truth["time"][m]
        pred = S.threat_positions_at(truth, np.full(t.size - 1, tid), t[1:] - 1e-9)
        real = np.stack([truth["x"][m], truth["y"][m], truth["z"][m]], -1)[1:]
        # linear over a sample interval dt: off by at most a_max dt^2 / 2, a_max ~ 6 g for a boosting missile
        dt = float(np.max(np.diff(t))) if t.size > 1 else 0.0
        assert np.linalg.norm(pred - real, axis=-1).max() < 300.0 + 0.5 * 60.0 * dt * dt


def test_any_threat_class_gets_a_colour(run, tmp_path):
    """A class the palette never heard of (here the drones renamed ``decoy``) is drawn and listed like any."""
    out, _, _, _ = run
    d = tmp_path / "decoys"
    shutil.copytree(out, d)
    for name, col in (("truth", "class"), ("events", "threat_class")):
        t = pq.read_table(d / f"{name}.parquet")
        vals = ["decoy" if v == "drone" else v for v in t.column(col).to_pylist()]
        t = t.set_column(t.column_names.index(col), col, pa.array(vals, pa.string()))
        pq.write_table(t, d / f"{name}.parquet")
    s = json.loads((d / "summary.json").read_text())
    s["threats"]["by_class"]["decoy"] = s["threats"]["by_class"].pop("drone")
    (d / "summary.json").write_text(json.dumps(s))
    page = parse(build_report(d).read_text(encoding="utf-8"))
    assert ["threats", "by_class", "decoy", "launched"] in [p for p, _ in page.numbers]
    assert "decoy" in page.text
    assert "decoy path" in page.text and "decoy launch" in page.text  # legends of the map and the timeline
    colors = S.palette(["ballistic", "cruise", "decoy", "rv", "stage", "aircraft"])
    assert len(set(colors.values())) == 6
    assert S.palette(["rv", "decoy"]) == S.palette(["decoy", "rv"])


def test_a_run_where_nothing_was_engaged_or_tracked(run, tmp_path):
    """Empty engagement, track and interceptor tables (no launch, no reload): the page still has every
    section and figure, with the summary's numbers."""
    out, _, _, _ = run
    d = tmp_path / "quiet"
    shutil.copytree(out, d)
    for name in ("engagements", "tracks"):
        t = pq.read_table(d / f"{name}.parquet")
        pq.write_table(t.slice(0, 0), d / f"{name}.parquet")
    t = pq.read_table(d / "truth.parquet")
    pq.write_table(t.filter(pa.compute.equal(t.column("object"), "threat")), d / "truth.parquet")
    t = pq.read_table(d / "events.parquet")
    pq.write_table(t.filter(pa.compute.equal(t.column("kind"), "threat_launch")), d / "events.parquet")
    summary = json.loads((d / "summary.json").read_text())
    page = parse(build_report(d).read_text(encoding="utf-8"))
    assert page.h2 == SECTIONS and sorted(page.figures) == sorted(FIGURES)
    for path, text in page.numbers:
        assert shown_equals(text, lookup(summary, path)), (path, text)
