import { ENSEMBLE_ORDER, NETWORK_TITLES } from './report-model.ts';

/** What the text tables need: ensembles with their metrics, and the statistical tests. */
export interface TableResults {
  ensembles: {
    network: string;
    level: string;
    name: string;
    patients: number;
    metrics: Record<string, { value: number; ciLow?: number | null; ciHigh?: number | null }>;
  }[];
  tests: { kind: string; scope: string; comparison: string; statistic: number | null; pValue: number }[];
}

const NETWORK_ORDER = Object.keys(NETWORK_TITLES);

/**
 * The results as plain-text tables in the shape of the paper: one table per network (Tables 2–4, and
 * the radiomics baseline) with AUC, AP, SEN and SPE per modality group and union, then Table 5
 * (Friedman p per group, Nemenyi p per pair of networks). For terminals: `spottune demo` and
 * `spottune experiment results`.
 */
export function formatPaperTables(results: TableResults): string {
  const summary = results.ensembles.filter((e) => e.level === 'group' || e.level === 'combination');
  const networks = [...new Set(summary.map((e) => e.network))].sort(
    (a, b) => rank(NETWORK_ORDER, a) - rank(NETWORK_ORDER, b) || a.localeCompare(b),
  );
  const blocks: string[] = [];
  // Tables 2–4 are the three networks of the paper; other networks (the radiomics forest) are unnumbered.
  const tableNumber: Record<string, number> = { spottune: 2, resnet: 3, transfer: 4 };
  networks.forEach((network) => {
    const rows = summary
      .filter((e) => e.network === network)
      .sort(
        (a, b) => rank(ENSEMBLE_ORDER, a.name) - rank(ENSEMBLE_ORDER, b.name) || a.name.localeCompare(b.name),
      );
    const body = rows.map((e) => [
      e.name,
      ...['auc', 'ap', 'sen', 'spe'].map((m) => cell(e.metrics[m])),
      String(e.patients),
    ]);
    blocks.push(
      `${tableNumber[network] === undefined ? 'Baseline' : `Table ${tableNumber[network]}`}. ${NETWORK_TITLES[network] ?? network} (test set; 95% bootstrap CI)\n` +
        grid(['Model', 'AUC', 'AP', 'SEN', 'SPE', 'n'], body),
    );
  });
  const scopes = [...new Set(results.tests.map((t) => t.scope))].sort(
    (a, b) => rank(ENSEMBLE_ORDER, a) - rank(ENSEMBLE_ORDER, b) || a.localeCompare(b),
  );
  if (scopes.length > 0) {
    const body: string[][] = [];
    for (const scope of scopes) {
      const friedman = results.tests.find((t) => t.scope === scope && t.kind === 'friedman');
      const pairs = results.tests.filter((t) => t.scope === scope && t.kind === 'nemenyi');
      const first = [scope, friedman === undefined ? '–' : p(friedman.pValue)];
      if (pairs.length === 0) body.push([...first, '(no post-hoc: Friedman p ≥ 0.05)', '']);
      pairs.forEach((t, j) =>
        body.push([...(j === 0 ? first : ['', '']), t.comparison.replace('~', ', '), p(t.pValue)]),
      );
    }
    blocks.push(
      `Table 5. Friedman chi-square and Nemenyi p-values (blocks = common test patients)\n` +
        grid(['Model', 'Friedman p', 'Networks compared', 'Nemenyi p'], body),
    );
  }
  return blocks.length === 0 ? 'no ensembles yet\n' : `${blocks.join('\n\n')}\n`;
}

function cell(m: { value: number; ciLow?: number | null; ciHigh?: number | null } | undefined): string {
  if (m === undefined || !Number.isFinite(m.value)) return '–';
  const ci = m.ciLow != null && m.ciHigh != null ? ` (${m.ciLow.toFixed(2)}–${m.ciHigh.toFixed(2)})` : '';
  return `${m.value.toFixed(4)}${ci}`;
}

function p(value: number): string {
  return value < 0.001 ? value.toExponential(2) : value.toFixed(4);
}

function rank(order: readonly string[], name: string): number {
  const i = order.indexOf(name);
  return i === -1 ? order.length : i;
}

function grid(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
