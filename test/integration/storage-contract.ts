// The BlobStore contract, run against every adapter (local folder, S3-compatible server).
import { createHash, randomBytes } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidBlobKeyError, putContentAddressed, renderKey, type BlobStore } from '../../src/storage/index.js';

export interface StoreFixture {
  store: BlobStore;
  close(): Promise<void>;
}

export const BAD_KEYS = [
  '',
  '/t/ten_a/inputs/x.jpg',
  't/ten_a/../ten_b/inputs/x.jpg',
  't/ten_a/inputs/..',
  't/ten_a/inputs/a..b.jpg',
  't/ten_a//x.jpg',
  't/ten_a/inputs/.hidden',
  't/ten_a/inputs/x y.jpg',
  't/ten_a/inputs/x\\y.jpg',
  't/ten_a/inputs/x%2F.jpg',
  't/ten_a/inputs/ünï.jpg',
  't/ten_a/inputs/x.jpg\n',
  'inputs/x.jpg',
  'u/ten_a/inputs/x.jpg',
  't/ten_a',
  `t/ten_a/${'a'.repeat(600)}.jpg`,
];

export function describeBlobStoreContract(name: string, setup: () => Promise<StoreFixture>): void {
  describe(`BlobStore on ${name}`, () => {
    let fx: StoreFixture;
    const tenant = `ten_${randomBytes(6).toString('hex')}`;
    beforeAll(async () => {
      fx = await setup();
    });
    afterAll(async () => {
      await fx?.close();
    });

    it('puts, gets, heads, streams and deletes a blob', async () => {
      const { store } = fx;
      const key = renderKey(tenant, 'ren_abc', 1);
      expect(key).toBe(`t/${tenant}/renders/ren_abc/v1.jpg`);
      const bytes = randomBytes(70_000);
      expect(await store.exists(key)).toBe(false);
      expect(await store.get(key)).toBeNull();
      expect(await store.head(key)).toBeNull();
      const put = await store.put(key, bytes, { contentType: 'image/jpeg' });
      expect(put.size).toBe(bytes.length);
      expect(await store.exists(key)).toBe(true);
      const got = await store.get(key);
      expect(got && Buffer.compare(got, bytes)).toBe(0);
      const head = await store.head(key);
      expect(head).toEqual({ size: bytes.length, contentType: 'image/jpeg', etag: createHash('md5').update(bytes).digest('hex') });

      const stream = await store.getStream!(key);
      const chunks: Buffer[] = [];
      for await (const c of stream!) chunks.push(Buffer.from(c));
      expect(Buffer.compare(Buffer.concat(chunks), bytes)).toBe(0);
      expect(await store.getStream!(`t/${tenant}/renders/ren_none/v1.jpg`)).toBeNull();

      // Overwrite: new bytes, new etag, new content type.
      const json = Buffer.from(JSON.stringify({ ok: true }));
      const second = `t/${tenant}/analysis/g1.json`;
      await store.put(second, json, { contentType: 'application/json' });
      await store.put(key, json, { contentType: 'application/json' });
      const head2 = await store.head(key);
      expect(head2?.size).toBe(json.length);
      expect(head2?.contentType).toBe('application/json');
      expect(head2?.etag).not.toBe(head?.etag);
      expect(await text((await store.getStream!(key))!)).toBe('{"ok":true}');

      await store.delete(key);
      expect(await store.exists(key)).toBe(false);
      expect(await store.get(key)).toBeNull();
      expect(await store.head(key)).toBeNull();
      await store.delete(key); // deleting again is fine
      expect((await store.get(second))?.toString()).toBe('{"ok":true}');
    });

    it('stores an upload once under its sha256', async () => {
      const { store } = fx;
      const bytes = randomBytes(5000);
      const sha = createHash('sha256').update(bytes).digest('hex');
      const first = await putContentAddressed(store, tenant, 'inputs', bytes, 'JPG');
      expect(first).toEqual({ key: `t/${tenant}/inputs/${sha}.jpg`, sha256: sha, size: 5000, created: true });
      const etag = (await store.head(first.key))?.etag;
      const second = await putContentAddressed(store, tenant, 'inputs', Buffer.from(bytes), '.jpg');
      expect(second).toEqual({ ...first, created: false });
      expect((await store.head(first.key))?.etag).toBe(etag);
      expect((await store.head(first.key))?.contentType).toBe('image/jpeg');
      // Another tenant's identical upload is its own blob.
      const other = await putContentAddressed(store, `${tenant}x`, 'inputs', bytes, 'jpg');
      expect(other.created).toBe(true);
      expect(other.key).not.toBe(first.key);
      const changed = await putContentAddressed(store, tenant, 'inputs', Buffer.concat([bytes, Buffer.from([1])]), 'jpg');
      expect(changed.created).toBe(true);
      expect(changed.key).not.toBe(first.key);
    });

    it('refuses keys with "..", a leading "/", odd characters or no tenant prefix', async () => {
      const { store } = fx;
      for (const key of BAD_KEYS) {
        await expect(store.put(key, Buffer.from('x'), { contentType: 'text/plain' }), key).rejects.toBeInstanceOf(InvalidBlobKeyError);
        await expect(store.get(key), key).rejects.toBeInstanceOf(InvalidBlobKeyError);
        await expect(store.head(key), key).rejects.toBeInstanceOf(InvalidBlobKeyError);
        await expect(store.delete(key), key).rejects.toBeInstanceOf(InvalidBlobKeyError);
        await expect(store.exists(key), key).rejects.toBeInstanceOf(InvalidBlobKeyError);
      }
      expect(() => renderKey('ten/../x', 'ren_1', 1)).toThrow(InvalidBlobKeyError);
      expect(() => renderKey(tenant, 'ren_1', 0)).toThrow(InvalidBlobKeyError);
    });
  });
}
