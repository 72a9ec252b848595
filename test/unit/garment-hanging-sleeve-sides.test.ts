// Long sleeves hanging straight down beside the body, a narrow slit between each sleeve and the flank
// (a shirt photographed flat with its arms down): the cuff's outer corner is the one away from the
// body. Found the other way round, the sleeve's strip crossed itself and the sleeve drew as a swirl.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScoredPoint } from '../../src/pipeline/types.js';
import { drawOutline, landmarkError, landmarksOf, type P } from './garment-outline.js';

// Unit frame as in scripts/make-samples.ts: centre x = 0, y down; the image-right side is the wearer's left.
const RIGHT: P[] = [[0, 66], [40, 58], [68, 38], [85, 18], [178, 48], [196, 150], [206, 560], [134, 560], [128, 185], [114, 200], [112, 520], [0, 520]];
const LEFT: P[] = RIGHT.slice(1, -1).map(([x, y]) => [-x, y]);
const OUTLINE: P[] = [...RIGHT, ...LEFT.reverse()];
const TRUTH: Record<string, P> = {
  sleeve_left_outer: [206, 560],
  sleeve_left_inner: [134, 560],
  sleeve_right_outer: [-206, 560],
  sleeve_right_inner: [-134, 560],
};

const drawn = drawOutline(OUTLINE);
let marks: Record<string, ScoredPoint>;

beforeAll(async () => {
  marks = await landmarksOf(drawn, 'fill="#d98b95"');
});

describe('long sleeves hanging beside the body', () => {
  it.each(Object.keys(TRUTH))('%s within 3% of the garment height of the truth', (name) => {
    expect(landmarkError(drawn, TRUTH[name]!, marks[name]!)).toBeLessThanOrEqual(0.03);
  });

  it('the outer cuff corner is further from the centre line than the inner one', () => {
    const cx = drawn.tx([0, 0])[0];
    for (const side of ['left', 'right']) {
      const o = marks[`sleeve_${side}_outer`]!, i = marks[`sleeve_${side}_inner`]!;
      expect(Math.abs(o.x - cx) - Math.abs(i.x - cx), side).toBeGreaterThan(40 * drawn.scale);
    }
  });

  it('the shoulder is on the top edge, above the armpit', () => {
    for (const side of ['left', 'right']) {
      expect(marks[`shoulder_${side}`]!.y, side).toBeLessThan(marks[`armpit_${side}`]!.y);
      expect(landmarkError(drawn, [side === 'left' ? 178 : -178, 48], marks[`shoulder_${side}`]!), side).toBeLessThanOrEqual(0.04);
    }
  });
});
