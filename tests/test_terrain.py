"""Terrain: a hand-built ridge masks a target below the height computed by hand; the synthetic generator is
seeded and deterministic; the .npz grid format and its bad inputs; the radar and the scenario use it."""

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml

from iadsim.errors import InputError
from iadsim.frames import geodetic2ecef
from iadsim.scenario.load import load_scenario, scenario_from_data
from iadsim.sensors import Radar, RadarParams
from iadsim.terrain import Terrain, load_grid, synthetic

ROOT = Path(__file__).resolve().parents[1]
R_MEAN = 6_371_008.8
A_E = 4.0 / 3.0 * R_MEAN


def _ridge(height=800.0, lon_ridge_deg=0.5, half_width_deg=0.02, top_deg=0.005):
    """Flat sea with a north-south ridge at longitude ``lon_ridge_deg``: flanks ``half_width_deg`` wide and a
    flat top ``2 top_deg`` wide (1.1 km: wider than the sample spacing along a 170 km path)."""
    lat = np.radians(np.linspace(-1.0, 1.0, 201))
    lon = np.radians(np.linspace(-0.5, 2.5, 3001))  # 0.001 deg = 111 m
    d = np.maximum(np.abs(np.degrees(lon) - lon_ridge_deg) - top_deg, 0.0)
    profile = np.clip(1.0 - d / half_width_deg, 0.0, 1.0) * height
    return Terrain(lat, lon, np.broadcast_to(profile, (lat.size, lon.size)).copy())


def test_a_ridge_masks_a_target_below_the_height_computed_by_hand():
    """Radar at 50 m on the equator, an 800 m ridge whose flat top starts 0.495 deg (55.0 km) east, the
    target 1.5 deg (166.8 km) east. The 4/3-earth ray grazing the near edge of the top (the edge that needs
    the highest target): h_r + (h_t - h_r) s - D^2 s (1 - s) / (2 a_e) = H at s = d1 / D, so
    h_t* = h_r + (H - h_r + d1 (D - d1) / (2 a_e)) D / d1 = 3420 m."""
    terrain = _ridge()
    h_r, H = 50.0, 800.0
    d1 = np.radians(0.495) * R_MEAN
    D = np.radians(1.5) * R_MEAN
    h_star = h_r + (H - h_r + d1 * (D - d1) / (2 * A_E)) * D / d1
    assert h_star == pytest.approx(3420.0, abs=5.0)
    heights = np.array([h_star - 60.0, h_star - 20.0, h_star + 20.0, h_star + 60.0])
    tgt = geodetic2ecef(np.zeros(4), np.full(4, np.radians(1.5)), heights)
    vis = terrain.visible(0.0, 0.0, h_r, tgt)
    assert vis.tolist() == [False, False, True, True]
    # without the ridge the same targets are all above the smooth horizon
    flat = Terrain(terrain.lat, terrain.lon, np.zeros_like(terrain.elevation))
    assert flat.visible(0.0, 0.0, h_r, tgt).all()


