// The local-folder BlobStore: the contract, atomic writes, and a full disk reported as StorageFullError.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createBlobStore, FsBlobStore, StorageFullError } from '../../src/storage/index.js';
import { describeBlobStoreContract } from './storage-contract.js';

function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'tryon-blobs-'));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

describeBlobStoreContract('the local filesystem', async () => {
  const root = tempRoot();
  return { store: new FsBlobStore(root), close: async () => rmSync(root, { recursive: true, force: true }) };
});

describe('FsBlobStore specifics', () => {
  it('is what createBlobStore builds by default, under DATA_DIR/blobs', async () => {
    const dir = tempRoot();
    try {
      const store = createBlobStore(loadConfig({ DATA_DIR: dir }));
      expect(store).toBeInstanceOf(FsBlobStore);
      await store.put('t/ten_1/inputs/a.png', Buffer.from('png'), { contentType: 'image/png' });
      expect(existsSync(join(dir, 'blobs', 't', 'ten_1', 'inputs', 'a.png'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a full disk as StorageFullError and leaves neither the blob nor temp files behind', async () => {
    const root = tempRoot();
    try {
      // The kernel's /dev/full fails every write with a real ENOSPC.
      const store = new FsBlobStore(root, { writeFile: (_path, bytes) => writeFile('/dev/full', bytes) });
      const key = 't/ten_1/inputs/big.jpg';
      const err = await store.put(key, Buffer.alloc(64 * 1024, 7), { contentType: 'image/jpeg' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageFullError);
      expect((err as StorageFullError).message).toMatch(/full \(ENOSPC\).*big\.jpg was not stored/);
      expect(((err as StorageFullError).cause as NodeJS.ErrnoException).code).toBe('ENOSPC');
      expect(await store.exists(key)).toBe(false);
      expect(filesUnder(root)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('writes through a temp file, so a reader never sees a half-written blob, and cleans up', async () => {
    const root = tempRoot();
    try {
      const store = new FsBlobStore(root);
      const key = 't/ten_1/renders/ren_1/v1.jpg';
      const a = Buffer.alloc(2_000_000, 1);
      const b = Buffer.alloc(3_000_000, 2);
      await store.put(key, a, { contentType: 'image/jpeg' });
      // Readers racing concurrent overwrites only ever see one whole version.
      const reads: Promise<Buffer | null>[] = [];
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 6; i++) {
        writes.push(store.put(key, i % 2 ? a : b, { contentType: 'image/jpeg' }));
        reads.push(store.get(key));
      }
      await Promise.all(writes);
      for (const r of await Promise.all(reads)) {
        expect(r?.length === a.length ? r.equals(a) : r?.equals(b)).toBe(true);
      }
      expect(filesUnder(root).filter((f) => f.includes('.tmp-'))).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('describes a file placed by hand from its extension', async () => {
    const root = tempRoot();
    try {
      const store = new FsBlobStore(root);
      await store.put('t/ten_1/inputs/a.webp', Buffer.from('one'), { contentType: 'image/webp' });
      writeFileSync(join(root, 't', 'ten_1', 'inputs', 'b.png'), 'hand');
      expect(await store.head('t/ten_1/inputs/b.png')).toMatchObject({ size: 4, contentType: 'image/png' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
