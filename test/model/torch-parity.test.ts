import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@spottune/random';
import { bceWithLogits } from '../../libs/model/src/loss.ts';
import { agentForward } from '../../libs/model/src/resnet.ts';
import { PARITY_GRADS, PARITY_STEP, parityInput, parityModel, parityPolicy } from './torch-parity/fixture.ts';

/*
 * A tiny SpotTune (ResNet50 topology, widths 4,8,16,32, ResNet10 agent) against PyTorch 1.13 (Debian
 * python3-torch) with the same weights, input and routing. Expected values printed by
 *   npx tsx test/model/torch-parity/dump-weights.ts /tmp/parity
 *   /usr/bin/python3 test/model/torch-parity/reference.py /tmp/parity
 * (reference.py builds the network from the spec in both modes and loads the exported weights; its
 * train_step() gives TORCH_STEP: loss and gradients of one agent → Gumbel → BCE step with the exported noise).
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

const TORCH_STEP = {
  faithful: {
    grads: {
      'classify.weight': [1.3393189907073975, 0.7275286316871643, 0.36039260029792786, 0.27359452843666077],
      'classify.bias': [0.23567280173301697],
      'parallel_blocks.layer1.0.conv2.weight': [
        3.971534490585327, -1.6066536903381348, -3.845446825027466, 0.07348081469535828,
      ],
      'parallel_blocks.layer3.1.bn2.weight': [
        0.12429065257310867, -0.07005193084478378, -0.017789842560887337, 0.020947232842445374,
      ],
      'parallel_blocks.layer4.2.conv3.weight': [0.0, 0.0, 0.0, 0.0],
      'agent.fc.bias': [
        1.396517276763916, -1.3965178728103638, 0.790019154548645, -0.7900192141532898, 0.4121168851852417,
        -0.4121169149875641,
      ],
      'agent.layer2.0.conv1.weight': [
        -0.006029389798641205, 0.4402199983596802, -0.1392381191253662, -0.2084604650735855,
      ],
    },
    loss: 0.8452295660972595,
  },
  corrected: {
    grads: {
      'classify.weight': [0.18115319311618805, 0.052656713873147964, 0.327465295791626, 0.29302430152893066],
      'classify.bias': [0.10385435819625854],
      'parallel_blocks.layer1.0.conv2.weight': [
        -1.4120383262634277, 0.8924868702888489, -0.3748320937156677, 0.03232783079147339,
      ],
      'parallel_blocks.layer3.1.bn2.weight': [
        0.09828270226716995, 0.062210917472839355, 0.07050800323486328, -0.009000983089208603,
      ],
      'parallel_blocks.layer4.2.conv3.weight': [0.0, 0.0, 0.0, 0.0],
      'agent.fc.bias': [
        0.13415813446044922, -0.13415808975696564, 0.0139202531427145, -0.013920251280069351,
        -0.6645969748497009, 0.6645969152450562,
      ],
      'agent.layer2.0.conv1.weight': [
        0.053145892918109894, -0.11225266009569168, 0.031159330159425735, -0.103364497423172,
      ],
    },
    loss: 0.7968166470527649,
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

for (const mode of ['faithful', 'corrected'] as const) {
  test(`tiny SpotTune training step (agent → hard Gumbel → BCE) has PyTorch's loss and gradients (${mode})`, () => {
    const model = parityModel(mode);
    const x = parityInput();
    const y = tf.tensor1d(PARITY_STEP.labels);
    const entries = [...model.store.trainable('main'), ...model.store.trainable('agent')];
    const { value, grads } = tf.variableGrads(
      () => {
        const r = model.forward(x, {
          training: true,
          frozenBnBatchStats: mode === 'faithful',
          rng: new Rng(PARITY_STEP.gumbelSeed),
          temperature: PARITY_STEP.temperature,
        });
        return bceWithLogits(r.logits, y);
      },
      entries.map((e) => e.variable),
    );
    const want = TORCH_STEP[mode];
    close(value.dataSync(), [want.loss], 'loss');
    for (const [name, k] of PARITY_GRADS) {
      const g = grads[model.store.get(name).name];
      const wantGrad = want.grads[name as keyof typeof want.grads];
      assert.ok(g !== undefined || wantGrad.every((v) => v === 0), `no gradient for ${name}`);
      close(g === undefined ? new Float32Array(k) : g.dataSync().slice(0, k), wantGrad, `d ${name}`);
    }
    tf.dispose([value, x, y, ...Object.values(grads)]);
    model.dispose();
  });
}
