"""The run's trajectories for Cesium (CZML) and Google Earth (KML).

Both formats carry the same thing: every object of the truth table (threats and interceptors) as one
time-tagged trajectory at the run's own sample times, and the scenario's static units (assets, sensors, fire
units). Times are UTC: the run's ``epoch_utc`` (manifest) plus the sample time in seconds.

CZML (:func:`to_czml`, written with czml3; format: the CZML guide, https://github.com/AnalyticalGraphicsInc/
czml-writer/wiki/CZML-Guide): a ``document`` packet with the clock over the run, then one packet per object,
id ``threat/<id>`` or ``interceptor/<id>``, with ``availability`` from its first to its last sample and a
``position`` of ECEF samples ``[t, x, y, z, ...]`` (seconds after the epoch, metres, ``referenceFrame``
``FIXED``: the truth table's ``x, y, z`` as they are), interpolated linearly as in the browser replay; static
units are ``asset/<name>``, ``sensor/<name>``, ``fire_unit/<name>`` with constant positions (fire units with
their reach as an ellipse).

KML (:func:`to_kml`, KML 2.2 with Google's ``gx`` extension, OGC 07-147r2 and the Google KML reference):
folders ``Units``, ``Threats`` and ``Interceptors``; one ``Placemark`` per object, its trajectory a
``gx:Track`` of ``when`` (ISO 8601 UTC) and ``gx:coord`` (longitude, latitude, altitude in metres,
``altitudeMode`` absolute) pairs. Written with the standard library's ``xml.etree.ElementTree``: the format
needs a few elements and namespaces, so no third-party KML writer (simplekml has had no release since 2021)
is worth a dependency; tests read the files back with an independent parser (fastkml).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from iadsim.errors import InputError
from iadsim.replay.data import columns

KML_NS = "http://www.opengis.net/kml/2.2"
GX_NS = "http://www.google.com/kml/ext/2.2"
#: RGBA colours per kind and threat class (other classes: grey)
COLORS = {"ballistic": (220, 30, 30), "cruise": (240, 120, 0), "drone": (200, 0, 160), "aircraft": (150, 40, 40),
          "interceptor": (20, 90, 220), "asset": (0, 150, 60), "sensor": (60, 120, 200), "fire_unit": (0, 110, 190)}
GREY = (128, 128, 128)


def epoch_of(run) -> dt.datetime:
    """The run's epoch (manifest ``epoch_utc``) as an aware UTC datetime."""
    s = run.manifest.get("epoch_utc")
    try:
        e = dt.datetime.fromisoformat(str(s))
    except ValueError:
        raise InputError(f"epoch_utc: expected an ISO 8601 date-time, got {s!r}",
                         file=str(run.path / "manifest.json")) from None
    return e.replace(tzinfo=dt.UTC) if e.tzinfo is None else e.astimezone(dt.UTC)


def trajectories(run) -> list[dict]:
    """One dict per truth object, ordered threats then interceptors by id: ``kind``, ``id``, ``class``, and the
    arrays ``t``, ``x``, ``y``, ``z``, ``lat``, ``lon``, ``alt`` in time order."""
    tr = columns(run, "truth", ("time", "object", "id", "class", "x", "y", "z", "lat_deg", "lon_deg", "alt_m"))
    obj = tr["object"].astype(str)
    ids = tr["id"].astype(np.int64)
    t = tr["time"].astype(float)
    rank = np.where(obj == "threat", 0, 1)
    order = np.lexsort((t, ids, rank, obj))
    out = []
    if not order.size:
        return out
    o, i = obj[order], ids[order]
    cut = np.flatnonzero((o[1:] != o[:-1]) | (i[1:] != i[:-1])) + 1
    for sl in np.split(order, cut):
        out.append({"kind": str(obj[sl[0]]), "id": int(ids[sl[0]]), "class": str(tr["class"][sl[0]]),
                    "t": t[sl], "x": tr["x"][sl].astype(float), "y": tr["y"][sl].astype(float),
                    "z": tr["z"][sl].astype(float), "lat": tr["lat_deg"][sl].astype(float),
                    "lon": tr["lon_deg"][sl].astype(float), "alt": tr["alt_m"][sl].astype(float)})
    out.sort(key=lambda r: (r["kind"] != "threat", r["id"]))
    return out


