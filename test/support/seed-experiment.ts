import type { Db } from '@spottune/db';
import {
  binaryMetrics,
  bootstrapMetrics,
  friedmanTest,
  nemenyiTest,
  prCurve,
  rocCurve,
} from '@spottune/evaluation';
import { Rng } from '@spottune/random';

/**
 * Writes a finished small experiment straight into the database — trials with epoch curves, test
 * predictions (SpotTune with routing), group/combination ensembles whose metrics, CIs and curves are
 * computed by @spottune/evaluation from those predictions, and Friedman/Nemenyi tests — plus one
 * experiment still running. For tests of what reads results (report, dashboard, SQL views); the
 * pipeline that produces such rows is tested end to end elsewhere.
 */
export interface SeededExperiment {
  experimentId: string;
  runningExperimentId: string;
  runningTrialId: string;
}

const NETWORKS = ['spottune', 'resnet', 'transfer'];
/** Systematic differences between the networks, so that the Friedman tests find some. */
const SHIFT: Record<string, number> = { spottune: 0.15, resnet: 0, transfer: -0.15 };
const MODALITIES: Record<string, string[]> = { DSC: ['DSC_PH', 'DSC_PSR'], DTI: ['DTI_FA'] };

export async function seedFinishedExperiment(
  db: Db,
  seed = 7,
  options: { ensembles?: boolean } = {},
): Promise<SeededExperiment> {
  const { prisma } = db;
  const rng = new Rng(seed);
  const cohort = await prisma.cohort.create({
    data: {
      name: `seeded-${seed}-${rng.nextUint32()}`,
      source: 'seed',
      preprocessingVersion: 'seed',
      status: 'SUCCEEDED',
    },
  });
  const patients = await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      prisma.patient.create({
        data: {
          cohortId: cohort.id,
          externalId: `UPENN-GBM-${String(i + 1).padStart(5, '0')}`,
          mgmt: i % 2 === 0 ? 'METHYLATED' : 'UNMETHYLATED',
        },
      }),
    ),
  );
  const label = (i: number) => (i % 2 === 0 ? 1 : 0);
  const experiment = await prisma.experiment.create({
    data: {
      name: 'seeded report',
      cohortId: cohort.id,
      config: { seeded: true },
      configHash: `seed-${seed}`,
      seed,
      status: 'SUCCEEDED',
      startedAt: new Date(),
      finishedAt: new Date(),
    },
  });
  const perDerivative = new Map<string, number[]>(); // network|derivative → mean test probability per patient
  for (const network of NETWORKS) {
    for (const derivative of Object.values(MODALITIES).flat()) {
      const foldProbs: number[][] = [];
      for (const fold of [0, 1]) {
        const lr = fold === 0 ? 1e-5 : 1e-4;
        const trial = await prisma.trial.create({
          data: {
            experimentId: experiment.id,
            network,
            modality: derivative,
            fold,
            seed: rng.nextUint32() >>> 1,
            hyperparameters: { lr, epochs: 3, temperature: 100 },
            hpHash: `lr-${lr}`,
            status: 'SUCCEEDED',
            attempts: 1,
            bestEpoch: 2,
            selection: 'best',
            backend: 'wasm',
            durationMs: 1000,
          },
        });
        for (const epoch of [1, 2, 3]) {
          for (const split of ['TRAIN', 'VAL'] as const) {
            await prisma.epochMetric.create({
              data: {
                trialId: trial.id,
                epoch,
                split,
                loss: 0.7 - 0.05 * epoch + rng.uniform() * 0.01,
                auc: 0.5 + 0.05 * epoch * rng.uniform(),
                m: 0.02 * epoch,
                sen: 0.6,
                spe: 0.55,
                acc: 0.57,
                ap: 0.5,
              },
            });
          }
        }
        const probs = patients.map((_, i) =>
          Math.min(
            0.99,
            Math.max(0.01, 0.5 + SHIFT[network]! + (label(i) - 0.5) * 0.2 + (rng.uniform() - 0.5) * 1.2),
          ),
        );
        foldProbs.push(probs);
        await prisma.prediction.createMany({
          data: patients.map((p, i) => ({
            trialId: trial.id,
            patientId: p.id,
            split: 'TEST' as const,
            probability: probs[i]!,
            label: label(i),
            samples: 4,
            routing:
              network === 'spottune'
                ? Array.from({ length: 16 }, () => Math.round(rng.uniform() * 4) / 4)
                : [],
          })),
        });
      }
      perDerivative.set(
        `${network}|${derivative}`,
        patients.map((_, i) => (foldProbs[0]![i]! + foldProbs[1]![i]!) / 2),
      );
    }
  }
  // Ensembles and tests as the aggregator would write them (skip to run the real aggregator instead).
  async function seedEnsembles(): Promise<void> {
    const labels = patients.map((_, i) => label(i));
    const ensembleNames: Record<string, string[]> = {
      DSC: MODALITIES.DSC!,
      DTI: MODALITIES.DTI!,
      'DSC+DTI': [...MODALITIES.DSC!, ...MODALITIES.DTI!],
    };
    const probsByName = new Map<string, number[]>();
    for (const network of NETWORKS) {
      for (const [name, members] of Object.entries(ensembleNames)) {
        const probs = patients.map(
          (_, i) =>
            members.reduce((s, d) => s + perDerivative.get(`${network}|${d}`)![i]!, 0) / members.length,
        );
        probsByName.set(`${network}|${name}`, probs);
        const metrics = binaryMetrics(labels, probs);
        const cis = bootstrapMetrics(labels, probs, { seed: `${network}|${name}`, samples: 200 });
        const roc = rocCurve(labels, probs);
        const pr = prCurve(labels, probs);
        await prisma.ensemble.create({
          data: {
            experimentId: experiment.id,
            network,
            level: name.includes('+') ? 'combination' : 'group',
            name,
            members,
            patients: patients.length,
            curves: {
              roc: roc.fpr.map((f, k) => [f, roc.tpr[k]!]),
              pr: pr.recall.map((r, k) => [r, pr.precision[k]!]),
            },
            metrics: {
              create: (['auc', 'ap', 'sen', 'spe', 'acc'] as const).map((metric) => ({
                metric,
                value: metrics[metric],
                ciLow: cis[metric].low,
                ciHigh: cis[metric].high,
              })),
            },
            predictions: {
              create: patients.map((p, i) => ({
                patientId: p.id,
                split: 'TEST' as const,
                probability: probs[i]!,
                label: labels[i]!,
                samples: members.length * 2,
              })),
            },
          },
        });
      }
    }
    for (const name of Object.keys(ensembleNames)) {
      const matrix = patients.map((_, i) => NETWORKS.map((n) => probsByName.get(`${n}|${name}`)![i]!));
      const friedman = friedmanTest(matrix);
      await prisma.statisticalTest.create({
        data: {
          experimentId: experiment.id,
          kind: 'friedman',
          scope: name,
          comparison: 'all',
          inputs: { networks: NETWORKS },
          statistic: friedman.statistic,
          pValue: friedman.pValue,
        },
      });
      const nemenyi = nemenyiTest(matrix);
      for (let a = 0; a < NETWORKS.length; a++) {
        for (let b = a + 1; b < NETWORKS.length; b++) {
          await prisma.statisticalTest.create({
            data: {
              experimentId: experiment.id,
              kind: 'nemenyi',
              scope: name,
              comparison: `${NETWORKS[a]}~${NETWORKS[b]}`,
              inputs: { networks: NETWORKS },
              statistic: nemenyi.statistics[a]![b]!,
              pValue: nemenyi.pValues[a]![b]!,
            },
          });
        }
      }
    }
  }
  if (options.ensembles !== false) await seedEnsembles();
  const running = await prisma.experiment.create({
    data: {
      name: 'still running',
      cohortId: cohort.id,
      config: {},
      configHash: `running-${seed}`,
      seed,
      status: 'RUNNING',
      startedAt: new Date(),
    },
  });
  const runningTrial = await prisma.trial.create({
    data: {
      experimentId: running.id,
      network: 'spottune',
      modality: 'DSC_PH',
      fold: 0,
      seed: 1,
      hyperparameters: {},
      hpHash: 'h',
      status: 'RUNNING',
      progress: { epoch: 2, epochs: 4, batch: 1, batches: 2 },
    },
  });
  await prisma.trial.create({
    data: {
      experimentId: running.id,
      network: 'spottune',
      modality: 'DSC_PH',
      fold: 1,
      seed: 2,
      hyperparameters: {},
      hpHash: 'h',
      status: 'QUEUED',
    },
  });
  return { experimentId: experiment.id, runningExperimentId: running.id, runningTrialId: runningTrial.id };
}
