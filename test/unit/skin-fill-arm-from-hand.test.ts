// A whole arm in a long old sleeve, with no bare arm skin to continue, is drawn from its hand: the hand's tone, a round limb tapering to the wrist, the sleeve around it backdrop.
import { describe, expect, it } from 'vitest';
import { armContour, fillArms } from '../../src/pipeline/person/layers/skin-fill.js';
import { PARSE_LABELS as L } from '../../src/pipeline/types.js';
import { leftArmOutline, paintScene } from './arm-outline.js';

const W = 140, H = 230;
const HAND = [170, 120, 95] as const;
/** The hand's half width (its widest run across the arm's line, past the cuff). */
const HAND_HW = 8;

function scene(withHand: boolean, handHw = HAND_HW) {
  const outline = leftArmOutline(W, H, [22, 20], [20, 18]);
  return { outline, ...paintScene(W, H, (x, y) => {
    // A navy sleeve, wide (the arm's capsule), from the shoulder to the wrist.
    if (y >= 20 && y < 180 && Math.abs(x - 60) <= 21) return { c: [30, 30, 50], label: L.torso_clothing, hole: true };
    if (withHand && y >= 180 && y < 215 && Math.abs(x - 60) <= handHw) {
      // The hand, a little grain on it.
      const e = ((x * 7 + y * 13) % 5) - 2;
      return { c: HAND.map((v) => v + e), label: L.hands };
    }
    return null;
  }) };
}

