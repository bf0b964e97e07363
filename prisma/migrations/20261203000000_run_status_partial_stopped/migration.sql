-- Honest terminal states: PARTIAL (an experiment or cohort with some failed children) and STOPPED (a
-- trial ended early by the search scheduler). Postgres 12+ allows ADD VALUE inside a transaction as
-- long as the new values are not used in the same transaction.
-- AlterEnum
ALTER TYPE "RunStatus" ADD VALUE 'PARTIAL';

-- AlterEnum
ALTER TYPE "RunStatus" ADD VALUE 'STOPPED';
