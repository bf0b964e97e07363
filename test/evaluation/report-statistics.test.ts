import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from '@spottune/config';
import { createLogger } from '@spottune/logger';
import { createJobDeps, handlers } from '@spottune/jobs';
import { loadReportModel } from '@spottune/report';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { seedFinishedExperiment } from '../support/seed-experiment.ts';

/*
 * The statistics the report shows equal an independent computation on the same stored predictions.
 * The seeded experiment is deterministic (seed 7): its trials' test predictions are fixed, the real
 * aggregator builds the ensembles and the tests from them, and the per-patient ensemble probabilities
 * it stores (one row per patient, columns = networks sorted: resnet, spottune, transfer) are the
 * matrices below. Expected values from SciPy 1.10.1 (Debian python3-scipy), with the Nemenyi p-value
 * from the studentized range distribution (k groups, infinite df):
 *
 *   import json, numpy as np
 *   from scipy.stats import friedmanchisquare, rankdata, studentized_range
 *   for name, m in json.load(open('matrices.json')).items():
 *       m = np.array(m); n, k = m.shape
 *       chi2, p = friedmanchisquare(*m.T)
 *       r = np.mean([rankdata(row) for row in m], axis=0)
 *       se = np.sqrt(k * (k + 1) / (6 * n))
 *       nem = {f'{a}~{b}': studentized_range.sf(abs(r[a] - r[b]) / se * np.sqrt(2), k, np.inf)
 *              for a in range(k) for b in range(a + 1, k)}
 *       print(name, repr(chi2), repr(p), nem)
 */
const EXPECTED: Record<string, { statistic: number; pValue: number }> = {
  // printed by the script above (Nemenyi 'statistic' here is |ΔR̄|/se; only its p-value is compared)
  'friedman:DSC:all': { statistic: 18.0, pValue: 0.00012340980408667962 },
  'nemenyi:DSC:resnet~spottune': { statistic: 2.1213203435596424, pValue: 0.08554257165495793 },
  'nemenyi:DSC:resnet~transfer': { statistic: 2.1213203435596424, pValue: 0.08554257165495793 },
  'nemenyi:DSC:spottune~transfer': { statistic: 4.242640687119285, pValue: 6.557349843316906e-5 },
  'friedman:DSC+DTI:all': { statistic: 20.375, pValue: 3.763786373644495e-5 },
  'nemenyi:DSC+DTI:resnet~spottune': { statistic: 1.414213562373095, pValue: 0.33349932504015 },
  'nemenyi:DSC+DTI:resnet~transfer': { statistic: 3.005203820042827, pValue: 0.007482145774028837 },
  'nemenyi:DSC+DTI:spottune~transfer': { statistic: 4.419417382415921, pValue: 2.9455537346012584e-5 },
  'friedman:DTI:all': { statistic: 6.0, pValue: 0.04978706836786395 },
  'nemenyi:DTI:resnet~spottune': { statistic: 0.0, pValue: 1.0 },
  'nemenyi:DTI:resnet~transfer': { statistic: 2.1213203435596424, pValue: 0.08554257165495793 },
  'nemenyi:DTI:spottune~transfer': { statistic: 2.1213203435596424, pValue: 0.08554257165495793 },
  'friedman:best:all': { statistic: 8.0, pValue: 0.018315638888734182 },
  'nemenyi:best:resnet~spottune': { statistic: 1.414213562373095, pValue: 0.33349932504015 },
  'nemenyi:best:resnet~transfer': { statistic: 1.414213562373095, pValue: 0.33349932504015 },
  'nemenyi:best:spottune~transfer': { statistic: 2.82842712474619, pValue: 0.012987661373194292 },
};

let t: TestDatabase;
let home: string;

before(async () => {
  t = await createTestDatabase();
  home = await mkdtemp(join(tmpdir(), 'spottune-stats-'));
});

after(async () => {
  await t?.drop();
  if (home !== undefined) await rm(home, { recursive: true, force: true });
});

test('Friedman and Nemenyi in the report equal SciPy on the stored ensemble predictions', async () => {
  const seeded = await seedFinishedExperiment(t.db, 7, { ensembles: false });
  const config = parseEnv({ DATABASE_URL: t.url, SPOTTUNE_HOME: home });
  const logger = createLogger({ level: 'silent' });
  const deps = await createJobDeps(config, { logger });
  try {
    await handlers['aggregate-experiment'](
      { experimentId: seeded.experimentId },
      {
        jobId: 'aggregate-test',
        jobName: 'aggregate-experiment',
        attempt: 1,
        maxAttempts: 1,
        logger,
        signal: new AbortController().signal,
        reportProgress: async () => {},
        deps,
      },
    );
  } finally {
    await deps.close();
  }
  const rows = await t.db.prisma.$queryRaw<
    { name: string; network: string; external_id: string; probability: number }[]
  >`
    SELECT e.name, e.network, pt.external_id, p.probability FROM ensemble e
    JOIN prediction p ON p.ensemble_id = e.id JOIN patient pt ON pt.id = p.patient_id
    WHERE e.experiment_id = ${seeded.experimentId}::uuid AND e.level IN ('group', 'combination')
    ORDER BY e.name, pt.external_id, e.network`;
  const matrices: Record<string, number[][]> = {};
  for (const name of [...new Set(rows.map((r) => r.name))]) {
    const byPatient = new Map<string, number[]>();
    for (const r of rows.filter((x) => x.name === name))
      byPatient.set(r.external_id, [...(byPatient.get(r.external_id) ?? []), r.probability]);
    matrices[name] = [...byPatient.values()];
  }
  // 'best' compares each network's best ensemble: the aggregator records which ones in the inputs.
  const best = await t.db.prisma.statisticalTest.findFirstOrThrow({
    where: { experimentId: seeded.experimentId, kind: 'friedman', scope: 'best' },
  });
  const chosen = (best.inputs as { ensembles: Record<string, string> }).ensembles;
  const bestByPatient = new Map<string, number[]>();
  for (const [network, name] of Object.entries(chosen).sort((a, b) => a[0].localeCompare(b[0]))) {
    for (const r of rows.filter((x) => x.name === name && x.network === network)) {
      bestByPatient.set(r.external_id, [...(bestByPatient.get(r.external_id) ?? []), r.probability]);
    }
  }
  matrices.best = [...bestByPatient.values()];
  if (process.env.DUMP_MATRICES !== undefined) console.log(JSON.stringify(matrices));
  const report = await loadReportModel(t.db.prisma, seeded.experimentId);
  const friedman = report.statistics.filter((s) => s.kind === 'friedman');
  assert.deepEqual(friedman.map((s) => s.scope).sort(), ['DSC', 'DSC+DTI', 'DTI', 'best']);
  // Nemenyi runs where Friedman p < 0.05, which holds for every scope here: 4 × 3 pairs.
  assert.equal(report.statistics.filter((s) => s.kind === 'nemenyi').length, 12);
  for (const s of report.statistics) {
    const want = EXPECTED[`${s.kind}:${s.scope}:${s.comparison}`];
    assert.ok(want !== undefined, `no expected value for ${s.kind} ${s.scope} ${s.comparison}`);
    assert.ok(
      Math.abs(s.pValue - want.pValue) <= 1e-9 + 1e-7 * want.pValue,
      `${s.kind} ${s.scope} ${s.comparison} p ${s.pValue} vs ${want.pValue}`,
    );
    if (s.kind === 'friedman')
      assert.ok(Math.abs(s.statistic! - want.statistic) <= 1e-9 * Math.max(1, want.statistic));
  }
});
