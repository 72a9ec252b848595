// Records on embedded PGlite: the repository contract in memory, and data kept in a folder across reopen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRepos, databaseOptionsFrom, openDatabase, PGliteInUseError } from '../../src/db/index.js';
import { loadConfig } from '../../src/config.js';
import { describeRepoContract } from './db-contract.js';

describeRepoContract('PGlite (in memory)', () => openDatabase({ inMemory: true }));

describe('PGlite in a data folder', () => {
  it('keeps records across a close and reopen, and refuses a second opener', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tryon-pglite-'));
    try {
      const first = await openDatabase(databaseOptionsFrom(loadConfig({ DATA_DIR: dir })));
      expect(first.kind).toBe('pglite');
      const t = await createRepos(first.db).tenants.createTenant('persisted');
      // A second opener of the same folder would corrupt it: refused, with advice.
      await expect(openDatabase({ dataDir: dir })).rejects.toBeInstanceOf(PGliteInUseError);
      await expect(openDatabase({ dataDir: dir })).rejects.toThrow(/DATABASE_URL/);
      await first.close();
      const second = await openDatabase({ dataDir: dir });
      expect((await createRepos(second.db).tenants.getTenant(t.id))?.name).toBe('persisted');
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
