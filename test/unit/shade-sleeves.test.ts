// Sleeves are shaded as tubes from their own outline, not by the photo's gain (the old arm's rounding, the backdrop's flat 1).
import { describe, expect, it } from 'vitest';
import { shadeSleeves } from '../../src/pipeline/composite/shade.js';
import type { ModelLayers, RgbaImage } from '../../src/pipeline/types.js';

const W = 120, H = 80;

describe('shadeSleeves', () => {
  it('darkens a sleeve towards its own edges, whatever the photo’s gain under it', () => {
    // A vertical sleeve 40 px wide, flat grey, over a photo gain with a dark band down one side of it.
    const data = new Uint8Array(W * H * 4);
    for (let y = 0; y < H; y++) for (let x = 40; x < 80; x++) data.set([160, 160, 160, 255], (y * W + x) * 4);
    const sleeves: RgbaImage = { width: W, height: H, data };
    const gain = new Float32Array(W * H).fill(1);
    for (let y = 0; y < H; y++) for (let x = 60; x < 66; x++) gain[y * W + x] = 0.6;
    const layers = { shading: { width: W, height: H, gain, source: 'clothing' }, light: [1, 1, 1] } as unknown as ModelLayers;
    shadeSleeves(sleeves, layers, 1);
    const at = (x: number) => data[(40 * W + x) * 4]!;
    // Brightest along the middle, darker at both edges, and no dark band where the photo's gain had one.
    expect(at(59)).toBeGreaterThan(at(41) + 10);
    expect(at(60)).toBeGreaterThan(at(78) + 10);
    expect(Math.abs(at(62) - at(57))).toBeLessThanOrEqual(4);
    // Outside the sleeve nothing is touched.
    expect(data[(40 * W + 10) * 4 + 3]).toBe(0);
  });
});
