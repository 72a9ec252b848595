// The lower clothing raised to a shorter garment's hem stays behind a forearm hanging in front of the strip.
import { describe, expect, it } from 'vitest';
import { raiseLowerClothing } from '../../src/pipeline/composite/raise-lower.js';
import { raiseScene } from './raise-scene.js';

const W = 200, H = 300;

describe('raiseLowerClothing', () => {
  it('paints the strip across the torso but not over a forearm synthesised in front of it', () => {
    // The old long top's sleeves over the arms at x 30–49 and 151–169, the forearms hanging in front of the strip.
    const { img, model, layers, panel } = raiseScene(W, H, () => [40, 60, 110], { elbows: [{ x: 160, y: 130 }, { x: 40, y: 130 }], wrists: [{ x: 160, y: 250 }, { x: 40, y: 250 }] });
    const out = new Uint8Array(img);
    const raised = raiseLowerClothing(out, model, layers, panel);
    expect(raised).not.toBeNull();
    // Across the torso the strip just above the jeans is raised jeans.
    expect(raised!.data[190 * W + 100]).toBe(255);
    // Over the forearms (within 0.1 shoulder widths of the elbow–wrist line) it is not.
    for (const x of [36, 44, 156, 164]) expect(raised!.data[190 * W + x], `x ${x}`).toBe(0);
  });
});
