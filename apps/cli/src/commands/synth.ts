import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '@spottune/errors';
import type { CliContext, RegisterCommand } from '../context.ts';

interface SynthFlags {
  patients: string;
  out: string;
  seed: string;
  effect: string;
  size?: string;
  json?: boolean;
}

function parseSize(text: string): [number, number, number] {
  const parts = text
    .toLowerCase()
    .split('x')
    .map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((v) => !Number.isInteger(v) || v < 4)) {
    throw new ValidationError(`--size: expected DxHxW with integers ≥ 4 (e.g. 20x32x32), got "${text}"`);
  }
  return parts as [number, number, number];
}

/** `spottune synth --patients N --out DIR`: a synthetic cohort in the UPENN-GBM layout. */
export const registerSynthCommand: RegisterCommand = (program: Command, context: () => CliContext) => {
  program
    .command('synth')
    .description(
      'write a synthetic cohort in the UPENN-GBM layout (NIfTI volumes, segmentations, clinical CSV)',
    )
    .requiredOption('--patients <n>', 'labelled pre-operative patients')
    .requiredOption('--out <dir>', 'output directory')
    .option('--seed <seed>', 'random seed (same seed, byte-identical files)', '0')
    .option('--effect <E>', 'MGMT effect size; 0 = no signal in the images', '1')
    .option('--size <DxHxW>', 'volume shape (default the real 155x240x240)')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: SynthFlags) => {
      const { logger, stdout } = context();
      const patients = Number(flags.patients);
      const effect = Number(flags.effect);
      if (!Number.isInteger(patients) || patients < 1) {
        throw new ValidationError(`--patients: expected a positive integer, got "${flags.patients}"`);
      }
      if (!Number.isFinite(effect) || effect < 0) {
        throw new ValidationError(`--effect: expected a number ≥ 0, got "${flags.effect}"`);
      }
      const seed = /^-?\d+$/.test(flags.seed) ? Number(flags.seed) : flags.seed;
      const outDir = resolve(flags.out);
      const { generateSyntheticCohort } = await import('@spottune/cohort');
      const result = await generateSyntheticCohort({
        patients,
        outDir,
        seed,
        effect,
        ...(flags.size !== undefined && { size: parseSize(flags.size) }),
        onPatient: (done, total) => logger.debug({ done, total }, 'synthetic scan written'),
      });
      const { scans: _scans, ...summary } = result;
      if (flags.json === true) stdout(`${JSON.stringify(summary)}\n`);
      else {
        stdout(
          `${outDir}: ${result.labelled} labelled patients (${result.methylated} methylated), ` +
            `${result.notAvailable} Not Available, ${result.indeterminate} Indeterminate, ` +
            `${result.followUps} _21 follow-ups, ${result.files} files\n`,
        );
      }
    });
};
