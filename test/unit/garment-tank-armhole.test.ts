// A square-neck tank with frilled (wavy) straps whose two armholes differ, as 09133's do: the image-left
// strap curves in before its armhole (a dent in the outline), the image-right strap runs straight out to
// its armpit (no dent: the armhole lies on the hull). The straight side is an armhole too, not a flush
// sleeve whose 'cuff' is the hem corner and whose 'armpit' is found inside the neckline.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScoredPoint } from '../../src/pipeline/types.js';
import { drawOutline, landmarkError, landmarksOf, W, type P } from './garment-outline.js';

/** Points from a to b with a frill: a sine wave of amplitude `amp` across the segment. */
function wavy(a: P, b: P, amp: number, waves: number): P[] {
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
  const nx = -(b[1] - a[1]) / len, ny = (b[0] - a[0]) / len;
  const n = waves * 8;
  return Array.from({ length: n }, (_, k): P => {
    const t = k / n, w = amp * Math.sin(2 * Math.PI * waves * t);
    return [a[0] + t * (b[0] - a[0]) + w * nx, a[1] + t * (b[1] - a[1]) + w * ny];
  });
}

// Unit frame: centre x = 0, y down from the straps' tops. Clockwise from the image-right neck corner.
const OUTLINE: P[] = [
  [150, 0],
  ...wavy([200, 0], [250, 150], 2.5, 6), // image-right strap: straight out to the armpit
  [250, 150],
  [245, 560], // side to the hem corner
  [-245, 560],
  [-250, 150],
  [-212, 135],
  ...wavy([-195, 80], [-200, 0], 2.5, 4), // image-left strap: curves in above its armpit
  [-200, 0],
  [-150, 0],
  [-120, 150], // the square neckline, its bottom edge frilled
  ...wavy([-120, 150], [120, 150], 2, 10),
  [120, 150],
  [126, 75], // the image-right strap's inner edge bows in: a dent inside the neckline, not an armhole
];
const TRUTH: Record<string, P> = {
  // The flat bottom of the square neck is deepest anywhere along it: its front is at the centre line.
  neck_front: [0, 150],
  shoulder_left: [200, 0],
  shoulder_right: [-200, 0],
  armpit_left: [250, 150],
  armpit_right: [-250, 150],
  // Sleeveless: sleeve points sit on the shoulder and the armpit.
  sleeve_left_outer: [200, 0],
  sleeve_left_inner: [250, 150],
  sleeve_right_outer: [-200, 0],
  sleeve_right_inner: [-250, 150],
  hem_left: [245, 560],
  hem_right: [-245, 560],
};

const drawn = drawOutline(OUTLINE, 0.4);
const { scale } = drawn;

let marks: Record<string, ScoredPoint>;

beforeAll(async () => {
  marks = await landmarksOf(drawn, 'fill="#fafafa" stroke="#ddd" stroke-width="2"');
});

describe('square-neck tank, one armhole dented and one straight', () => {
  it.each(Object.keys(TRUTH))('%s within 3% of the garment height of the truth', (name) => {
    expect(landmarkError(drawn, TRUTH[name]!, marks[name]!)).toBeLessThanOrEqual(0.03);
  });

  it('no armpit lies on the neckline between the straps', () => {
    for (const side of ['left', 'right']) {
      const a = marks[`armpit_${side}`]!;
      expect(Math.abs(a.x - W / 2) / scale, side).toBeGreaterThan(150);
    }
  });
});
