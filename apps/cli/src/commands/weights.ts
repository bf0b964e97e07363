import type { Command } from 'commander';
import type { CliContext, RegisterCommand } from '../context.ts';

interface ImportFlags {
  arch: string;
  widths?: string;
  out: string;
  json?: boolean;
}

/**
 * `spottune weights import FILE.pth --arch resnet50 [--widths a,b,c,d] --out DIR`: checks a MedicalNet
 * checkpoint against the architecture and converts it once to the native format (manifest.json +
 * weights.bin, see libs/model/src/weights/native-weights.ts) that loads without parsing pickles.
 * `spottune weights inspect FILE|DIR`: the tensors a checkpoint or native directory holds.
 */
export const registerWeightsCommand: RegisterCommand = (program: Command, context: () => CliContext) => {
  const weights = program
    .command('weights')
    .description('pretrained (MedicalNet) weights: import and inspect');
  weights
    .command('import')
    .description('convert a MedicalNet .pth (zip or legacy format) to the native weights format')
    .argument('<file>', 'PyTorch checkpoint (.pth)')
    .requiredOption('--arch <arch>', 'resnet10 | resnet18 | resnet34 | resnet50')
    .option('--widths <a,b,c,d>', 'stage widths (default: read off the checkpoint)')
    .requiredOption('--out <dir>', 'output directory (manifest.json + weights.bin)')
    .option('--json', 'print the manifest as JSON')
    .action(async (file: string, flags: ImportFlags) => {
      const { importMedicalNetWeights, parseArch, parseWidths } = await import('@spottune/model');
      const arch = parseArch(flags.arch);
      const widths = flags.widths === undefined ? undefined : parseWidths(flags.widths);
      const manifest = await importMedicalNetWeights(file, { arch, widths, outDir: flags.out });
      const { stdout } = context();
      if (flags.json === true) stdout(`${JSON.stringify(manifest, null, 2)}\n`);
      else {
        const values = manifest.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
        stdout(
          `imported ${manifest.tensors.length} tensors (${values} values) of ${arch} widths ${manifest.widths.join(',')} into ${flags.out}\n`,
        );
      }
    });
  weights
    .command('inspect')
    .description('list the tensors of a .pth checkpoint or a native weights directory')
    .argument('<path>', '.pth file or native weights directory')
    .option('--json', 'print JSON')
    .action(async (path: string, flags: { json?: boolean }) => {
      const { loadWeights } = await import('@spottune/model');
      const stateDict = await loadWeights(path);
      const rows = [...stateDict].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape }));
      const { stdout } = context();
      if (flags.json === true) stdout(`${JSON.stringify({ tensors: rows }, null, 2)}\n`);
      else stdout(rows.map((r) => `${r.name}\t${r.dtype}\t[${r.shape.join(',')}]\n`).join(''));
    });
};
