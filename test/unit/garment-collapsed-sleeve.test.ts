// One sleeve's outline broken by a white stripe cut out with the backdrop (09266's right sleeve): its
// cuff collapsed to one point and its armhole was a guess, and the sleeve drew as a smear. A product
// photo's sleeves are mirror images: the broken one takes the other's landmarks, mirrored.
import { describe, expect, it } from 'vitest';
import { mirrorCollapsedSleeve } from '../../src/pipeline/garment/landmarks.js';
import type { ScoredPoint } from '../../src/pipeline/types.js';

const sp = (x: number, y: number, score: number): ScoredPoint => ({ x, y, score });
const found = (): Record<string, ScoredPoint> => ({
  shoulder_left: sp(621, 184, 0.6), armpit_left: sp(505, 336, 0.69), sleeve_left_outer: sp(675, 853, 0.8), sleeve_left_inner: sp(593, 863, 0.8),
  shoulder_right: sp(117, 204, 0.6), armpit_right: sp(245, 406, 0.25), sleeve_right_outer: sp(76, 791, 0.4), sleeve_right_inner: sp(76, 791, 0.4),
});

describe('mirrorCollapsedSleeve', () => {
  it('gives a sleeve whose cuff collapsed to a point the other sleeve\'s landmarks mirrored about the neck, scored lower', () => {
    const m = found();
    mirrorCollapsedSleeve(m, 372, 500);
    expect(m.sleeve_right_outer).toEqual({ x: 2 * 372 - 675, y: 853, score: 0.64 });
    expect(m.sleeve_right_inner).toEqual({ x: 2 * 372 - 593, y: 863, score: 0.64 });
    expect(m.armpit_right!.x).toBe(2 * 372 - 505);
    expect(m.shoulder_right!.y).toBe(184);
    // The outer corner stays away from the body; the good side is untouched.
    expect(m.sleeve_right_outer!.x).toBeLessThan(m.sleeve_right_inner!.x);
    expect(m.sleeve_left_outer).toEqual(sp(675, 853, 0.8));
  });

  it('leaves a narrow cuff that is not a point as found (a short sleeve\'s, a tenth as wide as the other)', () => {
    const m = found();
    m.sleeve_right_outer = sp(71, 321, 0.9);
    m.sleeve_right_inner = sp(78, 331, 0.9);
    m.sleeve_left_outer = sp(696, 319, 0.9);
    m.sleeve_left_inner = sp(585, 399, 0.9);
    const before = structuredClone(m);
    mirrorCollapsedSleeve(m, 384, 470);
    expect(m).toEqual(before);
  });

  it('leaves two sleeves of similar cuffs, and two sleeveless sides, as found', () => {
    const m = found();
    m.sleeve_right_outer = sp(70, 850, 0.8);
    m.sleeve_right_inner = sp(150, 860, 0.8);
    const before = structuredClone(m);
    mirrorCollapsedSleeve(m, 372, 500);
    expect(m).toEqual(before);
    // Sleeveless: both cuffs scored as absent.
    const t = found();
    for (const k of ['sleeve_left_outer', 'sleeve_left_inner', 'sleeve_right_outer', 'sleeve_right_inner']) t[k] = { ...t[k]!, score: 0.05 };
    const tb = structuredClone(t);
    mirrorCollapsedSleeve(t, 372, 500);
    expect(t).toEqual(tb);
  });
});
