// Round trips of the prepared-analysis binary format: every field, typed array and odd number comes back equal.
import { describe, expect, it } from 'vitest';
import {
  decodePrepared,
  decodePreparedGarment,
  decodePreparedModel,
  encodePrepared,
  encodePreparedGarment,
  encodePreparedModel,
  PreparedFormatError,
  type PreparedModel,
} from '../../src/pipeline/serialize.js';
import { KEYPOINT_NAMES, type GarmentAnalysis, type ModelAnalysis, type ModelLayers } from '../../src/pipeline/types.js';

// Deterministic pseudo-random bytes so the deflate path sees realistic, not constant, data.
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

function blockMask(w: number, h: number): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = h >> 2; y < (3 * h) >> 2; y++) m.fill(255, y * w + (w >> 3), y * w + ((7 * w) >> 3));
  return m;
}

function sampleModel(w: number, h: number): PreparedModel {
  const n = w * h;
  const keypoints = Object.fromEntries(KEYPOINT_NAMES.map((k, i) => [k, { x: i * 3.25, y: i * 7.5, score: i / 17 }])) as ModelAnalysis['pose']['keypoints'];
  const analysis: ModelAnalysis = {
    width: w,
    height: h,
    image: { width: w, height: h, data: noise(n * 4, 1) },
    person_box: { x: 10, y: 5, width: w - 20, height: h - 10 },
    pose: { network: 'movenet-thunder', keypoints, score: 0.81 },
    mask: { width: w, height: h, data: blockMask(w, h) },
    face: { box: { x: 1, y: 2, width: 30, height: 40 }, landmarks: [{ x: 1.5, y: 2.5 }, { x: -0.125, y: 1e-9 }], score: 0.99 },
    parsing: { width: w, height: h, data: blockMask(w, h).map((v) => (v ? 4 : 0)) },
    arm_in_front: { left: true, right: false },
    measurements: {
      shoulder_left: { x: 1, y: 2 },
      shoulder_right: { x: 3, y: 4 },
      shoulder_width: 2.5,
      chest: { y: 10, width: 20, left: 1, right: 21 },
      waist: { y: 11, width: 18, left: 2, right: 20 },
      hip: { y: 12, width: 22, left: 0, right: 22 },
      arm_width: { left_upper: 5, left_lower: null, right_upper: 4.5, right_lower: null },
      torso_length: 40,
    },
    suitability: { suitable: false, score: 0.4, reasons: ['arms touch the torso', 'ünïcødé ✓'], frontal: true, arms_clear: false, base_layer_short: true },
    timings_ms: { pose: 160.5, total: Number.NaN },
  };
  const gain = new Float32Array(n);
  for (let i = 0; i < n; i++) gain[i] = 0.5 + (i % 97) / 97;
  gain[3] = Number.POSITIVE_INFINITY;
  const layers: ModelLayers = {
    agnostic: { width: w, height: h, data: noise(n * 4, 2) },
    old_clothing: { width: w, height: h, data: blockMask(w, h) },
    filled_skin: { width: w, height: h, data: new Uint8Array(n) },
    filled_background: { width: w, height: h, data: new Uint8Array(n).fill(255) },
    body: { width: w, height: h, data: blockMask(w, h) },
    front: { width: w, height: h, data: noise(n * 4, 3) },
    shading: { width: w, height: h, gain, source: 'clothing' },
    light: [1.01, 0.99, -0.5],
    timings_ms: { body: 1, agnostic: Number.NEGATIVE_INFINITY },
  };
  return { analysis, layers, extra: { tone: { gains: [1, 1, 1], black: 0 }, face_mask: null, weights: new Float64Array([Math.PI, -0]) } };
}

function sampleGarment(w: number, h: number): GarmentAnalysis {
  const n = w * h;
  return {
    width: w,
    height: h,
    image: { width: w, height: h, data: noise(n * 4, 4) },
    mask: { width: w, height: h, data: blockMask(w, h) },
    cutout: { source: 'background', confidence: 0.93, background: [250, 251, 252] },
    category: 'top',
    category_source: 'inferred',
    category_confidence: 0.7,
    landmarks: { neck_left: { x: 10.5, y: 3, score: 0.9 }, hem_right: { x: 100, y: 200, score: 0 } },
    parts: { width: w, height: h, data: blockMask(w, h).map((v) => (v ? 1 : 0)) },
    collar_back: null,
    timings_ms: { cutout: 12 },
  };
}