def test_the_vectorised_mask_equals_one_pair_at_a_time():
    terrain = synthetic(3, 0.0, 0.0, 200e3, 1000.0, 1500.0, 0.4)
    rng = np.random.default_rng(0)
    n = 200
    tgt = geodetic2ecef(np.radians(rng.uniform(-1, 1, n)), np.radians(rng.uniform(-1, 1, n)), rng.uniform(0, 5e3, n))
    h = float(terrain.elevation_at(0.0, 0.0)) + 20.0
    together = terrain.visible(0.0, 0.0, h, tgt)
    one_by_one = np.array([terrain.visible(0.0, 0.0, h, tgt[i:i + 1])[0] for i in range(n)])
    # the sample count follows the longest path of the call: the same verdict except on knife edges
    assert np.mean(together == one_by_one) > 0.97
    assert 0.05 < together.mean() < 0.95


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_compiled_line_of_sight_equals_the_array_form(seed):
    """The compiled loop (first masking sample, per pair) against the array form over every sample: the same
    verdict for radars on and off the grid and targets inside, across the edge of and outside the grid, and
    over the ridge test's grid with its exact-edge samples."""
    rng = np.random.default_rng(seed)
    terrain = synthetic(seed + 3, 0.0, 0.0, 200e3, 1000.0, 1500.0, 0.4)
    n = 600
    for r_lat, r_lon in [(0.0, 0.0), (0.5, -0.7), (1.3, 1.2)]:  # the last radar is off the grid (sea)
        h = float(terrain.elevation_at(np.radians(r_lat), np.radians(r_lon))) + rng.uniform(5.0, 60.0)
        tgt = geodetic2ecef(np.radians(rng.uniform(-1.4, 1.4, n)), np.radians(rng.uniform(-1.4, 1.4, n)),
                            rng.uniform(0, 5e3, n))
        fast = terrain.visible(np.radians(r_lat), np.radians(r_lon), h, tgt)
        ref = terrain.visible_reference(np.radians(r_lat), np.radians(r_lon), h, tgt)
        assert fast.tolist() == ref.tolist()
        assert 0.05 < fast.mean() < 0.95  # both verdicts occur
    ridge = _ridge()
    heights = rng.uniform(0.0, 6e3, n)
    tgt = geodetic2ecef(np.radians(rng.uniform(-0.9, 0.9, n)), np.radians(rng.uniform(0.6, 2.4, n)), heights)
    assert ridge.visible(0.0, 0.0, 50.0, tgt).tolist() == ridge.visible_reference(0.0, 0.0, 50.0, tgt).tolist()


def test_synthetic_terrain_is_seeded_and_deterministic():
    a = synthetic(42, np.radians(-20), np.radians(-15), 100e3, 500.0, 900.0, 0.3)
    b = synthetic(42, np.radians(-20), np.radians(-15), 100e3, 500.0, 900.0, 0.3)
    c = synthetic(43, np.radians(-20), np.radians(-15), 100e3, 500.0, 900.0, 0.3)
    assert np.array_equal(a.elevation, b.elevation) and a.digest() == b.digest()
    assert not np.array_equal(a.elevation, c.elevation)
    assert a.elevation.max() == pytest.approx(900.0)
    assert np.mean(a.elevation > 0) == pytest.approx(0.3, abs=0.01)
    # the edges sink into the sea: an island, not a continent
    assert a.elevation[0].max() == 0.0 and a.elevation[:, -1].max() == 0.0
    assert a.spacing == pytest.approx(500.0, rel=0.01)


def test_bilinear_elevation_between_grid_points_and_sea_outside():
    lat = np.radians([0.0, 1.0])
    lon = np.radians([0.0, 1.0, 2.0])
    t = Terrain(lat, lon, np.array([[0.0, 100.0, 0.0], [200.0, 300.0, 100.0]]))
    assert t.elevation_at(np.radians(0.5), np.radians(0.5)) == pytest.approx(150.0)
    assert t.elevation_at(np.radians(0.25), np.radians(1.5)) == pytest.approx(
        0.75 * 50.0 + 0.25 * 200.0)
    assert t.elevation_at(np.radians(3.0), np.radians(0.5)) == 0.0
    assert t.is_land(np.radians(0.5), np.radians(0.5)) and not t.is_land(np.radians(-1.0), 0.0)


def test_npz_grid_round_trip_and_bad_files(tmp_path):
    lat = np.linspace(-21.0, -19.0, 5)
    lon = np.linspace(-16.0, -14.0, 7)
    elev = np.arange(35.0).reshape(5, 7)
    f = tmp_path / "grid.npz"
    np.savez(f, elevation=elev, lat=lat, lon=lon)
    t = load_grid(f)
    np.testing.assert_allclose(t.elevation, elev)
    np.testing.assert_allclose(np.degrees(t.lat), lat)
    cases = {
        "missing.npz": None,
        "nolon.npz": dict(elevation=elev, lat=lat),
        "shape.npz": dict(elevation=elev.T, lat=lat, lon=lon),
        "order.npz": dict(elevation=elev, lat=lat[::-1], lon=lon),
        "nan.npz": dict(elevation=np.where(elev > 30, np.nan, elev), lat=lat, lon=lon),
    }
    for name, arrays in cases.items():
        path = tmp_path / name
        if arrays is not None:
            np.savez(path, **arrays)
        with pytest.raises(InputError) as err:
            load_grid(path)
        assert "\n" not in str(err.value) and name in str(err.value)
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(InputError, match="cannot read the terrain grid"):
        load_grid(tmp_path / "text.npz")


