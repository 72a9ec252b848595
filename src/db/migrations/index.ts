// The migrations, listed statically so they run the same from tsx and from a build (no folder scan).
import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001_initial.js';
import * as m002 from './002_webhook_attempts.js';

const MIGRATIONS: Record<string, Migration> = {
  '001_initial': m001,
  '002_webhook_attempts': m002,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
