// Dev-only: writes the parity fixtures (weights, input, policy) as JSON for reference.py.
//   npx tsx test/model/torch-parity/dump-weights.ts /tmp/parity && /usr/bin/python3 test/model/torch-parity/reference.py /tmp/parity
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@spottune/random';
import { gumbelNoise } from '../../../libs/model/src/gumbel.ts';
import { PARITY_GRADS, PARITY_STEP, parityInput, parityModel, parityPolicy } from './fixture.ts';

const out = process.argv[2] ?? '/tmp/parity';
mkdirSync(out, { recursive: true });
for (const mode of ['faithful', 'corrected'] as const) {
  const model = parityModel(mode);
  const params: Record<string, { shape: number[]; data: number[] }> = {};
  for (const p of model.store.list())
    params[p.name] = { shape: p.shape, data: Array.from(model.store.read(p.name)) };
  const x = parityInput();
  const policy = parityPolicy();
  writeFileSync(
    join(out, `${mode}.json`),
    JSON.stringify({
      params,
      input: { shape: x.shape, data: Array.from(x.dataSync()) },
      policy: policy.arraySync(),
      step: {
        ...PARITY_STEP,
        noise: gumbelNoise(new Rng(PARITY_STEP.gumbelSeed), [2, 16, 2]).arraySync(),
        grads: PARITY_GRADS,
      },
    }),
  );
  model.dispose();
}
console.log(`wrote ${out}/{faithful,corrected}.json`);