/**
 * Deep equality where typed arrays compare byte for byte and by type (vitest's element-wise
 * comparison of megapixel arrays takes minutes); everything else through toEqual.
 */
function expectSame(actual: unknown, expected: unknown): void {
  const arrays: [ArrayBufferView, ArrayBufferView][] = [];
  const strip = (v: unknown, other: unknown): unknown => {
    if (ArrayBuffer.isView(v)) {
      if (ArrayBuffer.isView(other)) arrays.push([v, other]);
      return `${v.constructor.name}(${v.byteLength})`;
    }
    if (v === null || typeof v !== 'object') return v;
    const o = (other ?? {}) as Record<string, unknown>;
    if (Array.isArray(v)) return v.map((x, i) => strip(x, (o as unknown as unknown[])[i]));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strip(x, o[k])]));
  };
  const a = strip(actual, expected);
  arrays.length = 0;
  const b = strip(expected, actual);
  expect(a).toEqual(b);
  for (const [e, x] of arrays) {
    const eb = Buffer.from(e.buffer, e.byteOffset, e.byteLength);
    const xb = Buffer.from(x.buffer, x.byteOffset, x.byteLength);
    expect(eb.equals(xb)).toBe(true);
  }
}

describe('prepared serialisation', () => {
  for (const compress of [false, true]) {
    it(`round-trips a prepared model exactly (compress=${compress})`, () => {
      const m = sampleModel(320, 240);
      const bytes = encodePreparedModel(m, { compress });
      const back = decodePreparedModel(bytes);
      expectSame(back, m);
      // Typed arrays come back typed, not as plain arrays or Buffers.
      expect(back.layers.shading.gain).toBeInstanceOf(Float32Array);
      expect(back.analysis.image.data.constructor).toBe(Uint8Array);
      expect(Number.isNaN(back.analysis.timings_ms.total)).toBe(true);
      expect(back.layers.shading.gain[3]).toBe(Number.POSITIVE_INFINITY);
      expect(Object.is((back.extra!.weights as Float64Array)[1], -0)).toBe(true);
    });

    it(`round-trips a garment analysis exactly (compress=${compress})`, () => {
      const g = sampleGarment(200, 300);
      expectSame(decodePreparedGarment(encodePreparedGarment(g, { compress })), g);
    });
  }

  it('compression shrinks masks and stays exact; the raw form is larger', () => {
    const m = sampleModel(512, 512);
    const raw = encodePrepared(m);
    const packed = encodePrepared(m, { compress: true });
    expect(packed.byteLength).toBeLessThan(raw.byteLength * 0.8);
    expectSame(decodePrepared(packed), m);
    expectSame(decodePrepared(raw), m);
  });

  it('the comparison itself notices one changed byte or a changed type', () => {
    const g = sampleGarment(16, 16);
    const back = decodePreparedGarment(encodePreparedGarment(g));
    back.mask.data[5] ^= 1;
    expect(() => expectSame(back, g)).toThrow();
    const typed = decodePreparedGarment(encodePreparedGarment(g));
    (typed.parts as { data: unknown }).data = new Uint8ClampedArray(typed.parts.data);
    expect(() => expectSame(typed, g)).toThrow();
  });

  it('decodes from a misaligned buffer (copies instead of aliasing)', () => {
    const g = sampleGarment(64, 64);
    const bytes = encodePrepared({ g, f: new Float32Array([1.5, -2.25, 3]) });
    const shifted = new Uint8Array(bytes.byteLength + 1);
    shifted.set(bytes, 1);
    const back = decodePrepared<{ g: GarmentAnalysis; f: Float32Array }>(shifted.subarray(1));
    expectSame(back.g, g);
    expect(Array.from(back.f)).toEqual([1.5, -2.25, 3]);
  });

  it('refuses bytes it did not write', () => {
    expect(() => decodePrepared(new Uint8Array(4))).toThrow(PreparedFormatError);
    expect(() => decodePrepared(Buffer.from('not a prepared blob at all'))).toThrow(/bad magic/);
    const bytes = encodePrepared(sampleGarment(32, 32));
    expect(() => decodePrepared(bytes.subarray(0, bytes.byteLength - 100))).toThrow(/truncated/);
  });
});
