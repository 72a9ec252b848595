// Synthesised shoulders: the drawn upper arm runs into the torso's fill without a seam, and the old top's square corners are not filled with skin.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NetworkRegistry } from '../../src/inference/registry.js';
import { analyzeModel } from '../../src/pipeline/person/analyze.js';
import { bodyOutline } from '../../src/pipeline/person/layers/body-outline.js';
import { prepareModelLayers } from '../../src/pipeline/person/layers/index.js';
import { grow } from '../../src/pipeline/person/layers/raster.js';
import type { ModelAnalysis, ModelLayers } from '../../src/pipeline/types.js';

// Frontal, the old top's short sleeves hide both upper arms: both are drawn up to the shoulders.
const SAMPLE = 'samples/models/cgi-model-27.jpg';
let a: ModelAnalysis, layers: ModelLayers, armpitY: number, S: number;

beforeAll(async () => {
  a = await analyzeModel(readFileSync(SAMPLE), new NetworkRegistry({ networksDir: 'models' }));
  layers = await prepareModelLayers(a);
  const sk = bodyOutline(a).skeleton;
  const at = (u: typeof sk.arms.left.upper) => (u ? u.a.y + 0.25 * (u.b.y - u.a.y) : -Infinity);
  armpitY = Math.round(Math.max(at(sk.arms.left.upper), at(sk.arms.right.upper)));
  S = sk.shoulderWidth;
}, 300_000);

describe(`synthesised shoulders on ${SAMPLE}`, () => {
  it('has no tone step between the drawn upper arm and the torso fill above the armpits (median ≤ 10 grey levels; 16 before)', () => {
    const W = a.width, q = layers.agnostic.data, filled = layers.filled_skin.data, arms = layers.arms!.data;
    const luma = (i: number) => 0.299 * q[i * 4]! + 0.587 * q[i * 4 + 1]! + 0.114 * q[i * 4 + 2]!;
    const m3 = (x: number, y: number) => { let s = 0; for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += luma((y + dy) * W + x + dx); return s / 9; };
    const isArm = (i: number) => !!filled[i] && arms[i * 4 + 3]! > 128;
    const isTorso = (i: number) => !!filled[i] && arms[i * 4 + 3]! < 8;
    const k = a.pose.keypoints;
    const steps: number[] = [];
    // From the shoulder joints down to the armpits: along each row, 3 px into the drawn arm against
    // 3 px into the torso's fill past the arm's edge.
    for (let y = Math.round(Math.min(k.left_shoulder.y, k.right_shoulder.y)); y < armpitY; y++) {
      for (let x = 8; x < W - 8; x++) {
        const i = y * W + x;
        for (const dx of [1, -1]) {
          if (!isArm(i) || isArm(i + dx)) continue;
          let g = 1;
          while (g <= 4 && !isTorso(i + g * dx)) g++;
          if (g > 4 || !isArm(i - 3 * dx) || !isTorso(i + (g + 3) * dx)) continue;
          steps.push(Math.abs(m3(x - 3 * dx, y) - m3(x + (g + 3) * dx, y)));
        }
      }
    }
    steps.sort((p, r) => p - r);
    expect(steps.length).toBeGreaterThan(30);
    expect(steps[steps.length >> 1]!).toBeLessThanOrEqual(10);
  });

  it('draws the synthesised shoulder against the backdrop with a sharp edge: two pixels out from the skin the backdrop is its own (mix ≤ 8%; 20% with a wider feather)', () => {
    const W = a.width, q = layers.agnostic.data, skin = layers.filled_skin.data, bg = layers.filled_background.data;
    const luma = (i: number) => 0.299 * q[i * 4]! + 0.587 * q[i * 4 + 1]! + 0.114 * q[i * 4 + 2]!;
    const mixes: number[] = [];
    // Along each row above the armpits, where the backdrop's fill meets the skin's: the backdrop 2 px
    // out from that edge against the backdrop 6 px out, over the step from there to the skin 3 px in.
    for (let y = 1; y < armpitY; y++) {
      for (let x = 8; x < W - 8; x++) {
        const i = y * W + x;
        for (const dx of [1, -1]) {
          if (!skin[i] || !bg[i + dx]) continue;
          if (![1, 2, 3, 4, 5, 6].every((d) => bg[i + d * dx]) || ![1, 2, 3].every((d) => skin[i - d * dx])) continue;
          const far = luma(i + 6 * dx), step = luma(i - 3 * dx) - far;
          if (Math.abs(step) < 40) continue;
          mixes.push((luma(i + 2 * dx) - far) / step);
        }
      }
    }
    mixes.sort((p, r) => p - r);
    expect(mixes.length).toBeGreaterThan(20);
    expect(mixes[mixes.length >> 1]!).toBeLessThanOrEqual(0.08);
  });

  it('fills no convex corner of the old top with skin above the armpits (every filled pixel inside the silhouette opened by a disc; 106 outside before)', () => {
    const W = a.width, H = a.height;
    const solid = new Uint8Array(W * H);
    for (let i = 0; i < W * H; i++) solid[i] = a.mask.data[i]! >= 64 && !layers.filled_background.data[i] ? 1 : 0;
    const r = Math.max(3, Math.round(0.06 * S));
    const opened = grow(grow(solid, W, H, -r), W, H, r);
    let filledAbove = 0, outside = 0;
    for (let i = 0; i < armpitY * W; i++) {
      if (!layers.filled_skin.data[i]) continue;
      filledAbove++;
      if (!opened[i]) outside++;
    }
    // The shoulders are synthesised here at all, and none of that skin stands in a corner.
    expect(filledAbove).toBeGreaterThan(2000);
    expect(outside).toBe(0);
  });
});