def test_a_radar_behind_the_ridge_does_not_detect_the_masked_target():
    terrain = _ridge()
    p = RadarParams(name="r", lat=0.0, lon=0.0, alt=50.0, r_max=400e3, r_ref=400e3, rcs_ref=1.0)
    radar = Radar(p, terrain=terrain)
    tgt = geodetic2ecef(np.zeros(2), np.full(2, np.radians(1.5)), np.array([3300.0, 3500.0]))
    _, cover = radar.geometry(tgt, np.zeros((2, 3)))
    assert cover.tolist() == [False, True]
    det = radar.measure(0.0, tgt, np.zeros((2, 3)), np.full(2, 10.0), np.array([0, 1]), np.random.default_rng(0))
    assert det.truth_id.tolist() == [1]


def _quickstart():
    return yaml.safe_load((ROOT / "examples" / "scenarios" / "quickstart.yaml").read_text())


def test_scenario_terrain_sections(tmp_path):
    d = _quickstart()
    lat = np.linspace(-21.0, -19.0, 21)
    lon = np.linspace(-16.0, -14.0, 21)
    np.savez(tmp_path / "meridia.npz", elevation=np.zeros((21, 21)), lat=lat, lon=lon)
    d["terrain"] = {"kind": "grid", "file": "meridia.npz", "sea_gamma": "-35 dB"}
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(d))
    c = load_scenario(f)
    assert c.terrain is not None and c.gamma_sea == pytest.approx(10 ** -3.5)
    # the grid's content is part of the scenario hash
    np.savez(tmp_path / "meridia.npz", elevation=np.ones((21, 21)), lat=lat, lon=lon)
    assert load_scenario(f).scenario_hash != c.scenario_hash
    # a missing grid file names the file, line and field
    d2 = copy.deepcopy(d)
    d2["terrain"]["file"] = "atlantis.npz"
    f.write_text(yaml.safe_dump(d2))
    with pytest.raises(InputError, match=r"terrain\.file: .*atlantis\.npz: terrain file not found") as err:
        load_scenario(f)
    assert err.value.line is not None
    # a radar inside a mountain is refused
    d3 = copy.deepcopy(d)
    d3["terrain"] = {"kind": "synthetic", "seed": 1, "center": {"lat": -20.0, "lon": -15.05}, "size": "50 km",
                     "spacing": "500 m", "max_elevation": "2000 m", "land_fraction": 0.9}
    with pytest.raises(InputError, match="below the terrain"):
        scenario_from_data(d3)
    with pytest.raises(InputError, match="unknown field"):
        scenario_from_data({**d, "terrain": {"kind": "flat", "heights": 3}})
    with pytest.raises(InputError, match="decibels"):
        scenario_from_data({**d, "terrain": {"kind": "flat", "sea_gamma": 0.001}})


def test_the_compiled_grid_height_equals_elevation_at():
    """:func:`iadsim.physics.grid.grid_height` (the kernels' bilinear height) against
    :meth:`Terrain.elevation_at` (``numpy.interp`` + ``scipy.ndimage.map_coordinates``): on nodes, the edges,
    between nodes and off the grid."""
    from iadsim.physics.grid import grid_height

    terrain = synthetic(5, 0.0, 0.0, 100e3, 1000.0, 900.0, 0.5)
    rng = np.random.default_rng(9)
    lat = np.concatenate([rng.uniform(terrain.lat[0] - 0.002, terrain.lat[-1] + 0.002, 2000), terrain.lat[[0, -1, 7]]])
    lon = np.concatenate([rng.uniform(terrain.lon[0] - 0.002, terrain.lon[-1] + 0.002, 2000), terrain.lon[[0, -1, 3]]])
    ref = terrain.elevation_at(lat, lon)
    grid = (terrain.lat, terrain.lon, terrain.elevation)
    got = np.array([grid_height(*grid, a, b) for a, b in zip(lat, lon, strict=True)])
    assert np.allclose(got, ref, rtol=0, atol=1e-9)
    assert (ref == 0).mean() > 0.05 and (ref > 0).mean() > 0.05  # both sea (or off the grid) and land
