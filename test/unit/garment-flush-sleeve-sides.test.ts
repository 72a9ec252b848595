// Long sleeves lying flush along the body, found on both sides when only one sleeve's outer edge is a
// little concave (09290's left sleeve): that shallow dent is not an armpit, the sleeve is still flush.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScoredPoint } from '../../src/pipeline/types.js';
import { drawOutline, landmarkError, landmarksOf, type P } from './garment-outline.js';
// Unit frame as in scripts/make-samples.ts (flush-longsleeve): centre x = 0, y down. The image-right
// sleeve (wearer's left) runs in a little below its shoulder, at (199, 260), before going out to its
// cuff: a dent ~1.3% of the garment's height deep, where a straight edge is 7 units further out.
const RIGHT: P[] = [[0, 66], [40, 58], [68, 38], [85, 18], [175, 45], [200, 150], [199, 260], [214, 400], [222, 560], [152, 560], [152, 530], [0, 530]];
const LEFT: P[] = [[-85, 18], [-175, 45], [-200, 150], [-214, 400], [-222, 560], [-152, 560], [-152, 530]];
const OUTLINE: P[] = [...RIGHT, ...LEFT.reverse()];
const TRUTH: Record<string, P> = {
  armpit_left: [160, 175],
  armpit_right: [-160, 175],
  sleeve_left_outer: [222, 560],
  sleeve_left_inner: [152, 560],
  sleeve_right_outer: [-222, 560],
  sleeve_right_inner: [-152, 560],
  hem_left: [152, 530],
  hem_right: [-152, 530],
};

const drawn = drawOutline(OUTLINE);
const { tx, scale } = drawn;
// The seams between sleeves and body: the only sign of the armpits inside the garment.
const seams = [1, -1]
  .map((k) => {
    const a = tx([k * 160, 175]), b = tx([k * 152, 530]);
    return `<path d="M${a[0]},${a[1]} L${b[0]},${b[1]}" stroke="#000" stroke-opacity="0.35" stroke-width="${3 * scale}"/>`;
  })
  .join('');

let marks: Record<string, ScoredPoint>;

beforeAll(async () => {
  marks = await landmarksOf(drawn, 'fill="#e59aa6"', seams);
});

describe('flush long sleeves, one outer edge slightly concave', () => {
  it.each(Object.keys(TRUTH))('%s within 3% of the garment height of the truth', (name) => {
    expect(landmarkError(drawn, TRUTH[name]!, marks[name]!)).toBeLessThanOrEqual(0.03);
  });

  it('each sleeve has a cuff as wide as drawn (it does not collapse onto the armpit)', () => {
    for (const side of ['left', 'right']) {
      const o = marks[`sleeve_${side}_outer`]!, i = marks[`sleeve_${side}_inner`]!;
      expect(Math.abs(o.x - i.x) / (70 * scale), side).toBeGreaterThan(0.8);
    }
  });
});
