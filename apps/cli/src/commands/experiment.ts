import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { ValidationError, coerceError } from '@spottune/errors';
import type { CliContext } from '../context.ts';
import { createApiClient, type ApiClient } from './api-client.ts';

interface ApiOptions {
  api?: string;
  token?: string;
}

interface TrialSummary {
  id: string;
  network: string;
  modality: string;
  fold: number;
  status: string;
  attempts?: number;
  progress?: { epoch?: number; batch?: number; batches?: number } | null;
  failureCode?: string | null;
}
interface ExperimentDetail {
  id: string;
  name: string;
  status: string;
  trialCounts: Record<string, number>;
  trials: TrialSummary[];
}
interface Results {
  experimentId: string;
  status: string;
  ensembles: {
    network: string;
    level: string;
    name: string;
    patients: number;
    missing?: string[];
    metrics: Record<string, { value: number; ciLow?: number | null; ciHigh?: number | null }>;
  }[];
  tests: { kind: string; scope: string; comparison: string; statistic?: number | null; pValue: number }[];
}

const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * `spottune experiment submit|status|results|cancel`: the API's experiment endpoints from the command
 * line. URL and token come from --api/--token, else SPOTTUNE_API_URL/SPOTTUNE_API_TOKEN.
 */
export function registerExperimentCommand(program: Command, context: () => CliContext): void {
  const experiment = program
    .command('experiment')
    .description('submit and follow experiments through the API');
  const withApi = (cmd: Command) =>
    cmd
      .option('--api <url>', 'API base URL (default: SPOTTUNE_API_URL or http://127.0.0.1:3000)')
      .option('--token <token>', 'bearer token (default: SPOTTUNE_API_TOKEN)');
  const client = (options: ApiOptions): ApiClient => {
    const { config } = context();
    return createApiClient(options.api ?? config.client.apiUrl, options.token ?? config.client.apiToken);
  };

  withApi(experiment.command('submit'))
    .description('submit an experiment described in a YAML or JSON file (the POST /experiments body)')
    .argument('<file>', 'experiment file (.yaml, .yml or .json)')
    .option('--idempotency-key <key>', 'a repeated submit with the same key returns the first experiment')
    .option('--json', 'print the API response as JSON')
    .action(async (file: string, options: ApiOptions & { idempotencyKey?: string; json?: boolean }) => {
      const body = await readExperimentFile(file);
      const headers: Record<string, string> =
        options.idempotencyKey !== undefined ? { 'idempotency-key': options.idempotencyKey } : {};
      const res = await client(options).request<{
        id: string;
        status: string;
        trials: number;
        created: boolean;
      }>('POST', '/experiments', body, headers);
      const { stdout } = context();
      if (options.json === true) stdout(`${JSON.stringify(res.body)}\n`);
      else
        stdout(
          `${res.body.created ? 'submitted' : 'already submitted'} experiment ${res.body.id}: ${res.body.trials} trials, ${res.body.status}\n`,
        );
    });

  withApi(experiment.command('status'))
    .description('show an experiment and the progress of each trial')
    .argument('<id>', 'experiment id')
    .option('--watch', 'refresh every --interval seconds until the experiment finishes')
    .option('--interval <seconds>', 'refresh interval for --watch', '5')
    .option('--json', 'print the API response as JSON')
    .action(
      async (id: string, options: ApiOptions & { watch?: boolean; interval: string; json?: boolean }) => {
        const api = client(options);
        const { stdout } = context();
        const interval = Number(options.interval);
        if (!(interval > 0))
          throw new ValidationError(`--interval must be a positive number, got ${options.interval}`);
        for (;;) {
          const { body } = await api.request<ExperimentDetail>('GET', `/experiments/${id}`);
          stdout(options.json === true ? `${JSON.stringify(body)}\n` : formatStatus(body));
          if (options.watch !== true || FINISHED.has(body.status)) return;
          await sleep(interval * 1000);
        }
      },
    );

  withApi(experiment.command('results'))
    .description('print the ensemble tables (AUC/AP/SEN/SPE/ACC with 95% CIs) and the statistical tests')
    .argument('<id>', 'experiment id')
    .option('--json', 'print the API response as JSON')
    .action(async (id: string, options: ApiOptions & { json?: boolean }) => {
      const { body } = await client(options).request<Results>('GET', `/experiments/${id}/results`);
      context().stdout(options.json === true ? `${JSON.stringify(body)}\n` : formatResults(body));
    });

  withApi(experiment.command('cancel'))
    .description('cancel an experiment: unfinished trials stop at their next batch')
    .argument('<id>', 'experiment id')
    .action(async (id: string, options: ApiOptions) => {
      const { body } = await client(options).request<{
        status: string;
        cancelledTrials: number;
        removedJobs: number;
      }>('POST', `/experiments/${id}/cancel`);
      context().stdout(
        `experiment ${id}: ${body.status}; ${body.cancelledTrials} trials cancelled, ${body.removedJobs} waiting jobs removed\n`,
      );
    });
}

export async function readExperimentFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ValidationError(`${file}: ${coerceError(e).message}`, { cause: e });
  }
  const parseYaml = /\.ya?ml$/i.test(file) ? (await import('yaml')).parse : undefined;
  try {
    return parseYaml !== undefined ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new ValidationError(
      `${file}: not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${coerceError(e).message}`,
      {
        cause: e,
      },
    );
  }
}

export function formatStatus(e: ExperimentDetail): string {
  const counts = Object.entries(e.trialCounts)
    .filter(([k]) => k !== 'total')
    .map(([k, v]) => `${k.toLowerCase()} ${v}`)
    .join(', ');
  const lines = [`${e.id}  ${e.name}  ${e.status}  (${e.trialCounts.total ?? 0} trials: ${counts})`];
  for (const t of e.trials) {
    const p = t.progress;
    const where =
      p?.epoch !== undefined
        ? ` epoch ${p.epoch}${p.batch !== undefined ? ` batch ${p.batch}/${p.batches}` : ''}`
        : '';
    lines.push(
      `  ${t.network.padEnd(9)} ${t.modality.padEnd(12)} f${t.fold}  ${t.status.padEnd(9)}${where}${t.failureCode ? ` ${t.failureCode}` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function formatResults(r: Results): string {
  const fmt = (m: { value: number; ciLow?: number | null; ciHigh?: number | null } | undefined) =>
    m === undefined
      ? '    -    '
      : `${m.value.toFixed(3)}${m.ciLow != null && m.ciHigh != null ? ` [${m.ciLow.toFixed(2)}, ${m.ciHigh.toFixed(2)}]` : ''}`;
  const lines = [`experiment ${r.experimentId}: ${r.status}`, ''];
  lines.push(['network', 'level', 'ensemble', 'n', 'AUC', 'AP', 'SEN', 'SPE', 'ACC'].join('\t'));
  for (const e of r.ensembles) {
    lines.push(
      [
        e.network,
        e.level,
        e.name,
        String(e.patients),
        ...['auc', 'ap', 'sen', 'spe', 'acc'].map((k) => fmt(e.metrics[k])),
      ].join('\t'),
    );
  }
  if (r.tests.length > 0) {
    lines.push('', ['test', 'scope', 'comparison', 'statistic', 'p'].join('\t'));
    for (const t of r.tests) {
      lines.push(
        [
          t.kind,
          t.scope,
          t.comparison,
          t.statistic == null ? '-' : t.statistic.toFixed(3),
          t.pValue.toPrecision(3),
        ].join('\t'),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
