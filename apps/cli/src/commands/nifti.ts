import type { Command } from 'commander';
import { readNifti } from '@spottune/imaging';
import type { NiftiVolume } from '@spottune/imaging';
import type { CliContext, RegisterCommand } from '../context.ts';

/** Summary statistics of the scaled voxel values, accumulated in float64. */
export function volumeStats(data: ArrayLike<number>): {
  min: number;
  max: number;
  mean: number;
  sum: number;
} {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / data.length, sum };
}

function describe(volume: NiftiVolume) {
  return {
    dims: volume.dims,
    datatype: volume.datatype,
    sclSlope: volume.sclSlope,
    sclInter: volume.sclInter,
    affine: volume.affine,
    ...volumeStats(volume.data),
    pixdim: volume.pixdim,
    version: volume.version,
    byteOrder: volume.littleEndian ? 'little' : 'big',
    qformCode: volume.qformCode,
    sformCode: volume.sformCode,
  };
}

function table(info: ReturnType<typeof describe>, file: string): string {
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(8));
  const rows: Array<[string, string]> = [
    ['file', file],
    ['format', `NIfTI-${info.version}, ${info.byteOrder}-endian`],
    ['dims (x,y,z[,t])', info.dims.join(' × ')],
    ['pixdim', info.pixdim.map(fmt).join(' × ')],
    ['datatype', info.datatype],
    ['scl_slope / scl_inter', `${fmt(info.sclSlope)} / ${fmt(info.sclInter)}`],
    ['qform / sform code', `${info.qformCode} / ${info.sformCode}`],
    ['min / max', `${fmt(info.min)} / ${fmt(info.max)}`],
    ['mean', fmt(info.mean)],
    ['sum', fmt(info.sum)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  lines.push('affine'.padEnd(width));
  for (const row of info.affine) lines.push(`  ${row.map((v) => fmt(v).padStart(12)).join(' ')}`);
  return lines.join('\n') + '\n';
}

/** `spottune nifti info FILE [--json]`: header fields, nibabel-style affine and value statistics. */
export const registerNiftiCommand: RegisterCommand = (program: Command, context: () => CliContext) => {
  const nifti = program.command('nifti').description('NIfTI files: inspect headers and values');
  nifti
    .command('info')
    .description('dims, datatype, scaling, affine (nibabel rules) and min/max/mean/sum of the scaled values')
    .argument('<file>', '.nii or .nii.gz file')
    .option('--json', 'print JSON')
    .action(async (file: string, flags: { json?: boolean }) => {
      const volume = await readNifti(file, { precision: 'float64' });
      const info = describe(volume);
      const { stdout } = context();
      stdout(flags.json === true ? JSON.stringify(info) + '\n' : table(info, file));
    });
};
