import * as tf from '@tensorflow/tfjs';
import { CancelledError, DataError, ValidationError } from '@spottune/errors';
import { binaryMetrics } from '@spottune/evaluation';
import { Rng } from '@spottune/random';
import { Adam } from './adam.ts';
import { bceWithLogits, sigmoid } from './loss.ts';
import { Model, toBatch } from './model.ts';
import { initialValues } from './parameter-store.ts';
import { ReduceLROnPlateau } from './plateau.ts';
import { predictSamples, yieldToEventLoop } from './predict.ts';
import { CheckpointSelector } from './selection.ts';
import { validateTrainSettings, type TrainSettings } from './settings.ts';
import { decodeTrainState, encodeTrainState } from './train-state.ts';
import type {
  EpochReport,
  MetricSet,
  Prediction,
  TrainData,
  TrainHooks,
  TrainResult,
  TrainSample,
} from './train-types.ts';

/**
 * Trains one trial (§6) and predicts its validation and test patients (§7).
 * Per epoch: shuffled batches (seeded), agent → hard Gumbel policy → main network → BCE; Adam on the
 * main network and the agent with their own learning rates; validation on fresh metric state (Q23
 * faithful: the training SEN/SPE leak in); ReduceLROnPlateau on val ACC + AUC (Q24: 'min' faithful,
 * else 'max'); the best epoch = highest M with SEN > 0.5 and SPE > 0.5, else the last. Every epoch ends
 * with a resumable checkpoint (onCheckpoint); `hooks.resume` continues one bit-identically.
 */
