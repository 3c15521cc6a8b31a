"""The report's figures: matplotlib (object API, no pyplot, no global backend) rendered to inline SVG.

Each function takes already derived data (:mod:`iadsim.report.series`, the layout, the study rows) and
returns a :class:`matplotlib.figure.Figure`; :func:`to_svg` renders it as an ``<svg>`` element for the
page. Determinism: SVG ids come from a salt fixed per figure (``svg.hashsalt``), the date and the other
metadata are left out, text stays text (``svg.fonttype: none``), so the same run gives the same bytes.
Scatters of more than :data:`RASTER_POINTS` points are embedded as a PNG inside the SVG (a ``data:`` URI,
150 dpi) so that a long run's page stays small (layered_defense: 1.4 MB instead of 14 MB). Nothing in the
SVG points outside the file: the XML prologue, the DOCTYPE and the RDF metadata (which name ``http://``
namespaces) are dropped, and the namespace declarations an inline ``<svg>`` inside HTML does not need (the
HTML parser puts it in the SVG namespace, HTML Living Standard sect. 13.2.6.5) are removed.
"""

from __future__ import annotations

import io
import re

import numpy as np

RC = {"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 10,
      "axes.grid": True, "grid.alpha": 0.3, "figure.dpi": 100, "savefig.bbox": "tight", "savefig.pad_inches": 0.05,
      "path.simplify": True}
_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_DIMENSION = re.compile(r'(<svg\b[^>]*?)\s+width="[^"]*"\s+height="[^"]*"')
# layout symbols in colours outside matplotlib's tab10 (the palette of threat classes and layers)
LEAK_COLOR = "#d62728"
INTERCEPTOR_COLOR = "#444444"
RADAR_COLOR = "#08306b"
FIRE_UNIT_COLOR = "#000000"
ASSET_COLOR = "#ffd700"


