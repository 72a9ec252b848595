// A thin run of "top" beside a hanging arm below the old top's hem (the shadow between the arm and the lower clothing) is
// not the top; a thin run above the hem (the top's own side or a strap) and a cuff at the wrist are.
import { describe, expect, it } from 'vitest';
import { dropArmSlivers } from '../../src/pipeline/person/layers/old-clothing.js';
import { PARSE_LABELS as L } from '../../src/pipeline/types.js';

const W = 160, H = 300;

/** The top: rows 20–119 across x 30–109; a 3-px run of it at x 110–112 from row 20 to 279 beside an arm (x 113–130) down to a hand (rows 220–279). */
function scene() {
  const lab = new Uint8Array(W * H), isTop = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (y >= 20 && y < 120 && x >= 30 && x < 110) { lab[i] = L.torso_clothing; isTop[i] = 1; }
      else if (y >= 20 && y < 280 && x >= 110 && x < 113) { lab[i] = L.torso_clothing; isTop[i] = 1; }
      else if (y >= 20 && y < 280 && x >= 113 && x < 131) lab[i] = y < 220 ? L.left_arm : L.hands;
      else if (y >= 120 && x >= 30 && x < 110) lab[i] = L.lower_clothing;
    }
  }
  return { lab, isTop };
}

describe('dropArmSlivers', () => {
  it('drops the thin run below the hem beside the arm and the hand, keeps it above the hem and at the wrist', () => {
    const { lab, isTop } = scene();
    dropArmSlivers(isTop, lab, W, H, 2, 60, [{ x: 121, y: 222 }], 15);
    const at = (y: number) => isTop[y * W + 111];
    // Above the hem (row 119) and in its shadow just below (4r rows): the top's.
    for (const y of [30, 80, 118, 124]) expect(at(y), `row ${y}`).toBe(1);
    // Below: beside the arm, and beside the hand away from the wrist, it is not.
    for (const y of [140, 180, 210, 260, 275]) expect(at(y), `row ${y}`).toBe(0);
    // At the wrist (within 15 px of it) beside the hand: a cuff, kept.
    for (const y of [222, 230]) expect(at(y), `row ${y}`).toBe(1);
    // The top's body is untouched.
    expect(isTop[60 * W + 60]).toBe(1);
    expect(isTop[119 * W + 60]).toBe(1);
  });
});
