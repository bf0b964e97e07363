import { escapeHtml } from '../html.ts';

export interface HeatmapOptions {
  title: string;
  rowLabels: string[];
  columnLabels: string[];
  id?: string;
  cell?: number;
}

/**
 * A rows × columns map of values in [0, 1] (white → dark green), e.g. per-patient routing: the
 * fraction of Gumbel samples that sent each test patient through the fine-tuned copy of each block.
 * Every cell carries its value in `data-value`.
 */
export function heatmap(values: number[][], options: HeatmapOptions): string {
  const cell = options.cell ?? 16;
  const left = 8 + Math.min(160, 7 * Math.max(0, ...options.rowLabels.map((l) => l.length)));
  const top = 40;
  const width = left + cell * options.columnLabels.length + 10;
  const height = top + cell * values.length + 10;
  const parts: string[] = [`<text x="0" y="14" font-weight="600">${escapeHtml(options.title)}</text>`];
  options.columnLabels.forEach((label, j) => {
    parts.push(
      `<text x="${left + j * cell + cell / 2}" y="${top - 6}" text-anchor="middle">${escapeHtml(label)}</text>`,
    );
  });
  values.forEach((row, i) => {
    parts.push(
      `<text x="${left - 4}" y="${top + i * cell + cell * 0.72}" text-anchor="end">${escapeHtml(options.rowLabels[i] ?? '')}</text>`,
    );
    row.forEach((v, j) => {
      const shade = Number.isFinite(v) ? Math.round(255 - 200 * Math.min(1, Math.max(0, v))) : 230;
      const fill = Number.isFinite(v) ? `rgb(${shade},${Math.round(255 - 130 * v)},${shade})` : '#ddd';
      parts.push(
        `<rect class="cell" data-value="${Number.isFinite(v) ? v.toFixed(4) : ''}" x="${left + j * cell}" y="${top + i * cell}" width="${cell - 1}" height="${cell - 1}" fill="${fill}"><title>${escapeHtml(options.rowLabels[i] ?? '')} · ${escapeHtml(options.columnLabels[j] ?? '')}: ${Number.isFinite(v) ? v.toFixed(3) : 'n/a'}</title></rect>`,
      );
    });
  });
  const id = options.id === undefined ? '' : ` id="${escapeHtml(options.id)}"`;
  return `<svg${id} class="chart heatmap" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}
