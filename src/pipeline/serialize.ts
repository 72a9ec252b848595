// Compact binary form of prepared analyses (JSON header + typed-array sections), stored once and loaded by any render worker.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { GarmentAnalysis, ModelAnalysis, ModelLayers } from './types.js';

/**
 * Layout: "TRYP" | u8 version | 3 reserved | u32 header length | header JSON | sections, each
 * starting on an 8-byte boundary so Float32 views can alias the blob without a copy.
 * The header is the value itself with every typed array replaced by {"$ta": index} and every
 * non-finite number by {"$num": "NaN" | "Infinity" | "-Infinity"} (JSON has no such numbers).
 */
const MAGIC = 0x50595254; // "TRYP" little-endian
const VERSION = 1;
const ALIGN = 8;
/** Sections smaller than this are stored raw: deflate's setup costs more than it saves. */
const MIN_COMPRESS_BYTES = 64 * 1024;

type TypedArray = Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

const CTORS = {
  u8: Uint8Array,
  u8c: Uint8ClampedArray,
  i16: Int16Array,
  u16: Uint16Array,
  i32: Int32Array,
  u32: Uint32Array,
  f32: Float32Array,
  f64: Float64Array,
} as const;
type TypeTag = keyof typeof CTORS;

interface SectionInfo {
  /** Element type. */
  t: TypeTag;
  /** Element count. */
  n: number;
  /** Offset of the stored bytes from the start of the sections area. */
  o: number;
  /** Stored byte length (compressed length when z). */
  b: number;
  /** Deflated (raw deflate). */
  z?: 1;
}

interface Header {
  value: unknown;
  sections: SectionInfo[];
}

export interface EncodeOptions {
  /**
   * Deflate large sections (level 1). Masks and label maps shrink ~20×, photos ~1.5×; costs
   * tens of ms per model. Off = fastest encode and decode, largest blob.
   */
  compress?: boolean;
}

function tagOf(a: ArrayBufferView): TypeTag | null {
  // Buffer is a Uint8Array subclass and comes back as a plain Uint8Array.
  if (a instanceof Uint8ClampedArray) return 'u8c';
  if (a instanceof Uint8Array) return 'u8';
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint16Array) return 'u16';
  if (a instanceof Int16Array) return 'i16';
  if (a instanceof Uint32Array) return 'u32';
  if (a instanceof Float64Array) return 'f64';
  return null;
}

const pad = (n: number) => (n + ALIGN - 1) & ~(ALIGN - 1);

/** Encodes any tree of plain objects, arrays, numbers, strings, booleans, nulls and typed arrays. */
export function encodePrepared(value: unknown, options: EncodeOptions = {}): Uint8Array {
  const payloads: Uint8Array[] = [];
  const sections: SectionInfo[] = [];
  let offset = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $num: String(v) };
    if (v === null || typeof v !== 'object') return v;
    if (ArrayBuffer.isView(v)) {
      const t = tagOf(v);
      if (!t) throw new TypeError(`cannot encode a ${v.constructor.name}`);
      const ta = v as TypedArray;
      let bytes = new Uint8Array(ta.buffer, ta.byteOffset, ta.byteLength);
      let z: 1 | undefined;
      if (options.compress && bytes.byteLength >= MIN_COMPRESS_BYTES) {
        const d = deflateRawSync(bytes, { level: 1 });
        if (d.byteLength < bytes.byteLength * 0.9) {
          bytes = d;
          z = 1;
        }
      }
      sections.push({ t, n: ta.length, o: offset, b: bytes.byteLength, ...(z ? { z } : {}) });
      payloads.push(bytes);
      offset = pad(offset + bytes.byteLength);
      return { $ta: sections.length - 1 };
    }
    if (Array.isArray(v)) return v.map(walk);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = walk(x);
    return out;
  };
  const header: Header = { value: walk(value), sections };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const start = pad(12 + headerBytes.byteLength);
  const out = new Uint8Array(start + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  out[4] = VERSION;
  dv.setUint32(8, headerBytes.byteLength, true);
  out.set(headerBytes, 12);
  for (let i = 0; i < sections.length; i++) out.set(payloads[i]!, start + sections[i]!.o);
  return out;
}

/** The prepared blob is not one this code wrote (or it is truncated). */
export class PreparedFormatError extends Error {
  override readonly name = 'PreparedFormatError';
}

/**
 * Decodes what encodePrepared wrote. Uncompressed sections alias `bytes` when aligned (no copy),
 * so the caller must not reuse the buffer while the result lives.
 */
export function decodePrepared<T = unknown>(bytes: Uint8Array): T {
  if (bytes.byteLength < 12) throw new PreparedFormatError('prepared blob too short');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw new PreparedFormatError('not a prepared blob (bad magic)');
  if (bytes[4] !== VERSION) throw new PreparedFormatError(`prepared blob version ${bytes[4]} is not supported (want ${VERSION})`);
  const headerLength = dv.getUint32(8, true);
  if (12 + headerLength > bytes.byteLength) throw new PreparedFormatError('prepared blob header truncated');
  const header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 12, headerLength).toString('utf8')) as Header;
  const start = pad(12 + headerLength);
  const arrays = header.sections.map((s) => {
    const Ctor = CTORS[s.t];
    if (!Ctor) throw new PreparedFormatError(`unknown section type ${s.t}`);
    const at = start + s.o;
    if (at + s.b > bytes.byteLength) throw new PreparedFormatError('prepared blob section truncated');
    const stored = bytes.subarray(at, at + s.b);
    const raw: Uint8Array = s.z ? inflateRawSync(stored) : stored;
    if (raw.byteLength !== s.n * Ctor.BYTES_PER_ELEMENT) throw new PreparedFormatError('prepared blob section has the wrong length');
    const buffer = raw.buffer as ArrayBuffer;
    if (raw.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(buffer, raw.byteOffset, s.n);
    return new Ctor(new Uint8Array(raw).buffer, 0, s.n);
  });
  const revive = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(revive);
    const o = v as Record<string, unknown>;
    if (typeof o.$ta === 'number') return arrays[o.$ta];
    if (typeof o.$num === 'string') return Number(o.$num);
    for (const k of Object.keys(o)) o[k] = revive(o[k]);
    return o;
  };
  return revive(header.value) as T;
}

/** What model preparation stores once per model photo. */
export interface PreparedModel {
  analysis: ModelAnalysis;
  layers: ModelLayers;
  /** Later preparation outputs (e.g. portrait enhancement) ride along without a format change. */
  extra?: Record<string, unknown>;
}

export const encodePreparedModel = (m: PreparedModel, options?: EncodeOptions): Uint8Array => encodePrepared(m, options);
export const decodePreparedModel = (bytes: Uint8Array): PreparedModel => decodePrepared<PreparedModel>(bytes);
export const encodePreparedGarment = (g: GarmentAnalysis, options?: EncodeOptions): Uint8Array => encodePrepared(g, options);
export const decodePreparedGarment = (bytes: Uint8Array): GarmentAnalysis => decodePrepared<GarmentAnalysis>(bytes);
