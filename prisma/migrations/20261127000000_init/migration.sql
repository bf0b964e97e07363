-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "MgmtStatus" AS ENUM ('METHYLATED', 'UNMETHYLATED');

-- CreateEnum
CREATE TYPE "VolumeStatus" AS ENUM ('READY', 'FAILED', 'MISSING');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('PLANNED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "SplitRole" AS ENUM ('TRAIN', 'TEST');

-- CreateEnum
CREATE TYPE "DataSplit" AS ENUM ('TRAIN', 'VAL', 'TEST');

-- CreateTable
CREATE TABLE "cohort" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "preprocessing_version" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'PLANNED',
    "summary" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "cohort_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "patient" (
    "id" UUID NOT NULL,
    "cohort_id" UUID NOT NULL,
    "external_id" TEXT NOT NULL,
    "mgmt" "MgmtStatus" NOT NULL,
    "sex" TEXT,
    "age_years" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "patient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "volume" (
    "id" UUID NOT NULL,
    "patient_id" UUID NOT NULL,
    "modality" TEXT NOT NULL,
    "status" "VolumeStatus" NOT NULL,
    "storage_key" TEXT,
    "sha256" TEXT,
    "source_sha256" TEXT,
    "shape" INTEGER[],
    "preprocessing_version" TEXT NOT NULL,
    "failure_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "volume_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "experiment" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "cohort_id" UUID,
    "config" JSONB NOT NULL,
    "config_hash" TEXT NOT NULL,
    "seed" INTEGER NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'PLANNED',
    "idempotency_key" TEXT,
    "failure_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "experiment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "split" (
    "id" UUID NOT NULL,
    "experiment_id" UUID NOT NULL,
    "patient_id" UUID NOT NULL,
    "modality_group" TEXT NOT NULL,
    "role" "SplitRole" NOT NULL,
    "fold" INTEGER,

    CONSTRAINT "split_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trial" (
    "id" UUID NOT NULL,
    "experiment_id" UUID NOT NULL,
    "network" TEXT NOT NULL,
    "modality" TEXT NOT NULL,
    "fold" INTEGER NOT NULL,
    "hyperparameters" JSONB NOT NULL,
    "hp_hash" TEXT NOT NULL,
    "seed" INTEGER NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'PLANNED',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "queue_job_id" TEXT,
    "backend" TEXT,
    "progress" JSONB,
    "best_epoch" INTEGER,
    "selection" TEXT,
    "failure_code" TEXT,
    "failure_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "duration_ms" INTEGER,

    CONSTRAINT "trial_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "epoch_metric" (
    "id" UUID NOT NULL,
    "trial_id" UUID NOT NULL,
    "epoch" INTEGER NOT NULL,
    "split" "DataSplit" NOT NULL,
    "loss" DOUBLE PRECISION,
    "auc" DOUBLE PRECISION,
    "ap" DOUBLE PRECISION,
    "sen" DOUBLE PRECISION,
    "spe" DOUBLE PRECISION,
    "acc" DOUBLE PRECISION,
    "m" DOUBLE PRECISION,
    "lr_main" DOUBLE PRECISION,
    "lr_agent" DOUBLE PRECISION,
    "policy_stats" JSONB,
    "duration_ms" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "epoch_metric_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "checkpoint" (
    "id" UUID NOT NULL,
    "trial_id" UUID NOT NULL,
    "epoch" INTEGER NOT NULL,
    "storage_key" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "is_best" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "checkpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prediction" (
    "id" UUID NOT NULL,
    "trial_id" UUID,
    "ensemble_id" UUID,
    "patient_id" UUID NOT NULL,
    "split" "DataSplit" NOT NULL,
    "probability" DOUBLE PRECISION NOT NULL,
    "label" INTEGER NOT NULL,
    "samples" INTEGER NOT NULL DEFAULT 1,
    "routing" DOUBLE PRECISION[],

    CONSTRAINT "prediction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ensemble" (
    "id" UUID NOT NULL,
    "experiment_id" UUID NOT NULL,
    "network" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "members" JSONB NOT NULL,
    "missing" JSONB NOT NULL DEFAULT '[]',
    "patients" INTEGER NOT NULL,
    "curves" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ensemble_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ensemble_metric" (
    "id" UUID NOT NULL,
    "ensemble_id" UUID NOT NULL,
    "metric" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "ci_low" DOUBLE PRECISION,
    "ci_high" DOUBLE PRECISION,

    CONSTRAINT "ensemble_metric_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "statistical_test" (
    "id" UUID NOT NULL,
    "experiment_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "comparison" TEXT NOT NULL,
    "inputs" JSONB NOT NULL,
    "statistic" DOUBLE PRECISION,
    "p_value" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "statistical_test_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "radiomics_feature" (
    "id" UUID NOT NULL,
    "patient_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "settings_hash" TEXT NOT NULL,

    CONSTRAINT "radiomics_feature_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "cohort_name_key" ON "cohort"("name");

-- CreateIndex
CREATE UNIQUE INDEX "patient_cohort_id_external_id_key" ON "patient"("cohort_id", "external_id");

-- CreateIndex
CREATE INDEX "volume_modality_status_idx" ON "volume"("modality", "status");

-- CreateIndex
CREATE UNIQUE INDEX "volume_patient_id_modality_preprocessing_version_key" ON "volume"("patient_id", "modality", "preprocessing_version");

-- CreateIndex
CREATE UNIQUE INDEX "experiment_idempotency_key_key" ON "experiment"("idempotency_key");

-- CreateIndex
CREATE INDEX "experiment_status_idx" ON "experiment"("status");

-- CreateIndex
CREATE INDEX "experiment_created_at_idx" ON "experiment"("created_at");

-- CreateIndex
CREATE INDEX "split_experiment_id_modality_group_role_fold_idx" ON "split"("experiment_id", "modality_group", "role", "fold");

-- CreateIndex
CREATE UNIQUE INDEX "split_experiment_id_modality_group_patient_id_key" ON "split"("experiment_id", "modality_group", "patient_id");

-- CreateIndex
CREATE INDEX "trial_experiment_id_status_idx" ON "trial"("experiment_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "trial_experiment_id_network_modality_fold_hp_hash_key" ON "trial"("experiment_id", "network", "modality", "fold", "hp_hash");

-- CreateIndex
CREATE UNIQUE INDEX "epoch_metric_trial_id_epoch_split_key" ON "epoch_metric"("trial_id", "epoch", "split");

-- CreateIndex
CREATE INDEX "checkpoint_trial_id_is_best_idx" ON "checkpoint"("trial_id", "is_best");

-- CreateIndex
CREATE UNIQUE INDEX "checkpoint_trial_id_epoch_key" ON "checkpoint"("trial_id", "epoch");

-- CreateIndex
CREATE INDEX "prediction_patient_id_idx" ON "prediction"("patient_id");

-- CreateIndex
CREATE UNIQUE INDEX "prediction_trial_id_patient_id_split_key" ON "prediction"("trial_id", "patient_id", "split");

-- CreateIndex
CREATE UNIQUE INDEX "prediction_ensemble_id_patient_id_split_key" ON "prediction"("ensemble_id", "patient_id", "split");

-- CreateIndex
CREATE UNIQUE INDEX "ensemble_experiment_id_network_level_name_key" ON "ensemble"("experiment_id", "network", "level", "name");

-- CreateIndex
CREATE UNIQUE INDEX "ensemble_metric_ensemble_id_metric_key" ON "ensemble_metric"("ensemble_id", "metric");

-- CreateIndex
CREATE UNIQUE INDEX "statistical_test_experiment_id_kind_scope_comparison_key" ON "statistical_test"("experiment_id", "kind", "scope", "comparison");

-- CreateIndex
CREATE UNIQUE INDEX "radiomics_feature_patient_id_name_settings_hash_key" ON "radiomics_feature"("patient_id", "name", "settings_hash");

-- AddForeignKey
ALTER TABLE "patient" ADD CONSTRAINT "patient_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohort"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "volume" ADD CONSTRAINT "volume_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "experiment" ADD CONSTRAINT "experiment_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohort"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "split" ADD CONSTRAINT "split_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "split" ADD CONSTRAINT "split_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trial" ADD CONSTRAINT "trial_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "epoch_metric" ADD CONSTRAINT "epoch_metric_trial_id_fkey" FOREIGN KEY ("trial_id") REFERENCES "trial"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "checkpoint" ADD CONSTRAINT "checkpoint_trial_id_fkey" FOREIGN KEY ("trial_id") REFERENCES "trial"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prediction" ADD CONSTRAINT "prediction_trial_id_fkey" FOREIGN KEY ("trial_id") REFERENCES "trial"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prediction" ADD CONSTRAINT "prediction_ensemble_id_fkey" FOREIGN KEY ("ensemble_id") REFERENCES "ensemble"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prediction" ADD CONSTRAINT "prediction_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ensemble" ADD CONSTRAINT "ensemble_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ensemble_metric" ADD CONSTRAINT "ensemble_metric_ensemble_id_fkey" FOREIGN KEY ("ensemble_id") REFERENCES "ensemble"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "statistical_test" ADD CONSTRAINT "statistical_test_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "radiomics_feature" ADD CONSTRAINT "radiomics_feature_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

