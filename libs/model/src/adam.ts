import * as tf from '@tensorflow/tfjs';
import { DataError } from '@spottune/errors';
import { filledTensor, viewOf } from './ops/heap.ts';
import { nativeBlas } from './ops/native-blas.ts';

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
 * One Adam step over flat arrays, every operation rounded to float32 (Math.fround), in the order of
 * the native addon's adamUpdate; hyper = [β1, β2, 1−β1, 1−β2, eps, weight decay, step size, √(1−β2^t)].
 */
export function adamLoop(
  P: Float32Array,
  G: Float32Array,
  M: Float32Array,
  V: Float32Array,
  P2: Float32Array,
  M2: Float32Array,
  V2: Float32Array,
  hyper: Float32Array,
): void {
  const f = Math.fround;
  const [b1, b2, c1, c2, eps, wd, step, sqrtBc2] = hyper as unknown as number[];
  for (let k = 0; k < P2.length; k++) {
    const g = wd !== 0 ? f(G[k]! + f(P[k]! * wd!)) : G[k]!;
    const mk = f(f(M[k]! * b1!) + f(g * c1!));
    const vk = f(f(V[k]! * b2!) + f(f(g * g) * c2!));
    M2[k] = mk;
    V2[k] = vk;
    P2[k] = f(P[k]! - f(f(mk / f(f(f(Math.sqrt(vk)) / sqrtBc2!) + eps!)) * step!));
  }
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

  /**
   * One update with gradients keyed by variable name (a variable without a gradient is skipped, as
   * torch). One loop per variable on the tensors' memory (native addon or JS), in float32 arithmetic
   * as the ten element-wise kernel calls per variable it replaces.
   */
  apply(grads: Record<string, tf.Tensor>): void {
    this.step += 1;
    const hyper = Float32Array.of(
      this.beta1,
      this.beta2,
      1 - this.beta1,
      1 - this.beta2,
      this.eps,
      this.weightDecay,
      this.lr / (1 - Math.pow(this.beta1, this.step)),
      Math.sqrt(1 - Math.pow(this.beta2, this.step)),
    );
    const native = nativeBlas();
    tf.tidy(() => {
      this.vars.forEach(({ variable }, i) => {
        const raw = grads[variable.name];
        if (raw === undefined) return;
        const m = this.m[i]!;
        const v = this.v[i]!;
        const shape = variable.shape;
        const newM = filledTensor(shape, () => {});
        const newV = filledTensor(shape, () => {});
        // Views after the last allocation: an allocation may move the wasm heap.
        const newP = filledTensor(shape, (P2) => {
          const [P, G, M, V, M2, V2] = [variable, raw, m, v, newM, newV].map(viewOf) as Float32Array[];
          if (native !== undefined) native.adamUpdate(P!, G!, M!, V!, P2, M2!, V2!, hyper);
          else adamLoop(P!, G!, M!, V!, P2, M2!, V2!, hyper);
        });
        m.assign(newM);
        v.assign(newV);
        variable.assign(newP);
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
