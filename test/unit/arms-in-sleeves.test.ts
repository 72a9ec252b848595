// Where an arm counts as inside its sleeve, at the armpit of an arm slanting out from the body.
import { describe, expect, it } from 'vitest';
import { armsInSleeves } from '../../src/pipeline/composite/arms-in-sleeves.js';
import type { SleeveTarget } from '../../src/pipeline/warp/targets.js';

const W = 200, H = 300;
/** The wearer's right arm (image left) from above the shoulder down and out: 0.3 px out per px down. */
const sleeve: SleeveTarget = {
  side: 'right',
  garment: { capOuter: { x: 0, y: 0 }, capInner: { x: 0, y: 0 }, cuffOuter: { x: 0, y: 0 }, cuffInner: { x: 0, y: 0 } },
  capOuter: { x: 90, y: 60 },
  capInner: { x: 104, y: 100 },
  arm: [{ x: 110, y: 40 }, { x: 104, y: 60 }, { x: 80, y: 140 }, { x: 56, y: 220 }],
  cuffAt: 200,
  halfWidth: [14, 14, 13, 12],
};

describe('armsInSleeves', () => {
  it('marks the arm from the row where the arms layer fades in at the armpit, on the body’s side too', () => {
    const fade = 3;
    const m = armsInSleeves([sleeve], W, H, fade)!;
    const pit = sleeve.capInner;
    // Just below the armpit's row on the body's side of the arm: the line across the slanting arm
    // passes below these, the arms layer's cut (a row) above them. Unmarked, they showed as a wedge of skin.
    for (const [x, y] of [[pit.x + 4, pit.y + 1], [pit.x + 8, pit.y - 2], [pit.x, pit.y - fade]]) expect(m[y! * W + x!]).toBe(1);
    // Nothing above the fade on the body's side of the armpit (where the neckline's skin is).
    for (let x = pit.x; x < W; x++) for (let y = 0; y < pit.y - fade; y++) if (m[y * W + x]) expect.unreachable(`marked above the armpit at ${x},${y}`);
    // Without the fade, from the armpit's row down.
    const m0 = armsInSleeves([sleeve], W, H)!;
    expect(m0[(pit.y + 1) * W + pit.x + 4]).toBe(1);
    expect(m0[(pit.y - 2) * W + pit.x + 8]).toBe(0);
  });
});
