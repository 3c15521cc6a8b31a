"""``iadsim track`` in process: a good run scored against truth, and each kind of bad input (exit 3)."""

import csv

import numpy as np
import pytest

from iadsim.cli import app, main
from iadsim.errors import InputError
from iadsim.frames import ecef2geodetic, enu2ecef, enu_rotation, geodetic2ecef
from iadsim.tracking.io import read_sensors, track_files
from iadsim.tracking.measurements import SensorGeometry, h

# Typer runs a lone registered command without its name; with several commands (the normal case) the
# name is needed. This keeps the test valid whichever other commands are registered.
CMD = ["track"] if len(app.registered_commands) > 1 or app.registered_callback else []
LAT0, LON0 = 52.0, 4.5
SENSORS_YAML = """\
origin: {{lat: {lat0}, lon: {lon0}, alt: 0.0}}
sensors:
  - id: R1
    position: {{east: 0.0, north: 0.0, up: 10.0}}
    measures: [range, azimuth, elevation]
    sigma: {{range: 20.0, azimuth: 0.0015, elevation: 0.0015}}
    scan_period: 2.0
  - id: 7
    position: {{lat: {lat1}, lon: {lon1}, alt: 30.0}}
    measures: [range, azimuth, elevation, range_rate]
    sigma: {{range: 30.0, azimuth: 0.002, elevation: 0.002, range_rate: 1.5}}
    scan_period: 2.0
tracker: {{q: 2.0, v_max: 500.0, confirm_m: 3, confirm_n: 4}}
"""


def _sensor2_enu():
    """Sensor 7 sits 30 km east (geodetic position computed from that local offset)."""
    o = geodetic2ecef(np.radians(LAT0), np.radians(LON0), 0.0)
    e = enu2ecef(np.array([[30e3, 0.0, 30.0]]), o, enu_rotation(np.radians(LAT0), np.radians(LON0)))
    lat, lon, _ = ecef2geodetic(e)
    return float(np.degrees(lat).ravel()[0]), float(np.degrees(lon).ravel()[0])


def write_case(tmp_path, steps=30, seed=0):
    rng = np.random.default_rng(seed)
    lat1, lon1 = _sensor2_enu()
    (tmp_path / "sensors.yaml").write_text(SENSORS_YAML.format(lat0=LAT0, lon0=LON0, lat1=lat1, lon1=lon1))
    setup = read_sensors(tmp_path / "sensors.yaml")
    geom: SensorGeometry = setup.geom
    p0 = np.array([[-10e3, 40e3, 5e3], [20e3, 60e3, 8e3], [5e3, 30e3, 3e3]])
    v = np.array([[180.0, 10.0, 0.0], [-150.0, -60.0, 0.0], [0.0, 220.0, 0.0]])
    sig = [np.array([20.0, 0.0015, 0.0015]), np.array([30.0, 0.002, 0.002, 1.5])]
    with open(tmp_path / "det.csv", "w", newline="") as fd, \
            open(tmp_path / "truth.csv", "w", newline="") as ft:
        wd, wt = csv.writer(fd), csv.writer(ft)
        wd.writerow(["time", "sensor", "range", "azimuth", "elevation", "range_rate"])
        wt.writerow(["time", "id", "east", "north", "up"])
        for k in range(steps):
            t = 1.0 * k
            s = k % 2
            x = np.concatenate([p0 + v * t, v], 1)
            for i, pos in enumerate(x[:, :3]):
                wt.writerow([t, f"T{i}", *pos])
            z = h(x, geom, s, geom.dims[s]) + rng.normal(size=(3, len(sig[s]))) * sig[s]
            for row in z[rng.permutation(3)]:
                vals = [*row[:3], row[3] if s == 1 else ""]
                wd.writerow([t, setup.ids[s], *vals])
    return tmp_path / "det.csv", tmp_path / "sensors.yaml", tmp_path / "truth.csv"


