import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { NotFoundError, ValidationError } from '@spottune/errors';
import type { LabelledPatient, ModalityGroup } from '@spottune/cohort';
import type { CliContext, RegisterCommand } from '../context.ts';

interface SplitsFlags {
  seed: string;
  folds: string;
  testFraction: string;
  holdoutToTraining?: boolean;
  out?: string;
}

/**
 * `spottune splits COHORT`: the DSC-anchored hold-out and CV folds of an ingested cohort as a CSV
 * (group,patient,role,fold) — publish it to reproduce a split exactly.
 */
export const registerSplitsCommand: RegisterCommand = (program: Command, context: () => CliContext) => {
  program
    .command('splits')
    .description('plan the DSC-anchored hold-out and CV folds of an ingested cohort and write them as CSV')
    .argument('<cohort>', 'cohort name')
    .option('--seed <n>', 'split seed', '42')
    .option('--folds <k>', 'cross-validation folds', '5')
    .option('--test-fraction <f>', 'hold-out fraction', '0.3')
    .option(
      '--holdout-to-training',
      'Q9 fix: train on the non-DSC hold-out patients instead of discarding them',
    )
    .option('--out <file>', 'write the CSV here instead of stdout')
    .action(async (cohortName: string, flags: SplitsFlags) => {
      const { config, stdout } = context();
      const seed = Number(flags.seed);
      const folds = Number(flags.folds);
      const testFraction = Number(flags.testFraction);
      if (!Number.isInteger(seed))
        throw new ValidationError(`--seed: expected an integer, got "${flags.seed}"`);
      const [{ createDb }, { MODALITY_GROUPS, MODALITY_GROUP_NAMES, exportSplitsCsv, planSplits }] =
        await Promise.all([import('@spottune/db'), import('@spottune/cohort')]);
      const db = await createDb(config.database, { migrate: true });
      try {
        const cohort = await db.prisma.cohort.findUnique({
          where: { name: cohortName },
          select: { id: true },
        });
        if (cohort === null) throw new NotFoundError(`cohort "${cohortName}" not found`);
        const patients = await db.prisma.patient.findMany({
          where: { cohortId: cohort.id },
          select: {
            externalId: true,
            mgmt: true,
            volumes: { where: { status: 'READY' }, select: { modality: true } },
          },
        });
        const groups: Partial<Record<ModalityGroup, LabelledPatient[]>> = {};
        for (const group of MODALITY_GROUP_NAMES) {
          const members = patients.filter((p) =>
            MODALITY_GROUPS[group].every((d) => p.volumes.some((v) => v.modality === d)),
          );
          if (members.length > 0) {
            groups[group] = members.map((p) => ({
              id: p.externalId,
              label: p.mgmt === 'METHYLATED' ? 1 : 0,
            }));
          }
        }
        const plan = planSplits({
          groups,
          seed,
          folds,
          testFraction,
          holdoutToTraining: flags.holdoutToTraining === true,
        });
        const csv = exportSplitsCsv(plan);
        if (flags.out !== undefined) {
          await writeFile(flags.out, csv);
          stdout(`${flags.out}\n`);
        } else stdout(csv);
      } finally {
        await db.close();
      }
    });
};
