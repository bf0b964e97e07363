/** Serializable state of {@link ReduceLROnPlateau}. */
export interface PlateauState {
  best: number;
  numBadEpochs: number;
  cooldownCounter: number;
}

export interface PlateauOptions {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  /** Relative threshold (torch default 1e-4, threshold_mode 'rel'). */
  threshold?: number;
  cooldown?: number;
  minLr?: number;
}

/**
 * torch.optim.lr_scheduler.ReduceLROnPlateau (threshold_mode 'rel'), stepped once per epoch with a
 * metric; returns the new learning rate. Reductions smaller than 1e-8 are skipped, as in torch.
 */
export class ReduceLROnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly cooldown: number;
  readonly minLr: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;

  constructor(o: PlateauOptions) {
    this.mode = o.mode;
    this.factor = o.factor;
    this.patience = o.patience;
    this.threshold = o.threshold ?? 1e-4;
    this.cooldown = o.cooldown ?? 0;
    this.minLr = o.minLr ?? 0;
    this.best = o.mode === 'min' ? Infinity : -Infinity;
  }

  isBetter(a: number, best: number): boolean {
    return this.mode === 'min' ? a < best * (1 - this.threshold) : a > best * (1 + this.threshold);
  }

  /** Feed this epoch's metric; returns the learning rate to use from now on. */
  step(metric: number, lr: number): number {
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs += 1;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
      const next = Math.max(lr * this.factor, this.minLr);
      if (lr - next > 1e-8) return next;
    }
    return lr;
  }

  state(): PlateauState {
    return { best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter };
  }

  restore(s: PlateauState): void {
    this.best = s.best;
    this.numBadEpochs = s.numBadEpochs;
    this.cooldownCounter = s.cooldownCounter;
  }
}
