// The S3 BlobStore against a real S3-compatible server (s3rver) on a loopback port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createBlobStore, S3BlobStore } from '../../src/storage/index.js';
import { describeBlobStoreContract } from './storage-contract.js';

const BUCKET = 'tryon-test';

async function startS3(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tryon-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describeBlobStoreContract('an S3-compatible server (s3rver)', async () => {
  const s3 = await startS3();
  const store = createBlobStore(
    loadConfig({
      STORAGE: 's3',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: BUCKET,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
    }),
  );
  return {
    store,
    async close() {
      (store as S3BlobStore).destroy();
      await s3.stop();
    },
  };
});

describe('S3BlobStore specifics', () => {
  it('uses path-style requests and fails clearly for a missing bucket', async () => {
    const s3 = await startS3();
    const store = new S3BlobStore({ bucket: 'no-such-bucket', endpoint: s3.endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    try {
      expect(await store.client.config.forcePathStyle).toBe(true);
      await expect(store.put('t/ten_1/inputs/a.jpg', Buffer.from('x'), { contentType: 'image/jpeg' })).rejects.toThrow(/bucket/i);
    } finally {
      store.destroy();
      await s3.stop();
    }
  });

  it('needs a bucket when STORAGE=s3', () => {
    expect(() => createBlobStore(loadConfig({ STORAGE: 's3' }))).toThrow(/S3_BUCKET/);
  });
});