def _units(run):
    lay = run.layout
    for kind, key in (("asset", "assets"), ("sensor", "sensors"), ("fire_unit", "fire_units")):
        for u in lay.get(key, []) or []:
            yield kind, u


def _color(kind: str, cls: str) -> tuple[int, int, int]:
    return COLORS.get(cls, COLORS.get(kind, GREY))


def to_czml(run):
    """The CZML document (a :class:`czml3.Document`) of the run (module docstring)."""
    from czml3 import Clock, Color, Document, Ellipse, Label, Packet, Path, Point, Position, TimeInterval
    from czml3.properties import PolylineMaterial, SolidColorMaterial
    from czml3.types import Cartesian2Value

    epoch = epoch_of(run)
    objs = trajectories(run)
    t_end = max([float(run.layout.get("duration_s", 0.0) or 0.0)] + [float(o["t"][-1]) for o in objs])
    at = lambda s: epoch + dt.timedelta(seconds=float(s))
    name = str(run.layout.get("scenario") or run.manifest.get("scenario") or "iadsim run")
    packets = [Packet(id="document", name=f"{name} (seed {run.manifest.get('seed')})", version="1.0",
                      clock=Clock(interval=TimeInterval(start=epoch, end=at(t_end)), currentTime=epoch, multiplier=30,
                                  range="LOOP_STOP", step="SYSTEM_CLOCK_MULTIPLIER"))]
    for kind, u in _units(run):
        r, g, b = _color(kind, "")
        extra = {}
        if kind == "fire_unit" and u.get("max_range_m"):
            extra["ellipse"] = Ellipse(semiMajorAxis=float(u["max_range_m"]), semiMinorAxis=float(u["max_range_m"]),
                                       fill=False, outline=True, outlineColor=Color(rgba=[r, g, b, 200]))
        packets.append(Packet(
            id=f"{kind}/{u['name']}", name=str(u["name"]), description=f"{kind.replace('_', ' ')} {u['name']}",
            position=Position(cartographicDegrees=[float(u["lon_deg"]), float(u["lat_deg"]), float(u.get("alt_m", 0))]),
            point=Point(pixelSize=9, color=Color(rgba=[r, g, b, 255]), outlineColor=Color(rgba=[255, 255, 255, 255]),
                        outlineWidth=1),
            label=Label(text=str(u["name"]), font="11pt sans-serif", pixelOffset=Cartesian2Value(values=[0.0, -16.0]),
                        fillColor=Color(rgba=[255, 255, 255, 255])), **extra))
    for o in objs:
        r, g, b = _color(o["kind"], o["class"])
        samples = np.column_stack([o["t"], o["x"], o["y"], o["z"]]).ravel().tolist()
        packets.append(Packet(
            id=f"{o['kind']}/{o['id']}", name=f"{o['kind']} {o['id']} ({o['class']})",
            description=f"{o['kind']} {o['id']}, class {o['class']}, {o['t'].size} samples",
            availability=TimeInterval(start=at(o["t"][0]), end=at(o["t"][-1])),
            position=Position(epoch=epoch, referenceFrame="FIXED", cartesian=samples,
                              interpolationAlgorithm="LINEAR", interpolationDegree=1),
            point=Point(pixelSize=6, color=Color(rgba=[r, g, b, 255])),
            path=Path(width=1.5, leadTime=0, trailTime=120, material=PolylineMaterial(
                solidColor=SolidColorMaterial(color=Color(rgba=[r, g, b, 200]))))))
    return Document(packets=packets)


def _xml_id(s: str) -> str:
    """``s`` as an XML ID (KML ``id`` attributes are NCNames): other characters become ``_``."""
    out = re.sub(r"[^A-Za-z0-9_.-]", "_", s)
    return out if re.match(r"[A-Za-z_]", out) else f"_{out}"


def _kml_color(rgb, alpha=255) -> str:
    r, g, b = rgb
    return f"{alpha:02x}{b:02x}{g:02x}{r:02x}"  # KML colours are aabbggrr


