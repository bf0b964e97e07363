import { escapeHtml } from '../html.ts';

export interface Series {
  name: string;
  points: [number, number][];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Fixed domains (ROC/PR use [0,1]); default: the data's extent. */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Log-10 x axis (learning rate, temperature scans). */
  logX?: boolean;
  /** Draw the chance diagonal (ROC). */
  diagonal?: boolean;
  /** Draw markers at every point (scans with few points). */
  markers?: boolean;
  /** Step interpolation (ROC/PR curves are step functions). */
  step?: boolean;
  width?: number;
  height?: number;
  /** Stable id for tests and links. */
  id?: string;
}

export const PALETTE = [
  '#1565c0',
  '#c62828',
  '#2e7d32',
  '#ef6c00',
  '#6a1b9a',
  '#00838f',
  '#5d4037',
  '#ad1457',
];
const MARGIN = { left: 52, right: 12, top: 26, bottom: 40 };

/**
 * A multi-series line chart as inline SVG. Each series is a <path> carrying its points in a
 * `data-points` attribute, so a reader (or a browser test) can check the plot holds its data.
 */
export function lineChart(series: Series[], options: LineChartOptions): string {
  const width = options.width ?? 360;
  const height = options.height ?? 260;
  const tx = options.logX === true ? (v: number) => Math.log10(v) : (v: number) => v;
  const all = series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(tx(x)) && Number.isFinite(y));
  const [x0, x1] =
    options.xDomain === undefined
      ? extent(all.map(([x]) => tx(x)))
      : [tx(options.xDomain[0]), tx(options.xDomain[1])];
  const [y0, y1] = options.yDomain ?? extent(all.map(([, y]) => y));
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const sx = (v: number) => MARGIN.left + ((tx(v) - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (v: number) => MARGIN.top + plotH - ((v - y0) / (y1 - y0 || 1)) * plotH;
  const parts: string[] = [];
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="#fff" stroke="#bbb"/>`,
  );
  for (const t of ticks(x0, x1)) {
    const x = MARGIN.left + ((t - x0) / (x1 - x0 || 1)) * plotW;
    const label = options.logX === true ? `1e${t}` : formatTick(t);
    parts.push(
      `<line x1="${r(x)}" y1="${MARGIN.top + plotH}" x2="${r(x)}" y2="${MARGIN.top + plotH + 4}" stroke="#777"/>`,
    );
    parts.push(`<text x="${r(x)}" y="${MARGIN.top + plotH + 15}" text-anchor="middle">${label}</text>`);
  }
  for (const t of ticks(y0, y1)) {
    const y = sy(t);
    parts.push(
      `<line x1="${MARGIN.left - 4}" y1="${r(y)}" x2="${MARGIN.left + plotW}" y2="${r(y)}" stroke="#eee"/>`,
    );
    parts.push(`<text x="${MARGIN.left - 6}" y="${r(y + 4)}" text-anchor="end">${formatTick(t)}</text>`);
  }
  if (options.diagonal === true) {
    parts.push(
      `<line x1="${r(sx(x0))}" y1="${r(sy(y0))}" x2="${r(sx(x1))}" y2="${r(sy(y1))}" stroke="#999" stroke-dasharray="4 3"/>`,
    );
  }
  series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const pts = s.points.filter(([x, y]) => Number.isFinite(tx(x)) && Number.isFinite(y));
    const d = pts
      .map(([x, y], j) => {
        if (j === 0) return `M${r(sx(x))},${r(sy(y))}`;
        const prev = pts[j - 1]!;
        return options.step === true
          ? `L${r(sx(x))},${r(sy(prev[1]))}L${r(sx(x))},${r(sy(y))}`
          : `L${r(sx(x))},${r(sy(y))}`;
      })
      .join('');
    parts.push(
      `<path class="series" data-series="${escapeHtml(s.name)}" data-points="${escapeHtml(JSON.stringify(pts))}" d="${d}" fill="none" stroke="${colour}" stroke-width="1.8"/>`,
    );
    if (options.markers === true) {
      for (const [x, y] of pts)
        parts.push(`<circle cx="${r(sx(x))}" cy="${r(sy(y))}" r="2.6" fill="${colour}"/>`);
    }
    parts.push(
      `<text x="${MARGIN.left + plotW - 4}" y="${MARGIN.top + 12 + i * 13}" text-anchor="end" fill="${colour}">${escapeHtml(s.name)}</text>`,
    );
  });
  parts.push(`<text x="${MARGIN.left}" y="16" font-weight="600">${escapeHtml(options.title)}</text>`);
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${height - 6}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(12,${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(options.yLabel)}</text>`,
  );
  const id = options.id === undefined ? '' : ` id="${escapeHtml(options.id)}"`;
  return `<svg${id} class="chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}">${parts.join('')}</svg>`;
}

function extent(values: number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/** About five round tick values spanning [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    out.push(Number(t.toPrecision(12)));
  return out;
}

function formatTick(v: number): string {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0)
    ? v.toExponential(0)
    : String(Number(v.toPrecision(3)));
}

function r(v: number): string {
  return v.toFixed(1);
}
