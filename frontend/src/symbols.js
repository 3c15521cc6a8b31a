// MIL-STD-2525D symbols drawn by milsymbol. The SIDC of every object comes from the replay document
// (iadsim.replay.symbols holds the table); this module renders it once per (SIDC, options) as SVG.
import L from "leaflet";
import ms from "milsymbol"; // the complete library: every standard's icons registered

const cache = new Map();

function escapeAttr(s) {
  return String(s).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/** The rendered symbol of `sidc`: {svg, anchor: [x, y], size: [w, h], valid}. */
export function render(sidc, { size = 22, fill = true, label = "" } = {}) {
  const key = `${sidc}|${size}|${fill}|${label}`;
  let s = cache.get(key);
  if (!s) {
    const sym = new ms.Symbol(sidc, { size, fill, uniqueDesignation: label, outlineWidth: 2, outlineColor: "#ffffff" });
    const a = sym.getAnchor();
    const z = sym.getSize();
    s = { svg: sym.asSVG(), anchor: [a.x, a.y], size: [z.width, z.height], valid: sym.isValid() };
    cache.set(key, s);
  }
  return s;
}

/**
 * A Leaflet icon of the symbol, anchored at the symbol's centre; `attrs` become data-* attributes of the
 * wrapper (the tests find units and moving objects by them).
 */
export function icon(sidc, opts = {}, attrs = {}) {
  const s = render(sidc, opts);
  const data = Object.entries(attrs)
    .map(([k, v]) => ` data-${k}="${escapeAttr(v)}"`)
    .join("");
  return {
    sym: s,
    icon: L.divIcon({
      className: "sym",
      html: `<span class="symwrap"${data} data-sidc="${sidc}" data-valid="${s.valid}">${s.svg}</span>`,
      iconSize: s.size,
      iconAnchor: s.anchor,
    }),
  };
}
