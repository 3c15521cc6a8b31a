"""The replay in a real browser: Debian's chromium driven headless through chromedriver (selenium).

The page loads with no console error and fetches nothing from another origin; every declared unit is drawn
with its MIL-STD-2525 symbol; moving the time slider shows exactly the threats and interceptors of
truth.parquet at that time, each drawn where Web Mercator (computed here, independently of Leaflet) puts its
truth latitude and longitude; the truth / track toggles and a click on an object work; the static folder
works from file://; a screenshot is written as a test artifact (``$IADSIM_ARTIFACTS``, default
``build/artifacts/replay.png``).

Skipped only when /usr/bin/chromium is absent and not on CI (``CI`` set: missing chromium fails).
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,900")
R_EARTH = 6378137.0  # the sphere of Web Mercator (EPSG:3857)


@pytest.fixture(scope="module")
def driver():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        if os.environ.get("CI"):
            pytest.fail("chromium / chromium-driver are not installed (.ci/run installs them)")
        pytest.skip("chromium not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # selenium manager: never download a driver or a browser
    profile = tempfile.mkdtemp(prefix="iadsim-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for f in FLAGS:
        opts.add_argument(f)
    opts.add_argument(f"--user-data-dir={profile}")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    d.set_page_load_timeout(30)
    yield d
    d.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def served(run):
    from iadsim.replay.data import replay_document
    from iadsim.replay.serve import ReplayServer

    with ReplayServer(replay_document(run), "127.0.0.1", 0) as srv:
        yield srv


def _open(driver, url):
    driver.get(url)
    for _ in range(200):
        if driver.execute_script("return !!(window.iadsimReplay && window.iadsimReplay.ready)"):
            return driver.get_log("browser")
        if driver.execute_script("return !document.getElementById('fatal').hidden"):
            pytest.fail(driver.find_element("id", "fatal").text)
        time.sleep(0.05)
    pytest.fail(f"the replay page did not become ready: {driver.get_log('browser')}")


@pytest.fixture(scope="module")
def page(driver, served):
    logs = _open(driver, served.url)
    return driver, logs


def _errors(logs):
    return [e for e in logs if e["level"] in ("SEVERE", "ERROR")]


def _slide_to(driver, t):
    driver.execute_script("const s = document.getElementById('slider'); s.value = String(arguments[0]);"
                          "s.dispatchEvent(new Event('input', {bubbles: true}));", float(t))
    assert driver.execute_script("return window.iadsimReplay.getTime()") == pytest.approx(t, abs=1e-9)


def _mercator(lat, lon, view):
    """Container pixel of (lat, lon) in Leaflet's EPSG:3857 at the page's zoom, pixel origin and pane offset:
    x = 256 2^z (lon / 360 + 1/2), y = 256 2^z (1/2 - ln tan(pi/4 + lat/2) / (2 pi))."""
    scale = 256.0 * 2.0 ** view["zoom"]
    phi = np.radians(np.clip(lat, -85.0511287798, 85.0511287798))
    x = scale * (np.radians(lon) * R_EARTH * 0.5 / (math.pi * R_EARTH) + 0.5)
    y = scale * (-0.5 / (math.pi * R_EARTH) * R_EARTH * np.log(np.tan(math.pi / 4 + phi / 2)) + 0.5)
    return x - view["pixelOrigin"][0] + view["panePos"][0], y - view["pixelOrigin"][1] + view["panePos"][1]


def _times(truth, kind, n=3):
    """Sample times with the most objects of ``kind`` in flight (at least two), spread over the run."""
    t = truth["time"][truth["object"] == kind]
    ut, counts = np.unique(t, return_counts=True)
    busy = ut[counts >= min(2, counts.max())]
    return [float(busy[int(i)]) for i in np.linspace(0, busy.size - 1, n).round()]


def test_page_loads_without_errors_or_foreign_requests(page, served):
    driver, logs = page
    assert _errors(logs) == []
    urls = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert any(u.endswith("/app.js") for u in urls) and any(u.endswith("/replay-data.js") for u in urls)
    assert all(u.startswith(served.url) or u.startswith("data:") for u in urls), urls


def test_every_declared_unit_has_its_symbol(page, run):
    driver, _ = page
    drawn = driver.execute_script("return window.iadsimReplay.units()")
    lay = run.layout
    for kind, key in (("asset", "assets"), ("sensor", "sensors"), ("fire_unit", "fire_units")):
        names = sorted(u["name"] for u in lay[key])
        got = [d for d in drawn if d["kind"] == kind]
        assert sorted(d["name"] for d in got) == names
        assert all(d["svg"] and d["valid"] and len(d["sidc"]) == 20 for d in got)  # milsymbol knows the SIDC
    # milsymbol drew real frames: each unit's SVG has a size and paths
    for el in driver.find_elements("css selector", ".symwrap[data-kind][data-name] svg"):
        assert el.size["width"] > 10 and el.size["height"] > 10


@pytest.mark.parametrize("kind", ["threat", "interceptor"])
def test_slider_shows_truth_at_its_positions(page, truth, kind):
    driver, _ = page
    for t in _times(truth, kind):
        _slide_to(driver, t)
        drawn = driver.execute_script("return window.iadsimReplay.drawn(arguments[0])", kind)
        view = driver.execute_script("return window.iadsimReplay.view()")
        m = (truth["object"] == kind) & (truth["time"] == t)
        want = {int(i): (la, lo) for i, la, lo in zip(truth["id"][m], truth["lat_deg"][m], truth["lon_deg"][m],
                                                        strict=True)}
        assert sorted(d["id"] for d in drawn) == sorted(want), f"t = {t}"
        valid = driver.execute_script("return [...document.querySelectorAll('.symwrap[data-kind=' + arguments[0]"
                                      " + ']')].map(e => e.dataset.valid)", kind)
        assert valid and set(valid) == {"true"}
        for d in drawn:
            la, lo = want[d["id"]]
            x, y = _mercator(la, lo, view)
            # Leaflet rounds marker positions to whole pixels
            assert abs(d["x"] - x) <= 1.0 and abs(d["y"] - y) <= 1.0, (t, d, x, y)


def test_truth_and_track_toggles(page, run, truth):
    driver, _ = page
    t = _times(truth, "threat", 1)[0]
    _slide_to(driver, t)
    tk = run.table("tracks")
    tt, tid = tk.column("time").to_numpy(), tk.column("track").to_numpy()
    assert sorted(d["id"] for d in driver.execute_script("return window.iadsimReplay.drawn('track')")) == \
        sorted(set(tid[tt == t].tolist()))
    box = driver.find_element("id", "layer-truth-threats")
    box.click()
    try:
        assert driver.execute_script("return window.iadsimReplay.drawn('threat')") == []
        assert len(driver.execute_script("return window.iadsimReplay.drawn('track')")) == int((tt == t).sum())
        driver.find_element("id", "layer-tracks").click()
        assert driver.execute_script("return window.iadsimReplay.drawn('track')") == []
    finally:
        box.click()
        if not driver.find_element("id", "layer-tracks").is_selected():
            driver.find_element("id", "layer-tracks").click()
    assert len(driver.execute_script("return window.iadsimReplay.drawn('threat')")) == \
        int(((truth["object"] == "threat") & (truth["time"] == t)).sum())


def test_click_on_a_threat_shows_its_history(page, truth):
    driver, _ = page
    t = _times(truth, "threat", 1)[0]
    _slide_to(driver, t)
    # a threat whose symbol is the topmost element at its own anchor (symbols may overlap)
    j = driver.execute_script("""
        const box = document.getElementById('map').getBoundingClientRect();
        for (const d of window.iadsimReplay.drawn('threat')) {
          const el = document.elementFromPoint(box.left + d.x, box.top + d.y);
          const w = el && el.closest('.symwrap');
          if (w && w.dataset.kind === 'threat' && Number(w.dataset.id) === d.id) return d.id;
        }
        return null;""")
    assert j is not None
    driver.find_element("css selector", f".symwrap[data-kind=threat][data-id='{j}']").click()
    sel = driver.find_element("css selector", "#history .seltitle")
    assert sel.get_attribute("data-selected") == f"threat:{j}"
    text = driver.find_element("id", "history").text
    assert f"Threat {j}" in text and "threat launch" in text
    assert driver.find_elements("css selector", "#history svg.profile polyline")
    driver.execute_script("window.iadsimReplay.clearSelection()")


def test_play_advances_time_and_writes_the_screenshot(page, run):
    driver, _ = page
    _slide_to(driver, 0.0)
    driver.find_element("id", "play").click()
    time.sleep(0.6)
    driver.find_element("id", "play").click()
    t = driver.execute_script("return window.iadsimReplay.getTime()")
    assert t > 0.0
    # the picture of the busiest moment: engagements on, markers of what already happened
    ev = run.table("events").to_pylist()
    first_kill = min(e["time"] for e in ev if e["kind"] == "intercept")
    _slide_to(driver, first_kill + 6.0)
    driver.execute_script("window.iadsimReplay.select('threat', arguments[0])",
                          next(e["threat"] for e in ev if e["kind"] == "intercept"))
    out = Path(os.environ.get("IADSIM_ARTIFACTS", "build/artifacts")) / "replay.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(out))
    assert out.stat().st_size > 20_000
    assert _errors(driver.get_log("browser")) == []


def test_static_folder_works_from_file_urls(driver, run, tmp_path_factory):
    from iadsim.replay.data import replay_document
    from iadsim.replay.serve import write_static

    index = write_static(replay_document(run), tmp_path_factory.mktemp("page"))
    logs = _open(driver, index.as_uri())
    assert _errors(logs) == []
    assert len(driver.execute_script("return window.iadsimReplay.units()")) == \
        len(run.layout["assets"]) + len(run.layout["sensors"]) + len(run.layout["fire_units"])