def test_good_run_writes_tracks_and_prints_gospa(tmp_path, capsys):
    det, sen, tru = write_case(tmp_path)
    out = tmp_path / "tracks.csv"
    code = main([*CMD, str(det), "--sensors", str(sen), "--truth", str(tru), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "mean GOSPA" in captured.out
    with open(out) as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["time", "track_id", "east", "north", "up", "v_east", "v_north", "v_up"]
    data = np.array(rows[1:], float)
    last = data[data[:, 0] == data[:, 0].max()]
    assert len(last) == 3 and len(np.unique(data[:, 1])) == 3
    res = track_files(det, sen, truth=tru, gospa_c=1000.0)
    assert res.gospa_dims == 3
    # after confirmation (3 of 4 scans) the GOSPA is localisation only: cross-range sigma ~ 75-100 m per
    # detection at 40-60 km, a few tens of metres per target once filtered
    assert np.all(res.gospa[3:] < 250.0), res.gospa
    assert np.mean(res.gospa[15:]) < 120.0
    assert res.gospa[0] > 1000.0   # before confirmation: 3 missed targets = sqrt(3 * c^2 / 2)
    printed = float(captured.out.split("):")[1].split()[0])
    assert printed == pytest.approx(res.mean_gospa, abs=0.01)


def _edit(path, line_no, new_line):
    lines = path.read_text().splitlines()
    lines[line_no - 1] = new_line
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("kind, expect", [
    ("missing_column", "det.csv:1: missing column"),
    ("non_numeric", "det.csv:5: range: expected a number"),
    ("unknown_sensor", "det.csv:6: sensor: unknown sensor 'R9'"),
    ("time_backwards", "det.csv:8: time: time goes backwards"),
    ("missing_file", "nope.csv: file not found"),
    ("bad_sensor_yaml", "sensors.yaml:5: sensors[0].measures"),
    ("bad_truth", "truth.csv:3: east: expected a number"),
    ("bad_tracker_option", "sensors.yaml:13: tracker: confirmation must be"),
])
def test_bad_files_exit_3_naming_file_and_row(tmp_path, capsys, kind, expect):
    det, sen, tru = write_case(tmp_path, steps=6)
    if kind == "missing_column":
        lines = det.read_text().splitlines()
        det.write_text("\n".join(ln.rsplit(",", 2)[0] for ln in lines) + "\n")   # drop elevation, range_rate
    elif kind == "non_numeric":
        parts = det.read_text().splitlines()[4].split(",")
        parts[2] = "12km"
        _edit(det, 5, ",".join(parts))
    elif kind == "unknown_sensor":
        parts = det.read_text().splitlines()[5].split(",")
        parts[1] = "R9"
        _edit(det, 6, ",".join(parts))
    elif kind == "time_backwards":
        parts = det.read_text().splitlines()[7].split(",")
        parts[0] = "0.5"
        _edit(det, 8, ",".join(parts))
    elif kind == "missing_file":
        det = tmp_path / "nope.csv"
    elif kind == "bad_sensor_yaml":
        sen.write_text(sen.read_text().replace("[range, azimuth, elevation]", "[azimuth, elevation]", 1))
    elif kind == "bad_tracker_option":
        sen.write_text(sen.read_text().replace("confirm_n: 4}", "confirm_n: 4, confirmation: votes}"))
    elif kind == "bad_truth":
        parts = tru.read_text().splitlines()[2].split(",")
        parts[2] = "n/a"
        _edit(tru, 3, ",".join(parts))
    code = main([*CMD, str(det), "--sensors", str(sen), "--truth", str(tru), "--out",
                 str(tmp_path / "o.csv")])
    err = capsys.readouterr().err
    assert code == 3
    assert expect in err.replace("\n", "")
    assert "Traceback" not in err


def test_sprt_option_from_yaml(tmp_path):
    det, sen, tru = write_case(tmp_path)
    sen.write_text(sen.read_text().replace(
        "confirm_n: 4}", "confirm_n: 4, confirmation: sprt, pd: 0.99, clutter_density: 1e-4}"))
    res = track_files(det, sen, truth=tru)
    assert res.n_tracks == 3 and np.mean(res.gospa[15:]) < 120.0


def test_empty_scan_rows_count_as_scans(tmp_path):
    """A row with only time and sensor is a scan without detections: tracks miss and are deleted."""
    det, sen, _ = write_case(tmp_path, steps=12)
    with open(det, "a") as fh:
        for k in range(12, 20):
            fh.write(f"{float(k)},{'R1' if k % 2 == 0 else 7},,,,\n")
    res = track_files(det, sen)
    assert res.n_scans == 20
    last_t = res.rows[:, 0].max()
    assert last_t < 19.0   # every track deleted after max_misses counted empty scans
    with pytest.raises(InputError):
        track_files(det, tmp_path / "missing.yaml")
