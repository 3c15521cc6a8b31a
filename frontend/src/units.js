// Static layers: the scenario's assets, radars with their coverage, fire units with their envelope reach.
import L from "leaflet";
import { icon } from "./symbols.js";

function unitMarker(u, kind, onClick) {
  const { icon: ic } = icon(u.sidc, { size: 22, label: u.name }, { kind, name: u.name });
  const m = L.marker([u.lat, u.lon], { icon: ic, title: u.name, zIndexOffset: -1000, keyboard: false });
  m.on("click", () => onClick(kind, u));
  return m;
}

/** The static layers: {units, coverage, reach} (Leaflet layer groups, added to the map). */
export function addUnits(map, doc, renderer, onClick) {
  const coverage = L.layerGroup();
  const reach = L.layerGroup();
  const units = L.layerGroup();
  for (const s of doc.sensors) {
    coverage.addLayer(L.polygon(s.coverage, {
      renderer, color: "#2f6fb0", weight: 1, dashArray: "4 4", fillColor: "#2f6fb0", fillOpacity: 0.05,
      interactive: false,
    }));
    units.addLayer(unitMarker(s, "sensor", onClick));
  }
  for (const f of doc.fire_units) {
    reach.addLayer(L.polygon(f.reach, {
      renderer, color: "#1f8a4c", weight: 1.2, fill: true, fillColor: "#1f8a4c", fillOpacity: 0.04,
      interactive: false,
    }));
    units.addLayer(unitMarker(f, "fire_unit", onClick));
  }
  for (const a of doc.assets) units.addLayer(unitMarker(a, "asset", onClick));
  coverage.addTo(map);
  reach.addTo(map);
  units.addTo(map);
  return { units, coverage, reach };
}
