// Soft label alpha: a coarse-grid label's staircase moves onto the photo's real edge; edge colours lose the backdrop's tint.
import { describe, expect, it } from 'vitest';
import { decontaminateEdges, softLabelAlpha } from '../../src/pipeline/person/layers/soft-labels.js';
import type { ModelAnalysis } from '../../src/pipeline/types.js';

const W = 160, H = 160;
/** A skin-toned region left of a slanted edge x = 60 + 0.3·y, fabric (dark blue) right of it. */
const edgeX = (y: number) => 60 + 0.3 * y;

function scene(): ModelAnalysis {
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 4;
      const cover = Math.max(0, Math.min(1, edgeX(y) - x + 0.5));
      data[o] = 210 * cover + 30 * (1 - cover); data[o + 1] = 160 * cover + 40 * (1 - cover); data[o + 2] = 130 * cover + 90 * (1 - cover); data[o + 3] = 255;
    }
  }
  const mask = new Uint8Array(W * H).fill(255);
  return { width: W, height: H, image: { width: W, height: H, data }, mask: { width: W, height: H, data: mask }, measurements: { shoulder_width: 640 } } as unknown as ModelAnalysis;
}

/** The label as the parsing gives it: decided per 8-pixel cell, so its edge is a staircase. */
function gridLabel(): Uint8Array {
  const sel = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x | 7) - 3.5 < edgeX((y | 7) - 3.5)) sel[y * W + x] = 1;
  return sel;
}

/** Mean absolute distance between each row's alpha-weighted edge and the true edge, pixels. */
function edgeError(alpha: (i: number) => number): number {
  let err = 0;
  for (let y = 0; y < H; y++) {
    let s = 0;
    for (let x = 0; x < W; x++) s += alpha(y * W + x);
    err += Math.abs(s - (edgeX(y) + 0.5));
  }
  return err / H;
}

describe('softLabelAlpha', () => {
  it('moves a grid label edge onto the photo edge: row error under 0.8 px, 2.5× smaller than the staircase', () => {
    const a = scene();
    const sel = gridLabel();
    const hard = edgeError((i) => sel[i]!);
    const soft = softLabelAlpha(a, sel);
    const err = edgeError((i) => soft[i]!);
    expect(hard).toBeGreaterThan(1.5);
    expect(err).toBeLessThan(hard / 2.5);
    expect(err).toBeLessThan(0.8);
  });

  it('keeps the person mask as an upper bound', () => {
    const a = scene();
    for (let i = 0; i < W * H; i++) if (i % W < 20) a.mask.data[i] = 0;
    const soft = softLabelAlpha(a, gridLabel());
    let over = 0;
    for (let i = 0; i < W * H; i++) if (soft[i]! > a.mask.data[i]! / 255 + 1e-6) over++;
    expect(over).toBe(0);
  });
});

describe('decontaminateEdges', () => {
  it('gives half-transparent edge pixels the opaque colour beside them, not the backdrop mixed in', () => {
    const w = 20, h = 10;
    const rgba = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 4;
        // Opaque skin left of x = 10, a half-covered column mixed with a white backdrop at x = 10.
        if (x < 10) { rgba[o] = 200; rgba[o + 1] = 140; rgba[o + 2] = 110; rgba[o + 3] = 255; }
        else if (x === 10) { rgba[o] = 228; rgba[o + 1] = 198; rgba[o + 2] = 183; rgba[o + 3] = 128; }
      }
    }
    decontaminateEdges(rgba, w, h, 2);
    const o = (5 * w + 10) * 4;
    expect(Math.abs(rgba[o]! - 200) + Math.abs(rgba[o + 1]! - 140) + Math.abs(rgba[o + 2]! - 110)).toBeLessThan(15);
    expect(rgba[o + 3]).toBe(128);
  });
});

describe('softLabelAlpha on a limb (an arm) narrower than the filter', () => {
  it('keeps the label whole a few pixels in from its edge, where the photo has no edge to snap to', () => {
    // A 16 px band of the same colour as its surroundings (an arm against a skin-toned top), at the
    // real shoulder width of a 768 px photo (a 4 px grid, the filter's window 21 px wide).
    const data = new Uint8Array(W * H * 4).fill(200);
    const a = { width: W, height: H, image: { width: W, height: H, data }, mask: { width: W, height: H, data: new Uint8Array(W * H).fill(255) }, measurements: { shoulder_width: 320 } } as unknown as ModelAnalysis;
    const sel = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 72; x < 88; x++) sel[y * W + x] = 1;
    const soft = softLabelAlpha(a, sel, true);
    let inner = 0, whole = 0;
    for (let y = 20; y < H - 20; y++) for (let x = 75; x < 85; x++) {
      inner++;
      if (soft[y * W + x] === 1) whole++;
    }
    // The filter alone gives about the label's share of its window there (0.7–0.9): seen through.
    expect(whole / inner).toBe(1);
    // Nor does it reach out past half a grid cell (2 px here): there it was a skin-coloured haze over
    // whatever the render draws behind the limb, up to the filter's radius away.
    let beyond = 0;
    for (let y = 20; y < H - 20; y++) for (const x of [66, 67, 68, 69, 91, 92, 93, 94]) if (soft[y * W + x]! > 0) beyond++;
    expect(beyond).toBe(0);
  });
});
