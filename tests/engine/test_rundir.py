"""The run-directory reader: a written run reads back; incomplete, damaged or foreign directories give one line."""

import json
import shutil

import numpy as np
import pytest

from iadsim.engine import simulate
from iadsim.errors import InputError
from iadsim.rundir import RUN_FORMAT, TABLES, read_run_dir
from iadsim.scenario import load_scenario


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    c = load_scenario("examples/scenarios/quickstart.yaml")
    out = tmp_path_factory.mktemp("run")
    simulate(c, 0).write(out)
    return out, c


def test_reads_back_what_was_written(run_dir):
    out, c = run_dir
    r = read_run_dir(out)
    assert r.manifest["run_format"] == RUN_FORMAT
    assert [a["name"] for a in r.layout["assets"]] == list(c.assets.names)
    assert [f["name"] for f in r.layout["fire_units"]] == list(c.fire_units.names)
    assert [s["name"] for s in r.layout["sensors"]] == [s.name for s in c.radars]
    # the envelope reach of the quickstart's medium-range unit is the flown table's (about 60 km)
    assert 40e3 < r.layout["fire_units"][0]["max_range_m"] < 80e3
    assert r.table("truth").num_rows > 0
    for t in TABLES:
        r.table(t)


def test_missing_table_is_one_line(run_dir, tmp_path):
    out, _ = run_dir
    bad = tmp_path / "bad"
    shutil.copytree(out, bad)
    (bad / "tracks.parquet").unlink()
    with pytest.raises(InputError, match="missing tracks.parquet"):
        read_run_dir(bad)


def test_other_format_is_refused(run_dir, tmp_path):
    out, _ = run_dir
    bad = tmp_path / "old"
    shutil.copytree(out, bad)
    m = json.loads((bad / "manifest.json").read_text())
    m["run_format"] = RUN_FORMAT - 1
    m["iadsim_version"] = "0.0.1"
    (bad / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(InputError, match="iadsim 0.0.1"):
        read_run_dir(bad)


def test_damaged_table_and_json(run_dir, tmp_path):
    out, _ = run_dir
    bad = tmp_path / "dmg"
    shutil.copytree(out, bad)
    (bad / "events.parquet").write_bytes(b"not parquet")
    r = read_run_dir(bad)
    with pytest.raises(InputError, match="events.parquet: not a readable Parquet table"):
        r.table("events")
    (bad / "summary.json").write_text("{broken")
    with pytest.raises(InputError, match="summary.json:1: not valid JSON"):
        read_run_dir(bad)


def test_not_a_directory(tmp_path):
    with pytest.raises(InputError, match="no such directory"):
        read_run_dir(tmp_path / "nope")


def test_geodetic_and_local_columns_are_the_frames_conversions():
    """The tables' lat/lon/alt and east/north/up columns (engine.result._geo_columns, the rotation written out
    per component) against iadsim.frames.ecef2geodetic / ecef2enu, and the ENU axes against pymap3d."""
    from types import SimpleNamespace

    import pymap3d

    from iadsim.engine.result import _geo_columns
    from iadsim.frames import ecef2enu, ecef2geodetic, enu_rotation, geodetic2ecef

    rng = np.random.default_rng(8)
    c = SimpleNamespace(origin_lat=np.radians(41.2), origin_lon=np.radians(12.7), origin_alt=15.0)
    o = geodetic2ecef(c.origin_lat, c.origin_lon, c.origin_alt)
    pos = o + rng.normal(size=(5000, 3)) * rng.choice([1e3, 1e5, 1e6], (5000, 1))
    cols = _geo_columns(pos, c)
    enu = ecef2enu(pos, o, enu_rotation(c.origin_lat, c.origin_lon))
    for k, name in enumerate(("east", "north", "up")):
        np.testing.assert_allclose(cols[name], enu[:, k], rtol=1e-12, atol=1e-8)
    lat, lon, alt = ecef2geodetic(pos)
    assert np.array_equal(cols["lat_deg"], np.degrees(lat)) and np.array_equal(cols["alt_m"], alt)
    e, n, u = pymap3d.ecef2enu(*pos[:50].T, 41.2, 12.7, 15.0)
    np.testing.assert_allclose(np.c_[cols["east"][:50], cols["north"][:50], cols["up"][:50]], np.c_[e, n, u],
                               rtol=1e-9, atol=1e-6)
