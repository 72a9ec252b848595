// Where an arm is inside its sleeve: from the armhole down to the cuff, within reach of the arm's centre line.
import { fillCapsule } from '../person/layers/raster.js';
import type { Point } from '../types.js';
import type { SleeveTarget } from '../warp/targets.js';

/** Reach from the arm's centre line, over the sleeve's half width: the arm's parsed outline strays that far past the tube. */
const REACH = 1.6;
/** Band before the cuff, in the cuff's half widths, marked 2: there the arm may show below a hem drawn short of it. */
const NEAR_CUFF = 1.5;

/**
 * 1 where a pixel is within REACH sleeve half-widths of the arm's centre line, below the armpit and on
 * the shoulder's side of the cuff (the lines across the arm there); 2 in the last NEAR_CUFF half
 * widths before the cuff. An arm pixel there is inside the sleeve: the
 * garment covers it even where the tube, drawn narrower than the parsed arm or off its centre,
 * does not (skin showed as a strip between a long sleeve and the body panel). Null without sleeves.
 */
export function armsInSleeves(sleeves: SleeveTarget[], width: number, height: number, rowFade = 0): Uint8Array | null {
  if (!sleeves.length) return null;
  const m = new Uint8Array(width * height);
  for (const s of sleeves) {
    const arm = s.arm;
    if (arm.length < 2) continue;
    const one = new Uint8Array(width * height);
    const box = { x0: width, y0: height, x1: -1, y1: -1 };
    let run = 0;
    let cuff: Point | null = null, dir: Point | null = null;
    for (let i = 1; i < arm.length && !cuff; i++) {
      const a = arm[i - 1]!, b = arm[i]!;
      const len = Math.hypot(b.x - a.x, b.y - a.y);
      if (len <= 0) continue;
      const end = run + len >= s.cuffAt ? (s.cuffAt - run) / len : 1;
      const e = { x: a.x + (b.x - a.x) * end, y: a.y + (b.y - a.y) * end };
      const r = REACH * Math.max(s.halfWidth[i - 1]!, s.halfWidth[i]!);
      fillCapsule(one, width, height, a, e, REACH * s.halfWidth[i - 1]!, REACH * s.halfWidth[i]!, 1);
      box.x0 = Math.max(0, Math.min(box.x0, Math.floor(Math.min(a.x, e.x) - r)));
      box.y0 = Math.max(0, Math.min(box.y0, Math.floor(Math.min(a.y, e.y) - r)));
      box.x1 = Math.min(width - 1, Math.max(box.x1, Math.ceil(Math.max(a.x, e.x) + r)));
      box.y1 = Math.min(height - 1, Math.max(box.y1, Math.ceil(Math.max(a.y, e.y) + r)));
      run += len;
      if (end < 1 || i === arm.length - 1) {
        cuff = e;
        dir = { x: (b.x - a.x) / len, y: (b.y - a.y) / len };
      }
    }
    if (!cuff || !dir) continue;
    // From the armpit down: above it the cap hides the arm (and the reach would take in the shoulder's skin by a neckline).
    const a1 = arm[1]!, a2 = arm[Math.min(2, arm.length - 1)]!;
    const l1 = Math.hypot(a2.x - a1.x, a2.y - a1.y) || 1;
    const down = { x: (a2.x - a1.x) / l1, y: (a2.y - a1.y) / l1 };
    const pit = s.capInner;
    const nearCuff = NEAR_CUFF * s.halfWidth[s.halfWidth.length - 1]!;
    for (let y = box.y0; y <= box.y1; y++) {
      for (let x = box.x0; x <= box.x1; x++) {
        const i = y * width + x;
        // From where the arms layer fades in at the armpit's row as well (`rowFade`, see composite): an
        // arm slanting out from the body would otherwise show a wedge of skin between that row and the line across it.
        if (!one[i] || ((x - pit.x) * down.x + (y - pit.y) * down.y < 0 && y < pit.y - rowFade)) continue;
        const before = (cuff.x - x) * dir.x + (cuff.y - y) * dir.y;
        if (before >= 0) m[i] = Math.max(m[i]!, before <= nearCuff ? 2 : 1);
      }
    }
  }
  return m;
}
