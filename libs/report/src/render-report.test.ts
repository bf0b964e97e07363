import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDashboard, renderReport, type ReportModel } from './index.ts';

function model(): ReportModel {
  const ens = (network: string, name: string, auc: number) => ({
    network,
    level: name.includes('+') ? 'combination' : 'group',
    name,
    patients: 10,
    metrics: {
      auc: { value: auc, ciLow: auc - 0.1, ciHigh: auc + 0.1 },
      ap: { value: 0.5, ciLow: null, ciHigh: null },
      sen: { value: 0.6, ciLow: 0.4, ciHigh: 0.8 },
      spe: { value: 0.7, ciLow: 0.5, ciHigh: 0.9 },
    },
    roc: [
      [0, 0],
      [0.5, 0.75],
      [1, 1],
    ] as [number, number][],
    pr: [
      [0, 1],
      [0.5, 0.6],
      [1, 0.5],
    ] as [number, number][],
    missing: 0,
  });
  return {
    experiment: {
      id: 'e1',
      name: 'demo <x>',
      status: 'SUCCEEDED',
      seed: 42,
      createdAt: '2026-01-01T00:00:00.000Z',
      finishedAt: null,
    },
    ensembles: [
      ens('spottune', 'DSC+DTI', 0.6604),
      ens('spottune', 'DSC', 0.6124),
      ens('resnet', 'DSC', 0.5051),
      ens('resnet', 'DSC+DTI', 0.5707),
      { ...ens('spottune', 'DSC_PH', 0.4), level: 'fold' },
    ],
    statistics: [
      { kind: 'friedman', scope: 'DSC+DTI', comparison: 'all', statistic: 8.1, pValue: 0.0131 },
      { kind: 'nemenyi', scope: 'DSC+DTI', comparison: 'spottune~resnet', statistic: null, pValue: 0.0103 },
    ],
    trials: [1, 2].map((fold) => ({
      trialId: `t${fold}`,
      network: 'spottune',
      modality: 'DSC_PH',
      fold,
      status: fold === 1 ? 'SUCCEEDED' : 'FAILED',
      bestEpoch: 2,
      selection: 'best',
      hyperparameters: { lr: fold === 1 ? 1e-5 : 1e-4, epochs: 3, temperature: 100 },
      failureReason: fold === 2 ? 'checksum mismatch' : null,
      epochs: [1, 2, 3].map((epoch) => ({
        epoch,
        trainLoss: 0.7 - 0.1 * epoch,
        valLoss: 0.69,
        valAuc: 0.5 + 0.05 * epoch,
        valM: 0.01 * epoch,
      })),
    })),
    routing: [
      { patientId: 'P1', label: 1, routing: Array.from({ length: 16 }, (_, i) => i / 15) },
      { patientId: 'P2', label: 0, routing: Array.from({ length: 16 }, () => 0.5) },
    ],
    generatedAt: '2026-01-01T00:00:00.000Z',
  };
}

test('the report shows every stored metric in the paper-shaped tables', () => {
  const html = renderReport(model());
  assert.match(html, /id="table-spottune"/);
  assert.match(html, /id="table-resnet"/);
  assert.match(
    html,
    /data-ensemble="DSC\+DTI" data-network="spottune" data-metric="auc" data-value="0.6604">0.6604/,
  );
  // rows follow the paper's order: DSC before DSC+DTI; fold-level ensembles are not in the tables
  const spottune = html.slice(
    html.indexOf('id="table-spottune"'),
    html.indexOf('</table>', html.indexOf('id="table-spottune"')),
  );
  assert.ok(spottune.indexOf('>DSC<') < spottune.indexOf('>DSC+DTI<'));
  assert.doesNotMatch(spottune, /DSC_PH/);
  assert.match(
    html,
    /data-kind="nemenyi" data-scope="DSC\+DTI" data-comparison="spottune~resnet" data-value="0.0103"/,
  );
  assert.match(html, /class="sig"/);
});

test('every plot carries its data and the page is self-contained and escaped', () => {
  const html = renderReport(model());
  for (const id of [
    'roc-dsc-dti',
    'pr-dsc-dti',
    'roc-best',
    'routing-blocks',
    'routing-map',
    'trial-t1',
    'scan-lr-valAuc',
  ]) {
    assert.match(html, new RegExp(`id="${id}"`), id);
  }
  assert.match(html, /data-points="\[\[0,0\],\[0.5,0.75\],\[1,1\]\]"/);
  assert.equal((html.match(/class="cell"/g) ?? []).length, 32, 'routing map has 2 patients × 16 blocks');
  assert.match(html, /checksum mismatch/);
  assert.match(html, /demo &lt;x&gt;/);
  assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)="https?:/);
});

test('the dashboard shows a progress bar per trial and refreshes only while running', () => {
  const exp = {
    id: 'e1',
    name: 'demo',
    status: 'RUNNING',
    createdAt: 'now',
    trials: [{ id: 't1', network: 'spottune', modality: 'T1', fold: 0, status: 'RUNNING', progress: 0.25 }],
  };
  const live = renderDashboard([exp]);
  assert.match(live, /data-trial="t1" data-progress="0.250"/);
  assert.match(live, /href="\/experiments\/e1\/report"/);
  assert.match(live, /setInterval/);
  assert.doesNotMatch(renderDashboard([{ ...exp, status: 'SUCCEEDED' }]), /setInterval/);
});
