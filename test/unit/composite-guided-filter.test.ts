import { describe, expect, it } from 'vitest';
import { boxBlur, guidedFilter, guidedFilterColor } from '../../src/pipeline/composite/guided-filter.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const W = 80;
const H = 60;
// A vertical step edge at x = 40: 0.2 left, 0.8 right.
const step = (x: number): number => (x < 40 ? 0.2 : 0.8);

function noisyStep(sigma: number): { clean: Float32Array; noisy: Float32Array } {
  const rand = rng(3);
  const clean = new Float32Array(W * H);
  const noisy = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      clean[y * W + x] = step(x);
      // Box–Muller would do; a sum of uniforms is close enough to Gaussian here.
      const n = (rand() + rand() + rand() + rand() - 2) * sigma * 1.73;
      noisy[y * W + x] = step(x) + n;
    }
  }
  return { clean, noisy };
}

function rmse(a: Float32Array, b: Float32Array, pick: (x: number) => boolean): number {
  let s = 0;
  let n = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (!pick(x)) continue;
      s += (a[y * W + x]! - b[y * W + x]!) ** 2;
      n++;
    }
  }
  return Math.sqrt(s / n);
}

function edgeJump(img: Float32Array): number {
  let s = 0;
  for (let y = 0; y < H; y++) s += img[y * W + 40]! - img[y * W + 39]!;
  return s / H;
}

describe('boxBlur', () => {
  it('keeps a constant image constant up to the borders and averages a window', () => {
    const flat = new Float32Array(W * H).fill(0.5);
    const out = boxBlur(flat, W, H, 5);
    for (const v of out) expect(v).toBeCloseTo(0.5, 6);
    const impulse = new Float32Array(W * H);
    impulse[30 * W + 40] = 121;
    const b = boxBlur(impulse, W, H, 5);
    expect(b[30 * W + 40]).toBeCloseTo(1, 5);
    expect(b[35 * W + 45]).toBeCloseTo(1, 5);
    expect(b[36 * W + 40]).toBeCloseTo(0, 6);
  });
});

describe('guidedFilter', () => {
  it('smooths noise and keeps a step edge sharp (self-guided)', () => {
    const { clean, noisy } = noisyStep(0.05);
    const out = guidedFilter(noisy, noisy, W, H, 4, 0.01);
    const flatBefore = rmse(noisy, clean, (x) => x < 34 || x > 45);
    const flatAfter = rmse(out, clean, (x) => x < 34 || x > 45);
    expect(flatAfter).toBeLessThan(flatBefore * 0.5);
    // The edge stays a step: the two pixels either side of it keep most of the 0.6 jump.
    let jump = 0;
    for (let y = 5; y < H - 5; y++) jump += out[y * W + 40]! - out[y * W + 39]!;
    expect(jump / (H - 10)).toBeGreaterThan(0.4);
    // A plain box blur of the same radius spreads the step over 9 pixels.
    const blur = boxBlur(noisy, W, H, 4);
    let blurJump = 0;
    for (let y = 5; y < H - 5; y++) blurJump += blur[y * W + 40]! - blur[y * W + 39]!;
    expect(blurJump / (H - 10)).toBeLessThan(0.1);
  });

  it('transfers the guide edge onto a blurry input (edge-aware upsampling)', () => {
    const guide = new Float32Array(W * H);
    for (let i = 0; i < W * H; i++) guide[i] = step(i % W);
    const blurry = boxBlur(guide, W, H, 6);
    const out = guidedFilter(guide, blurry, W, H, 8, 1e-4);
    expect(rmse(out, guide, () => true)).toBeLessThan(rmse(blurry, guide, () => true) * 0.7);
    // The blurry ramp rises ~0.05 per pixel; filtered, most of the step is back at the edge.
    expect(edgeJump(blurry)).toBeLessThan(0.06);
    expect(edgeJump(out)).toBeGreaterThan(0.3);
  });

  it('a colour guide keeps an edge that a grey guide cannot see', () => {
    // Red left, green right, with the same luma: a grey guide is flat across the edge.
    const rgb = new Float32Array(W * H * 3);
    const grey = new Float32Array(W * H);
    for (let i = 0; i < W * H; i++) {
      const left = i % W < 40;
      rgb[i * 3] = left ? 0.8 : 0.2;
      rgb[i * 3 + 1] = left ? 0.2 : 0.8;
      rgb[i * 3 + 2] = 0.3;
      grey[i] = 0.5;
    }
    const src = new Float32Array(W * H);
    for (let i = 0; i < W * H; i++) src[i] = step(i % W);
    const blurry = boxBlur(src, W, H, 6);
    const byColour = guidedFilterColor(rgb, blurry, W, H, 8, 1e-4);
    const byGrey = guidedFilter(grey, blurry, W, H, 8, 1e-4);
    const eColour = rmse(byColour, src, () => true);
    const eGrey = rmse(byGrey, src, () => true);
    expect(eColour).toBeLessThan(0.05);
    expect(eGrey).toBeGreaterThan(eColour * 1.8);
    expect(edgeJump(byColour)).toBeGreaterThan(0.3);
    expect(edgeJump(byGrey)).toBeLessThan(0.06);
  });
});
