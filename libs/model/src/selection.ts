/** Serializable state of {@link CheckpointSelector}. */
export interface SelectorState {
  bestM: number;
  bestEpoch: number | null;
  /** Best raw val M seen (any SEN/SPE) and when, for early stopping. */
  bestAnyM: number;
  bestAnyEpoch: number;
}

/**
 * The reference's checkpoint rule (§6): an epoch becomes the best when its validation M beats the best
 * so far (strictly) and SEN > 0.5 and SPE > 0.5 (strict). With no qualifying epoch the last one is used
 * (selection 'last', Q29). Also tracks plain M improvements for optional early stopping.
 */
export class CheckpointSelector {
  bestM = -Infinity;
  bestEpoch: number | null = null;
  bestAnyM = -Infinity;
  bestAnyEpoch = 0;

  /** Feed one epoch's validation metrics; true when this epoch is the new best checkpoint. */
  consider(epoch: number, val: { sen: number; spe: number; m: number }): boolean {
    if (val.m > this.bestAnyM) {
      this.bestAnyM = val.m;
      this.bestAnyEpoch = epoch;
    }
    if (val.sen > 0.5 && val.spe > 0.5 && val.m > this.bestM) {
      this.bestM = val.m;
      this.bestEpoch = epoch;
      return true;
    }
    return false;
  }

  get selection(): 'best' | 'last' {
    return this.bestEpoch === null ? 'last' : 'best';
  }

  /** True when val M has not improved for more than `patience` epochs. */
  shouldStop(epoch: number, patience: number | undefined): boolean {
    return patience !== undefined && epoch - this.bestAnyEpoch >= patience;
  }

  state(): SelectorState {
    return {
      bestM: this.bestM,
      bestEpoch: this.bestEpoch,
      bestAnyM: this.bestAnyM,
      bestAnyEpoch: this.bestAnyEpoch,
    };
  }

  restore(s: SelectorState): void {
    this.bestM = s.bestM;
    this.bestEpoch = s.bestEpoch;
    this.bestAnyM = s.bestAnyM;
    this.bestAnyEpoch = s.bestAnyEpoch;
  }
}
