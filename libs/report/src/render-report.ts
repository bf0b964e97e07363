import { escapeHtml, fmt, page, table } from './html.ts';
import { barChart } from './svg/bar-chart.ts';
import { heatmap } from './svg/heatmap.ts';
import { lineChart, type Series } from './svg/line-chart.ts';
import {
  ENSEMBLE_ORDER,
  NETWORK_TITLES,
  type EnsembleRow,
  type ReportModel,
  type TrialCurve,
} from './report-model.ts';

const METRICS = ['auc', 'ap', 'sen', 'spe'] as const;
const SCANNED = ['epochs', 'lr', 'temperature'] as const;

/**
 * The experiment report as one self-contained HTML page: inline CSS and SVG, no script, no network.
 * Every table cell and plot element carries data attributes (`data-metric`, `data-points`, ...)
 * so tests can compare what is shown with what is stored.
 */
export function renderReport(model: ReportModel): string {
  const { experiment } = model;
  const networks = orderNetworks([...new Set(model.ensembles.map((e) => e.network))]);
  const sections = [
    summarySection(model),
    resultTablesSection(model.ensembles, networks),
    statisticsSection(model),
    curvesSection(model.ensembles, networks),
    routingSection(model),
    scansSection(model.trials),
    trainingSection(model.trials),
  ];
  return page(
    `spottune report — ${experiment.name}`,
    `experiment ${experiment.id} · ${experiment.status} · seed ${experiment.seed} · generated ${model.generatedAt}`,
    sections.join('\n'),
  );
}

function summarySection(model: ReportModel): string {
  const counts = new Map<string, number>();
  for (const t of model.trials) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  const failed = model.trials.filter((t) => t.failureReason !== null);
  const rows = [...counts].map(([status, n]) => [
    `<span class="status-${escapeHtml(status)}">${escapeHtml(status)}</span>`,
    String(n),
  ]);
  const failures =
    failed.length === 0
      ? ''
      : table(
          ['trial', 'network', 'modality', 'fold', 'reason'],
          failed.map((t) => [
            escapeHtml(t.trialId),
            escapeHtml(t.network),
            escapeHtml(t.modality),
            String(t.fold),
            escapeHtml(t.failureReason),
          ]),
          { caption: 'Failed or missing trials', id: 'failed-trials' },
        );
  return `<section id="summary"><h2>Experiment</h2><p>Created ${escapeHtml(model.experiment.createdAt)}${
    model.experiment.finishedAt === null ? '' : `, finished ${escapeHtml(model.experiment.finishedAt)}`
  }.</p>${table(['trial status', 'count'], rows, { id: 'trial-status' })}${failures}</section>`;
}

/** Tables 2–4 of the paper (one per network), plus the radiomics baseline when present. */
function resultTablesSection(ensembles: EnsembleRow[], networks: string[]): string {
  const tables = networks.map((network) => {
    const rows = sortEnsembles(ensembles.filter((e) => e.network === network && isSummaryLevel(e.level)));
    return table(
      ['Model', 'AUC', 'AP', 'SEN', 'SPE', 'patients'],
      rows.map((e) => [escapeHtml(e.name), ...METRICS.map((m) => metricCell(e, m)), String(e.patients)]),
      {
        caption: `${NETWORK_TITLES[network] ?? network} results (hold-out test set, 95% bootstrap CI)`,
        id: `table-${network}`,
        className: 'results',
      },
    );
  });
  return `<section id="results"><h2>Ensemble results (paper Tables 2–4)</h2><div class="grid">${tables.join('')}</div></section>`;
}

function metricCell(e: EnsembleRow, metric: string): string {
  const cell = e.metrics[metric];
  if (cell === undefined) return '–';
  const ci =
    cell.ciLow === null || cell.ciHigh === null
      ? ''
      : ` <span class="ci">(${fmt(cell.ciLow, 3)}–${fmt(cell.ciHigh, 3)})</span>`;
  return `<span data-ensemble="${escapeHtml(e.name)}" data-network="${escapeHtml(e.network)}" data-metric="${metric}" data-value="${cell.value}">${fmt(cell.value)}</span>${ci}`;
}

