// Where hair meets the top below the chin, labels follow the colours, not the part grid's staircase.
import { describe, expect, it } from 'vitest';
import { hairAgainstTop } from '../../src/pipeline/person/parse.js';
import { PARSE_LABELS as L, type RgbaImage } from '../../src/pipeline/types.js';

const W = 200, H = 200;
type RGB = [number, number, number];
const HAIR: RGB = [120, 80, 50], SKIN: RGB = [225, 195, 170], COLLAR: RGB = [68, 50, 70], TOP: RGB = [180, 165, 195];

/** A head and shoulders with the labels the part grid gives: a dark collar, a strip of neck and the hair's tips on the wrong side. */
function scene(): { img: RgbaImage; lab: Uint8Array } {
  const data = new Uint8Array(W * H * 4), lab = new Uint8Array(W * H);
  const put = (x: number, y: number, c: RGB, l: number) => {
    const i = y * W + x;
    // A little repeatable noise, as a photo has.
    const e = ((Math.imul(x * 73856093 ^ y * 19349663, 0x9e3779b1) >>> 24) % 13) - 6;
    for (let k = 0; k < 3; k++) data[i * 4 + k] = Math.max(0, Math.min(255, c[k]! + e));
    data[i * 4 + 3] = 255;
    lab[i] = l;
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const hairSide = (x >= 20 && x < 70) || (x >= 130 && x < 180);
      if (y < 80 && x >= 70 && x < 130) put(x, y, SKIN, L.face);
      else if (y < 120 && hairSide) put(x, y, HAIR, L.hair);
      // The hair's tips, taken for the top.
      else if (y < 125 && hairSide) put(x, y, HAIR, L.torso_clothing);
      // Neck skin the skin test missed (a strip taken for hair).
      else if (y >= 80 && y < 110 && x >= 80 && x < 90) put(x, y, SKIN, L.hair);
      else if (y >= 80 && y < 110 && x >= 90 && x < 120) put(x, y, SKIN, L.neck);
      // The top's dark collar, taken for hair.
      else if (y >= 110 && y < 116 && x >= 60 && x < 140) put(x, y, COLLAR, L.hair);
      // A print in the collar's colour lower down on the top.
      else if (y >= 150 && y < 170 && x >= 60 && x < 140) put(x, y, COLLAR, L.torso_clothing);
      else if (y >= 110 && x >= 20 && x < 180) put(x, y, TOP, L.torso_clothing);
      else put(x, y, [235, 235, 235], L.background);
    }
  }
  return { img: { width: W, height: H, data }, lab };
}

function share(lab: Uint8Array, x0: number, x1: number, y0: number, y1: number, l: number): number {
  let c = 0, n = 0;
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) { n++; if (lab[y * W + x] === l) c++; }
  return c / n;
}

describe('hairAgainstTop', () => {
  const { img, lab } = scene();
  const before = new Uint8Array(lab);
  hairAgainstTop(img, { width: W, height: H, data: new Uint8Array(W * H).fill(255) }, lab, { x0: 0, y0: 0, x1: W - 1, y1: H - 1 }, 100, 80, { a: { x: 100, y: 70 }, b: { x: 100, y: 115 }, r: 20 });

  it('gives the dark collar taken for hair back to the top', () => {
    expect(share(before, 72, 127, 111, 114, L.hair)).toBe(1);
    expect(share(lab, 72, 127, 111, 114, L.torso_clothing)).toBeGreaterThanOrEqual(0.9);
  });

  it('gives neck skin taken for hair to the neck', () => {
    expect(share(lab, 81, 88, 82, 108, L.neck)).toBeGreaterThanOrEqual(0.9);
  });

  it('gives the hair tips taken for the top back to the hair', () => {
    expect(share(lab, 22, 67, 120, 124, L.hair)).toBeGreaterThanOrEqual(0.9);
  });

  it('leaves the hair beside the neck and the top around the collar as they were', () => {
    expect(share(lab, 22, 67, 85, 118, L.hair)).toBe(1);
    expect(share(lab, 75, 125, 117, 140, L.torso_clothing)).toBe(1);
    expect(share(lab, 62, 137, 152, 167, L.torso_clothing)).toBe(1);
  });
});
