import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { agentForward } from '../../libs/model/src/resnet.ts';
import { parityInput, parityModel, parityPolicy } from './torch-parity/fixture.ts';

/*
 * A tiny SpotTune (ResNet50 topology, widths 4,8,16,32, ResNet10 agent) against PyTorch 1.13 (Debian
 * python3-torch) with the same weights, input and routing. Expected values printed by
 *   npx tsx test/model/torch-parity/dump-weights.ts /tmp/parity
 *   /usr/bin/python3 test/model/torch-parity/reference.py /tmp/parity
 * (reference.py builds the network from the spec in both modes and loads the exported weights).
 */
const TORCH = {
  faithful: {
    eval: [2.929832696914673, 8.051067352294922],
    agent0: [
      0.19451341032981873, 0.03849498927593231, -0.398088276386261, -0.25808078050613403,
      -0.31237831711769104, 0.07161807268857956,
    ],
    agent1: [0.5665704607963562, 0.04754912853240967, 0.5136955976486206, 0.045207954943180084],
    train: [1.3332858085632324, 0.6003882884979248],
    frozenRunningMean: [
      -0.21876995265483856, -0.7070156335830688, 0.024742692708969116, -0.26569122076034546,
    ],
    tunedRunningVar: [1.2457176446914673, 1.088376522064209, 0.6735592484474182, 1.2621309757232666],
  },
  corrected: {
    eval: [2.014885187149048, 1.128409504890442],
    agent0: [
      0.19154566526412964, 0.04305684566497803, -0.4036666750907898, -0.24888846278190613,
      -0.3293202221393585, 0.03216233476996422,
    ],
    agent1: [0.5686002373695374, 0.0022001713514328003, 0.5128639936447144, 0.053534768521785736],
    train: [0.47835463285446167, 1.0512140989303589],
    frozenRunningMean: [0.27040037512779236, 0.026125749573111534, -0.307393342256546, -0.0276083592325449],
    tunedRunningVar: [1.2490143775939941, 1.0671555995941162, 0.667627215385437, 1.2611677646636963],
  },
};

function close(got: ArrayLike<number>, want: number[], what: string): void {
  assert.equal(got.length, want.length, what);
  want.forEach((w, i) =>
    assert.ok(Math.abs(got[i]! - w) <= 2e-4 * Math.max(1, Math.abs(w)), `${what}[${i}]: ${got[i]} vs ${w}`),
  );
}

for (const mode of ['faithful', 'corrected'] as const) {
  test(`tiny SpotTune forward equals PyTorch (${mode}: eval, agent, train mode and running stats)`, () => {
    const model = parityModel(mode);
    const x = parityInput();
    const policy = parityPolicy();
    const want = TORCH[mode];
    const evalLogits = tf.tidy(() => model.forward(x, { training: false, policy }).logits);
    close(evalLogits.dataSync(), want.eval, 'eval logits');
    const agent = agentForward(
      { store: model.store, training: false, frozenBnBatchStats: false },
      model.def,
      x,
    );
    const a = agent.arraySync();
    close(a[0]!.slice(0, 6), want.agent0, 'agent logits sample 0');
    close(a[1]!.slice(-4), want.agent1, 'agent logits sample 1');
    const trainLogits = tf.tidy(
      () => model.forward(x, { training: true, frozenBnBatchStats: mode === 'faithful', policy }).logits,
    );
    close(trainLogits.dataSync(), want.train, 'train logits');
    close(
      model.store.read('blocks.layer1.0.bn1.running_mean'),
      want.frozenRunningMean,
      'frozen running mean',
    );
    close(
      model.store.read('parallel_blocks.layer4.2.bn3.running_var').slice(0, 4),
      want.tunedRunningVar,
      'running var',
    );
    tf.dispose([evalLogits, agent, trainLogits, x, policy]);
    model.dispose();
  });
}