def to_svg(fig, salt: str) -> str:
    """``fig`` as an inline ``<svg>`` element (module docstring); scales with the page width."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({**RC, "svg.hashsalt": f"iadsim-report-{salt}"}):
        fig.savefig(buf, format="svg", dpi=150,
                    metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = _METADATA.sub("", _PROLOGUE.sub("", buf.getvalue(), count=1), count=1)
    text = _XMLNS.sub("", text)
    return _DIMENSION.sub(rf'\1 class="figure" id="svg-{salt}" role="img"', text, count=1).strip()


#: above this many points a scatter is drawn as an embedded image (inside the SVG) instead of one mark per point
RASTER_POINTS = 2000


def _figure(w: float, h: float):
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(RC):
        return Figure(figsize=(w, h), layout="constrained")


def _ctx():
    import matplotlib

    return matplotlib.rc_context(RC)


def engagement_map(layout, frame, threat_paths, interceptor_paths, class_colors, cuts, leaks_en):
    """Assets, radars with their coverage sector (detection range of the reference target), fire units with
    their envelope's ground reach, threat paths by class, interceptor paths, intercept points (kills and other
    outcomes) and leak points, in km east / north of the scenario origin."""
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Circle, Wedge

    with _ctx():
        fig = _figure(9.0, 7.0)
        ax = fig.add_subplot()
        km = 1e-3
        xs, ys = [], []
        for cls in sorted({c for c, _ in threat_paths.values()}):
            segs = [p * km for c, p in threat_paths.values() if c == cls and len(p) > 1]
            if segs:
                ax.add_collection(LineCollection(segs, colors=class_colors[cls], linewidths=1.0, alpha=0.8,
                                                 label=f"{cls} path", zorder=2))
                xs += [s[:, 0] for s in segs]
                ys += [s[:, 1] for s in segs]
        isegs = [p * km for _, p in interceptor_paths.values() if len(p) > 1]
        if isegs:
            ax.add_collection(LineCollection(isegs, colors=INTERCEPTOR_COLOR, linewidths=0.7, linestyles="--",
                                             label="interceptor path", zorder=3))
        sen = frame.geo(layout["sensors"]) * km
        for s, p in zip(layout["sensors"], sen, strict=True):
            r = s["detection_range_m"] * km
            w = s["azimuth_width_deg"]
            if w >= 360.0:
                patch = Circle(p[:2], r)
            else:  # azimuth clockwise from north -> matplotlib's counter-clockwise angle from east
                a0, a1 = 90.0 - s["facing_deg"] - w / 2, 90.0 - s["facing_deg"] + w / 2
                patch = Wedge(p[:2], r, a0, a1)
            patch.set(facecolor=RADAR_COLOR, alpha=0.05, edgecolor=RADAR_COLOR, linewidth=0.8, zorder=1)
            ax.add_patch(patch)
        fus = frame.geo(layout["fire_units"]) * km
        for u, p in zip(layout["fire_units"], fus, strict=True):
            ax.add_patch(Circle(p[:2], u["max_range_m"] * km, fill=False, edgecolor=FIRE_UNIT_COLOR, linewidth=0.8,
                                linestyle="-.", zorder=1))
        ast = frame.geo(layout["assets"]) * km
        if len(sen):
            ax.scatter(sen[:, 0], sen[:, 1], marker="^", s=40, c=RADAR_COLOR, label="radar (coverage)", zorder=5)
        if len(fus):
            ax.scatter(fus[:, 0], fus[:, 1], marker="D", s=30, c=FIRE_UNIT_COLOR, label="fire unit (envelope reach)",
                       zorder=5)
        if len(ast):
            ax.scatter(ast[:, 0], ast[:, 1], marker="s", s=50, c=ASSET_COLOR, edgecolors="k", label="asset",
                       zorder=6)
            for a, p in zip(layout["assets"], ast, strict=True):
                ax.annotate(a["name"], p[:2], xytext=(4, 4), textcoords="offset points", fontsize=8, zorder=7)
        kill = cuts.result == "kill"
        if kill.any():
            ax.scatter(cuts.east_north[kill, 0] * km, cuts.east_north[kill, 1] * km, marker="x", s=36, c="k",
                       label="intercept (kill)", zorder=7)
        if (~kill).any():
            ax.scatter(cuts.east_north[~kill, 0] * km, cuts.east_north[~kill, 1] * km, marker="o", s=30,
                       facecolors="none", edgecolors="k", label="closest approach (no kill)", zorder=7)
        if len(leaks_en):
            ax.scatter(leaks_en[:, 0] * km, leaks_en[:, 1] * km, marker="v", s=50, c=LEAK_COLOR,
                       edgecolors="k", label="leak", zorder=8)
        # the view holds paths, points and envelopes; long-range radar coverage is clipped to it
        for a in (sen, fus, ast):
            xs.append(a[:, 0])
            ys.append(a[:, 1])
        for u, p in zip(layout["fire_units"], fus, strict=True):
            r = u["max_range_m"] * km
            xs.append(np.array([p[0] - r, p[0] + r]))
            ys.append(np.array([p[1] - r, p[1] + r]))
        allx, ally = np.concatenate(xs + [np.zeros(1)]), np.concatenate(ys + [np.zeros(1)])
        pad = 0.05 * max(np.ptp(allx), np.ptp(ally), 10.0)
        ax.set_xlim(allx.min() - pad, allx.max() + pad)
        ax.set_ylim(ally.min() - pad, ally.max() + pad)
        ax.set_aspect("equal", adjustable="box")
        fig.set_size_inches(9.0, float(np.clip(9.0 * (np.ptp(ally) + 2 * pad) / (np.ptp(allx) + 2 * pad) + 0.8,
                                               3.5, 10.0)))
        ax.set_xlabel("east of origin (km)")
        ax.set_ylabel("north of origin (km)")
        ax.legend(loc="best", fontsize=7, framealpha=0.85)
        return fig


def timeline(events, duration, class_colors):
    """Lanes of launches (threats by class, interceptors), intercepts, misses, leaks and reloads over time,
    and below them the cumulative counts."""
    t, kind = events["time"], events["kind"]
    lanes = [("threat launch", kind == "threat_launch"), ("interceptor launch", kind == "interceptor_launch"),
             ("intercept", kind == "intercept"), ("miss", kind == "miss"), ("leak", kind == "leak")]
    if (kind == "reload").any():
        lanes.append(("reload", kind == "reload"))
    style = {"interceptor launch": ("|", "#9467bd"), "intercept": ("x", "k"), "miss": ("o", "#7f7f7f"),
             "leak": ("v", LEAK_COLOR), "reload": ("+", "#2ca02c")}
    with _ctx():
        fig = _figure(9.0, 5.2)
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1.2, 1.0])
        for y, (name, m) in enumerate(lanes):
            if name == "threat launch":
                for cls in sorted(set(events["threat_class"][m].tolist())):
                    mm = m & (events["threat_class"] == cls)
                    top.scatter(t[mm], np.full(mm.sum(), y), marker="|", s=120, c=class_colors.get(cls, "k"),
                                label=f"{cls} launch")
            else:
                mk, col = style[name]
                top.scatter(t[m], np.full(m.sum(), y), marker=mk, s=30, c=col if mk != "o" else "none",
                            edgecolors=col if mk == "o" else None)
        top.set_yticks(range(len(lanes)), [n for n, _ in lanes])
        top.set_ylim(len(lanes) - 0.5, -0.5)
        top.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=7, ncols=6, frameon=False)
        for name, m, col in (("threats launched", kind == "threat_launch", "#1f77b4"),
                             ("interceptors launched", kind == "interceptor_launch", "#9467bd"),
                             ("intercepts", kind == "intercept", "k"), ("leaks", kind == "leak", LEAK_COLOR)):
            tt = np.r_[0.0, t[m], duration]
            bottom.step(tt, np.r_[0, np.arange(1, m.sum() + 1), m.sum()], where="post", color=col, label=name)
        bottom.set_ylabel("cumulative count")
        bottom.set_xlabel("time (s)")
        bottom.set_xlim(0, duration)
        bottom.legend(loc="upper left", fontsize=7)
        return fig


def magazines(units):
    """Per fire unit: ready rounds and all rounds left (ready + reserve) over time, and the fire channels in
    use against the unit's number of channels."""
    n = max(len(units), 1)
    ncols = min(3, n)
    nrows = -(-n // ncols)
    with _ctx():
        fig = _figure(9.0, 2.8 * nrows + 0.3)
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        for ax, u in zip(axes, units, strict=False):
            ax.step(u.t_rounds, u.total, where="post", color="#1f77b4", linestyle="--", label="rounds left")
            ax.step(u.t_rounds, u.ready, where="post", color="#1f77b4", label="ready rounds")
            ax.set_ylim(0, max(int(u.total[0]), 1) * 1.08)
            ax.set_ylabel("rounds")
            ax.set_title(u.name)
            ax.set_xlabel("time (s)")
            ch = ax.twinx()
            ch.grid(False)
            ch.fill_between(u.t_channels, u.channels, step="post", color="#ff7f0e", alpha=0.35,
                            label="channels in use")
            ch.axhline(u.fire_channels, color="#ff7f0e", linewidth=0.8, linestyle=":")
            ch.set_ylim(0, u.fire_channels * 1.5)
            ch.set_ylabel("fire channels", color="#ff7f0e")
            h1, l1 = ax.get_legend_handles_labels()
            h2, l2 = ch.get_legend_handles_labels()
            ax.legend(h1 + h2, l1 + l2, loc="lower left", fontsize=7)
        for ax in axes[len(units):]:
            ax.set_visible(False)
        return fig


def intercept_layers(cuts, layout, layer_colors):
    """Intercept altitude against ground range from the firing unit, one colour per layer (kills as crosses,
    other closest approaches as circles), with each layer's envelope reach (maximum ground range and
    altitude of the flown table) as a dashed box."""
    with _ctx():
        fig = _figure(9.0, 4.2)
        ax_s, ax_h = fig.subplots(1, 2, width_ratios=[1.6, 1.0])
        km = 1e-3
        for layer in sorted(layer_colors):
            col = layer_colors[layer]
            reach = [(u["max_range_m"], u["max_alt_m"]) for u in layout["fire_units"] if u["layer"] == layer]
            if reach:
                r, h = max(reach)
                ax_s.plot([0, r * km, r * km], [h * km, h * km, 0], color=col, linestyle="--", linewidth=0.8)
            m = cuts.layer == layer
            kill = m & (cuts.result == "kill")
            other = m & ~kill
            ax_s.scatter(cuts.ground_range[kill] * km, cuts.altitude[kill] * km, marker="x", c=col,
                         label=f"{layer}: kill")
            ax_s.scatter(cuts.ground_range[other] * km, cuts.altitude[other] * km, marker="o", facecolors="none",
                         edgecolors=col, label=f"{layer}: no kill")
        ax_s.set_xlabel("ground range from the fire unit (km)")
        ax_s.set_ylabel("altitude at closest approach (km)")
        ax_s.set_xlim(left=0)
        ax_s.set_ylim(bottom=0)
        ax_s.legend(fontsize=7)
        layers = sorted(layer_colors)
        data = [cuts.altitude[cuts.layer == lay] * km for lay in layers]
        if any(len(d) for d in data):
            ax_h.boxplot([d if len(d) else [np.nan] for d in data], tick_labels=layers)
        ax_h.set_ylabel("altitude at closest approach (km)")
        ax_h.set_title("per layer")
        return fig


def track_quality(ts):
    """GOSPA over time: the total (with its mean), the missed targets and false tracks of each frame, and the
    localisation part as the RMS distance of the assigned pairs."""
    with _ctx():
        fig = _figure(9.0, 6.0)
        a, b, c = fig.subplots(3, 1, sharex=True)
        a.plot(ts.time, ts.total, color="#1f77b4", linewidth=1.0)
        if ts.total.size:
            a.axhline(ts.total.mean(), color="#1f77b4", linestyle=":", label=f"mean {ts.total.mean():.0f} m")
            a.legend(fontsize=7, loc="upper right")
        a.set_ylabel("GOSPA (m)")
        a.set_title(f"GOSPA (p = 2, c = {ts.cutoff:.0f} m, alpha = 2) between detectable threats and tracks")
        b.step(ts.time, ts.n_missed, where="mid", color="#d62728", label="missed targets")
        b.step(ts.time, ts.n_false, where="mid", color="#ff7f0e", label="false tracks")
        b.set_ylabel("count")
        b.legend(fontsize=7, loc="upper right")
        c.plot(ts.time, ts.localisation_rms, ".", color="#2ca02c", markersize=3,
               rasterized=ts.time.size > RASTER_POINTS)
        c.set_ylabel("localisation RMS (m)")
        c.set_xlabel("time (s)")
        if np.isfinite(ts.localisation_rms).any():
            c.set_yscale("log")
        return fig


def track_error(ts, class_colors):
    """3-D position error of every truth-track pair of the GOSPA assignment against time, by threat class,
    with the track's reported ``pos_std`` (grey): for a consistent filter the error's RMS equals it."""
    with _ctx():
        fig = _figure(9.0, 3.8)
        ax = fig.add_subplot()
        if ts.pair_time.size:
            raster = ts.pair_time.size > RASTER_POINTS
            ax.scatter(ts.pair_time, ts.pair_sigma, s=4, c="#bbbbbb", marker="_", label="track pos_std (1 sigma)",
                       rasterized=raster)
            for cls in sorted(set(ts.pair_class.tolist())):
                m = ts.pair_class == cls
                ax.scatter(ts.pair_time[m], ts.pair_error[m], s=5, c=class_colors.get(cls, "k"),
                           label=f"{cls}: |x - x_hat|", rasterized=raster)
            ax.set_yscale("log")
            ax.legend(fontsize=7, loc="upper right", markerscale=2)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("position error (m)")
        return fig


def distributions(rows, stats, metrics):
    """Histograms of per-replication metrics with the mean and its 95 % confidence interval."""
    with _ctx():
        fig = _figure(9.0, 3.2)
        axes = np.atleast_1d(fig.subplots(1, len(metrics), squeeze=False)).ravel()
        for ax, (key, label) in zip(axes, metrics, strict=True):
            x = np.array([r.get(key, np.nan) for r in rows], float)
            x = x[np.isfinite(x)]
            if x.size:
                ax.hist(x, bins=min(20, max(3, int(np.sqrt(x.size)) + 1)), color="#1f77b4", alpha=0.8, zorder=2)
            s = stats.get(key)
            if s:
                ax.axvline(s["mean"], color="k", zorder=3, label="mean")
                lo, hi = s["ci95"]
                if np.isfinite(lo) and np.isfinite(hi):
                    ax.axvspan(lo, hi, color="k", alpha=0.12, zorder=1, label="95 % CI of the mean")
            ax.set_xlabel(label)
            ax.set_ylabel("replications")
        axes[0].legend(fontsize=7)
        return fig


def sweep_curves(param, groups, metrics):
    """The swept metrics against parameter ``param``: means with 95 % confidence intervals per value.

    ``groups``: ``[(value, stats)]`` in value order, ``stats`` as :func:`iadsim.montecarlo.summarize_rows`."""
    with _ctx():
        fig = _figure(9.0, 3.2)
        axes = np.atleast_1d(fig.subplots(1, len(metrics), squeeze=False)).ravel()
        v = np.array([g[0] for g in groups], float)
        for ax, (key, label) in zip(axes, metrics, strict=True):
            mean = np.array([g[1].get(key, {}).get("mean", np.nan) for g in groups], float)
            ci = np.array([g[1].get(key, {}).get("ci95", [np.nan, np.nan]) for g in groups], float).reshape(-1, 2)
            err = np.abs(np.stack([mean - ci[:, 0], ci[:, 1] - mean]))
            ax.errorbar(v, mean, yerr=np.nan_to_num(err), marker="o", capsize=3)
            ax.set_xlabel(param)
            ax.set_ylabel(label)
        return fig
