import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPaperTables } from './index.ts';

test('text tables follow the paper: one per network, groups in the paper order, then Table 5', () => {
  const ens = (network: string, name: string, auc: number) => ({
    network,
    level: name.includes('+') ? 'combination' : 'group',
    name,
    patients: 57,
    metrics: {
      auc: { value: auc, ciLow: auc - 0.1, ciHigh: auc + 0.1 },
      ap: { value: 0.6179 },
      sen: { value: 0.6667 },
      spe: { value: 0.6061 },
    },
  });
  const text = formatPaperTables({
    ensembles: [
      ens('resnet', 'DSC', 0.5051),
      ens('spottune', 'DSC+DTI', 0.6604),
      ens('spottune', 'DSC', 0.6124),
      { ...ens('spottune', 'DSC_PH', 0.1), level: 'fold' },
    ],
    tests: [
      { kind: 'friedman', scope: 'DSC+DTI', comparison: 'all', statistic: 8.7, pValue: 0.0131 },
      { kind: 'nemenyi', scope: 'DSC+DTI', comparison: 'spottune~resnet', statistic: 3.2, pValue: 0.0103 },
      { kind: 'friedman', scope: 'DSC', comparison: 'all', statistic: 4.4, pValue: 0.108 },
    ],
  });
  assert.ok(text.indexOf('Table 2. SpotTune') < text.indexOf('Table 3. Randomly initialised ResNet'));
  assert.match(text, /DSC\s+0\.6124 \(0\.51–0\.71\)\s+0\.6179\s+0\.6667\s+0\.6061\s+57/);
  const spottune = text.slice(text.indexOf('Table 2.'), text.indexOf('Table 3.'));
  assert.ok(spottune.indexOf('\nDSC ') < spottune.indexOf('\nDSC+DTI'), 'paper row order');
  assert.doesNotMatch(text, /DSC_PH/, 'fold-level ensembles are not in the paper tables');
  assert.match(text, /Table 5\. Friedman/);
  assert.match(text, /DSC\+DTI\s+0\.0131\s+spottune, resnet\s+0\.0103/);
  assert.match(text, /DSC\s+0\.1080\s+\(no post-hoc/);
});
