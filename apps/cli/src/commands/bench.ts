import type { Command } from 'commander';
import { ValidationError } from '@spottune/errors';
import type { BackendChoice, Depth, NetworkKind } from '@spottune/model';
import type { CliContext, RegisterCommand } from '../context.ts';
import { depthFlag, networkFlag, positiveInts } from '../flags.ts';

interface TrainStepFlags {
  network: string;
  depth: string;
  widths: string;
  input: string;
  batch: string;
  steps: string;
  backend: string;
  native: string;
  blasThreads: string;
  json?: boolean;
}

export interface TrainStepTiming {
  backend: string;
  /** The compute path in words (backend, native addon and its threads). */
  compute: string;
  msPerStep: number;
  msPerForward: number;
  /** Process CPU time (user + system): steadier than wall time on a shared machine. */
  cpuMsPerStep: number;
  cpuMsPerForward: number;
}

/**
 * Times SpotTune/ResNet training steps on synthetic data: forward (agent → hard Gumbel policy → main
 * network, train-mode BNs) + backward + Adam on main and agent, as the reference's step (§5–6) and as
 * bench/pytorch/spottune_step.py; and the same forward alone, without a gradient tape. One warm-up
 * step and forward are not timed.
 */
export async function benchTrainStep(o: {
  network: NetworkKind;
  depth: Depth;
  widths: [number, number, number, number];
  input: [number, number, number];
  batch: number;
  steps: number;
  backend: BackendChoice;
  native: boolean;
  blasThreads: number;
}): Promise<TrainStepTiming> {
  // Loaded here, not at module top, so that `spottune --help` does not pay for tfjs.
  const [tf, { Rng }, { Adam, Model, bceWithLogits, describeCompute, faithful, initBackend }] =
    await Promise.all([import('@tensorflow/tfjs'), import('@spottune/random'), import('@spottune/model')]);
  const backend = await initBackend(o.backend, { nativeBlas: o.native, blasThreads: o.blasThreads });
  const root = new Rng(1234);
  const model = new Model(
    { network: o.network, depth: o.depth, widths: o.widths, inChannels: 1, faithful: faithful() },
    root.fork('init'),
  );
  const named = (group: 'main' | 'agent') =>
    model.store.trainable(group).map((e) => ({ name: e.spec.name, variable: e.variable }));
  const main = named('main');
  const agent = named('agent');
  const adamMain = new Adam(main, { lr: 1e-4 });
  const adamAgent = new Adam(agent, { lr: 1e-3 });
  const varList = [...main, ...agent].map((e) => e.variable);
  const dataRng = root.fork('data');
  const voxels = o.batch * o.input[0] * o.input[1] * o.input[2];
  const values = new Float32Array(voxels);
  for (let i = 0; i < voxels; i++) values[i] = dataRng.normal();
  const x = tf.tensor5d(values, [o.batch, ...o.input, 1]);
  const y = tf.tensor1d(Array.from({ length: o.batch }, (_, i) => i % 2));
  const gumbel = root.fork('gumbel');
  const forwardOptions = { training: true, frozenBnBatchStats: true, rng: gumbel, temperature: 100 };
  const step = (): void => {
    const { value, grads } = tf.variableGrads(() => {
      const r = model.forward(x, forwardOptions);
      if (r.policy !== undefined) r.policy.dispose();
      return bceWithLogits(r.logits, y);
    }, varList);
    adamMain.apply(grads);
    adamAgent.apply(grads);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const forward = (): void => {
    tf.tidy(() => {
      model.forward(x, forwardOptions).logits.dataSync();
    });
  };
  try {
    step();
    forward();
    const time = (fn: () => void): [number, number] => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < o.steps; i++) fn();
      const c = process.cpuUsage(c0);
      return [(performance.now() - t0) / o.steps, (c.user + c.system) / 1000 / o.steps];
    };
    const [msPerStep, cpuMsPerStep] = time(step);
    const [msPerForward, cpuMsPerForward] = time(forward);
    return { backend, compute: describeCompute(), msPerStep, msPerForward, cpuMsPerStep, cpuMsPerForward };
  } finally {
    tf.dispose([x, y]);
    adamMain.dispose();
    adamAgent.dispose();
    model.dispose();
  }
}

/** `spottune bench train-step`: milliseconds per training step and per forward pass. */
export const registerBenchCommand: RegisterCommand = (program: Command, context: () => CliContext) => {
  const bench = program.command('bench').description('performance measurements');
  bench
    .command('train-step')
    .description('time training steps (forward + backward + Adam) and forward passes on synthetic data')
    .option('--network <kind>', 'spottune | resnet | transfer', 'spottune')
    .option('--depth <n>', 'ResNet depth: 10, 18, 34 or 50', '50')
    .option('--widths <a,b,c,d>', 'stage widths', '16,32,64,128')
    .option('--input <DxHxW>', 'input volume shape', '35x43x43')
    .option('--batch <n>', 'batch size', '2')
    .option('--steps <n>', 'timed steps (after one warm-up)', '3')
    .option('--backend <name>', 'auto | tensorflow | wasm | cpu', 'auto')
    .option('--native <on|off>', 'native OpenBLAS addon on wasm/cpu when built', 'on')
    .option('--blas-threads <n>', 'OpenBLAS threads of the native addon', '1')
    .option('--json', 'print JSON')
    .action(async (flags: TrainStepFlags) => {
      const network = networkFlag(flags.network);
      const depth = depthFlag(flags.depth);
      if (!['on', 'off'].includes(flags.native))
        throw new ValidationError(`--native: expected on or off, got "${flags.native}"`);
      const backend = flags.backend as BackendChoice;
      if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend))
        throw new ValidationError(
          `--backend: expected auto, tensorflow, wasm or cpu, got "${flags.backend}"`,
        );
      const timing = await benchTrainStep({
        network,
        depth,
        widths: positiveInts(flags.widths, 4, 'widths', /,/) as [number, number, number, number],
        input: positiveInts(flags.input, 3, 'input', /x/i) as [number, number, number],
        batch: positiveInts(flags.batch, 1, 'batch', /,/)[0]!,
        steps: positiveInts(flags.steps, 1, 'steps', /,/)[0]!,
        backend,
        native: flags.native !== 'off',
        blasThreads: positiveInts(flags.blasThreads, 1, 'blas-threads', /,/)[0]!,
      });
      const { stdout } = context();
      if (flags.json) stdout(`${JSON.stringify(timing)}\n`);
      else
        stdout(
          `${timing.compute}: ${timing.msPerStep.toFixed(1)} ms per training step, ` +
            `${timing.msPerForward.toFixed(1)} ms per forward\n`,
        );
    });
};
