// Moving layers: truth threats and interceptors, the tracker's tracks, their trails, the engagement lines
// and the intercept / miss / leak markers, all redrawn for the current time by update(t).
import L from "leaflet";
import { positionAt, trail } from "./series.js";
import { icon } from "./symbols.js";

const TRAIL_S = 90;

/** One kind of moving object ("threat", "interceptor" or "track"): a marker per object shown at time t. */
export class MovingLayer {
  constructor(map, kind, objects, { renderer, symbolOf, maxGap, trailColor, onClick }) {
    this.map = map;
    this.kind = kind;
    this.objects = objects;
    this.symbolOf = symbolOf; // (object, sample index) -> {sidc, fill, label}
    this.maxGap = maxGap;
    this.group = L.layerGroup().addTo(map);
    this.trails = L.layerGroup().addTo(map);
    this.renderer = renderer;
    this.trailColor = trailColor;
    this.onClick = onClick;
    this.shown = new Map(); // id -> {marker, sym, key, p, line}
    this.enabled = true;
    this.showTrails = true;
  }

  setEnabled(on) {
    this.enabled = on;
  }

  update(t) {
    const seen = new Set();
    if (this.enabled) {
      for (const o of this.objects) {
        const p = positionAt(o, t, this.maxGap);
        if (!p) continue;
        seen.add(o.id);
        const spec = this.symbolOf(o, p.k);
        const key = `${spec.sidc}|${spec.fill}|${spec.label}`;
        let s = this.shown.get(o.id);
        if (!s || s.key !== key) {
          if (s) this.group.removeLayer(s.marker);
          const { icon: ic, sym } = icon(spec.sidc, { size: 15, fill: spec.fill, label: spec.label },
            { kind: this.kind, id: o.id });
          const marker = L.marker([p.lat, p.lon], { icon: ic, keyboard: false });
          marker.on("click", () => this.onClick(this.kind, o));
          this.group.addLayer(marker);
          s = { marker, sym, key, line: s ? s.line : null };
          this.shown.set(o.id, s);
        } else {
          s.marker.setLatLng([p.lat, p.lon]);
        }
        s.p = p;
        s.o = o;
        if (this.showTrails) {
          const pts = trail(o, t, TRAIL_S, p);
          if (!s.line) {
            s.line = L.polyline(pts, { renderer: this.renderer, color: this.trailColor, weight: 1.5, opacity: 0.7,
              interactive: false });
            this.trails.addLayer(s.line);
          } else s.line.setLatLngs(pts);
        } else if (s.line) {
          this.trails.removeLayer(s.line);
          s.line = null;
        }
      }
    }
    for (const [id, s] of this.shown) {
      if (!seen.has(id)) {
        this.group.removeLayer(s.marker);
        if (s.line) this.trails.removeLayer(s.line);
        this.shown.delete(id);
      }
    }
  }

  /** Where each shown object is drawn: the symbol's anchor on screen, relative to the map container. */
  drawn() {
    const box = this.map.getContainer().getBoundingClientRect();
    const out = [];
    for (const [id, s] of this.shown) {
      const el = s.marker.getElement();
      if (!el) continue;
      const r = el.getBoundingClientRect();
      out.push({ id, lat: s.p.lat, lon: s.p.lon, alt: s.p.alt, x: r.left - box.left + s.sym.anchor[0],
        y: r.top - box.top + s.sym.anchor[1] });
    }
    return out;
  }

  position(id) {
    const s = this.shown.get(id);
    return s ? s.p : null;
  }
}

const MARKER_STYLE = {
  intercept: { radius: 5, color: "#0b5d1e", weight: 1.5, fillColor: "#37c25c", fillOpacity: 0.95 },
  miss: { radius: 4, color: "#555555", weight: 1.5, fillColor: "#ffffff", fillOpacity: 0.6 },
  leak: { radius: 7, color: "#7a0000", weight: 2, fillColor: "#ff2a2a", fillOpacity: 0.9 },
  asset_destroyed: { radius: 16, color: "#d00000", weight: 3, fill: false },
};
export const MARKER_KINDS = Object.keys(MARKER_STYLE);
export function markerStyle(kind) {
  return MARKER_STYLE[kind] || MARKER_STYLE.miss;
}

/** Markers where intercepts, misses and leaks happened, shown from their time on. */
export class EventMarkers {
  constructor(map, markers, renderer, onClick) {
    this.group = L.layerGroup().addTo(map);
    this.items = markers.map((m) => {
      const c = L.circleMarker([m.lat, m.lon], { renderer, ...markerStyle(m.kind) });
      c.bindTooltip(`${m.kind.replace("_", " ")} at ${m.t.toFixed(1)} s: ${m.detail}`);
      c.on("click", () => onClick("marker", m));
      return { m, c, on: false };
    });
    this.enabled = true;
  }

  update(t) {
    for (const it of this.items) {
      const want = this.enabled && it.m.t <= t;
      if (want !== it.on) {
        if (want) this.group.addLayer(it.c);
        else this.group.removeLayer(it.c);
        it.on = want;
      }
    }
  }

  count(t) {
    const n = {};
    for (const it of this.items) if (it.m.t <= t) n[it.m.kind] = (n[it.m.kind] || 0) + 1;
    return n;
  }
}

/**
 * Engagement lines: from the fire unit to the engaged track (the command post's picture) while the engagement
 * is on, from launch to its end; to the acquired threat's truth when the track is not held.
 */
export class EngagementLines {
  constructor(map, doc, renderer, where) {
    this.group = L.layerGroup().addTo(map);
    this.doc = doc;
    this.renderer = renderer;
    this.where = where; // (engagement) -> [lat, lon] | null
    this.lines = new Map();
    this.enabled = true;
  }

  update(t) {
    const live = new Set();
    if (this.enabled) {
      for (const e of this.doc.engagements) {
        if (t < e.t_launch || t > e.t_end) continue;
        const fu = this.doc.fire_units[e.fire_unit];
        const to = fu && this.where(e, t);
        if (!to) continue;
        live.add(e.id);
        const pts = [[fu.lat, fu.lon], to];
        const l = this.lines.get(e.id);
        if (l) l.setLatLngs(pts);
        else {
          this.lines.set(e.id, L.polyline(pts, { renderer: this.renderer, color: "#0057b8", weight: 1.3,
            dashArray: "6 4", opacity: 0.85, interactive: false }).addTo(this.group));
        }
      }
    }
    for (const [id, l] of this.lines) {
      if (!live.has(id)) {
        this.group.removeLayer(l);
        this.lines.delete(id);
      }
    }
    return live.size;
  }
}
