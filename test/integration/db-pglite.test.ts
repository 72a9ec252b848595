// Records on embedded PGlite: the repository contract in memory, and data kept in a folder across reopen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRepos, openDatabase } from '../../src/db/index.js';
import { describeRepoContract } from './db-contract.js';

describeRepoContract('PGlite (in memory)', () => openDatabase({ inMemory: true }));

describe('PGlite in a data folder', () => {
  it('keeps records across a close and reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tryon-pglite-'));
    try {
      const first = await openDatabase({ dataDir: dir });
      expect(first.kind).toBe('pglite');
      const t = await createRepos(first.db).tenants.createTenant('persisted');
      await first.close();
      const second = await openDatabase({ dataDir: dir });
      expect((await createRepos(second.db).tenants.getTenant(t.id))?.name).toBe('persisted');
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
