// BlobStore on the local filesystem: atomic writes (temp file + rename), content type in a sidecar.
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { assertBlobKey, contentTypeForKey, md5Hex, StorageFullError, type BlobHead, type BlobStore, type PutOptions } from './blob-store.js';

interface Sidecar {
  contentType: string;
  etag: string;
  size: number;
}

export interface FsBlobStoreOptions {
  /** Writes a temp file; replaceable only so tests can send the bytes to /dev/full. */
  writeFile?: (path: string, bytes: Uint8Array) => Promise<void>;
}

const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const fh = await open(path, 'wx', 0o644);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class FsBlobStore implements BlobStore {
  readonly kind = 'fs' as const;
  readonly root: string;
  readonly #writeFile: (path: string, bytes: Uint8Array) => Promise<void>;

  constructor(root: string, options: FsBlobStoreOptions = {}) {
    this.root = resolve(root);
    this.#writeFile = options.writeFile ?? writeDurably;
  }

  #path(key: string): string {
    assertBlobKey(key);
    const path = join(this.root, ...key.split('/'));
    // Defence in depth: the key rules already make escaping the root impossible.
    if (!path.startsWith(this.root + sep)) throw new Error(`blob path escapes the store root: ${key}`);
    return path;
  }

  // Sidecars live under `.meta/`, a name no key can produce (segments never start with a dot).
  #sidecar(key: string): string {
    return join(this.root, '.meta', ...key.split('/')) + '.json';
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions): Promise<BlobHead> {
    const path = this.#path(key);
    const head: BlobHead = { size: bytes.byteLength, contentType: options.contentType, etag: md5Hex(bytes) };
    const sidecar = this.#sidecar(key);
    const tag = `${process.pid}-${randomBytes(6).toString('hex')}`;
    const tmpData = join(dirname(path), `.tmp-${tag}`);
    const tmpMeta = join(dirname(sidecar), `.tmp-${tag}`);
    try {
      await mkdir(dirname(path), { recursive: true });
      await mkdir(dirname(sidecar), { recursive: true });
      await this.#writeFile(tmpData, bytes);
      await this.#writeFile(tmpMeta, Buffer.from(JSON.stringify(head satisfies Sidecar)));
      // Sidecar first: whenever the data file is visible, its sidecar describes it (or a newer put).
      await rename(tmpMeta, sidecar);
      await rename(tmpData, path);
      return head;
    } catch (err) {
      await Promise.all([rm(tmpData, { force: true }), rm(tmpMeta, { force: true })]).catch(() => undefined);
      const code = (err as NodeJS.ErrnoException).code;
      if (code && FULL_CODES.has(code)) {
        throw new StorageFullError(`blob storage is full (${code}) at ${this.root}: ${key} was not stored; free disk space or raise the quota`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.#path(key));
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async getStream(key: string): Promise<Readable | null> {
    const path = this.#path(key);
    if (!(await this.exists(key))) return null;
    return createReadStream(path);
  }

  async head(key: string): Promise<BlobHead | null> {
    const path = this.#path(key);
    let size: number;
    let mtimeMs: number;
    try {
      const s = await stat(path);
      if (!s.isFile()) return null;
      size = s.size;
      mtimeMs = s.mtimeMs;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    try {
      const meta = JSON.parse(await readFile(this.#sidecar(key), 'utf8')) as Sidecar;
      if (meta.size === size) return { size, contentType: meta.contentType, etag: meta.etag };
    } catch (err) {
      if (!isMissing(err) && !(err instanceof SyntaxError)) throw err;
    }
    // A file placed by hand (or a torn sidecar): describe it from what the filesystem knows.
    return { size, contentType: contentTypeForKey(key), etag: `${size.toString(16)}-${Math.round(mtimeMs).toString(16)}` };
  }

  async delete(key: string): Promise<void> {
    const path = this.#path(key);
    for (const p of [path, this.#sidecar(key)]) {
      try {
        await unlink(p);
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.#path(key))).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