export async function trainModel(
  data: TrainData,
  settings: TrainSettings,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  validateTrainSettings(settings);
  const inChannels = validateData(data);
  const f = settings.faithful;
  const root = new Rng(settings.seed);
  let shuffleRng = root.fork('shuffle');
  let gumbelRng = root.fork('gumbel');
  const model = new Model(
    {
      network: settings.network,
      depth: settings.depth,
      widths: settings.widths,
      inChannels,
      faithful: f,
      unfreezeBlocks: settings.unfreezeBlocks,
    },
    root.fork('init'),
  );
  const main = model.store.trainable('main').map((e) => ({ name: e.spec.name, variable: e.variable }));
  const agent = model.store.trainable('agent').map((e) => ({ name: e.spec.name, variable: e.variable }));
  const adamMain = new Adam(main, { lr: settings.lr, weightDecay: settings.weightDecay });
  const adamAgent = new Adam(agent, { lr: settings.agentLr, weightDecay: settings.weightDecay });
  hooks.logger?.info(
    { backend: tf.getBackend(), network: settings.network, depth: settings.depth, widths: settings.widths },
    'training starts',
  );
  try {
    if (settings.pretrained != null && hooks.resume === undefined) {
      const report = await settings.pretrained.load(model.store, { def: model.def, faithful: f });
      hooks.logger?.info(
        { source: settings.pretrained.label, loaded: report.loaded.length, skipped: report.skipped.length },
        'pretrained weights loaded',
      );
    }
    const plateauMode = f.q24 ? 'min' : 'max';
    const opts = {
      mode: plateauMode,
      factor: settings.plateauFactor,
      patience: settings.plateauPatience,
    } as const;
    const plateauMain = new ReduceLROnPlateau(opts);
    const plateauAgent = new ReduceLROnPlateau(opts);
    const selector = new CheckpointSelector();
    // Tensors that can change in training: what a best-epoch snapshot must hold.
    const mutable = model.store
      .list()
      .filter((p) => p.trainable || p.buffer)
      .map((p) => p.name);
    const fingerprint = JSON.stringify([settings.network, settings.depth, settings.widths, inChannels, f]);
    let reports: EpochReport[] = [];
    let best: Map<string, Float32Array> | null = null;
    let startEpoch = 0;
    if (hooks.resume !== undefined) {
      const s = decodeTrainState(hooks.resume, mutable);
      if (s.fingerprint !== fingerprint)
        throw new ValidationError('resume: the checkpoint belongs to another network or settings', {
          details: { checkpoint: s.fingerprint, settings: fingerprint },
        });
      model.store.restore(s.params);
      adamMain.restore(s.adam.main);
      adamAgent.restore(s.adam.agent);
      plateauMain.restore(s.plateau.main);
      plateauAgent.restore(s.plateau.agent);
      selector.restore(s.selector);
      shuffleRng = Rng.fromState(s.rng.shuffle);
      gumbelRng = Rng.fromState(s.rng.gumbel);
      reports = s.reports;
      best = s.best;
      startEpoch = s.epoch;
      hooks.logger?.info({ epoch: startEpoch }, 'resumed from checkpoint');
    }
    const varList = [...main, ...agent].map((e) => e.variable);
    const batches = Math.ceil(data.train.length / settings.batchSize);
    let stopped = selector.shouldStop(startEpoch, settings.earlyStoppingPatience);
    for (let epoch = startEpoch + 1; epoch <= settings.epochs && !stopped; epoch++) {
      const t0 = performance.now();
      const lrMain = adamMain.lr;
      const lrAgent = adamAgent.lr;
      const order = shuffleRng.shuffle(data.train.map((_, i) => i));
      const trainProbs: number[] = [];
      const trainLabels: number[] = [];
      let lossSum = 0;
      const routed = new Float64Array(model.def.nBlocks);
      for (let b = 0; b < batches; b++) {
        if (hooks.signal?.aborted === true)
          throw new CancelledError(`training cancelled during epoch ${epoch}`, {
            cause: hooks.signal.reason,
          });
        const batch = order
          .slice(b * settings.batchSize, (b + 1) * settings.batchSize)
          .map((i) => data.train[i]!);
        const x = toBatch(batch);
        const y = tf.tensor1d(batch.map((s) => s.label));
        let logitsT: tf.Tensor | undefined;
        let policyT: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const r = model.forward(x, {
            training: true,
            frozenBnBatchStats: f.q16,
            rng: gumbelRng,
            temperature: settings.temperature,
          });
          logitsT = tf.keep(r.logits);
          if (r.policy !== undefined) policyT = tf.keep(r.policy);
          return bceWithLogits(r.logits, y);
        }, varList);
        adamMain.apply(grads);
        adamAgent.apply(grads);
        const loss = (await value.data())[0]!;
        const logits = (await logitsT!.data()) as Float32Array;
        const policy = policyT === undefined ? null : ((await policyT.data()) as Float32Array);
        tf.dispose([
          value,
          x,
          y,
          logitsT!,
          ...(policyT === undefined ? [] : [policyT]),
          ...Object.values(grads),
        ]);
        batch.forEach((s, i) => {
          trainProbs.push(sigmoid(logits[i]!));
          trainLabels.push(s.label);
        });
        if (policy !== null) policy.forEach((v, k) => (routed[k % model.def.nBlocks]! += v));
        lossSum += loss * batch.length;
        await hooks.onBatch?.({ epoch, batch: b + 1, batches, loss });
        await yieldToEventLoop();
      }
      const train = metricSet(trainLabels, trainProbs, lossSum / data.train.length);
      const valOut = await predictSamples(model, data.val, {
        batchSize: settings.batchSize,
        samples: 1,
        rng: gumbelRng,
        temperature: settings.temperature,
        signal: hooks.signal,
      });
      const valLabels = data.val.map((s) => s.label);
      const val = metricSet(valLabels, valOut.probs, valOut.loss);
      if (f.q23) {
        // Q23: SEN/SPE state was never reset after training; M follows the leaked SEN/SPE.
        const leaked = binaryMetrics([...trainLabels, ...valLabels], [...trainProbs, ...valOut.probs]);
        val.sen = leaked.sen;
        val.spe = leaked.spe;
        val.m = leaked.m;
      }
      const plateauMetric = val.acc + val.auc;
      adamMain.lr = plateauMain.step(plateauMetric, adamMain.lr);
      adamAgent.lr = plateauAgent.step(plateauMetric, adamAgent.lr);
      const isBest = selector.consider(epoch, val);
      if (isBest) best = model.store.snapshot(mutable);
      const report: EpochReport = {
        epoch,
        train,
        val,
        lrMain,
        lrAgent,
        ...(model.isSpotTune
          ? { policyStats: { fineTunedFraction: Array.from(routed, (v) => v / data.train.length) } }
          : {}),
        durationMs: Math.round(performance.now() - t0),
      };
      reports.push(report);
      hooks.logger?.info({ epoch, train, val, lrMain, lrAgent, isBest }, 'epoch done');
      await hooks.onEpoch?.(report);
      if (hooks.onCheckpoint !== undefined) {
        const bytes = encodeTrainState({
          fingerprint,
          epoch,
          params: model.store.snapshot(),
          adam: { main: adamMain.state(), agent: adamAgent.state() },
          plateau: { main: plateauMain.state(), agent: plateauAgent.state() },
          selector: selector.state(),
          rng: { shuffle: shuffleRng.state(), gumbel: gumbelRng.state() },
          reports,
          best,
        });
        await hooks.onCheckpoint({ epoch, bytes, isBest });
      }
      stopped = selector.shouldStop(epoch, settings.earlyStoppingPatience);
      if (stopped) hooks.logger?.info({ epoch }, 'early stopping: val M has not improved');
    }
    if (best !== null) model.store.restore(best);
    const predictions = await finalPredictions(model, data, settings, root, hooks.signal);
    return {
      backend: tf.getBackend(),
      bestEpoch: selector.bestEpoch,
      selection: selector.selection,
      epochs: reports,
      predictions,
    };
  } finally {
    adamMain.dispose();
    adamAgent.dispose();
    model.dispose();
  }
}

