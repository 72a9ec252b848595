// The BlobStore contract, tenant-prefixed key rules, and content-addressed puts of uploads.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

export interface BlobHead {
  size: number;
  contentType: string;
  /** Opaque, changes when the bytes change (an md5 hex digest on both stores). */
  etag: string;
}

export interface PutOptions {
  contentType: string;
}

export interface BlobStore {
  readonly kind: 'fs' | 's3';
  /** Writes the whole blob; readers see either the old bytes or the new, never a partial file. */
  put(key: string, bytes: Uint8Array, options: PutOptions): Promise<BlobHead>;
  get(key: string): Promise<Buffer | null>;
  getStream?(key: string): Promise<Readable | null>;
  head(key: string): Promise<BlobHead | null>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

export class InvalidBlobKeyError extends Error {
  override readonly name = 'InvalidBlobKeyError';
  constructor(readonly key: string, reason: string) {
    super(`invalid blob key ${JSON.stringify(key.slice(0, 200))}: ${reason}`);
  }
}

/** The disk (or the bucket's quota) is full: nothing was stored; retry after space is freed. */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_KEY_LENGTH = 512;

/**
 * Keys are `t/<tenantId>/<path>`: plain ASCII segments that start with a letter or digit, so no
 * `..`, no leading `/`, no hidden files, nothing a filesystem or an S3 gateway would read twice.
 */
export function assertBlobKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidBlobKeyError(String(key), 'empty');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidBlobKeyError(key, `longer than ${MAX_KEY_LENGTH} characters`);
  if (key.includes('..')) throw new InvalidBlobKeyError(key, 'contains ".."');
  if (key.startsWith('/')) throw new InvalidBlobKeyError(key, 'starts with "/"');
  const segments = key.split('/');
  if (segments.length < 3 || segments[0] !== 't') throw new InvalidBlobKeyError(key, 'must look like t/<tenantId>/<path>');
  if (!TENANT_ID.test(segments[1])) throw new InvalidBlobKeyError(key, 'bad tenant id');
  for (const s of segments) {
    if (!SEGMENT.test(s)) throw new InvalidBlobKeyError(key, `bad segment ${JSON.stringify(s)} (letters, digits, ".", "_", "-"; no leading dot)`);
  }
}

/** The tenant a key belongs to (after validating it). */
export function tenantOfKey(key: string): string {
  assertBlobKey(key);
  return key.split('/')[1];
}

function assertTenantId(tenantId: string): void {
  if (!TENANT_ID.test(tenantId)) throw new InvalidBlobKeyError(`t/${tenantId}`, 'bad tenant id');
}

export type InputKind = 'inputs' | 'analysis' | 'prepared';

/** `t/<tenantId>/<kind>/<sha256>.<ext>` */
export function contentKey(tenantId: string, kind: InputKind, sha256: string, ext: string): string {
  assertTenantId(tenantId);
  const key = `t/${tenantId}/${kind}/${sha256}.${ext.replace(/^\./, '').toLowerCase()}`;
  assertBlobKey(key);
  return key;
}

/** `t/<tenantId>/renders/<renderId>/v<N>.<ext>` */
export function renderKey(tenantId: string, renderId: string, version: number, ext = 'jpg'): string {
  assertTenantId(tenantId);
  if (!Number.isInteger(version) || version < 1) throw new InvalidBlobKeyError(`v${version}`, 'version must be a positive integer');
  const key = `t/${tenantId}/renders/${renderId}/v${version}.${ext}`;
  assertBlobKey(key);
  return key;
}

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  json: 'application/json',
  bin: 'application/octet-stream',
};

export function contentTypeForKey(key: string): string {
  const ext = key.slice(key.lastIndexOf('.') + 1).toLowerCase();
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

export interface ContentAddressedPut {
  key: string;
  sha256: string;
  size: number;
  /** False when these bytes were already stored: nothing was written. */
  created: boolean;
}

/** Stores bytes under their sha256, once: a second put of the same bytes writes nothing. */
export async function putContentAddressed(
  store: BlobStore,
  tenantId: string,
  kind: InputKind,
  bytes: Uint8Array,
  ext: string,
): Promise<ContentAddressedPut> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const key = contentKey(tenantId, kind, sha256, ext);
  const existing = await store.head(key);
  if (existing && existing.size === bytes.byteLength) return { key, sha256, size: bytes.byteLength, created: false };
  await store.put(key, bytes, { contentType: contentTypeForKey(key) });
  return { key, sha256, size: bytes.byteLength, created: true };
}
