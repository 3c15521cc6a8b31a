// iadsim replay: the page. Reads the replay document (window.IADSIM_REPLAY, from replay-data.js), draws the
// offline basemap, the static units, the moving objects and the markers, and wires the timeline.
// window.iadsimReplay is a small hook for tests and scripting (setTime, drawn, view, units, select).
import "leaflet/dist/leaflet.css";
import "./style.css";
import L from "leaflet";
import { addBasemap } from "./basemap.js";
import { History } from "./history.js";
import { EngagementLines, EventMarkers, MARKER_KINDS, MovingLayer, markerStyle } from "./moving.js";
import { positionAt } from "./series.js";
import { render } from "./symbols.js";
import { Timeline } from "./timeline.js";
import { addUnits } from "./units.js";

const FORMAT = 1;

function fatal(msg) {
  const el = document.getElementById("fatal");
  el.textContent = msg;
  el.hidden = false;
}

function legend(doc) {
  const items = [];
  const seen = new Set();
  const add = (sidc, text, fill = true) => {
    const k = `${sidc}|${fill}`;
    if (seen.has(k)) return;
    seen.add(k);
    items.push(`<div class="leg">${render(sidc, { size: 16, fill }).svg}<span>${text}</span></div>`);
  };
  for (const th of doc.threats) add(th.sidc, `threat: ${th.class}`);
  if (doc.interceptors.length) add(doc.interceptors[0].sidc, "interceptor");
  for (const c of doc.track_classes) add(doc.track_sidc[c], `track: ${c}`, false);
  for (const f of doc.fire_units.slice(0, 1)) add(f.sidc, "fire unit (SAM battery)");
  for (const s of doc.sensors) add(s.sidc, s.type.replace(/_/g, " ") || "radar");
  for (const a of doc.assets.slice(0, 1)) add(a.sidc, "defended asset");
  for (const k of MARKER_KINDS) {
    const st = markerStyle(k);
    const r = Math.min(st.radius, 7);
    items.push(`<div class="leg"><svg width="18" height="18"><circle cx="9" cy="9" r="${r}" stroke="${st.color}"
 stroke-width="${st.weight}" fill="${st.fill === false ? "none" : st.fillColor}"/></svg><span>${k.replace("_", " ")}</span></div>`);
  }
  items.push('<div class="leg"><svg width="18" height="18"><line x1="1" y1="9" x2="17" y2="9" stroke="#0057b8"'
    + ' stroke-dasharray="4 2" stroke-width="1.5"/></svg><span>engagement (fire unit to track)</span></div>');
  return items.join("");
}

