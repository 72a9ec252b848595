// A neckline corner whose proportions put it above the shoulder rests on it, also where hair covers the shoulder.
import { describe, expect, it } from 'vitest';
import { necklineKnee, ontoShoulder } from '../../src/pipeline/warp/targets.js';
import { PARSE_LABELS as L, type ModelAnalysis } from '../../src/pipeline/types.js';

const W = 200, H = 200, S = 100;

/** The person from y = 100 down (shoulder line level at y = 100); hair beside the neck and over the left shoulder from y = 40. */
function model(): ModelAnalysis {
  const mask = new Uint8Array(W * H), lab = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const i = y * W + x;
    if (y >= 100) { mask[i] = 255; lab[i] = L.torso_clothing; }
    if (x >= 110 && x < 170 && y >= 40 && y < 130) { mask[i] = 255; lab[i] = L.hair; }
  }
  return {
    width: W, height: H, mask: { width: W, height: H, data: mask }, parsing: { width: W, height: H, data: lab },
    measurements: { shoulder_width: S, shoulder_left: { x: 150, y: 100 }, shoulder_right: { x: 50, y: 100 } },
  } as unknown as ModelAnalysis;
}

describe('ontoShoulder', () => {
  it('moves a corner in the air down onto the body', () => {
    expect(ontoShoulder(model(), { x: 80, y: 70 }, 40)).toEqual({ x: 80, y: 100 });
  });

  it('on hair over the shoulder, no higher than just above the shoulder line (12% of the shoulders)', () => {
    // Before, a corner on the hair stayed where it was: a strap's horn in the air above the shoulder.
    const p = ontoShoulder(model(), { x: 140, y: 50 }, 40);
    expect(p.x).toBe(140);
    expect(p.y).toBeCloseTo(100 - 0.12 * S, 6);
    // Lower down already: left alone.
    expect(ontoShoulder(model(), { x: 140, y: 95 }, 40)).toEqual({ x: 140, y: 95 });
  });

  it('leaves a high collar’s corner beside the neck where it is, hair or not (a turtleneck would drop off the neck)', () => {
    expect(ontoShoulder(model(), { x: 115, y: 50 }, 40)).toEqual({ x: 115, y: 50 });
  });
});

describe('necklineKnee', () => {
  /** A garment filling the frame below its neckline: y = top(x) for x in [40, 160], the frame's top row elsewhere. */
  const garment = (top: (x: number) => number) => {
    const data = new Uint8Array(W * H);
    for (let x = 0; x < W; x++) for (let y = x >= 40 && x <= 160 ? Math.round(top(x)) : 0; y < H; y++) data[y * W + x] = 255;
    return { width: W, height: H, data };
  };
  const corner = { x: 40, y: 20 }, front = { x: 100, y: 110 };

  it('finds a sweetheart’s inner corner: the strap’s inner edge down to the shoulder line, then the curve to the front', () => {
    // Straps' inner edges straight down from y 20 to 80 at x 40–55, then a curve dipping to 110 at the front.
    const mask = garment((x) => {
      const d = Math.abs(x - 100);
      return d >= 45 ? 20 + (60 * (60 - d)) / 15 : 80 + 30 * (1 - d / 45) ** 2;
    });
    const knee = necklineKnee(mask, null, corner, front, 10)!;
    expect(Math.hypot(knee.x - 55, knee.y - 80)).toBeLessThanOrEqual(3);
  });

  it('finds none on a V (the neckline is the chord); looks past the collar’s back filling the opening', () => {
    expect(necklineKnee(garment((x) => 20 + (90 * (60 - Math.abs(x - 100))) / 60), null, corner, front, 10)).toBeNull();
    const sweet = garment((x) => (Math.abs(x - 100) >= 45 ? 20 : 80 + 30 * (1 - Math.abs(x - 100) / 45) ** 2));
    // The back's inside fills the opening up to the corners' height: its pixels are not the neckline.
    const back = new Uint8Array(W * H);
    for (let x = 41; x < 160; x++) for (let y = 20; y < H; y++) if (!sweet.data[y * W + x]) back[y * W + x] = 255, (sweet.data[y * W + x] = 255);
    const knee = necklineKnee(sweet, { width: W, height: H, data: back }, corner, front, 10)!;
    expect(knee.y).toBeGreaterThanOrEqual(78);
  });
});
