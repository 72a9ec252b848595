// A thin run of "top" beside a hanging arm below the old top's hem (the shadow between the arm and the lower clothing), or
// inside the lower clothing (a seam), is not the top; a thin run above the hem (the top's own side or a strap) and a cuff at a
// sleeved wrist are. Beside a bare arm or hand a run a few times as wide is not the top either, nor a "cuff" at a bare wrist.
import { describe, expect, it } from 'vitest';
import { dropThinRuns } from '../../src/pipeline/person/layers/old-clothing.js';
import { PARSE_LABELS as L } from '../../src/pipeline/types.js';

const W = 160, H = 300;

/**
 * The top: rows 20–119 across x 30–109; a 3-px run of it at x 110–112 from row 20 to 279 beside an arm (x 113–130) down to a
 * hand (rows 220–279). With `sleevedWrist`, the forearm's last 30 rows above the hand are a sleeve (not bare arm).
 */
function scene(sleevedWrist = true) {
  const lab = new Uint8Array(W * H), isTop = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (y >= 20 && y < 120 && x >= 30 && x < 110) { lab[i] = L.torso_clothing; isTop[i] = 1; }
      else if (y >= 20 && y < 280 && x >= 110 && x < 113) { lab[i] = L.torso_clothing; isTop[i] = 1; }
      else if (y >= 20 && y < 280 && x >= 113 && x < 131) lab[i] = y >= 220 ? L.hands : sleevedWrist && y >= 190 ? L.torso_clothing : L.left_arm;
      // The lower clothing below the top, with a 2-px seam down it (x 70–71, rows 150–280) that the parsing called the top.
      else if (y >= 150 && y < 280 && (x === 70 || x === 71)) { lab[i] = L.torso_clothing; isTop[i] = 1; }
      else if (y >= 120 && x >= 30 && x < 110) lab[i] = L.lower_clothing;
    }
  }
  return { lab, isTop };
}

describe('dropThinRuns', () => {
  it('drops the thin run below the hem beside the arm and the hand and in the lower clothing, keeps it above the hem and at the wrist', () => {
    const { lab, isTop } = scene();
    dropThinRuns(isTop, lab, W, H, 2, 60, [{ x: 121, y: 222 }], 15);
    const at = (y: number) => isTop[y * W + 111];
    // Above the hem (row 119) and in its shadow just below (4r rows): the top's.
    for (const y of [30, 80, 118, 124]) expect(at(y), `row ${y}`).toBe(1);
    // Below: beside the arm, and beside the hand away from the wrist, it is not.
    for (const y of [140, 180, 260, 275]) expect(at(y), `row ${y}`).toBe(0);
    // At the wrist (within 15 px of it) beside the hand: a cuff, kept.
    for (const y of [222, 230]) expect(at(y), `row ${y}`).toBe(1);
    // The seam inside the lower clothing is not the top either.
    for (const y of [150, 200, 279]) expect(isTop[y * W + 70], `seam row ${y}`).toBe(0);
    // The top's body is untouched.
    expect(isTop[60 * W + 60]).toBe(1);
    expect(isTop[119 * W + 60]).toBe(1);
  });

  it('at a bare wrist there is no cuff: the run beside the hand goes there too', () => {
    const { lab, isTop } = scene(false);
    dropThinRuns(isTop, lab, W, H, 2, 60, [{ x: 121, y: 222 }], 15);
    for (const y of [222, 230]) expect(isTop[y * W + 111], `row ${y}`).toBe(0);
  });

  it('drops a run up to three slivers wide beside a bare arm and hand below the hem, not one away from the limbs', () => {
    // Beside the arm a 12-px run of "top" (x 268–279, the trousers' edge in the arm's shadow); inside the trousers away from
    // the arm, a 10-px run (x 60–69) from row 150.
    const { lab, isTop } = wideScene((x, y) => (x >= 268 && x < 280) || (y >= 150 && x >= 60 && x < 70));
    dropThinRuns(isTop, lab, W2, H, 2, 60, [{ x: 288, y: 222 }], 15);
    for (const y of [140, 200, 250, 275]) for (const x of [268, 273, 279]) expect(isTop[y * W2 + x], `beside the limb (${x}, ${y})`).toBe(0);
    for (const y of [160, 200, 270]) expect(isTop[y * W2 + 64], `away from it, row ${y}`).toBe(1);
    expect(isTop[60 * W2 + 60]).toBe(1);
  });

  it('keeps a run wider than that beside the arm, even where it ends a few rows below the hem', () => {
    // The run beside the arm is 22 px wide (x 258–279) and ends at row 133, a few rows into the checked rows.
    const { lab, isTop } = wideScene((x, y) => y < 134 && x >= 258 && x < 280);
    dropThinRuns(isTop, lab, W2, H, 2, 60, [{ x: 288, y: 222 }], 15);
    for (const y of [128, 131, 133]) for (const x of [258, 268, 279]) expect(isTop[y * W2 + x], `(${x}, ${y})`).toBe(1);
  });
});

const W2 = 320;

/**
 * A top wide enough that runs below it do not move its hem: rows 20–119 across x 20–279; an arm (x 280–297) down to a hand
 * (rows 220–279); below the top the lower clothing (x 20–279), except where `run(x, y)` marks "top".
 */
function wideScene(run: (x: number, y: number) => boolean) {
  const lab = new Uint8Array(W2 * H), isTop = new Uint8Array(W2 * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W2; x++) {
      const i = y * W2 + x;
      if (y >= 20 && y < 120 && x >= 20 && x < 280) { lab[i] = L.torso_clothing; isTop[i] = 1; }
      else if (y >= 20 && y < 280 && x >= 280 && x < 298) lab[i] = y < 220 ? L.left_arm : L.hands;
      else if (y >= 120 && y < 280 && x >= 20 && x < 280) {
        if (run(x, y)) { lab[i] = L.torso_clothing; isTop[i] = 1; } else lab[i] = L.lower_clothing;
      }
    }
  }
  return { lab, isTop };
}
