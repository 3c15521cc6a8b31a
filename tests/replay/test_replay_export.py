"""CZML and KML export: written files parse back (czml3's validating model; fastkml, an independent KML
parser), one packet or placemark per object, and the times and positions are the truth table's."""

from __future__ import annotations

import datetime as dt
import json
import warnings

import numpy as np
import pytest

from iadsim.cli import main
from iadsim.replay.export import write_czml, write_kml


def _objects(truth):
    out = {}
    for kind, i in sorted(set(zip(truth["object"].tolist(), truth["id"].tolist(), strict=True))):
        m = (truth["object"] == kind) & (truth["id"] == i)
        order = np.argsort(truth["time"][m])
        out[(kind, int(i))] = {k: v[m][order] for k, v in truth.items()}
    return out


def _units(run):
    lay = run.layout
    return {(k, u["name"]) for k, key in (("asset", "assets"), ("sensor", "sensors"), ("fire_unit", "fire_units"))
            for u in lay[key]}


def test_czml_round_trip(run, truth, tmp_path):
    from czml3 import Document

    path = write_czml(run, tmp_path / "run.czml")
    doc = Document.load(path)  # czml3 validates the whole document on load
    raw = json.loads(path.read_text())
    epoch = dt.datetime.fromisoformat(run.manifest["epoch_utc"])
    assert raw[0]["id"] == "document" and raw[0]["version"] == "1.0"
    start, end = raw[0]["clock"]["interval"].split("/")
    assert dt.datetime.fromisoformat(start) == epoch
    assert dt.datetime.fromisoformat(end) == epoch + dt.timedelta(seconds=run.layout["duration_s"])

    objs = _objects(truth)
    ids = [p["id"] for p in raw[1:]]
    assert len(ids) == len(set(ids)) == len(doc.packets) - 1
    assert set(ids) == {f"{k}/{i}" for k, i in objs} | {f"{k}/{n}" for k, n in _units(run)}
    for p in raw[1:]:
        kind, _, key = p["id"].partition("/")
        if kind not in ("threat", "interceptor"):
            continue
        o = objs[(kind, int(key))]
        pos = p["position"]
        assert dt.datetime.fromisoformat(pos["epoch"]) == epoch and pos["referenceFrame"] == "FIXED"
        s = np.array(pos["cartesian"]).reshape(-1, 4)
        assert np.array_equal(s[:, 0], o["time"])
        assert np.allclose(s[:, 1:], np.column_stack([o["x"], o["y"], o["z"]]), rtol=0, atol=1e-6)
        a, b = p["availability"].split("/")
        assert dt.datetime.fromisoformat(a) == epoch + dt.timedelta(seconds=float(o["time"][0]))
        assert dt.datetime.fromisoformat(b) == epoch + dt.timedelta(seconds=float(o["time"][-1]))


def test_kml_round_trip(run, truth, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # fastkml: no lxml, no pretty printing
        from fastkml import KML

        path = write_kml(run, tmp_path / "run.kml")
        k = KML.parse(str(path))
    (doc,) = k.features
    folders = {f.name: f for f in doc.features}
    assert set(folders) == {"Units", "Threats", "Interceptors"}
    epoch = dt.datetime.fromisoformat(run.manifest["epoch_utc"])
    objs = _objects(truth)
    seen = set()
    for name, kind in (("Threats", "threat"), ("Interceptors", "interceptor")):
        for pm in folders[name].features:
            i = int(pm.id.split("-")[1])
            assert pm.id == f"{kind}-{i}" and (kind, i) not in seen
            seen.add((kind, i))
            o = objs[(kind, i)]
            items = pm.kml_geometry.track_items
            assert [it.when.dt for it in items] == [epoch + dt.timedelta(seconds=float(t)) for t in o["time"]]
            xyz = np.array([[it.coord.x, it.coord.y, it.coord.z] for it in items])
            assert np.allclose(xyz[:, 0], o["lon_deg"], atol=1e-7) and np.allclose(xyz[:, 1], o["lat_deg"], atol=1e-7)
            assert np.allclose(xyz[:, 2], o["alt_m"], atol=0.01)
    assert seen == set(objs)
    units = folders["Units"].features
    assert {pm.name for pm in units} == {n for _, n in _units(run)}
    for pm in units:
        u = next(u for key in ("assets", "sensors", "fire_units") for u in run.layout[key] if u["name"] == pm.name)
        assert (pm.geometry.x, pm.geometry.y) == pytest.approx((u["lon_deg"], u["lat_deg"]), abs=1e-7)


def test_export_command(run_dir, tmp_path, capsys):
    czml, kml = tmp_path / "out" / "a.czml", tmp_path / "out" / "a.kml"
    assert main(["export", str(run_dir), "--czml", str(czml), "--kml", str(kml)]) == 0
    assert czml.stat().st_size > 1000 and kml.stat().st_size > 1000
    out = capsys.readouterr().out
    assert "a.czml" in out and "a.kml" in out


def test_export_needs_a_format(run_dir, capsys):
    assert main(["export", str(run_dir)]) == 3
    err = capsys.readouterr().err.strip()
    assert err == "error: nothing to export: give --czml FILE and/or --kml FILE"


def test_export_to_a_directory_is_one_line(run_dir, tmp_path, capsys):
    assert main(["export", str(run_dir), "--kml", str(tmp_path)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is a directory" in err[0] and "--kml" in err[0]