/** Table 5: Friedman χ² and Nemenyi p-values comparing networks on the same inputs. */
function statisticsSection(model: ReportModel): string {
  if (model.statistics.length === 0)
    return `<section id="statistics"><h2>Statistical tests (paper Table 5)</h2><p class="muted">No tests recorded (they need at least two networks).</p></section>`;
  const scopes = sortNames([...new Set(model.statistics.map((s) => s.scope))]);
  const rows: string[][] = [];
  for (const scope of scopes) {
    const friedman = model.statistics.find((s) => s.scope === scope && s.kind === 'friedman');
    const pairs = model.statistics.filter((s) => s.scope === scope && s.kind === 'nemenyi');
    const first = pValueCell(friedman?.pValue, 'friedman', scope, 'all');
    const chi = friedman?.statistic === null || friedman === undefined ? '–' : fmt(friedman.statistic, 3);
    if (pairs.length === 0) rows.push([escapeHtml(scope), chi, first, '–', '–']);
    pairs.forEach((p, i) => {
      rows.push([
        i === 0 ? escapeHtml(scope) : '',
        i === 0 ? chi : '',
        i === 0 ? first : '',
        escapeHtml(p.comparison.replace('~', ', ')),
        pValueCell(p.pValue, 'nemenyi', scope, p.comparison),
      ]);
    });
  }
  return `<section id="statistics"><h2>Statistical tests (paper Table 5)</h2><p class="muted">Friedman χ² across networks with the common test patients as blocks and each network's ensemble probability as the measurement; Nemenyi post-hoc p-values from the studentized range distribution (not capped at 0.9).</p>${table(
    ['Model', 'χ²', 'Friedman p', 'Networks compared', 'Nemenyi p'],
    rows,
    { id: 'table-statistics' },
  )}</section>`;
}

function pValueCell(p: number | undefined, kind: string, scope: string, comparison: string): string {
  if (p === undefined) return '–';
  const sig = p < 0.05 ? ' class="sig"' : '';
  return `<span${sig} data-kind="${kind}" data-scope="${escapeHtml(scope)}" data-comparison="${escapeHtml(comparison)}" data-value="${p}">${fmt(p, p < 0.001 ? 5 : 4)}</span>`;
}

/** Figures 2–5: ROC and PR curves per network for every group and for each network's best ensemble. */
function curvesSection(ensembles: EnsembleRow[], networks: string[]): string {
  const summary = ensembles.filter((e) => isSummaryLevel(e.level));
  const names = sortNames([...new Set(summary.map((e) => e.name))]);
  const blocks = names.map((name) => {
    const members = networks
      .map((n) => summary.find((e) => e.network === n && e.name === name))
      .filter((e): e is EnsembleRow => e !== undefined);
    return curvePair(
      `${name}`,
      members.map((e) => ({ label: e.network, e })),
      slug(name),
    );
  });
  const best = networks
    .map(
      (n) =>
        summary
          .filter((e) => e.network === n)
          .sort((a, b) => (b.metrics.auc?.value ?? -1) - (a.metrics.auc?.value ?? -1))[0],
    )
    .filter((e): e is EnsembleRow => e !== undefined);
  const bestBlock =
    best.length === 0
      ? ''
      : curvePair(
          'best overall',
          best.map((e) => ({ label: `${e.network} (${e.name})`, e })),
          'best',
        );
  return `<section id="curves"><h2>ROC and precision–recall curves (paper Figures 2–5)</h2>${bestBlock}${blocks.join('')}</section>`;
}

function curvePair(title: string, members: { label: string; e: EnsembleRow }[], id: string): string {
  const roc: Series[] = members.map(({ label, e }) => ({
    name: `${label} AUC ${fmt(e.metrics.auc?.value, 3)}`,
    points: e.roc,
  }));
  const pr: Series[] = members.map(({ label, e }) => ({
    name: `${label} AP ${fmt(e.metrics.ap?.value, 3)}`,
    points: e.pr,
  }));
  return `<h3>${escapeHtml(title)}</h3><div class="grid">${lineChart(roc, {
    title: `ROC — ${title}`,
    xLabel: 'false positive rate',
    yLabel: 'true positive rate',
    xDomain: [0, 1],
    yDomain: [0, 1],
    diagonal: true,
    step: true,
    id: `roc-${id}`,
  })}${lineChart(pr, { title: `Precision–recall — ${title}`, xLabel: 'recall', yLabel: 'precision', xDomain: [0, 1], yDomain: [0, 1], step: true, id: `pr-${id}` })}</div>`;
}

/** What the paper does not show: where SpotTune's agent routed each test patient. */
function routingSection(model: ReportModel): string {
  if (model.routing.length === 0) return '';
  const blocks = model.routing[0]!.routing.length;
  const fractions = Array.from({ length: blocks }, (_, b) =>
    mean(model.routing.map((p) => p.routing[b] ?? NaN)),
  );
  const bars = fractions.map((value, b) => ({ label: String(b), value }));
  const rows = [...model.routing].sort((a, b) => b.label - a.label || a.patientId.localeCompare(b.patientId));
  return `<section id="routing"><h2>SpotTune routing</h2><p class="muted">Fraction of test patients' Gumbel samples that used the fine-tuned copy of each residual block (0–15 = layer1.0 … layer4.2), averaged over SpotTune trials.</p>${barChart(
    bars,
    {
      title: 'Fine-tuned fraction per block',
      yLabel: 'fraction',
      id: 'routing-blocks',
    },
  )}${heatmap(
    rows.map((p) => p.routing),
    {
      title: 'Per-patient routing (test set; M = methylated, U = unmethylated)',
      rowLabels: rows.map((p) => `${p.label === 1 ? 'M' : 'U'} ${p.patientId}`),
      columnLabels: Array.from({ length: blocks }, (_, b) => String(b)),
      id: 'routing-map',
    },
  )}</section>`;
}

