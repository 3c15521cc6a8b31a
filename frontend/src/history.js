// The history of a selected object: its properties, its events, an altitude-time profile with a cursor at
// the current time, and its whole path drawn on the map.
import L from "leaflet";
import { render } from "./symbols.js";

function esc(s) {
  return String(s ?? "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function row(k, v) {
  return v === undefined || v === null || v === "" ? "" : `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`;
}

function profile(o, t) {
  const W = 250;
  const H = 90;
  const t0 = o.t[0];
  const t1 = o.t[o.t.length - 1];
  const amax = Math.max(1, ...o.alt);
  const x = (v) => (t1 > t0 ? ((v - t0) / (t1 - t0)) * (W - 30) + 28 : 28);
  const y = (a) => H - 12 - (a / amax) * (H - 22);
  const pts = o.t.map((v, i) => `${x(v).toFixed(1)},${y(o.alt[i]).toFixed(1)}`).join(" ");
  const cx = t >= t0 && t <= t1 ? x(t) : null;
  const top = amax >= 10000 ? `${(amax / 1000).toFixed(0)} km` : `${amax.toFixed(0)} m`;
  return `<svg class="profile" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="altitude">
<line x1="28" y1="${H - 12}" x2="${W - 2}" y2="${H - 12}" class="axis"/><line x1="28" y1="8" x2="28" y2="${H - 12}" class="axis"/>
<text x="2" y="14">${top}</text><text x="2" y="${H - 12}">0</text>
<text x="28" y="${H - 1}">${t0.toFixed(0)} s</text><text x="${W - 40}" y="${H - 1}">${t1.toFixed(0)} s</text>
<polyline points="${pts}" class="alt"/>${cx === null ? "" : `<line x1="${cx}" y1="8" x2="${cx}" y2="${H - 12}" class="cursor"/>`}
</svg>`;
}

export class History {
  constructor(map, el, doc, renderer) {
    this.map = map;
    this.el = el;
    this.doc = doc;
    this.renderer = renderer;
    this.path = L.layerGroup().addTo(map);
    this.sel = null;
  }

  eventsOf(kind, o) {
    const ev = this.doc.events;
    if (kind === "threat") return ev.filter((e) => e.threat === o.id);
    if (kind === "track") return ev.filter((e) => e.track === o.id);
    if (kind === "interceptor") return ev.filter((e) => o.engagement !== null && e.engagement === o.engagement);
    if (kind === "fire_unit") {
      const f = this.doc.fire_units.indexOf(o);
      return ev.filter((e) => e.fire_unit === f && e.kind !== "kill_assessment");
    }
    if (kind === "asset") {
      const a = this.doc.assets.indexOf(o);
      return ev.filter((e) => e.asset === a && e.kind !== "threat_launch");
    }
    return [];
  }

  select(kind, o, t) {
    this.sel = { kind, o };
    this.path.clearLayers();
    if (o.t && o.lat) {
      const pts = o.t.map((_, i) => [o.lat[i], o.lon[i]]);
      L.polyline(pts, { renderer: this.renderer, color: "#ff9800", weight: 4, opacity: 0.8, interactive: false })
        .addTo(this.path);
    }
    this.show(t);
  }

  clear() {
    this.sel = null;
    this.path.clearLayers();
    this.el.innerHTML = '<p class="hint">Click a symbol, a track or a marker to see its history.</p>';
  }

  show(t) {
    if (!this.sel) return;
    const { kind, o } = this.sel;
    const d = this.doc;
    let title = "";
    let props = "";
    if (kind === "threat") {
      title = `Threat ${o.id} (${o.class})`;
      props = row("first sample", `${o.t[0].toFixed(1)} s`) + row("end", `${o.t_end.toFixed(1)} s, ${o.fate}`)
        + row("target", o.target) + row("max altitude", `${Math.max(...o.alt).toFixed(0)} m`);
    } else if (kind === "interceptor") {
      const e = d.engagements.find((x) => x.id === o.engagement);
      const fu = e ? d.fire_units[e.fire_unit] : null;
      title = `Interceptor ${o.id}${o.type ? ` (${o.type})` : ""}`;
      props = row("fire unit", fu && fu.name) + row("engagement", o.engagement) + row("track", e && e.track)
        + row("launch", `${o.t[0].toFixed(1)} s`) + row("result", o.result || (e && e.result))
        + row("planned Pk", e && e.pk_planned) + row("max altitude", `${Math.max(...o.alt).toFixed(0)} m`);
    } else if (kind === "track") {
      const cls = d.track_classes[o.cls[o.cls.length - 1]];
      title = `Track ${o.id} (${cls})`;
      props = row("confirmed", `${o.t[0].toFixed(1)} s to ${o.t[o.t.length - 1].toFixed(1)} s`)
        + row("classes", [...new Set(o.cls.map((c) => d.track_classes[c]))].join(", "))
        + row("position std (last)", `${o.pos_std[o.pos_std.length - 1]} m`);
    } else if (kind === "marker") {
      title = `${o.kind.replace("_", " ")} at ${o.t.toFixed(1)} s`;
      props = row("threat", o.threat >= 0 ? o.threat : "") + row("engagement", o.engagement >= 0 ? o.engagement : "")
        + row("altitude", `${o.alt.toFixed(0)} m`) + row("detail", o.detail);
    } else {
      title = `${kind.replace("_", " ")} ${o.name}`;
      props = row("position", `${o.lat.toFixed(4)}, ${o.lon.toFixed(4)}`) + row("type", o.type || o.interceptor)
        + row("layer", o.layer) + row("rounds", o.rounds) + row("fire channels", o.fire_channels)
        + row("value", o.value)
        + row("range", o.detection_range_m ? `${(o.detection_range_m / 1000).toFixed(0)} km` : "")
        + row("reach", o.max_range_m ? `${(o.max_range_m / 1000).toFixed(0)} km` : "");
    }
    const evs = this.eventsOf(kind, o);
    const list = evs.slice(0, 60).map((e) => `<li class="${e.t <= t ? "past" : "future"}"><b>${e.t.toFixed(1)} s</b>
 ${esc(e.kind.replace(/_/g, " "))}${e.detail ? `: ${esc(e.detail)}` : ""}</li>`).join("");
    const sidc = o.sidc || (kind === "track" ? d.track_sidc[d.track_classes[o.cls[o.cls.length - 1]]] : null);
    const sym = sidc ? render(sidc, { size: 20, fill: kind !== "track" }).svg : "";
    this.el.innerHTML = `<div class="seltitle" data-selected="${esc(kind)}:${esc(o.id ?? o.name ?? "")}">${sym}
<span>${esc(title)}</span></div><table class="props">${props}</table>
${o.t && o.alt ? profile(o, t) : ""}${list ? `<ol class="events">${list}</ol>` : ""}
${evs.length > 60 ? `<p class="hint">and ${evs.length - 60} more events</p>` : ""}`;
  }
}
