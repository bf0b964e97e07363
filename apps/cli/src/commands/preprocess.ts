import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DataError, ValidationError } from '@spottune/errors';
import {
  PREPROCESSING_VERSION,
  preprocessVolume,
  readNifti,
  resolvePreprocessOptions,
  writeNpy,
} from '@spottune/imaging';
import type { NiftiVolume, Shape3, Window3 } from '@spottune/imaging';
import type { CliContext, RegisterCommand } from '../context.ts';

interface PreprocessFlags {
  image: string;
  mask: string;
  out: string;
  crop?: string;
  target?: string;
  sigma?: string;
  json?: boolean;
}

export function parseCrop(text: string): Window3 {
  const axes = text.split(',').map((part) => part.split(':').map((v) => Number(v.trim())));
  if (axes.length !== 3 || axes.some((a) => a.length !== 2 || a.some((v) => !Number.isInteger(v) || v < 0))) {
    throw new ValidationError(`--crop: expected z0:z1,y0:y1,x0:x1 with non-negative integers, got "${text}"`);
  }
  return axes as Window3;
}

export function parseShape(text: string, flag: string): Shape3 {
  const dims = text.split(/x/i).map((v) => Number(v.trim()));
  if (dims.length !== 3 || dims.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new ValidationError(`--${flag}: expected DxHxW positive integers, got "${text}"`);
  }
  return dims as Shape3;
}

/** A 3-D volume, or a 4-D one with a single time point (common for masks), as (D, H, W). */
function spatial(volume: NiftiVolume, file: string): Shape3 {
  const shape = volume.shape.length === 4 && volume.shape[0] === 1 ? volume.shape.slice(1) : volume.shape;
  if (shape.length !== 3) {
    throw new DataError(`${file}: expected a 3-D volume, got dims ${volume.dims.join('×')}`);
  }
  return shape as Shape3;
}

/**
 * `spottune preprocess --image IMG --mask MASK --out OUT.npy`: the reference preprocessing of one
 * derivative (mask → crop → anti-aliased 0.5× → min–max → pad), written as float32 C-order D×H×W .npy.
 */
export const registerPreprocessCommand: RegisterCommand = (program: Command, context: () => CliContext) => {
  program
    .command('preprocess')
    .description('reference preprocessing of one image + tumour mask into a float32 D×H×W .npy')
    .requiredOption('--image <file>', 'image .nii/.nii.gz')
    .requiredOption('--mask <file>', 'segmentation .nii/.nii.gz (labels > 0 = whole tumour)')
    .requiredOption('--out <file>', 'output .npy')
    .option('--crop <z0:z1,y0:y1,x0:x1>', 'crop window in (D,H,W) order (default 0:140,39:211,44:208)')
    .option('--target <DxHxW>', 'zero-padded output shape (default 70x86x86)')
    .option('--sigma <s>', 'anti-aliasing Gaussian sigma in voxels (default 0.5)')
    .option('--json', 'print a JSON summary')
    .action(async (flags: PreprocessFlags) => {
      const options = resolvePreprocessOptions({
        ...(flags.crop === undefined ? {} : { crop: parseCrop(flags.crop) }),
        ...(flags.target === undefined ? {} : { targetShape: parseShape(flags.target, 'target') }),
        ...(flags.sigma === undefined ? {} : { sigma: parseSigma(flags.sigma) }),
      });
      const [image, mask] = await Promise.all([readNifti(flags.image), readNifti(flags.mask)]);
      const imageShape = spatial(image, flags.image);
      const maskShape = spatial(mask, flags.mask);
      const started = performance.now();
      const out = preprocessVolume(
        { data: image.data, shape: imageShape },
        { data: mask.data, shape: maskShape },
        options,
      );
      const ms = performance.now() - started;
      await writeFile(flags.out, writeNpy(out.data, out.shape));
      const summary = {
        out: flags.out,
        shape: out.shape,
        version: PREPROCESSING_VERSION,
        options,
        ms: Math.round(ms),
      };
      const { stdout } = context();
      stdout(
        flags.json === true
          ? JSON.stringify(summary) + '\n'
          : `wrote ${flags.out}: float32 ${out.shape.join('×')} (${PREPROCESSING_VERSION}, ${summary.ms} ms)\n`,
      );
    });
};

function parseSigma(text: string): number {
  const sigma = Number(text);
  if (!Number.isFinite(sigma) || sigma < 0)
    throw new ValidationError(`--sigma: expected a number ≥ 0, got "${text}"`);
  return sigma;
}
