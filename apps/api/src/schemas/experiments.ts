import {
  anyJson,
  dateTime,
  nullableDateTime,
  nullableInteger,
  nullableNumber,
  nullableString,
} from './common.ts';

const statusEnum = {
  type: 'string',
  enum: ['PLANNED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'PARTIAL', 'STOPPED'],
} as const;

export const createdExperimentSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    status: statusEnum,
    trials: { type: 'integer' },
    created: { type: 'boolean' },
  },
  required: ['id', 'status', 'trials', 'created'],
} as const;

export const experimentSummarySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    status: statusEnum,
    cohortId: nullableString,
    configHash: { type: 'string' },
    seed: { type: 'integer' },
    failureReason: nullableString,
    createdAt: dateTime,
    startedAt: nullableDateTime,
    finishedAt: nullableDateTime,
    trialCounts: { type: 'object', additionalProperties: { type: 'integer' } },
  },
  required: ['id', 'name', 'status', 'configHash', 'seed', 'createdAt', 'trialCounts'],
} as const;

export const trialSummarySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    network: { type: 'string' },
    modality: { type: 'string' },
    fold: { type: 'integer' },
    hpHash: { type: 'string' },
    seed: { type: 'integer' },
    status: statusEnum,
    attempts: { type: 'integer' },
    backend: nullableString,
    progress: anyJson,
    bestEpoch: nullableInteger,
    selection: nullableString,
    failureCode: nullableString,
    failureReason: nullableString,
    durationMs: nullableInteger,
  },
  required: ['id', 'network', 'modality', 'fold', 'hpHash', 'status'],
} as const;

export const experimentDetailSchema = {
  type: 'object',
  properties: {
    ...experimentSummarySchema.properties,
    config: anyJson,
    trials: { type: 'array', items: trialSummarySchema },
  },
  required: [...experimentSummarySchema.required, 'trials'],
} as const;

const metricSchema = {
  type: 'object',
  properties: { value: { type: 'number' }, ciLow: nullableNumber, ciHigh: nullableNumber },
  required: ['value'],
} as const;

export const resultsSchema = {
  type: 'object',
  properties: {
    experimentId: { type: 'string' },
    status: statusEnum,
    ensembles: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          network: { type: 'string' },
          level: { type: 'string' },
          name: { type: 'string' },
          patients: { type: 'integer' },
          members: anyJson,
          missing: anyJson,
          metrics: { type: 'object', additionalProperties: metricSchema },
          curves: anyJson,
        },
        required: ['id', 'network', 'level', 'name', 'patients', 'metrics'],
      },
    },
    tests: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string' },
          scope: { type: 'string' },
          comparison: { type: 'string' },
          statistic: nullableNumber,
          pValue: { type: 'number' },
          inputs: anyJson,
        },
        required: ['kind', 'scope', 'comparison', 'pValue'],
      },
    },
  },
  required: ['experimentId', 'status', 'ensembles', 'tests'],
} as const;

export const trialDetailSchema = {
  type: 'object',
  properties: {
    ...trialSummarySchema.properties,
    experimentId: { type: 'string' },
    hyperparameters: anyJson,
    startedAt: nullableDateTime,
    finishedAt: nullableDateTime,
    epochs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          epoch: { type: 'integer' },
          split: { type: 'string' },
          loss: nullableNumber,
          auc: nullableNumber,
          ap: nullableNumber,
          sen: nullableNumber,
          spe: nullableNumber,
          acc: nullableNumber,
          m: nullableNumber,
          lrMain: nullableNumber,
          lrAgent: nullableNumber,
          durationMs: nullableInteger,
        },
        required: ['epoch', 'split'],
      },
    },
    checkpoints: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          epoch: { type: 'integer' },
          isBest: { type: 'boolean' },
          storageKey: { type: 'string' },
        },
        required: ['epoch', 'isBest', 'storageKey'],
      },
    },
  },
  required: [...trialSummarySchema.required, 'experimentId', 'epochs', 'checkpoints'],
} as const;
