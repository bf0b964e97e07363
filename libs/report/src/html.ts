/** Minimal HTML helpers: every interpolated value goes through {@link escapeHtml}. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A number as the paper prints it (4 decimals), or an en dash when absent. */
export function fmt(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

export interface TableOptions {
  caption?: string;
  id?: string;
  className?: string;
}

/** A table whose cells are already-escaped HTML strings. */
export function table(headers: string[], rows: string[][], options: TableOptions = {}): string {
  const id = options.id === undefined ? '' : ` id="${escapeHtml(options.id)}"`;
  const cls = options.className === undefined ? '' : ` class="${escapeHtml(options.className)}"`;
  const caption = options.caption === undefined ? '' : `<caption>${escapeHtml(options.caption)}</caption>`;
  const head = `<thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<table${id}${cls}>${caption}${head}<tbody>${body}</tbody></table>`;
}

export const PAGE_STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2327;background:#f7f7f5}
header{background:#1f3b57;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;opacity:.85}
main{padding:16px 24px;max-width:1200px}section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px;margin:0 0 16px}
h2{font-size:17px;margin:4px 0 10px}h3{font-size:15px;margin:10px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border-bottom:1px solid #e3e3e3;padding:4px 10px;text-align:right}th:first-child,td:first-child{text-align:left}th{background:#f0f2f4}
.ci{color:#666;font-size:12px}.grid{display:flex;flex-wrap:wrap;gap:12px}.muted{color:#666}.sig{font-weight:700}
.bar{height:10px;background:#e6e6e6;border-radius:5px;overflow:hidden;min-width:120px}.bar>span{display:block;height:100%;background:#2e7d32}
.status-FAILED{color:#b71c1c}.status-SUCCEEDED{color:#2e7d32}.status-RUNNING{color:#1565c0}
svg text{font:11px system-ui,sans-serif}
`;

/** A complete, self-contained page (no external resources). */
export function page(title: string, subtitle: string, body: string, script = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head>
<body><header><h1>${escapeHtml(title)}</h1><p>${escapeHtml(subtitle)}</p></header><main>${body}</main>${
    script === '' ? '' : `<script>${script}</script>`
  }</body></html>`;
}