describe('fillArms under a long sleeve', () => {
  it('draws the arm from the hand: its tone, lighter along the middle, tapering to the wrist, the sleeve beside it backdrop', () => {
    const { a, outline, hole, skinSrc } = scene(true);
    const out = new Float32Array(W * H * 3);
    const fill = fillArms(a, outline, hole, skinSrc, out);
    const widths: number[] = [];
    for (const y of [40, 100, 170]) {
      let x0 = -1, x1 = -1;
      for (let x = 0; x < W; x++) if (fill.done[y * W + x]) { if (x0 < 0) x0 = x; x1 = x; }
      expect(x0, `row ${y}`).toBeGreaterThanOrEqual(0);
      widths.push(x1 - x0 + 1);
      // Narrower than the sleeve (43 px); the sleeve beyond the arm is backdrop.
      expect(x1 - x0 + 1).toBeLessThan(36);
      expect(fill.outside[y * W + 80]).toBe(1);
      // The hand's tone along the middle, darker towards the edges.
      const m = y * W + Math.round((x0 + x1) / 2), e = y * W + x0;
      expect(Math.hypot(out[m * 3]! - HAND[0], out[m * 3 + 1]! - HAND[1], out[m * 3 + 2]! - HAND[2])).toBeLessThan(20);
      expect(out[e * 3]!).toBeLessThan(out[m * 3]! - 10);
    }
    // Upper arm wider than the forearm, the forearm by the cuff about the wrist's width, narrower than the hand.
    expect(widths[0]!).toBeGreaterThan(widths[2]!);
    // The wrist is about 0.6 of the hand's 17 px: 10 px, a forearm's contour and an edge pixel more by the cuff.
    expect(widths[2]!).toBeGreaterThanOrEqual(9);
    expect(widths[2]!).toBeLessThanOrEqual(14);
    expect(widths[2]!).toBeLessThan(2 * HAND_HW);
  });

  it('shades the arm darkest on its inner side (towards the body) and less so on its outer side', () => {
    const { a, outline, hole, skinSrc } = scene(true);
    const out = new Float32Array(W * H * 3);
    const fill = fillArms(a, outline, hole, skinSrc, out);
    // The body lies to the image's left of this arm (its shoulders at x 60 and -40).
    for (const y of [40, 100]) {
      let x0 = -1, x1 = -1;
      for (let x = 0; x < W; x++) if (fill.done[y * W + x]) { if (x0 < 0) x0 = x; x1 = x; }
      const lum = (x: number) => { const i = y * W + x; return 0.299 * out[i * 3]! + 0.587 * out[i * 3 + 1]! + 0.114 * out[i * 3 + 2]!; };
      const lit = Math.max(...Array.from({ length: x1 - x0 + 1 }, (_, k) => lum(x0 + k)));
      expect(lum(x0), `row ${y}`).toBeLessThan(0.78 * lit);
      expect(lum(x1), `row ${y}`).toBeGreaterThan(lum(x0) + 0.06 * lit);
      expect(lum(x1), `row ${y}`).toBeLessThan(0.92 * lit);
      // A faint sheen along the lit line: paler there (the light's colour mixed in) than at the outer edge.
      const sat = (x: number) => { const i = y * W + x; return (out[i * 3]! - out[i * 3 + 2]!) / out[i * 3]!; };
      let litX = x0;
      for (let x = x0; x <= x1; x++) if (lum(x) > lum(litX)) litX = x;
      expect(sat(litX), `row ${y}`).toBeLessThan(sat(x1) - 0.02);
    }
  });

  it('draws the arm in front of the torso\'s corner by the shoulder, and turns the corner standing out beyond the arm to backdrop', () => {
    const outline = leftArmOutline(W, H, [22, 20], [20, 18]);
    // The torso reaches out past the shoulder joint (x 60) to x 75, from well above the joint down.
    for (let y = 2; y < 200; y++) for (let x = 0; x <= 75; x++) outline.torsoInner[y * W + x] = 1;
    const { a, hole, skinSrc } = paintScene(W, H, (x, y) => {
      if (y >= 180 && y < 215 && Math.abs(x - 60) <= HAND_HW) return { c: HAND, label: L.hands };
      if ((y >= 2 && y < 200 && x <= 75) || (y >= 20 && y < 180 && Math.abs(x - 60) <= 21)) return { c: [30, 30, 50], label: L.torso_clothing, hole: true };
      return null;
    });
    const fill = fillArms(a, outline, hole, skinSrc, new Float32Array(W * H * 3));
    const at = (x: number, y: number) => y * W + x;
    // The torso's corner above the arm's round top and beside its outer edge: backdrop.
    expect(fill.outside[at(73, 11)]).toBe(1);
    expect(fill.outside[at(75, 40)]).toBe(1);
    // Just inside the joint, above the shoulder's line rising from the round top towards the neck: backdrop;
    // further in, under that line: the torso's.
    expect(fill.outside[at(57, 3)]).toBe(1);
    expect(fill.done[at(50, 8)] + fill.outside[at(50, 8)]).toBe(0);
    // By the joint the arm is drawn over the torso; the torso well inside the arm stays the torso's.
    expect(fill.done[at(55, 25)]).toBe(1);
    expect(fill.done[at(30, 60)] + fill.outside[at(30, 60)]).toBe(0);
    expect(fill.done[at(30, 12)] + fill.outside[at(30, 12)]).toBe(0);
  });

  it('marks the drawn arm below the shoulder joint as a limb in front of the torso, not its round top over the joint', () => {
    const { a, outline, hole, skinSrc } = scene(true);
    const fill = fillArms(a, outline, hole, skinSrc, new Float32Array(W * H * 3));
    const at = (x: number, y: number) => y * W + x;
    // The upper arm runs from the joint at y 20 to the elbow at y 100 (the render cuts it at a garment's armpits).
    for (const y of [24, 60, 100, 150]) expect(fill.limb[at(60, y)], `row ${y}`).toBe(1);
    // The joint's row is the round top's: drawn, not a limb.
    expect(fill.done[at(60, 20)]).toBe(1);
    for (let x = 0; x < W; x++) expect(fill.limb[at(x, 20)], `x ${x}`).toBe(0);
    // Only what was drawn as arm.
    for (let i = 0; i < W * H; i++) if (fill.limb[i]) expect(fill.done[i]).toBe(1);
  });

  it('follows an arm\'s outline, not a straight taper: narrower above the biceps and at the elbow than at the forearm\'s top', () => {
    const elbow = 100, total = 200;
    const f = (t: number) => armContour(t, elbow, total);
    // Deltoid, the narrowing below it, the biceps, the elbow; the forearm widest a quarter down.
    expect(f(45)).toBeLessThan(f(15) - 0.1);
    expect(f(70)).toBeGreaterThan(f(45) + 0.03);
    expect(f(100)).toBeLessThan(f(70) - 0.1);
    expect(f(125)).toBeGreaterThan(f(100) + 0.1);
    expect(f(200)).toBeCloseTo(1, 5);
    // Smooth: no step between neighbouring pixels anywhere along it.
    for (let t = 0; t < total; t++) expect(Math.abs(f(t + 1) - f(t))).toBeLessThan(0.02);
    // Drawn so: the elbow's row narrower than the forearm's a quarter down (a hand wide enough for a
    // pixel's difference).
    const { a, outline, hole, skinSrc } = scene(true, 12);
    const fill = fillArms(a, outline, hole, skinSrc, new Float32Array(W * H * 3));
    const width = (y: number) => { let n = 0; for (let x = 0; x < W; x++) n += fill.done[y * W + x]!; return n; };
    expect(width(120)).toBeGreaterThan(width(100));
  });

  it('anti-aliases the drawn edge by the share of each pixel inside it: partly covered pixels only at the two edges', () => {
    const { a, outline, hole, skinSrc } = scene(true);
    const fill = fillArms(a, outline, hole, skinSrc, new Float32Array(W * H * 3));
    let partial = 0, edges = 0;
    for (const y of [40, 70, 100, 130, 160]) {
      let x0 = -1, x1 = -1;
      for (let x = 0; x < W; x++) if (fill.done[y * W + x]) { if (x0 < 0) x0 = x; x1 = x; }
      for (const x of [x0, x1]) { edges++; if (fill.cover[y * W + x]! < 1) partial++; }
      // Inside, whole pixels; no share outside 0..1.
      for (let x = x0 + 2; x <= x1 - 2; x++) expect(fill.cover[y * W + x], `row ${y} x ${x}`).toBe(1);
      for (let x = 0; x < W; x++) expect(fill.cover[y * W + x]!).toBeGreaterThan(0);
    }
    // A straight edge crosses pixel centres at arbitrary offsets: most edge pixels are partly covered.
    expect(partial / edges).toBeGreaterThanOrEqual(0.6);
  });

  it('keeps the drawn arm inside its sleeve\'s silhouette where the sleeve is narrower than an arm\'s outline', () => {
    const outline = leftArmOutline(W, H, [22, 20], [20, 18]);
    // A narrow sleeve (15 px across) around a wide wrist: the arm's outline would stand out of it.
    const { a, hole, skinSrc } = paintScene(W, H, (x, y) => {
      if (y >= 20 && y < 180 && Math.abs(x - 60) <= 7) return { c: [30, 30, 50], label: L.torso_clothing, hole: true };
      if (y >= 180 && y < 215 && Math.abs(x - 60) <= HAND_HW + 3) return { c: HAND, label: L.hands };
      return null;
    });
    // The old top's fringe beside the sleeve (outside the person) is offered as well.
    const beside = new Uint8Array(W * H);
    for (let y = 20; y < 180; y++) for (let x = 50; x <= 70; x++) if (!hole[y * W + x]) beside[y * W + x] = 1;
    const fill = fillArms(a, outline, hole, skinSrc, new Float32Array(W * H * 3), beside);
    let drawn = 0;
    for (let i = 0; i < W * H; i++) {
      if (!fill.done[i]) continue;
      drawn++;
      expect(hole[i], `pixel ${i % W},${(i / W) | 0}`).toBe(1);
    }
    expect(drawn).toBeGreaterThan(100 * 12);
  });

  it('bridges a notch in the sleeve\'s outline (a fold) with a smooth arm, not a step', () => {
    const outline = leftArmOutline(W, H, [22, 20], [20, 18]);
    // A narrow sleeve whose outer edge (the image's right, away from the body) steps in by 4 px over ten rows.
    const { a, hole, skinSrc } = paintScene(W, H, (x, y) => {
      const right = y >= 90 && y < 100 ? 63 : 67;
      if (y >= 20 && y < 180 && x >= 53 && x <= right) return { c: [30, 30, 50], label: L.torso_clothing, hole: true };
      if (y >= 180 && y < 215 && Math.abs(x - 60) <= HAND_HW + 3) return { c: HAND, label: L.hands };
      return null;
    });
    const fill = fillArms(a, outline, hole, skinSrc, new Float32Array(W * H * 3));
    const edge = (y: number) => { let x1 = -1; for (let x = 0; x < W; x++) if (fill.done[y * W + x]) x1 = x; return x1; };
    for (let y = 40; y < 170; y++) {
      expect(edge(y), `row ${y}`).toBeGreaterThan(0);
      expect(Math.abs(edge(y + 1) - edge(y)), `rows ${y}–${y + 1}`).toBeLessThanOrEqual(1);
    }
  });

  it('meets the hand without a line: the cuff\'s dark fringe on the hand is replaced, the arm above turns to the hand\'s colour', () => {
    const outline = leftArmOutline(W, H, [22, 20], [20, 18]);
    const SHADE = [120, 84, 66] as const;
    const { a, hole, skinSrc } = paintScene(W, H, (x, y) => {
      if (y >= 20 && y < 180 && Math.abs(x - 60) <= 21) return { c: [30, 30, 50], label: L.torso_clothing, hole: true };
      // The hand: a dark fringe row under the cuff, then the cuff's shadow, then its lit tone.
      if (y >= 180 && y < 215 && Math.abs(x - 60) <= HAND_HW) return { c: y === 180 ? [60, 45, 45] : y < 186 ? SHADE : HAND, label: L.hands };
      return null;
    });
    const out = new Float32Array(W * H * 3);
    const fill = fillArms(a, outline, hole, skinSrc, out);
    const lum = (c: ArrayLike<number>) => 0.299 * c[0]! + 0.587 * c[1]! + 0.114 * c[2]!;
    for (const x of [56, 58, 60]) {
      const f = 180 * W + x;
      expect(fill.done[f], `x ${x}`).toBe(1);
      expect(lum([out[f * 3]!, out[f * 3 + 1]!, out[f * 3 + 2]!]), `x ${x}`).toBeGreaterThan(lum(SHADE) - 8);
      // The drawn arm's last row above the cuff is near the shaded hand below it, not its lit tone.
      const i = 179 * W + x;
      expect(Math.hypot(out[i * 3]! - SHADE[0], out[i * 3 + 1]! - SHADE[1], out[i * 3 + 2]! - SHADE[2]), `x ${x}`).toBeLessThan(25);
    }
  });

  it('draws nothing when the hand does not show (the torso\'s fill takes the sleeve)', () => {
    const { a, outline, hole, skinSrc } = scene(false);
    const fill = fillArms(a, outline, hole, skinSrc, new Float32Array(W * H * 3));
    expect(fill.done.reduce((s, v) => s + v, 0)).toBe(0);
    expect(fill.outside.reduce((s, v) => s + v, 0)).toBe(0);
  });
});
