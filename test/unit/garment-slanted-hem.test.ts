// A tee laid flat with its sleeves out whose sleeve hems run straight on into the armpits (09164): no
// underarm edge between cuff and armpit. Taken across the sleeve's axis, such a hem showed only its
// outer corner, the cuff had no width, and the warped hem drew a line of backdrop across the arm.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScoredPoint } from '../../src/pipeline/types.js';
import { drawOutline, landmarkError, landmarksOf, type P } from './garment-outline.js';

// Unit frame: centre x = 0, y down; the image-right half (wearer's left), mirrored.
const RIGHT: P[] = [[0, 30], [40, 22], [70, 0], [150, 14], [250, 150], [160, 200], [166, 560], [0, 560]];
const OUTLINE: P[] = [...RIGHT, ...RIGHT.slice(1, -1).reverse().map(([x, y]): P => [-x, y])];
const OUTER: P = [250, 150], ARMPIT: P = [160, 200];

const drawn = drawOutline(OUTLINE, 0.95);
let marks: Record<string, ScoredPoint>;

beforeAll(async () => {
  marks = await landmarksOf(drawn, 'fill="#1c1c1c"');
});

describe('sleeve hems slanted straight into the armpits', () => {
  const hem = Math.hypot(OUTER[0] - ARMPIT[0], OUTER[1] - ARMPIT[1]) * drawn.scale;

  it.each(['left', 'right'])('the %s cuff spans most of the hem, its inner corner on the hem line', (side) => {
    const k = side === 'left' ? 1 : -1;
    const o = marks[`sleeve_${side}_outer`]!, i = marks[`sleeve_${side}_inner`]!;
    expect(landmarkError(drawn, [k * OUTER[0], OUTER[1]], o)).toBeLessThanOrEqual(0.02);
    expect(landmarkError(drawn, [k * ARMPIT[0], ARMPIT[1]], marks[`armpit_${side}`]!)).toBeLessThanOrEqual(0.04);
    const width = Math.hypot(o.x - i.x, o.y - i.y);
    expect(width / hem).toBeGreaterThan(0.6);
    expect(width / hem).toBeLessThan(0.9);
    // Off the straight hem by at most 1% of the garment's height.
    const [ax, ay] = drawn.tx([k * OUTER[0], OUTER[1]]), [bx, by] = drawn.tx([k * ARMPIT[0], ARMPIT[1]]);
    const off = Math.abs((bx - ax) * (i.y - ay) - (by - ay) * (i.x - ax)) / Math.hypot(bx - ax, by - ay);
    expect(off / drawn.height).toBeLessThanOrEqual(0.01);
  });
});

describe('one sleeve hem slanted into the armpit, the other a cuff across its sleeve', () => {
  // The image-left sleeve (wearer's right) has a cuff across it, then an underarm edge to the armpit.
  const LEFT: P[] = [[-70, 0], [-150, 14], [-262, 138], [-222, 192], [-160, 200], [-166, 560], [0, 560]];
  const outline: P[] = [...RIGHT.slice(0, -1), ...LEFT.slice(0, -1).reverse(), [-40, 22]];
  const g = drawOutline(outline, 0.95);
  let m: Record<string, ScoredPoint>;
  beforeAll(async () => {
    m = await landmarksOf(g, 'fill="#1c1c1c"');
  });

  it('finds the cuff across its sleeve; the one slanted cuff is not run along its hem but left collapsed, and so takes the other sleeve\'s cuff mirrored (alone it is more likely a broken cut-out than the design)', () => {
    expect(landmarkError(g, [-262, 138], m.sleeve_right_outer!)).toBeLessThanOrEqual(0.03);
    expect(landmarkError(g, [-222, 192], m.sleeve_right_inner!)).toBeLessThanOrEqual(0.03);
    // Mirrored, not HEM_REACH along its own hem (about 5% of the height away from the mirrored corner).
    expect(landmarkError(g, [222, 192], m.sleeve_left_inner!)).toBeLessThanOrEqual(0.03);
    expect(landmarkError(g, [262, 138], m.sleeve_left_outer!)).toBeLessThanOrEqual(0.03);
  });
});
