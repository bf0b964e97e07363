import * as tf from '@tensorflow/tfjs';
import { DataError } from '@spottune/errors';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Coupled L2 added to the gradient (torch Adam `weight_decay`). */
  weightDecay?: number;
}

/** Serializable optimiser state: step count and both moments per variable, in variable order. */
export interface AdamState {
  lr: number;
  step: number;
  names: string[];
  m: Float32Array[];
  v: Float32Array[];
}

/**
 * torch.optim.Adam over a fixed list of named variables, written out so that its moments can be
 * checkpointed and a resumed run is bit-identical:
 *   g ← g + wd·p;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
 *   p ← p − (lr / (1−β1^t)) · m / (sqrt(v)/sqrt(1−β2^t) + eps).
 */
export class Adam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  step = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  constructor(
    private readonly vars: readonly { name: string; variable: tf.Variable }[],
    o: AdamOptions,
  ) {
    this.lr = o.lr;
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    this.m = vars.map((e) => tf.tidy(() => tf.variable(tf.zerosLike(e.variable), false)));
    this.v = vars.map((e) => tf.tidy(() => tf.variable(tf.zerosLike(e.variable), false)));
  }

  get names(): string[] {
    return this.vars.map((e) => e.name);
  }

  /** One update with gradients keyed by variable name (a variable without a gradient is skipped, as torch). */
  apply(grads: Record<string, tf.Tensor>): void {
    this.step += 1;
    const bc1 = 1 - Math.pow(this.beta1, this.step);
    const bc2 = 1 - Math.pow(this.beta2, this.step);
    const stepSize = this.lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
    tf.tidy(() => {
      this.vars.forEach(({ variable }, i) => {
        const raw = grads[variable.name];
        if (raw === undefined) return;
        const g = this.weightDecay !== 0 ? tf.add(raw, tf.mul(variable, this.weightDecay)) : raw;
        const m = this.m[i]!;
        const v = this.v[i]!;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtBc2), this.eps);
        variable.assign(tf.sub(variable, tf.mul(tf.div(m, denom), stepSize)));
      });
    });
  }

  state(): AdamState {
    return {
      lr: this.lr,
      step: this.step,
      names: this.names,
      m: this.m.map((t) => Float32Array.from(t.dataSync() as Float32Array)),
      v: this.v.map((t) => Float32Array.from(t.dataSync() as Float32Array)),
    };
  }

  restore(s: AdamState): void {
    const names = this.names;
    if (s.names.length !== names.length || s.names.some((n, i) => n !== names[i]))
      throw new DataError('Adam state: the variable list differs from the checkpoint');
    this.lr = s.lr;
    this.step = s.step;
    tf.tidy(() => {
      this.m.forEach((t, i) => t.assign(tf.tensor(s.m[i]!, t.shape)));
      this.v.forEach((t, i) => t.assign(tf.tensor(s.v[i]!, t.shape)));
    });
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
