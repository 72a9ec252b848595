// Under a short sleeve, the synthesised upper arm carries the bare arm's own edges up from the hem: no step, no straight sleeve-wide slab.
import { describe, expect, it } from 'vitest';
import { fillArms } from '../../src/pipeline/person/layers/skin-fill.js';
import { PARSE_LABELS as L } from '../../src/pipeline/types.js';
import { leftArmOutline, paintScene } from './arm-outline.js';

const W = 140, H = 200;
const SKIN = [200, 150, 120] as const;
/** The bare arm's centre: beside the path (x = 60) and leaning outwards as it goes down. */
const centre = (y: number) => 66 + 0.1 * (y - 70);
const HALF = 12, HEM = 70;

function scene() {
  const outline = leftArmOutline(W, H, [15, 15], [15, 15]);
  return { outline, ...paintScene(W, H, (x, y) => {
    if (y >= 20 && y < HEM && x >= 40 && x <= 84) return { c: [60, 40, 90], label: L.torso_clothing, hole: true };
    if (y >= HEM && y < 180 && Math.abs(x - centre(y)) <= HALF) {
      // A little shading across the arm, darker at its edges.
      const s = (x - centre(y)) / HALF;
      return { c: SKIN.map((v) => v * (0.85 + 0.15 * Math.sqrt(Math.max(0, 1 - s * s)))), label: L.left_arm, skin: Math.abs(x - centre(y)) <= HALF - 1 };
    }
    return null;
  }) };
}

