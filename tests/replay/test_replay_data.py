"""The replay document against the run's own tables: trajectories, ends of flight, markers, decimation,
symbols (with a fallback for classes a later iadsim may add), and bad tables giving one line."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from iadsim.errors import InputError
from iadsim.replay import symbols
from iadsim.replay.data import REQUIRED, replay_document, ring
from iadsim.rundir import read_run_dir


@pytest.fixture(scope="module")
def doc(run):
    return replay_document(run)


def test_every_truth_sample_is_in_the_document(doc, truth):
    assert doc["decimation"]["stride"] == 1
    for kind, objs in (("threat", doc["threats"]), ("interceptor", doc["interceptors"])):
        sel = truth["object"] == kind
        assert sorted(o["id"] for o in objs) == sorted(set(truth["id"][sel].tolist()))
        for o in objs:
            m = sel & (truth["id"] == o["id"])
            t = truth["time"][m]
            n = t.size
            assert o["t"][:n] == pytest.approx(t, abs=1e-3)
            assert o["lat"][:n] == pytest.approx(truth["lat_deg"][m], abs=1e-6)
            assert o["lon"][:n] == pytest.approx(truth["lon_deg"][m], abs=1e-6)
            assert o["alt"][:n] == pytest.approx(truth["alt_m"][m], abs=0.06)
            assert len(o["t"]) - n in (0, 1)  # at most the end-of-flight point
            assert all(np.diff(o["t"]) > 0)


def test_ends_of_flight_follow_the_events(doc, run):
    ev = run.table("events").to_pylist()
    kills = {e["threat"]: e["time"] for e in ev if e["kind"] == "intercept"}
    leaks = {e["threat"]: e["time"] for e in ev if e["kind"] == "leak"}
    s = run.summary["threats"]["total"]
    fates = [o["fate"] for o in doc["threats"]]
    assert fates.count("intercepted") == s["intercepted"] == len(kills)
    assert fates.count("leaked") == s["leaked"] == len(leaks)
    for o in doc["threats"]:
        end = kills.get(o["id"], leaks.get(o["id"]))
        if end is not None:
            assert o["t_end"] == pytest.approx(end, abs=1e-3)
            assert o["t"][-1] == pytest.approx(end, abs=1e-3)
            # the end point is less than one sampling step of flight from the last sample
            assert end - o["t"][-2] <= doc["sample_s"] + 1e-9
            d = _ground_m(o["lat"][-2], o["lon"][-2], o["lat"][-1], o["lon"][-1])
            assert d < 2000 * doc["sample_s"]  # well under Mach 6 for one step


def test_markers_are_where_the_threat_ended(doc, run):
    ev = run.table("events").to_pylist()
    kinds = [e["kind"] for e in ev if e["kind"] in ("intercept", "miss", "leak") and e["threat"] >= 0]
    kinds += [e["kind"] for e in ev if e["kind"] == "asset_destroyed"]
    assert sorted(m["kind"] for m in doc["markers"]) == sorted(kinds)
    by_id = {o["id"]: o for o in doc["threats"]}
    for m in doc["markers"]:
        if m["kind"] in ("intercept", "leak"):
            o = by_id[m["threat"]]
            assert (m["lat"], m["lon"]) == pytest.approx((o["lat"][-1], o["lon"][-1]), abs=1e-6)


def test_interceptors_belong_to_their_engagements(doc, run):
    eng = {e["engagement"]: e for e in run.table("engagements").to_pylist()}
    fu = run.layout["fire_units"]
    for it in doc["interceptors"]:
        e = eng[it["engagement"]]
        assert it["fire_unit"] == e["fire_unit"]
        # the first sample is a few seconds after launch, near its own launcher
        assert _ground_m(it["lat"][0], it["lon"][0], fu[e["fire_unit"]]["lat_deg"],
                         fu[e["fire_unit"]]["lon_deg"]) < 20e3
        assert it["t"][0] >= e["t_launch"] - 1e-9


def test_document_is_strict_json(doc):
    text = json.dumps(doc, allow_nan=False)
    assert json.loads(text)["format"] == 1


def test_symbols_of_units_and_classes(doc):
    assert {a["sidc"] for a in doc["assets"]} == {symbols.ASSET_SIDC}
    assert {f["sidc"] for f in doc["fire_units"]} == {symbols.FIRE_UNIT_SIDC}
    assert {o["class"]: o["sidc"] for o in doc["threats"]} == {
        "drone": "10060100001103000000", "cruise": "10060200001100000700", "ballistic": "10060200001100000600"}
    for sidc in [*symbols.THREAT_SIDC.values(), symbols.GENERIC_AIR_SIDC, symbols.INTERCEPTOR_SIDC,
                 symbols.FIRE_UNIT_SIDC, symbols.RADAR_SIDC, symbols.EARLY_WARNING_RADAR_SIDC, symbols.ASSET_SIDC]:
        assert len(sidc) == 20 and sidc.isdigit() and sidc[:2] == "10"
    # hostile threats, friendly defence
    assert all(symbols.threat_sidc(c)[3] == "6" for c in ("ballistic", "cruise", "drone", "aircraft", "decoy"))
    assert symbols.INTERCEPTOR_SIDC[3] == symbols.FIRE_UNIT_SIDC[3] == "3"
    assert symbols.sensor_sidc("early_warning_radar") == symbols.EARLY_WARNING_RADAR_SIDC
    assert symbols.sensor_sidc("surveillance_radar") == symbols.RADAR_SIDC


def test_new_truth_classes_replay_with_a_fallback(run_dir, tmp_path):
    """Classes a later iadsim may write (decoy, rv, a made-up one) map to their symbol or the generic one."""
    d = tmp_path / "run"
    shutil.copytree(run_dir, d)
    t = pq.read_table(d / "truth.parquet")
    cls = t.column("class").to_pylist()
    ids = t.column("id").to_pylist()
    obj = t.column("object").to_pylist()
    new = {0: "decoy", 1: "rv", 2: "hypersonic_glider"}
    cls = [new.get(i, c) if o == "threat" else c for c, i, o in zip(cls, ids, obj, strict=True)]
    t = t.set_column(t.column_names.index("class"), "class", pa.array(cls, pa.string()))
    pq.write_table(t, d / "truth.parquet")
    doc = replay_document(read_run_dir(d))
    sidc = {o["id"]: o["sidc"] for o in doc["threats"]}
    assert sidc[0] == symbols.THREAT_SIDC["decoy"] and sidc[0][7] == "1"  # the feint/dummy indicator
    assert sidc[1] == symbols.THREAT_SIDC["rv"]
    assert sidc[2] == symbols.GENERIC_AIR_SIDC


def test_decimation_keeps_aligned_times_and_the_ends(run):
    full = replay_document(run)
    small = replay_document(run, max_points=300)
    dec = small["decimation"]
    assert dec["stride"] == math.ceil(dec["rows"] / 300) > 1
    assert dec["kept"] < dec["rows"] / 2
    step = small["sample_s"]
    for a, b in zip(full["threats"], small["threats"], strict=True):
        assert b["t"][0] == a["t"][0] and b["t"][-1] == a["t"][-1]
        assert set(b["t"]) <= set(a["t"])
        inner = b["t"][1:-2]
        assert all(round(t / step) % dec["stride"] == 0 for t in inner)
    for a, b in zip(full["tracks"], small["tracks"], strict=True):
        assert b["t"][0] == a["t"][0] and b["t"][-1] == a["t"][-1]


def test_ring_points_lie_at_the_radius():
    """Vincenty's direct problem checked through ECEF: the slant range on WGS-84 (geodetic2aer) equals the
    geodesic radius to within the chord-arc difference (r^3 / 24 R^2, under 10 m at 200 km)."""
    from pymap3d import geodetic2aer

    for lat, lon, r in ((-20.0, -15.0, 60e3), (60.0, 179.5, 200e3), (0.0, 0.0, 5e3)):
        pts = ring(lat, lon, r)
        assert len(pts) == 73
        for la, lo in pts:
            _, _, slant = geodetic2aer(la, lo, 0.0, lat, lon, 0.0)
            assert slant == pytest.approx(r, rel=1e-4)
        assert max(abs(p[1] - lon) for p in pts) < 10  # no jump at the antimeridian
    sector = ring(-20.0, -15.0, 100e3, 210.0, 330.0)
    assert sector[0] == sector[-1] == [-20.0, -15.0]
    assert all(p[1] < -15.0 for p in sector[1:-1])  # a west-facing sector lies west


@pytest.mark.parametrize("table", ["truth", "tracks", "events", "engagements"])
def test_a_table_without_a_needed_column_is_one_line(run_dir, tmp_path, table):
    d = tmp_path / "run"
    shutil.copytree(run_dir, d)
    t = pq.read_table(d / f"{table}.parquet")
    col = REQUIRED[table][-1]
    pq.write_table(t.drop_columns([col]), d / f"{table}.parquet")
    with pytest.raises(InputError) as exc:
        replay_document(read_run_dir(d))
    msg = str(exc.value)
    assert f"{table}.parquet" in msg and col in msg and "\n" not in msg


def test_a_broken_layout_field_is_one_line(run_dir, tmp_path):
    d = tmp_path / "run"
    shutil.copytree(run_dir, d)
    lay = json.loads((d / "layout.json").read_text())
    lay["fire_units"][0]["max_range_m"] = "far"
    (d / "layout.json").write_text(json.dumps(lay))
    with pytest.raises(InputError, match=r"layout.json: fire_units\[0\].max_range_m: expected a finite number"):
        replay_document(read_run_dir(d))


def _ground_m(lat1, lon1, lat2, lon2):
    """Great-circle distance on the sphere of the mean earth radius (haversine), metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(a))


def test_a_run_with_nothing_flying(run_dir, tmp_path):
    """Empty truth and track tables (a scenario whose raids never launched) still give a page of the units."""
    d = tmp_path / "run"
    shutil.copytree(run_dir, d)
    for name in ("truth", "tracks"):
        t = pq.read_table(d / f"{name}.parquet")
        pq.write_table(t.slice(0, 0), d / f"{name}.parquet")
    doc = replay_document(read_run_dir(d))
    assert doc["threats"] == doc["interceptors"] == doc["tracks"] == []
    assert doc["t1"] == doc["duration_s"] == read_run_dir(d).layout["duration_s"]
    (south, west), (north, east) = doc["bounds"]
    assert south < -20.0 < north and west < -15.0 < east
    json.dumps(doc, allow_nan=False)
