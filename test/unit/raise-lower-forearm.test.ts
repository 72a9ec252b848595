// The lower clothing raised to a shorter garment's hem stays behind a forearm hanging in front of the strip.
import { describe, expect, it } from 'vitest';
import { raiseLowerClothing } from '../../src/pipeline/composite/raise-lower.js';
import { PARSE_LABELS as L, type ModelAnalysis, type ModelLayers, type RgbaImage } from '../../src/pipeline/types.js';

const W = 200, H = 300;
const kp = (x: number, y: number) => ({ x, y, score: 0.9 });

describe('raiseLowerClothing', () => {
  it('paints the strip across the torso but not over a forearm synthesised in front of it', () => {
    const img = new Uint8Array(W * H * 4).fill(235), lab = new Uint8Array(W * H);
    const old = new Uint8Array(W * H), body = new Uint8Array(W * H), skin = new Uint8Array(W * H);
    const panel: RgbaImage = { width: W, height: H, data: new Uint8Array(W * H * 4) };
    for (let y = 40; y < H; y++) {
      for (let x = 30; x < 170; x++) {
        const i = y * W + x;
        body[i] = 255;
        if (y >= 200) { lab[i] = L.lower_clothing; img.set([40, 60, 110, 255], i * 4); continue; }
        // The old long top down to the jeans, its sleeves over the arms at x 30–49 and 151–169.
        lab[i] = L.torso_clothing; old[i] = 255; img.set([30, 30, 50, 255], i * 4);
        // The new garment ends at y 150; below it the old top's place was filled with skin.
        if (y < 150) panel.data[i * 4 + 3] = 255;
        else skin[i] = 255;
      }
    }
    const model = {
      width: W, height: H, image: { width: W, height: H, data: img }, parsing: { width: W, height: H, data: lab },
      pose: { keypoints: { left_hip: kp(130, 220), right_hip: kp(70, 220), left_elbow: kp(160, 130), right_elbow: kp(40, 130), left_wrist: kp(160, 250), right_wrist: kp(40, 250) } },
      measurements: { torso_length: 180, shoulder_width: 100 },
    } as unknown as ModelAnalysis;
    const layers = { old_clothing: { width: W, height: H, data: old }, body: { width: W, height: H, data: body }, filled_skin: { width: W, height: H, data: skin } } as unknown as ModelLayers;
    const out = new Uint8Array(img);
    const raised = raiseLowerClothing(out, model, layers, panel);
    expect(raised).not.toBeNull();
    // Across the torso the strip just above the jeans is raised jeans.
    expect(raised!.data[190 * W + 100]).toBe(255);
    // Over the forearms (within 0.1 shoulder widths of the elbow–wrist line) it is not.
    for (const x of [36, 44, 156, 164]) expect(raised!.data[190 * W + x], `x ${x}`).toBe(0);
  });
});