describe('fillArms under a short sleeve', () => {
  it('gives the drawn upper arm grain that varies along it, not one row of grain repeated up the arm (vertical streaks)', () => {
    const outline = leftArmOutline(W, H, [15, 15], [15, 15]);
    const { a, hole, skinSrc } = paintScene(W, H, (x, y) => {
      if (y >= 20 && y < HEM && x >= 40 && x <= 84) return { c: [60, 40, 90], label: L.torso_clothing, hole: true };
      if (y >= HEM && y < 180 && Math.abs(x - centre(y)) <= HALF) {
        // The bare skin's fine grain: ±5 per pixel.
        const g = (((x * 73856093) ^ (y * 19349663)) >>> 0) % 11 - 5;
        return { c: SKIN.map((v) => v + g), label: L.left_arm, skin: Math.abs(x - centre(y)) <= HALF - 1 };
      }
      return null;
    });
    const out = new Float32Array(W * H * 3);
    const fill = fillArms(a, outline, hole, skinSrc, out);
    for (const x of [Math.round(centre(40)) - 4, Math.round(centre(40)), Math.round(centre(40)) + 4]) {
      let jumps = 0;
      for (let y = 25; y < 60; y++) {
        expect(fill.done[y * W + x], `x ${x} row ${y}`).toBe(1);
        if (Math.abs(out[((y + 1) * W + x) * 3]! - out[(y * W + x) * 3]!) > 1.5) jumps++;
      }
      expect(jumps, `x ${x}`).toBeGreaterThan(15);
    }
  });

  it('continues the bare arm\'s edges up to the shoulder (within 2 px), in its colour, with the sleeve beside it turned backdrop', () => {
    const { a, outline, hole, skinSrc } = scene();
    const out = new Float32Array(W * H * 3);
    const fill = fillArms(a, outline, hole, skinSrc, out);
    for (const y of [30, 45, 60]) {
      let x0 = -1, x1 = -1;
      for (let x = 0; x < W; x++) if (fill.done[y * W + x]) { if (x0 < 0) x0 = x; x1 = x; }
      expect(x0, `row ${y}`).toBeGreaterThanOrEqual(0);
      // Both edges where the bare arm's lines lead, not at the sleeve's (40 and 84) nor the path's capsule (45 and 75).
      expect(Math.abs(x1 - (centre(y) + HALF))).toBeLessThanOrEqual(2);
      expect(Math.abs(x0 - (centre(y) - HALF))).toBeLessThanOrEqual(2);
      // The old sleeve beyond the arm's outer edge shows the backdrop.
      for (let x = Math.ceil(centre(y) + HALF + 3); x <= 84; x++) expect(fill.outside[y * W + x], `x ${x} row ${y}`).toBe(1);
      // Filled in the arm's own colour.
      const m = Math.round(centre(y)), i = y * W + m;
      expect(Math.hypot(out[i * 3]! - SKIN[0], out[i * 3 + 1]! - SKIN[1], out[i * 3 + 2]! - SKIN[2])).toBeLessThan(12);
    }
    // Below the armpit the gap between the arm and the body is backdrop too; near the shoulder it is left to the torso's fill.
    expect(fill.outside[60 * W + 42]).toBe(1);
    expect(fill.outside[25 * W + 42]).toBe(0);
  });

  it('carries the bare arm\'s edges up from right below the hem when the old top\'s side overlaps the arm further down (an arm hanging close behind the body), and fades the hem\'s shadow on it', () => {
    const outline = leftArmOutline(W, H, [15, 15], [15, 15]);
    // This arm hangs down the path (x = 60), leaning out a little.
    const mid = (y: number) => 60 + 0.1 * (y - HEM);
    // The torso's outline reaches over the arm's inner two thirds, as it does for an arm hanging close beside the body.
    for (let y = 20; y < 180; y++) for (let x = 0; x <= Math.round(mid(y)) + 4; x++) outline.torsoInner[y * W + x] = 1;
    // Ten bare rows under the hem, the first two in the sleeve's shadow; then the old top's side hides the arm's inner fifth.
    const OVERLAP: [number, number] = [HEM + 10, 112];
    const { a, hole, skinSrc } = paintScene(W, H, (x, y) => {
      if (y >= 20 && y < HEM && x >= 30 && x <= 84) return { c: [60, 40, 90], label: L.torso_clothing, hole: true };
      if (y >= OVERLAP[0] && y < OVERLAP[1] && x >= 30 && x < mid(y) - 7) return { c: [60, 40, 90], label: L.torso_clothing, hole: true };
      if (y >= HEM && y < 180 && Math.abs(x - mid(y)) <= HALF) {
        const c = y < HEM + 2 ? SKIN.map((v) => 0.55 * v) : SKIN;
        return { c, label: L.left_arm, skin: Math.abs(x - mid(y)) <= HALF - 1 };
      }
      return null;
    });
    const out = new Float32Array(W * H * 3);
    const fill = fillArms(a, outline, hole, skinSrc, out);
    for (const y of [30, 45, 60]) {
      let x0 = -1, x1 = -1;
      for (let x = 0; x < W; x++) if (fill.done[y * W + x]) { if (x0 < 0) x0 = x; x1 = x; }
      // Within 4 px: the lines are fitted on the few bare rows between the hem's shadow band and the overlap.
      expect(Math.abs(x1 - (mid(y) + HALF)), `row ${y}`).toBeLessThanOrEqual(4);
      // An arm's width, not a strip.
      expect(x1 - x0 + 1, `row ${y}`).toBeGreaterThanOrEqual(0.75 * 2 * HALF);
      for (let x = Math.ceil(mid(y) + HALF + 5); x <= 84; x++) expect(fill.outside[y * W + x], `x ${x} row ${y}`).toBe(1);
    }
    // The shadow right under the hem, on arm over the torso's outline, is faded into the fill: drawn,
    // in the arm's tone, the photo weighing under a half.
    const i = (HEM + 1) * W + Math.round(mid(HEM + 1)) - 4;
    expect(fill.done[i]).toBe(1);
    expect(fill.seam[i]!).toBeLessThan(0.5);
    expect(Math.abs(out[i * 3]! - SKIN[0])).toBeLessThan(25);
  });

  it('turns the old top\'s square shoulder above the arm\'s round top to backdrop, up to the shoulder\'s line rising towards the neck', () => {
    const outline = leftArmOutline(W, H, [15, 15], [15, 15]);
    // The torso, its corner reaching past the joint (x 60) and standing over the arm up to y 5; its side
    // further down inside the arm.
    for (let y = 5; y < 180; y++) for (let x = 0; x <= (y < 30 ? 70 : 45); x++) outline.torsoInner[y * W + x] = 1;
    const { a, hole, skinSrc } = paintScene(W, H, (x, y) => {
      if (y >= 5 && y < HEM && x <= 84) return { c: [60, 40, 90], label: L.torso_clothing, hole: true };
      if (y >= HEM && y < 180 && Math.abs(x - centre(y)) <= HALF) return { c: SKIN, label: L.left_arm, skin: Math.abs(x - centre(y)) <= HALF - 1 };
      return null;
    });
    const fill = fillArms(a, outline, hole, skinSrc, new Float32Array(W * H * 3));
    // Over the middle and the outer half of the round top: backdrop; just inside its middle, above the line too.
    for (const x of [61, 66, 72]) expect(fill.outside[5 * W + x], `x ${x}`).toBe(1);
    expect(fill.outside[5 * W + 57]).toBe(1);
    // Under the line near the arm's inner edge, and further in: the torso's.
    expect(fill.outside[10 * W + 52] + fill.done[10 * W + 52]).toBe(0);
    expect(fill.outside[6 * W + 35] + fill.done[6 * W + 35]).toBe(0);
  });
});

describe('fillArms beside a bare arm', () => {
  it('does not draw the old top beside a bare stretch of arm, away from any sleeve, as arm (a fringe against the trousers)', () => {
    const outline = leftArmOutline(W, H, [15, 15], [15, 15]);
    // A bare arm all the way down (no sleeve); a strip of "old top" 5 px wide along its inner side from y 110 to 170.
    const { a, hole, skinSrc } = paintScene(W, H, (x, y) => {
      if (y >= 20 && y < 180 && Math.abs(x - 60) <= HALF) return { c: SKIN, label: L.left_arm, skin: Math.abs(x - 60) <= HALF - 1 };
      if (y >= 110 && y < 170 && x >= 60 - HALF - 5 && x < 60 - HALF) return { c: [40, 40, 60], label: L.torso_clothing, hole: true };
      return null;
    });
    const fill = fillArms(a, outline, hole, skinSrc, new Float32Array(W * H * 3));
    let strip = 0, drawn = 0;
    for (let y = 110; y < 170; y++) for (let x = 60 - HALF - 5; x < 60 - HALF; x++) { strip++; if (fill.done[y * W + x] || fill.limb[y * W + x]) drawn++; }
    expect(strip).toBe(300);
    expect(drawn).toBe(0);
  });
});
