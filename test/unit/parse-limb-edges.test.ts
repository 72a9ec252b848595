// The outline of a bare arm or hand is the limb (or backdrop), not a sleeve: labelled clothing it would
// count as the old top, be filled, and leave a ghosted line along every arm of every render.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NetworkRegistry } from '../../src/inference/registry.js';
import { analyzeModel } from '../../src/pipeline/person/analyze.js';
import { correctedTop } from '../../src/pipeline/person/layers/old-clothing.js';
import { grow } from '../../src/pipeline/person/layers/raster.js';
import { PARSE_LABELS as L, type ModelAnalysis } from '../../src/pipeline/types.js';

const nets = new NetworkRegistry({ networksDir: 'models' });
/** Bare arms against the backdrop; 27 wears a tee whose sleeves must stay clothing. */
const SAMPLES = ['ai-body', 'cgi-model-9', 'cgi-model-23', 'cgi-model-27'];
/** Loaded as well, for the old top along the arms. */
const MORE = ['cgi-model-28', 'cgi-model-13'];
const models = new Map<string, ModelAnalysis>();

beforeAll(async () => {
  for (const s of [...SAMPLES, ...MORE]) models.set(s, await analyzeModel(readFileSync(`samples/models/${s}.jpg`), nets));
}, 300_000);

/** Share of the person's outline pixels beside an arm or hand that are labelled clothing. */
function outlineClothShare(a: ModelAnalysis): { share: number; n: number } {
  const { width: W, height: H } = a;
  const n = W * H, lab = a.parsing.data;
  const outside = new Uint8Array(n), limb = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    outside[i] = a.mask.data[i]! < 128 ? 1 : 0;
    limb[i] = lab[i] === L.left_arm || lab[i] === L.right_arm || lab[i] === L.hands ? 1 : 0;
  }
  const nearOut = grow(outside, W, H, 2), nearLimb = grow(limb, W, H, 3);
  let edge = 0, cloth = 0;
  for (let i = 0; i < n; i++) {
    if (outside[i] || !nearOut[i] || !nearLimb[i]) continue;
    edge++;
    if (lab[i] === L.torso_clothing) cloth++;
  }
  return { share: cloth / edge, n: edge };
}

describe('parsing along bare arms', () => {
  it.each(SAMPLES)('%s: at most 12% of the outline pixels beside a bare arm or hand are called clothing', (s) => {
    // Measured before: 0.42, 0.22, 0.55, 0.54 (the edge's mix of skin and backdrop failed the skin test);
    // 0.14, 0.03, 0.10, 0.14 with a mix taken as one within 24 RGB levels of the line; 0.09, 0.02, 0.02, 0.11 within 40.
    const { share, n } = outlineClothShare(models.get(s)!);
    expect(n).toBeGreaterThan(500);
    expect(share).toBeLessThanOrEqual(0.12);
  });

  it('cgi-model-27: the tee’s sleeves stay clothing', () => {
    const a = models.get('cgi-model-27')!;
    const k = a.pose.keypoints;
    for (const [sh, el] of [[k.left_shoulder, k.left_elbow], [k.right_shoulder, k.right_elbow]] as const) {
      // A quarter of the way down the upper arm: inside a short sleeve.
      const x = Math.round(sh.x + 0.25 * (el.x - sh.x)), y = Math.round(sh.y + 0.25 * (el.y - sh.y));
      let cloth = 0, all = 0;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
        all++;
        if (a.parsing.data[(y + dy) * a.width + x + dx] === L.torso_clothing) cloth++;
      }
      expect(cloth / all).toBeGreaterThanOrEqual(0.8);
    }
  });

  it.each(['ai-body', 'cgi-model-28', 'cgi-model-13'])('%s: the old top does not take the arm’s washed-out outline for its fabric', (s) => {
    // Measured before: 73%, 33%, 24% of these pixels (a white or pale top's chroma is near the edge's).
    const m = models.get(s)!;
    const top = correctedTop(m);
    const n = m.width * m.height, outside = new Uint8Array(n);
    for (let i = 0; i < n; i++) outside[i] = m.mask.data[i]! < 128 ? 1 : 0;
    const near = grow(outside, m.width, m.height, 2);
    let arm = 0, taken = 0;
    for (let i = 0; i < n; i++) {
      if (outside[i] || !near[i] || (m.parsing.data[i] !== L.left_arm && m.parsing.data[i] !== L.right_arm)) continue;
      arm++;
      if (top[i]) taken++;
    }
    expect(arm).toBeGreaterThan(300);
    expect(taken / arm).toBeLessThanOrEqual(0.05);
  });
});
