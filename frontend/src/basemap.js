// The offline basemap: a plain ocean, Natural Earth land (1:50 m, from the world-atlas package, bundled),
// a graticule whose spacing follows the zoom, and a scale bar. No tile server is ever asked.
import L from "leaflet";
import { feature } from "topojson-client";
import land50 from "world-atlas/land-50m.json";

const STEPS = [30, 10, 5, 2, 1, 0.5, 0.25, 0.1, 0.05];

function graticuleStep(map) {
  const b = map.getBounds();
  const span = Math.max(b.getNorth() - b.getSouth(), (b.getEast() - b.getWest()) / 2);
  return STEPS.find((s) => span / s >= 4) || STEPS[STEPS.length - 1];
}

function fmt(v, pos, neg) {
  const a = Math.abs(v);
  const d = Number.isInteger(a) ? String(a) : a.toFixed(2).replace(/0+$/, "");
  return `${d}°${v >= 0 ? pos : neg}`;
}

// Rings that cross the antimeridian (Fiji, Chukotka) jump by 360 degrees; unwrap them so that no edge is
// drawn across the whole map.
function unwrapRing(ring) {
  const out = [];
  let off = 0;
  for (let i = 0; i < ring.length; i += 1) {
    if (i > 0) {
      const d = ring[i][0] - ring[i - 1][0];
      if (d > 180) off -= 360;
      else if (d < -180) off += 360;
    }
    out.push([ring[i][0] + off, ring[i][1]]);
  }
  return out;
}

function unwrapRings(geom) {
  const polys = geom.type === "Polygon" ? [geom.coordinates] : geom.coordinates;
  return { type: "MultiPolygon", coordinates: polys.map((poly) => poly.map(unwrapRing)) };
}

export function addBasemap(map, renderer) {
  const landPane = map.createPane("land");
  landPane.style.zIndex = 250;
  const land = feature(land50, land50.objects.land);
  for (const f of land.features || [land]) f.geometry = unwrapRings(f.geometry);
  L.geoJSON(land, {
    pane: "land",
    interactive: false,
    style: { color: "#8a8a7a", weight: 0.8, fillColor: "#ece8d8", fillOpacity: 1 },
  }).addTo(map);

  const grid = L.layerGroup().addTo(map);
  const draw = () => {
    grid.clearLayers();
    const b = map.getBounds().pad(0.2);
    const s = graticuleStep(map);
    const south = Math.max(-85, Math.floor(b.getSouth() / s) * s);
    const north = Math.min(85, Math.ceil(b.getNorth() / s) * s);
    const west = Math.floor(b.getWest() / s) * s;
    const east = Math.ceil(b.getEast() / s) * s;
    const style = { color: "#5f7f99", weight: 0.6, opacity: 0.55, interactive: false, renderer };
    const view = map.getBounds();
    for (let lat = south; lat <= north + 1e-9; lat += s) {
      grid.addLayer(L.polyline([[lat, west], [lat, east]], style));
      if (lat > view.getSouth() && lat < view.getNorth()) {
        grid.addLayer(L.marker([lat, view.getWest()], {
          interactive: false, keyboard: false,
          icon: L.divIcon({ className: "gridlabel", html: fmt(+lat.toFixed(6), "N", "S"), iconAnchor: [-2, 12] }),
        }));
      }
    }
    for (let lon = west; lon <= east + 1e-9; lon += s) {
      grid.addLayer(L.polyline([[south, lon], [north, lon]], style));
      if (lon > view.getWest() && lon < view.getEast()) {
        const wrapped = ((((lon + 180) % 360) + 360) % 360) - 180;
        grid.addLayer(L.marker([view.getNorth(), lon], {
          interactive: false, keyboard: false,
          icon: L.divIcon({ className: "gridlabel", html: fmt(+wrapped.toFixed(6), "E", "W"), iconAnchor: [-2, -2] }),
        }));
      }
    }
  };
  map.on("moveend zoomend resize", draw);
  draw();
  L.control.scale({ metric: true, imperial: false, position: "bottomleft" }).addTo(map);
}