/** Hyperparameter scans: best validation AUC and M (mean over folds) against the scanned value. */
function scansSection(trials: TrialCurve[]): string {
  const charts: string[] = [];
  for (const param of SCANNED) {
    const values = new Set(trials.map((t) => t.hyperparameters[param]).filter((v) => typeof v === 'number'));
    if (values.size < 2) continue;
    for (const metric of ['valAuc', 'valM'] as const) {
      const series = orderNetworks([...new Set(trials.map((t) => t.network))]).map((network) => {
        const byValue = new Map<number, number[]>();
        for (const t of trials.filter((x) => x.network === network)) {
          const v = t.hyperparameters[param];
          const best = bestPoint(t);
          if (typeof v !== 'number' || best === undefined || best[metric] === null) continue;
          byValue.set(v, [...(byValue.get(v) ?? []), best[metric]!]);
        }
        const points = [...byValue]
          .sort((a, b) => a[0] - b[0])
          .map(([v, ys]): [number, number] => [v, mean(ys)]);
        return { name: network, points };
      });
      charts.push(
        lineChart(series, {
          title: `${metric === 'valAuc' ? 'validation AUC' : 'validation M'} vs ${param}`,
          xLabel: param,
          yLabel: metric === 'valAuc' ? 'AUC' : 'M',
          logX: param !== 'epochs',
          markers: true,
          id: `scan-${param}-${metric}`,
        }),
      );
    }
  }
  if (charts.length === 0) return '';
  return `<section id="scans"><h2>Hyperparameter scans</h2><p class="muted">Each point: the selected epoch's validation metric, mean over folds and modalities.</p><div class="grid">${charts.join('')}</div></section>`;
}

function trainingSection(trials: TrialCurve[]): string {
  const groups = orderNetworks([...new Set(trials.map((t) => t.network))]).map((network) => {
    const charts = trials
      .filter((t) => t.network === network && t.epochs.length > 0)
      .sort((a, b) => a.modality.localeCompare(b.modality) || a.fold - b.fold)
      .map((t) =>
        lineChart(
          [
            {
              name: 'train loss',
              points: t.epochs.filter((e) => e.trainLoss !== null).map((e) => [e.epoch, e.trainLoss!]),
            },
            {
              name: 'val loss',
              points: t.epochs.filter((e) => e.valLoss !== null).map((e) => [e.epoch, e.valLoss!]),
            },
            {
              name: 'val AUC',
              points: t.epochs.filter((e) => e.valAuc !== null).map((e) => [e.epoch, e.valAuc!]),
            },
            { name: 'val M', points: t.epochs.filter((e) => e.valM !== null).map((e) => [e.epoch, e.valM!]) },
          ],
          {
            title: `${t.modality} fold ${t.fold}${t.bestEpoch === null ? '' : ` (selected epoch ${t.bestEpoch}, ${t.selection ?? ''})`}`,
            xLabel: 'epoch',
            yLabel: 'value',
            width: 320,
            height: 220,
            markers: t.epochs.length < 12,
            id: `trial-${t.trialId}`,
          },
        ),
      );
    return `<details open><summary>${escapeHtml(NETWORK_TITLES[network] ?? network)} — ${charts.length} trials</summary><div class="grid">${charts.join('')}</div></details>`;
  });
  return `<section id="training"><h2>Training curves per trial</h2>${groups.join('')}</section>`;
}

function bestPoint(t: TrialCurve) {
  return t.bestEpoch === null
    ? t.epochs[t.epochs.length - 1]
    : (t.epochs.find((e) => e.epoch === t.bestEpoch) ?? t.epochs[t.epochs.length - 1]);
}

function isSummaryLevel(level: string): boolean {
  return level === 'group' || level === 'combination';
}

function sortEnsembles(rows: EnsembleRow[]): EnsembleRow[] {
  const order = sortNames(rows.map((r) => r.name));
  return [...rows].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

function sortNames(names: string[]): string[] {
  const rank = (n: string) =>
    ENSEMBLE_ORDER.includes(n) ? ENSEMBLE_ORDER.indexOf(n) : ENSEMBLE_ORDER.length;
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function orderNetworks(networks: string[]): string[] {
  const known = Object.keys(NETWORK_TITLES);
  const rank = (n: string) => (known.includes(n) ? known.indexOf(n) : known.length);
  return [...networks].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function mean(values: number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? NaN : finite.reduce((a, b) => a + b, 0) / finite.length;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
