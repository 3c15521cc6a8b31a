"""The report pages: Jinja2 templates (package data under ``templates/``) filled with the run's numbers and
figures; see :mod:`iadsim.report`.

Every number the page takes from ``summary.json`` is written by the ``num`` macro as
``<td data-key='["threats", "total", "leaked"]'>1</td>``: the path into ``summary.json`` travels with the
shown value, so a reader (and the tests) can check each one against the file.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from iadsim.errors import InputError

#: study metrics drawn as distributions and sweep curves: (row key, label)
STUDY_METRICS = (("leakage", "leakage (leaked / launched)"), ("assets_lost", "assets lost"),
                 ("interceptor_cost", "interceptor cost (USD)"))


def pick(d: dict, path):
    """``d[path[0]][path[1]]...`` (keys of objects, indices of lists); ``None`` where the path ends early
    (shown as n/a)."""
    for k in path:
        if isinstance(d, dict) and k in d:
            d = d[k]
        elif isinstance(d, list) and isinstance(k, int) and -len(d) <= k < len(d):
            d = d[k]
        else:
            return None
    return d


_FORMATS = {"count": "{:,.0f}", "usd": "{:,.0f}", "ratio": "{:.2f}", "m": "{:,.1f}", "frac": "{:.3f}",
            "g": "{:.4g}"}


def fmt(v, kind: str = "count") -> str:
    """A number as the page shows it: ``count`` 1,234; ``usd`` 8,000,000; ``ratio`` 2.55; ``m`` 2,106.3;
    ``frac`` 0.125; ``g`` four significant digits; ``None`` and NaN as n/a."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    return _FORMATS[kind].format(v)


def _env():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("iadsim.report", "templates"), autoescape=select_autoescape(["j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    from iadsim import __version__

    env.globals.update(pick=pick, fmt=fmt, version=__version__)
    return env


def _markup(svg: str):
    from markupsafe import Markup

    return Markup(svg)


def run_html(run) -> str:
    """The report page of a checked run directory."""
    from iadsim.report import figures as F
    from iadsim.report import series as S

    layout = S.check_layout(run)
    s = run.summary
    truth = S.columns(run, "truth", S.TRUTH_COLUMNS)
    tracks = S.columns(run, "tracks", S.TRACK_COLUMNS)
    events = S.columns(run, "events", S.EVENT_COLUMNS)
    eng = S.columns(run, "engagements", S.ENGAGEMENT_COLUMNS)
    frame = S.Frame.of(layout)
    duration = float(layout["duration_s"])

    classes = set(s.get("threats", {}).get("by_class", {})) | {r["class"] for r in layout["raids"]}
    classes |= set(truth["class"][truth["object"] == "threat"].tolist())
    class_colors = S.palette(classes)
    layer_colors = S.palette(u["layer"] for u in layout["fire_units"])

    cuts = S.intercepts(layout, frame, truth, eng)
    leak = events["kind"] == "leak"
    leaks_en = frame.enu(S.threat_positions_at(truth, events["threat"][leak], events["time"][leak]))[:, :2]
    ts = S.tracking_series(truth, tracks)
    units = S.unit_series(run, layout, events, eng)

    figs = {
        "map": F.engagement_map(layout, frame, S.paths(truth, "threat"), S.paths(truth, "interceptor"),
                                class_colors, cuts, leaks_en),
        "timeline": F.timeline(events, duration, class_colors),
        "magazines": F.magazines(units),
        "layers": F.intercept_layers(cuts, layout, layer_colors),
        "gospa": F.track_quality(ts),
        "track_error": F.track_error(ts, class_colors),
    }
    figures = {k: _markup(F.to_svg(f, k)) for k, f in figs.items()}

    destroyed = set(pick(s, ["assets", "destroyed"]) or [])
    assets = [{"name": a["name"], "value": a["value"], "hardness": a.get("hardness"),
               "destroyed": a["name"] in destroyed} for a in layout["assets"]]
    fire_units = [{"name": u["name"], "interceptor": u["interceptor"], "layer": u["layer"], "rounds": u["rounds"],
                   "fire_channels": u["fire_channels"], "max_channels": int(us.channels.max(initial=0)),
                   "max_range_km": u["max_range_m"] / 1e3, "max_alt_km": u["max_alt_m"] / 1e3}
                  for u, us in zip(layout["fire_units"], units, strict=True)]
    errors = []
    for cls in sorted(set(ts.pair_class.tolist())) + ["all"]:
        m = np.ones(ts.pair_class.size, bool) if cls == "all" else ts.pair_class == cls
        e, sig = ts.pair_error[m], ts.pair_sigma[m]
        rms_e = float(np.sqrt(np.mean(e**2))) if e.size else None
        rms_s = float(np.sqrt(np.mean(sig**2))) if sig.size else None
        errors.append({"cls": cls, "pairs": int(m.sum()), "rms_error": rms_e, "rms_sigma": rms_s,
                       "ratio": rms_e / rms_s if rms_e is not None and rms_s else None,
                       "color": class_colors.get(cls, "#000000")})
    results = {k: v for k, v in (s.get("engagements") or {}).items() if k not in ("total", "miss_distance_median_m")}
    return _env().get_template("run.html.j2").render(
        title=f"iadsim report: {run.manifest.get('scenario', layout.get('scenario', '?'))}", manifest=run.manifest,
        summary=s, layout=layout, duration=duration, path=str(run.path), figures=figures, assets=assets,
        fire_units=fire_units, errors=errors, results=results, class_colors=class_colors,
        layer_colors=layer_colors, gospa_frames=int(ts.time.size), gospa_mean=float(ts.total.mean())
        if ts.total.size else None)


def study_html(study) -> str:
    """The report page of a checked study directory."""
    from iadsim.montecarlo import summarize_rows
    from iadsim.report import figures as F

    figures = {"distributions": _markup(F.to_svg(F.distributions(study.rows, study.summary, STUDY_METRICS),
                                                 "distributions"))}
    sweeps = []
    for param in study.sweep:
        values = sorted({float(r[param]) for r in study.rows})
        groups = [(v, summarize_rows([r for r in study.rows if float(r[param]) == v])) for v in values]
        name = param[len("sweep_"):]
        figures[f"sweep_{name}"] = _markup(F.to_svg(F.sweep_curves(name, groups, STUDY_METRICS), f"sweep-{name}"))
        sweeps.append({"param": name, "key": f"sweep_{name}", "groups": groups})
    metrics = sorted(k for k, v in study.summary.items() if isinstance(v, dict) and "mean" in v)
    seeds = [r["seed"] for r in study.rows]
    return _env().get_template("study.html.j2").render(
        title=f"iadsim study report: {study.path.name}", summary=study.summary, manifest=study.manifest or {},
        path=str(study.path), seeds=seeds, metrics=metrics, study_metrics=STUDY_METRICS, figures=figures,
        sweeps=sweeps)


def write_report(html: str, out: str | Path) -> Path:
    """Write ``html`` to ``out`` through a temporary file (an existing report is replaced only when the new
    one is complete)."""
    out = Path(out)
    if out.is_dir():
        raise InputError("is a directory (expected the report's file name)", file=str(out), field="--out")
    tmp = out.with_name(out.name + ".tmp")
    try:
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write the report: {exc.strerror}", file=str(out)) from None
    return out
