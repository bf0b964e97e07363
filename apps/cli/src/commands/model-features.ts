import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ValidationError } from '@spottune/errors';
import { readNpy } from '@spottune/imaging';
import type { CliContext } from '../context.ts';

interface FeaturesFlags {
  weights: string;
  arch: string;
  widths?: string;
  input: string;
  json?: boolean;
}

/**
 * `spottune model features --weights FILE.pth|DIR --arch resnet50 [--widths a,b,c,d] --input VOL.npy
 * [--json]`: MedicalNet's eval-mode, global-average-pooled layer4 features of one D×H×W volume
 * (MedicalNet topology: stages 3–4 dilated in every block). JSON: `{ "features": [...] }`.
 */
export function addModelFeaturesCommand(model: Command, context: () => CliContext): void {
  model
    .command('features')
    .description("MedicalNet's eval-mode layer4 features (global average pool) of one .npy volume")
    .requiredOption('--weights <path>', 'MedicalNet .pth (zip or legacy) or a native weights directory')
    .requiredOption('--arch <arch>', 'resnet10 | resnet18 | resnet34 | resnet50')
    .option('--widths <a,b,c,d>', 'stage widths (default: read off the weights)')
    .requiredOption('--input <file>', 'D×H×W volume (.npy, float)')
    .option('--json', 'print { "features": [...] }')
    .action(async (flags: FeaturesFlags) => {
      const {
        isWeightsDirectory,
        loadWeights,
        medicalNetFeatures,
        parseArch,
        parseWidths,
        readWeightsManifest,
      } = await import('@spottune/model');
      const arch = parseArch(flags.arch);
      const widths = flags.widths === undefined ? undefined : parseWidths(flags.widths);
      if (await isWeightsDirectory(flags.weights)) {
        const manifest = await readWeightsManifest(flags.weights);
        if (manifest.arch !== arch)
          throw new ValidationError(
            `--arch ${arch} does not match ${flags.weights} (imported as ${manifest.arch})`,
          );
      }
      const npy = readNpy(await readFile(flags.input), { name: flags.input });
      if (npy.shape.length !== 3)
        throw new ValidationError(
          `--input ${flags.input}: expected a D×H×W array, got shape [${npy.shape.join(',')}]`,
        );
      const data = npy.data instanceof Float32Array ? npy.data : Float32Array.from(npy.data);
      const stateDict = await loadWeights(flags.weights);
      const features = await medicalNetFeatures(stateDict, {
        arch,
        widths,
        backend: 'auto',
        input: { data, shape: npy.shape as [number, number, number] },
      });
      const { stdout } = context();
      if (flags.json === true) stdout(`${JSON.stringify({ features: [...features] })}\n`);
      else
        stdout(
          `${arch} features (${features.length}): ${[...features].map((v) => v.toPrecision(6)).join(' ')}\n`,
        );
    });
}
