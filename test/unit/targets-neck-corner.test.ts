// A neckline corner whose proportions put it above the shoulder rests on it, also where hair covers the shoulder.
import { describe, expect, it } from 'vitest';
import { ontoShoulder } from '../../src/pipeline/warp/targets.js';
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
