import { z } from 'zod/v4';
import { ALL_DERIVATIVES, parseGroupUnion } from './modalities.ts';

/**
 * The body of `POST /experiments` (and of `spottune experiment submit FILE`): one zod schema, from which
 * the API's JSON schema is generated, so validation, OpenAPI and the TypeScript type never drift.
 * Defaults follow the authors' notebook (reference §6) except where a CPU run needs smaller sizes.
 */
export const NETWORKS = ['spottune', 'resnet', 'transfer', 'radiomics-rf'] as const;
export type Network = (typeof NETWORKS)[number];

/** Hyper-parameters a random grid or a one-parameter scan may vary. */
export const SEARCHABLE_PARAMS = [
  'epochs',
  'batchSize',
  'lr',
  'agentLr',
  'weightDecay',
  'temperature',
  'plateauFactor',
  'plateauPatience',
] as const;
export type SearchableParam = (typeof SEARCHABLE_PARAMS)[number];

const positive = z.number().positive();
const count = z.number().int().positive();

export const AugmentationSchema = z
  .object({
    flip: z.boolean().default(true),
    /** The authors' `rotate` is a no-op (reference Q3); ours really rotates. */
    rotate: z.boolean().default(true),
    noise: z.boolean().default(true),
    deform: z.boolean().default(true),
  })
  .strict();

export const TrainingSettingsSchema = z
  .object({
    epochs: count.max(1000).default(90),
    batchSize: count.max(256).default(12),
    lr: positive.max(1).default(1e-5),
    agentLr: positive.max(1).default(1e-4),
    weightDecay: z.number().min(0).max(1).default(1e-8),
    /** Gumbel-softmax temperature τ. */
    temperature: positive.max(1e8).default(100),
    /** ResNet depth of the main network. */
    depth: z.union([z.literal(10), z.literal(18), z.literal(34), z.literal(50)]).default(50),
    /** Channel widths of the four ResNet stages. */
    widths: z.array(count.max(2048)).length(4).default([64, 128, 256, 512]),
    /** Input volume size [D, H, W] the preprocessed volumes are resampled to. */
    inputSize: z.array(count.max(512)).length(3).default([70, 86, 86]),
    /** Reproduce the authors' quirks (reference §12) instead of the corrected behaviour. */
    faithful: z.record(z.string(), z.boolean()).default({}),
    augmentation: AugmentationSchema.default({ flip: true, rotate: true, noise: true, deform: true }),
    /** prune: drop negatives until balanced (the authors' default); none: keep the imbalance. */
    balancing: z.enum(['prune', 'none']).default('prune'),
    plateauFactor: z.number().gt(0).lt(1).default(0.1),
    plateauPatience: z.number().int().min(0).default(20),
    earlyStoppingPatience: z.number().int().min(1).optional(),
    /** transfer network: how many of the last ResNet blocks are fine-tuned. */
    unfreezeBlocks: z.number().int().min(0).max(16).optional(),
    /**
     * MedicalNet weights for spottune/transfer: an absolute path (a `.pth` or an imported weights
     * directory) or `store:<key>` (a `.pth` in the service's object storage). Ignored by resnet.
     */
    pretrained: z
      .string()
      .max(4096)
      .regex(/^(\/|store:[^\s]+$)/, 'expected an absolute path or store:<key>')
      .optional(),
  })
  .strict();
export type TrainingSettings = z.output<typeof TrainingSettingsSchema>;

export const SearchSchema = z
  .object({
    /** Random grid: `draws` seeded draws, each picking one value per parameter of `space`. */
    grid: z
      .object({
        draws: count.max(1000),
        space: z
          .partialRecord(z.enum(SEARCHABLE_PARAMS), z.array(z.number()).min(1).max(100))
          .refine((s) => Object.keys(s).length > 0, 'grid.space needs at least one parameter'),
      })
      .strict()
      .optional(),
    /** Independent one-parameter scans on top of the base settings (paper: epochs, lr, τ). */
    scans: z
      .object({
        epochs: z.array(count.max(1000)).min(1).max(100).optional(),
        lr: z.array(positive.max(1)).min(1).max(100).optional(),
        temperature: z.array(positive.max(1e8)).min(1).max(100).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const modalityName = z.string().refine((m) => ALL_DERIVATIVES.includes(m), {
  message: `unknown modality (expected one of ${ALL_DERIVATIVES.join(', ')})`,
});
const groupName = z.string().refine((g) => parseGroupUnion(g) !== undefined, {
  message: 'unknown group (expected DSC, DTI, Struct or a union such as DSC+DTI)',
});

export const ExperimentRequestSchema = z
  .object({
    name: z.string().min(1).max(200),
    /** Cohort id (uuid) or name. */
    cohort: z.string().min(1).max(200),
    networks: z.array(z.enum(NETWORKS)).min(1).max(NETWORKS.length),
    /** Derivatives to train on (e.g. DSC_PH). */
    modalities: z.array(modalityName).max(32).optional(),
    /** Groups or unions whose derivatives are all trained (e.g. DSC, DSC+DTI). */
    groups: z.array(groupName).max(16).optional(),
    /** Number of cross-validation folds (ignored when `split` is given). */
    folds: z.number().int().min(2).max(20).default(5),
    /** Fraction of the DSC patients held out for testing (reference §3: 0.3). */
    testFraction: z.number().gt(0).lt(1).default(0.3),
    /** An imported split instead of a computed one: CSV text with header `patient,role,fold`. */
    split: z
      .object({ csv: z.string().min(1).max(5_000_000) })
      .strict()
      .optional(),
    training: TrainingSettingsSchema.default(TrainingSettingsSchema.parse({})),
    search: SearchSchema.optional(),
    /** Gumbel samples averaged per test patient (paper: 100). */
    evalSamples: count.max(1000).default(100),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(42),
  })
  .strict()
  .superRefine((req, ctx) => {
    if ((req.modalities?.length ?? 0) + (req.groups?.length ?? 0) === 0) {
      ctx.addIssue({ code: 'custom', path: ['modalities'], message: 'give at least one modality or group' });
    }
  });

export type ExperimentRequest = z.output<typeof ExperimentRequestSchema>;
export type ExperimentRequestInput = z.input<typeof ExperimentRequestSchema>;

/** The JSON schema of the request body (draft-07, input side: defaults are optional). */
export function experimentRequestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ExperimentRequestSchema, { target: 'draft-7', io: 'input' }) as Record<
    string,
    unknown
  >;
  delete schema.$schema;
  return schema;
}