function metricSet(labels: number[], probs: number[], loss: number): MetricSet {
  const m = binaryMetrics(labels, probs);
  return { loss, auc: m.auc, ap: m.ap, sen: m.sen, spe: m.spe, acc: m.acc, m: m.m };
}

/**
 * §7: S Gumbel samples per patient, seeded once per split; the selected model with its trained agent in
 * eval mode (Q33 faithful: a fresh random agent in train mode and S = 1).
 */
async function finalPredictions(
  model: Model,
  data: TrainData,
  settings: TrainSettings,
  root: Rng,
  signal: AbortSignal | undefined,
): Promise<Prediction[]> {
  const q33 = settings.faithful.q33 && model.isSpotTune;
  if (q33) {
    const rng = root.fork('agent-eval');
    for (const p of model.store.list().filter((p) => p.group === 'agent')) {
      const spec = model.store.entry(p.name).spec;
      model.store.assign(p.name, initialValues(spec, rng.fork('init', p.name)));
    }
  }
  const out: Prediction[] = [];
  for (const split of ['val', 'test'] as const) {
    const samples = model.isSpotTune ? (q33 ? 1 : settings.evalSamples) : 1;
    const r = await predictSamples(model, data[split], {
      batchSize: settings.batchSize,
      samples,
      rng: root.fork('predict', split),
      temperature: settings.temperature,
      agentTraining: q33,
      signal,
    });
    data[split].forEach((s, i) =>
      out.push({
        patientId: s.patientId,
        split,
        probability: r.probs[i]!,
        label: s.label,
        samples,
        ...(r.routing === undefined ? {} : { routing: r.routing[i]! }),
      }),
    );
  }
  return out;
}

function validateData(data: TrainData): number {
  if (data.train.length === 0) throw new ValidationError('trainModel: the training split is empty');
  if (data.val.length === 0) throw new ValidationError('trainModel: the validation split is empty');
  const first = data.train[0]!;
  const channels = first.channels ?? 1;
  for (const split of ['train', 'val', 'test'] as const) {
    for (const s of data[split] as TrainSample[]) {
      const c = s.channels ?? 1;
      const [d, h, w] = s.shape;
      if (c !== channels || d !== first.shape[0] || h !== first.shape[1] || w !== first.shape[2])
        throw new DataError(
          `trainModel: ${split} sample ${s.patientId} has shape ${c}×${s.shape.join('×')}, expected ${channels}×${first.shape.join('×')}`,
        );
      if (s.data.length !== c * d * h * w)
        throw new DataError(
          `trainModel: ${split} sample ${s.patientId} has ${s.data.length} values, expected ${c * d * h * w}`,
        );
      if (s.label !== 0 && s.label !== 1)
        throw new DataError(
          `trainModel: ${split} sample ${s.patientId} has label ${String(s.label)}, expected 0 or 1`,
        );
    }
  }
  return channels;
}