function start(doc) {
  if (!doc) return fatal("no replay data (replay-data.js is missing or empty)");
  if (doc.format !== FORMAT) return fatal(`replay data format ${doc.format}, this page reads format ${FORMAT}`);

  const map = L.map("map", { preferCanvas: true, zoomSnap: 0.25, worldCopyJump: false, attributionControl: false });
  const renderer = L.canvas({ padding: 0.3 });
  map.fitBounds(doc.bounds, { padding: [20, 20] });
  addBasemap(map, renderer);

  document.getElementById("title").textContent = doc.scenario || "iadsim replay";
  document.getElementById("subtitle").textContent =
    `seed ${doc.seed} · iadsim ${doc.iadsim_version} · ${doc.threats.length} threats, `
    + `${doc.interceptors.length} interceptors, ${doc.tracks.length} tracks`
    + (doc.decimation.stride > 1 ? ` · every ${doc.decimation.stride}th sample` : "");

  const history = new History(map, document.getElementById("history"), doc, renderer);
  let timeline = null;
  const select = (kind, o) => history.select(kind, o, timeline ? timeline.t : doc.t0);
  const { units, coverage, reach } = addUnits(map, doc, renderer, select);
  const maxGap = 2.5 * doc.sample_s;

  const threats = new MovingLayer(map, "threat", doc.threats, {
    renderer, maxGap, trailColor: "#d32f2f", onClick: select,
    symbolOf: (o) => ({ sidc: o.sidc, fill: true, label: "" }),
  });
  const interceptors = new MovingLayer(map, "interceptor", doc.interceptors, {
    renderer, maxGap, trailColor: "#1565c0", onClick: select,
    symbolOf: (o) => ({ sidc: o.sidc, fill: true, label: "" }),
  });
  const tracks = new MovingLayer(map, "track", doc.tracks, {
    renderer, maxGap, trailColor: "#7b1fa2", onClick: select,
    symbolOf: (o, k) => ({ sidc: doc.track_sidc[doc.track_classes[o.cls[k]]], fill: false, label: "" }),
  });
  const trackById = new Map(doc.tracks.map((o) => [o.id, o]));
  const threatById = new Map(doc.threats.map((o) => [o.id, o]));
  const lines = new EngagementLines(map, doc, renderer, (e, t) => {
    const tk = trackById.get(e.track);
    const p = (tk && positionAt(tk, t, maxGap)) || (threatById.has(e.threat) && positionAt(threatById.get(e.threat), t));
    return p ? [p.lat, p.lon] : null;
  });
  const markers = new EventMarkers(map, doc.markers, renderer, select);
  const moving = [threats, interceptors, tracks];
  tracks.showTrails = false;

  const counters = document.getElementById("counters");
  const draw = (t) => {
    for (const l of moving) l.update(t);
    const nLines = lines.update(t);
    markers.update(t);
    history.show(t);
    const n = markers.count(t);
    counters.innerHTML = `<span><b>${threats.shown.size}</b> threats flying</span>`
      + `<span><b>${interceptors.shown.size}</b> interceptors</span><span><b>${tracks.shown.size}</b> tracks</span>`
      + `<span><b>${nLines}</b> engagements</span><span><b>${n.intercept || 0}</b> intercepts</span>`
      + `<span><b>${n.leak || 0}</b> leaks</span>`;
  };

  const toggles = [
    ["truth-threats", "Truth: threats", (on) => threats.setEnabled(on)],
    ["truth-interceptors", "Truth: interceptors", (on) => interceptors.setEnabled(on)],
    ["tracks", "Tracks (sensed picture)", (on) => tracks.setEnabled(on)],
    ["trails", "Trails", (on) => { threats.showTrails = on; interceptors.showTrails = on; }],
    ["engagements", "Engagement lines", (on) => { lines.enabled = on; }],
    ["markers", "Intercept / miss / leak markers", (on) => { markers.enabled = on; }],
    ["coverage", "Radar coverage", (on) => (on ? coverage.addTo(map) : coverage.remove())],
    ["reach", "Fire unit reach", (on) => (on ? reach.addTo(map) : reach.remove())],
    ["units", "Units and assets", (on) => (on ? units.addTo(map) : units.remove())],
  ];
  document.getElementById("layers").innerHTML = toggles
    .map(([id, text]) => `<label><input type="checkbox" id="layer-${id}" checked> ${text}</label>`).join("");
  for (const [id, , fn] of toggles) {
    document.getElementById(`layer-${id}`).addEventListener("change", (e) => {
      fn(e.target.checked);
      draw(timeline.t);
    });
  }
  document.getElementById("legend").innerHTML = legend(doc);

  timeline = new Timeline({
    slider: document.getElementById("slider"), play: document.getElementById("play"),
    speed: document.getElementById("speed"), clock: document.getElementById("clock"),
  }, doc.t0, doc.t1, doc.epoch_utc, draw);
  map.on("zoomend", () => draw(timeline.t));
  timeline.set(doc.t0);

  const layerOf = { threat: threats, interceptor: interceptors, track: tracks };
  window.iadsimReplay = {
    ready: true,
    doc,
    map,
    setTime: (t) => timeline.set(t),
    getTime: () => timeline.t,
    play: () => { if (!timeline.playing) timeline.toggle(); },
    pause: () => { if (timeline.playing) timeline.toggle(); },
    drawn: (kind) => layerOf[kind].drawn(),
    view: () => {
      const o = map.getPixelOrigin();
      const pane = map._getMapPanePos();
      const size = map.getSize();
      return { zoom: map.getZoom(), pixelOrigin: [o.x, o.y], panePos: [pane.x, pane.y], size: [size.x, size.y] };
    },
    units: () => [...document.querySelectorAll(".symwrap[data-kind][data-name]")].map((el) => ({
      kind: el.dataset.kind, name: el.dataset.name, sidc: el.dataset.sidc, valid: el.dataset.valid === "true",
      svg: !!el.querySelector("svg path, svg circle, svg polygon, svg rect"),
    })),
    select: (kind, id) => {
      const list = { threat: doc.threats, interceptor: doc.interceptors, track: doc.tracks }[kind];
      const o = list && list.find((x) => x.id === id);
      if (o) select(kind, o);
      return !!o;
    },
    clearSelection: () => history.clear(),
  };
  document.body.dataset.ready = "true";
}

try {
  start(window.IADSIM_REPLAY);
} catch (err) {
  fatal(`replay failed: ${err && err.message}`);
  throw err;
}