def to_kml(run) -> ET.ElementTree:
    """The KML document of the run (module docstring) as an ElementTree."""
    ET.register_namespace("", KML_NS)
    ET.register_namespace("gx", GX_NS)
    k = lambda tag: f"{{{KML_NS}}}{tag}"
    gx = lambda tag: f"{{{GX_NS}}}{tag}"
    epoch = epoch_of(run)
    objs = trajectories(run)
    root = ET.Element(k("kml"))
    doc = ET.SubElement(root, k("Document"))
    name = str(run.layout.get("scenario") or run.manifest.get("scenario") or "iadsim run")
    ET.SubElement(doc, k("name")).text = f"{name} (seed {run.manifest.get('seed')})"
    ET.SubElement(doc, k("description")).text = (f"iadsim {run.manifest.get('iadsim_version')} run; times are UTC "
                                                 f"from the scenario epoch {epoch.isoformat()}")
    styles = sorted({(o["kind"], o["class"]) for o in objs} | {(kind, "") for kind, _ in _units(run)})
    for kind, cls in styles:
        st = ET.SubElement(doc, k("Style"), id=_xml_id(f"{kind}-{cls}" if cls else kind))
        ic = ET.SubElement(st, k("IconStyle"))
        ET.SubElement(ic, k("color")).text = _kml_color(_color(kind, cls))
        ET.SubElement(ic, k("scale")).text = "0.8"
        ls = ET.SubElement(st, k("LineStyle"))
        ET.SubElement(ls, k("color")).text = _kml_color(_color(kind, cls), 200)
        ET.SubElement(ls, k("width")).text = "2"

    units = ET.SubElement(doc, k("Folder"))
    ET.SubElement(units, k("name")).text = "Units"
    for kind, u in _units(run):
        pm = ET.SubElement(units, k("Placemark"), id=_xml_id(f"{kind}-{u['name']}"))
        ET.SubElement(pm, k("name")).text = str(u["name"])
        ET.SubElement(pm, k("description")).text = kind.replace("_", " ")
        ET.SubElement(pm, k("styleUrl")).text = "#" + _xml_id(kind)
        pt = ET.SubElement(pm, k("Point"))
        ET.SubElement(pt, k("altitudeMode")).text = "absolute"
        ET.SubElement(pt, k("coordinates")).text = f"{u['lon_deg']:.7f},{u['lat_deg']:.7f},{u.get('alt_m', 0.0):.1f}"

    folders = {}
    for label, kind in (("Threats", "threat"), ("Interceptors", "interceptor")):
        folders[kind] = ET.SubElement(doc, k("Folder"))
        ET.SubElement(folders[kind], k("name")).text = label
    for o in objs:
        parent = folders.get(o["kind"])
        if parent is None:
            parent = folders[o["kind"]] = ET.SubElement(doc, k("Folder"))
            ET.SubElement(parent, k("name")).text = o["kind"]
        pm = ET.SubElement(parent, k("Placemark"), id=_xml_id(f"{o['kind']}-{o['id']}"))
        ET.SubElement(pm, k("name")).text = f"{o['kind']} {o['id']} ({o['class']})"
        ET.SubElement(pm, k("styleUrl")).text = "#" + _xml_id(f"{o['kind']}-{o['class']}")
        track = ET.SubElement(pm, gx("Track"))
        ET.SubElement(track, k("altitudeMode")).text = "absolute"
        for s in o["t"].tolist():
            ET.SubElement(track, k("when")).text = (epoch + dt.timedelta(seconds=s)).isoformat(
                timespec="milliseconds").replace("+00:00", "Z")
        for lo, la, al in zip(o["lon"].tolist(), o["lat"].tolist(), o["alt"].tolist(), strict=True):
            ET.SubElement(track, gx("coord")).text = f"{lo:.7f} {la:.7f} {al:.2f}"
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def write_czml(run, path: str | Path) -> Path:
    """Write :func:`to_czml` of ``run`` to ``path``."""
    path = Path(path)
    text = to_czml(run).dumps()
    _write(path, text.encode("utf-8"), "--czml")
    return path


def write_kml(run, path: str | Path) -> Path:
    """Write :func:`to_kml` of ``run`` to ``path``."""
    import io

    path = Path(path)
    buf = io.BytesIO()
    to_kml(run).write(buf, encoding="utf-8", xml_declaration=True)
    _write(path, buf.getvalue(), "--kml")
    return path


def _write(path: Path, data: bytes, option: str) -> None:
    if path.is_dir():
        raise InputError("is a directory, expected a file name", file=str(path), field=option)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=str(path), field=option) from None
