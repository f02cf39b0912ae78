// A small time-series chart drawn as SVG: the dashboard's own, no library. `drawChart(container, points)` with
// points [{t: epoch ms, v: number}], sorted by t; the SVG has a title and a description for screen readers.
const NS = "http://www.w3.org/2000/svg";

function el(name, attributes = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** "Nice" tick values covering [min, max]. */
export function ticks(min, max, count = 5) {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function timeLabel(t, span) {
  const d = new Date(t);
  if (span > 2 * 86400e3) return d.toLocaleDateString(undefined, { month: "short", day: "numeric" }) + " "
    + d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: span < 600e3 ? "2-digit" : undefined });
}

export function drawChart(container, points, { title = "Values", unit = "", from, to } = {}) {
  const width = 800, height = 320, left = 64, right = 16, top = 16, bottom = 40;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "chart-title chart-desc" });
  svg.append(el("title", { id: "chart-title" }, title));
  const values = points.map((p) => p.v);
  const t0 = from ?? (points.length ? points[0].t : Date.now() - 3600e3);
  const t1 = to ?? (points.length ? points[points.length - 1].t : Date.now());
  let vMin = values.length ? Math.min(...values) : 0, vMax = values.length ? Math.max(...values) : 1;
  if (vMin === vMax) { vMin -= 1; vMax += 1; }
  const pad = (vMax - vMin) * 0.08; vMin -= pad; vMax += pad;
  const x = (t) => left + ((t - t0) / Math.max(1, t1 - t0)) * (width - left - right);
  const y = (v) => top + (1 - (v - vMin) / (vMax - vMin)) * (height - top - bottom);
  svg.append(el("desc", { id: "chart-desc" },
    `${points.length} points from ${new Date(t0).toISOString()} to ${new Date(t1).toISOString()}`
      + (values.length ? `, minimum ${Math.min(...values)}, maximum ${Math.max(...values)} ${unit}` : "")));
  for (const v of ticks(vMin, vMax)) {
    svg.append(el("line", { class: "grid", x1: left, x2: width - right, y1: y(v), y2: y(v) }));
    svg.append(el("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" }, `${v}`));
  }
  const span = t1 - t0;
  for (let i = 0; i <= 4; i++) {
    const t = t0 + (span * i) / 4;
    svg.append(el("text", { x: x(t), y: height - bottom + 18, "text-anchor": i === 0 ? "start" : i === 4 ? "end" : "middle" },
      timeLabel(t, span)));
  }
  svg.append(el("line", { class: "axis", x1: left, x2: left, y1: top, y2: height - bottom }));
  svg.append(el("line", { class: "axis", x1: left, x2: width - right, y1: height - bottom, y2: height - bottom }));
  if (unit) svg.append(el("text", { x: 4, y: top + 4 }, unit));
  if (points.length) {
    svg.append(el("path", { class: "line", d: points.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join("") }));
    if (points.length <= 200) {
      for (const p of points) svg.append(el("circle", { class: "point", cx: x(p.t), cy: y(p.v), r: 2.5, "data-t": p.t, "data-v": p.v }));
    }
  }
  container.replaceChildren(svg);
  return svg;
}
