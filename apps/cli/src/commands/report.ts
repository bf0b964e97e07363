import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createDb } from '@spottune/db';
import { loadReportModel, renderReport } from '@spottune/report';
import type { CliContext } from '../context.ts';

/** `spottune report ID --out DIR`: the self-contained HTML report of one experiment. */
export function registerReportCommand(program: Command, context: () => CliContext): void {
  program
    .command('report')
    .description('write the self-contained HTML report (tables, curves, routing) of an experiment')
    .argument('<experimentId>', 'experiment id')
    .option('--out <dir>', 'output directory', 'report')
    .action(async (experimentId: string, options: { out: string }) => {
      const { config, stdout } = context();
      const db = await createDb(config.database);
      try {
        const html = renderReport(await loadReportModel(db.prisma, experimentId));
        const dir = resolve(options.out);
        await mkdir(dir, { recursive: true });
        const file = join(dir, `report-${experimentId}.html`);
        await writeFile(file, html);
        stdout(`${file}\n`);
      } finally {
        await db.close();
      }
    });
}
