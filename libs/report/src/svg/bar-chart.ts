import { escapeHtml } from '../html.ts';
import { PALETTE } from './line-chart.ts';

export interface BarChartOptions {
  title: string;
  yLabel: string;
  /** Value range; default [0, 1]. */
  yDomain?: [number, number];
  id?: string;
  width?: number;
  height?: number;
}

/** Vertical bars, one per label; each bar carries `data-label` and `data-value`. */
export function barChart(bars: { label: string; value: number }[], options: BarChartOptions): string {
  const width = options.width ?? Math.max(320, 60 + bars.length * 26);
  const height = options.height ?? 220;
  const [y0, y1] = options.yDomain ?? [0, 1];
  const left = 44;
  const top = 26;
  const plotH = height - top - 36;
  const slot = (width - left - 10) / Math.max(1, bars.length);
  const parts: string[] = [`<text x="${left}" y="16" font-weight="600">${escapeHtml(options.title)}</text>`];
  for (const t of [y0, (y0 + y1) / 2, y1]) {
    const y = top + plotH - ((t - y0) / (y1 - y0 || 1)) * plotH;
    parts.push(
      `<line x1="${left}" y1="${y.toFixed(1)}" x2="${width - 10}" y2="${y.toFixed(1)}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${left - 4}" y="${(y + 4).toFixed(1)}" text-anchor="end">${Number(t.toPrecision(3))}</text>`,
    );
  }
  bars.forEach((bar, i) => {
    const v = Number.isFinite(bar.value) ? bar.value : 0;
    const h = ((Math.min(y1, Math.max(y0, v)) - y0) / (y1 - y0 || 1)) * plotH;
    const x = left + i * slot + slot * 0.15;
    parts.push(
      `<rect class="bar" data-label="${escapeHtml(bar.label)}" data-value="${Number.isFinite(bar.value) ? bar.value.toFixed(4) : ''}" x="${x.toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE[0]}"><title>${escapeHtml(bar.label)}: ${v.toFixed(3)}</title></rect>`,
    );
    parts.push(
      `<text x="${(x + slot * 0.35).toFixed(1)}" y="${top + plotH + 14}" text-anchor="middle">${escapeHtml(bar.label)}</text>`,
    );
  });
  parts.push(
    `<text transform="translate(10,${top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(options.yLabel)}</text>`,
  );
  const id = options.id === undefined ? '' : ` id="${escapeHtml(options.id)}"`;
  return `<svg${id} class="chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}
