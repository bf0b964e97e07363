import type { Command } from 'commander';
import type { CliContext, RegisterCommand } from '../context.ts';
import { depthFlag, networkFlag, positiveInts } from '../flags.ts';
import { addModelFeaturesCommand } from './model-features.ts';

interface SummaryFlags {
  network: string;
  depth: string;
  input: string;
  widths?: string;
  channels: string;
  faithful?: boolean;
  unfreezeBlocks?: string;
  json?: boolean;
}

/** `spottune model summary`: per-stage shapes and parameter counts, computed symbolically. */
export const registerModelCommand: RegisterCommand = (program: Command, context: () => CliContext) => {
  const model = program.command('model').description('3-D ResNet / SpotTune networks: shapes and parameters');
  model
    .command('summary')
    .description('per-stage output shapes and parameter counts of a network (instant, no tensors)')
    .option('--network <kind>', 'spottune | resnet | transfer', 'spottune')
    .option('--depth <n>', 'ResNet depth: 10, 18, 34 or 50', '50')
    .option('--input <DxHxW>', 'input volume shape', '70x86x86')
    .option('--widths <a,b,c,d>', 'stage widths (default 64,128,256,512)')
    .option('--channels <n>', 'input channels', '1')
    .option('--faithful', "reproduce the reference's bugs (Q13–Q33 switches all on)")
    .option('--unfreeze-blocks <n>', 'transfer baseline: also train the last N blocks')
    .option('--json', 'print JSON')
    .action(async (flags: SummaryFlags) => {
      const network = networkFlag(flags.network);
      const depth = depthFlag(flags.depth);
      const [d, h, w] = positiveInts(flags.input, 3, 'input', /x/i) as [number, number, number];
      const widths =
        flags.widths === undefined
          ? undefined
          : (positiveInts(flags.widths, 4, 'widths', /,/) as [number, number, number, number]);
      const [channels] = positiveInts(flags.channels, 1, 'channels', /,/) as [number];
      const unfreezeBlocks =
        flags.unfreezeBlocks === undefined ? undefined : Number.parseInt(flags.unfreezeBlocks, 10);
      const { corrected, faithful, formatSummary, summarizeModel } = await import('@spottune/model');
      const summary = summarizeModel({
        network,
        depth,
        inputShape: [d, h, w],
        widths,
        inChannels: channels,
        faithful: flags.faithful === true ? faithful() : corrected(),
        unfreezeBlocks,
      });
      const { stdout } = context();
      stdout(flags.json === true ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary));
    });
  // `model features` (MedicalNet layer4 features) lives with the weights code.
  addModelFeaturesCommand(model, context);
};
