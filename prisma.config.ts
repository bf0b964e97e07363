// Prisma 6.19 CLI config. The 'js' engine with a driver adapter keeps the CLI offline (the classic
// engine downloads a schema-engine binary). Only `prisma generate` and `prisma migrate diff` are
// used; migrations are applied by libs/db's own runner (`npm run db:migrate`), because `migrate
// deploy` through the WASM schema engine fails on this stack.
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  // Only instantiated by commands that talk to a database, which spottune never runs through the CLI.
  adapter: async () =>
    new PrismaPg({ connectionString: process.env.DATABASE_URL ?? 'postgres://localhost/none' }),
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
