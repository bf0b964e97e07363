import { DataError } from '@spottune/errors';

/**
 * The mask selects nothing inside the crop window, or the selected image is constant, so min–max
 * normalisation is 0/0. The reference silently produced NaN volumes here (reference-pipeline Q4).
 */
export class EmptyMaskError extends DataError {
  override readonly code = 'EMPTY_MASK';
}
