// The lower clothing raised to a shorter garment's hem is its own upper part stretched up: the waistband goes under the
// new hem, the fly and the weave run on up, and the photo's waistband row is fabric (no flat block, no edge at it).
import { describe, expect, it } from 'vitest';
import { raiseLowerClothing } from '../../src/pipeline/composite/raise-lower.js';
import { raiseScene } from './raise-scene.js';

const W = 200, H = 320;
const BAND = [20, 30, 70], FLY = [150, 150, 150];
/** Jeans from y 200: a waistband (200–209), a fly seam at x 99–100, a diagonal weave. */
const jeans = (x: number, y: number) => (y < 210 ? BAND : x === 99 || x === 100 ? FLY : (x + y) % 6 < 3 ? [50, 70, 120] : [35, 55, 100]);

// Arms raised out of the way (no forearm over the strip).
const scene = () => raiseScene(W, H, jeans, { elbows: [{ x: 190, y: 20 }, { x: 10, y: 20 }], wrists: [{ x: 195, y: 5 }, { x: 5, y: 5 }] });

const dist = (px: Uint8Array, x: number, y: number, c: number[]) => {
  const o = (y * W + x) * 4;
  return Math.hypot(px[o]! - c[0]!, px[o + 1]! - c[1]!, px[o + 2]! - c[2]!);
};

describe('raiseLowerClothing carries the garment’s own top up', () => {
  it('puts the waistband under the raised edge, runs the fly and weave up, and leaves no band at the old waistband', () => {
    const { img, model, layers, panel } = scene();
    const out = new Uint8Array(img);
    const raised = raiseLowerClothing(out, model, layers, panel);
    expect(raised).not.toBeNull();
    // The strip's top: the highest painted row at the middle column.
    let top = -1;
    for (let y = 150; y < 200 && top < 0; y++) if (raised!.data[y * W + 80]) top = y;
    expect(top).toBeGreaterThanOrEqual(150);
    expect(top).toBeLessThan(175);
    // The waistband's colour right below it, across the torso.
    for (const x of [60, 80, 120, 140]) expect(dist(out, x, top + 4, BAND), `x ${x}`).toBeLessThan(10);
    // The fly runs on up through the strip; beside it, the weave (not one flat colour).
    for (let y = top + 20; y < 200; y += 5) expect(dist(out, 99, y, FLY), `fly row ${y}`).toBeLessThan(25);
    const row = Array.from({ length: 30 }, (_, k) => out[((top + 30) * W + 60 + k) * 4]!);
    expect(Math.max(...row) - Math.min(...row)).toBeGreaterThan(10);
    // The photo's waistband row is fabric now.
    for (const x of [60, 80, 120, 140]) expect(dist(out, x, 204, BAND), `x ${x}`).toBeGreaterThan(20);
  });
});
