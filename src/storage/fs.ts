// BlobStore on the local filesystem: atomic writes (temp file + rename), content type in a sidecar.
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
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
  /**
   * Most bytes the folder may hold (STORAGE_QUOTA_MB; 0 = no limit). A put that would pass it is refused
   * whole with StorageFullError before anything is written. The folder's size is measured by walking it,
   * at most once a second and again before refusing, so files written or deleted by other processes
   * sharing the folder count; concurrent puts may overshoot by what they write at the same moment.
   */
  quotaBytes?: number;
}

const USAGE_TTL_MS = 1000;

/** Bytes of every file under `dir` (data, sidecars, temp files). */
async function folderBytes(dir: string): Promise<number> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return 0;
    throw err;
  }
  let total = 0;
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await folderBytes(p);
    else if (e.isFile()) total += await stat(p).then((s) => s.size, (err: unknown) => (isMissing(err) ? 0 : Promise.reject(err)));
  }
  return total;
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
  readonly quotaBytes: number;
  readonly #writeFile: (path: string, bytes: Uint8Array) => Promise<void>;
  #usage: { bytes: number; at: number } | null = null;

  constructor(root: string, options: FsBlobStoreOptions = {}) {
    this.root = resolve(root);
    this.#writeFile = options.writeFile ?? writeDurably;
    this.quotaBytes = options.quotaBytes ?? 0;
  }

  /** Bytes the folder holds now (measured at most USAGE_TTL_MS ago unless `fresh`). */
  async usedBytes(fresh = true): Promise<number> {
    if (!fresh && this.#usage && Date.now() - this.#usage.at < USAGE_TTL_MS) return this.#usage.bytes;
    const bytes = await folderBytes(this.root);
    this.#usage = { bytes, at: Date.now() };
    return bytes;
  }

  async #checkQuota(key: string, incoming: number): Promise<void> {
    if (!(this.quotaBytes > 0)) return;
    let used = await this.usedBytes(false);
    if (used + incoming > this.quotaBytes) used = await this.usedBytes(true);
    if (used + incoming > this.quotaBytes) {
      const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
      throw new StorageFullError(
        `blob storage is full: ${key} (${incoming} bytes) was not stored; ${mb(used)} MB of the ${mb(this.quotaBytes)} MB quota (STORAGE_QUOTA_MB) at ${this.root} are used; free space or raise the quota`,
      );
    }
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
    const meta = Buffer.from(JSON.stringify(head satisfies Sidecar));
    // Refused before anything is written: no temp file, no directory change.
    await this.#checkQuota(key, bytes.byteLength + meta.byteLength);
    try {
      await mkdir(dirname(path), { recursive: true });
      await mkdir(dirname(sidecar), { recursive: true });
      await this.#writeFile(tmpData, bytes);
      await this.#writeFile(tmpMeta, meta);
      // Sidecar first: whenever the data file is visible, its sidecar describes it (or a newer put).
      await rename(tmpMeta, sidecar);
      await rename(tmpData, path);
      if (this.#usage) this.#usage.bytes += bytes.byteLength + meta.byteLength;
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
    this.#usage = null;
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
