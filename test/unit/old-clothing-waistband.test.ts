// The parsing's top reaching into the lower clothing's waistband: those pixels are not the old top (not filled with skin).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NetworkRegistry } from '../../src/inference/registry.js';
import { analyzeModel } from '../../src/pipeline/person/analyze.js';
import { correctedTop, dropLimbIslands, dropSpecks } from '../../src/pipeline/person/layers/old-clothing.js';
import { PARSE_LABELS, type ModelAnalysis } from '../../src/pipeline/types.js';

const L = PARSE_LABELS;
let model: ModelAnalysis;

beforeAll(async () => {
  // A purple tee over shorts.
  model = await analyzeModel(readFileSync('samples/models/cgi-model-27.jpg'), new NetworkRegistry({ networksDir: 'models' }));
}, 300_000);

describe('the old top', () => {
  it('leaves out waistband fabric the parsing called top, and keeps the top itself', () => {
    const W = model.width, n = W * model.height;
    const lab = Uint8Array.from(model.parsing.data);
    // Jeans: the shorts recoloured denim blue, their shading kept.
    const img = Uint8Array.from(model.image.data);
    for (let i = 0; i < n; i++) {
      if (lab[i] !== L.lower_clothing) continue;
      const y = (0.299 * img[i * 4]! + 0.587 * img[i * 4 + 1]! + 0.114 * img[i * 4 + 2]!) / 255;
      img[i * 4] = Math.round(70 * y + 40); img[i * 4 + 1] = Math.round(110 * y + 50); img[i * 4 + 2] = Math.round(170 * y + 60);
    }
    // The top rows of the jeans, in every column, relabelled as the top.
    const band = Math.round(0.08 * model.measurements.torso_length);
    const hipY = (model.pose.keypoints.left_hip.y + model.pose.keypoints.right_hip.y) / 2;
    const moved: number[] = [];
    for (let x = 0; x < W; x++) {
      let y0 = -1;
      for (let y = 0; y < model.height; y++) if (lab[y * W + x] === L.lower_clothing) { y0 = y; break; }
      // Columns where the parsing's trousers start at the waist (a few start on the tee's dark hem band).
      if (y0 < hipY - 0.2 * model.measurements.torso_length) continue;
      for (let y = y0; y < y0 + band; y++) if (lab[y * W + x] === L.lower_clothing) { lab[y * W + x] = L.torso_clothing; moved.push(y * W + x); }
    }
    const top = correctedTop({ ...model, image: { ...model.image, data: img }, parsing: { ...model.parsing, data: lab } });
    expect(moved.length).toBeGreaterThan(500);
    const kept = moved.filter((i) => top[i]).length;
    expect(kept / moved.length).toBeLessThan(0.2);
    // The real top is still the top.
    let shirt = 0, shirtTop = 0;
    for (let i = 0; i < n; i++) if (model.parsing.data[i] === L.torso_clothing) { shirt++; if (top[i]) shirtTop++; }
    expect(shirtTop / shirt).toBeGreaterThanOrEqual(0.97);
  });

  it('takes "lower clothing" far above the hips for the top (a dark top over dark jeans), and leaves the trousers', () => {
    const W = model.width, T = model.measurements.torso_length;
    const hipY = (model.pose.keypoints.left_hip.y + model.pose.keypoints.right_hip.y) / 2;
    // The lower half of the tee, down to the hips, called trousers by the parsing (same colour, no edge).
    const lab = Uint8Array.from(model.parsing.data);
    const high: number[] = [], low: number[] = [];
    for (let i = 0; i < lab.length; i++) {
      const y = (i / W) | 0;
      if (lab[i] === L.torso_clothing && y > hipY - 0.5 * T) lab[i] = L.lower_clothing;
      if (lab[i] !== L.lower_clothing) continue;
      if (y < hipY - 0.4 * T) high.push(i);
      else if (y > hipY - 0.1 * T && model.parsing.data[i] === L.lower_clothing) low.push(i);
    }
    const top = correctedTop({ ...model, parsing: { ...model.parsing, data: lab } });
    expect(high.length).toBeGreaterThan(500);
    expect(high.filter((i) => top[i]).length / high.length).toBeGreaterThanOrEqual(0.99);
    expect(low.length).toBeGreaterThan(500);
    expect(low.filter((i) => top[i]).length / low.length).toBeLessThan(0.05);
  });
});

describe('skin by the neck that the parsing gave to the top', () => {
  it('is skin, not the old top, round the shoulder line; the top itself stays top', () => {
    const W = model.width, S = model.measurements.shoulder_width;
    const lab = Uint8Array.from(model.parsing.data);
    const sy = Math.max(model.measurements.shoulder_left.y, model.measurements.shoulder_right.y);
    // Neck and skin pixels just above the shoulder line, and down to 0.05 S below it, called top.
    const moved: number[] = [];
    for (let i = 0; i < lab.length; i++) {
      const y = (i / W) | 0;
      if ((lab[i] === L.neck || lab[i] === L.torso_skin) && y > sy - 0.15 * S && y < sy + 0.05 * S) { lab[i] = L.torso_clothing; moved.push(i); }
    }
    const top = correctedTop({ ...model, parsing: { ...model.parsing, data: lab } });
    expect(moved.length).toBeGreaterThan(100);
    // Before, every one of them was old top, filled as skin or, off the body's outline, as backdrop
    // (1.0); 0.52 now: the shadowed ones under the jaw are further from the skin's median colour.
    expect(moved.filter((i) => top[i]).length / moved.length).toBeLessThan(0.7);
    // The tee itself is still the top, over the shoulders too.
    let shirt = 0, shirtTop = 0;
    for (let i = 0; i < lab.length; i++) if (model.parsing.data[i] === L.torso_clothing) { shirt++; if (top[i]) shirtTop++; }
    expect(shirtTop / shirt).toBeGreaterThanOrEqual(0.97);
  });
});

describe('a plain top over lower clothing of its colour', () => {
  it('goes on down to its hem (an even top, then a shadow line and the jeans\' texture), and the jeans stay', () => {
    const W = model.width, H = model.height, T = model.measurements.torso_length, S = model.measurements.shoulder_width;
    const k = model.pose.keypoints;
    const hipY = (k.left_hip.y + k.right_hip.y) / 2, cx = (k.left_hip.x + k.right_hip.x) / 2;
    const hem = Math.round(hipY - 0.1 * T);
    const img = Uint8Array.from(model.image.data), lab = Uint8Array.from(model.parsing.data);
    const top: number[] = [], jeans: number[] = [];
    for (let y = Math.round(hipY - 0.6 * T); y < Math.min(H, hipY + 0.2 * T); y++) {
      for (let x = Math.round(cx - 0.45 * S); x <= cx + 0.45 * S; x++) {
        const i = y * W + x;
        if (model.mask.data[i]! < 128 || (lab[i] !== L.torso_clothing && lab[i] !== L.lower_clothing)) continue;
        // A navy top with a little grain, its hem's shadow, then textured dark denim.
        const e = ((x * 7 + y * 13) % 5) - 2;
        const c = y < hem ? [30 + e, 32 + e, 50 + e] : y < hem + 3 ? [14, 14, 24] : [22 + 4 * ((x + y) % 5), 28 + 4 * ((x + y) % 5), 50 + 5 * ((x + y) % 5)];
        img.set([...c, 255], i * 4);
        // The parsing calls everything from well above the hem "lower clothing".
        lab[i] = y < hipY - 0.4 * T ? L.torso_clothing : L.lower_clothing;
        if (Math.abs(x - cx) > 0.25 * S) continue;
        if (y >= hipY - 0.3 * T && y < hem - 2) top.push(i);
        else if (y > hem + 5) jeans.push(i);
      }
    }
    const isTop = correctedTop({ ...model, image: { ...model.image, data: img }, parsing: { ...model.parsing, data: lab } });
    expect(top.length).toBeGreaterThan(1000);
    expect(jeans.length).toBeGreaterThan(1000);
    // The highest waist alone leaves the band between it and the hem as the lower clothing.
    expect(top.filter((i) => isTop[i]).length / top.length).toBeGreaterThanOrEqual(0.95);
    expect(jeans.filter((i) => isTop[i]).length / jeans.length).toBeLessThanOrEqual(0.02);
  });
});

describe('dropSpecks', () => {
  it('drops lone fragments up to the size given and keeps every pixel of larger regions, however thin', () => {
    const W = 40, H = 30;
    const m = new Uint8Array(W * H);
    // A 3×3 speck, a 1-pixel dot, and a long 1-pixel-wide line joined to a 10×10 block.
    for (let y = 2; y < 5; y++) for (let x = 2; x < 5; x++) m[y * W + x] = 1;
    m[20 * W + 30] = 1;
    for (let y = 10; y < 20; y++) for (let x = 10; x < 20; x++) m[y * W + x] = 1;
    for (let x = 20; x < 38; x++) m[12 * W + x] = 1;
    const before = m.reduce((s, v) => s + v, 0);
    dropSpecks(m, W, H, 12);
    expect(m[3 * W + 3]).toBe(0);
    expect(m[20 * W + 30]).toBe(0);
    expect(m[12 * W + 37]).toBe(1);
    expect(m.reduce((s, v) => s + v, 0)).toBe(before - 10);
  });
});

describe('dropSpecks with labels', () => {
  it('keeps a fragment off the body (a cut-off corner of the old sleeve) and drops one on an arm', () => {
    const W = 40, H = 30;
    const lab = new Uint8Array(W * H).fill(PARSE_LABELS.background);
    for (let y = 0; y < H; y++) for (let x = 20; x < W; x++) lab[y * W + x] = PARSE_LABELS.left_arm;
    const m = new Uint8Array(W * H);
    // A 2×2 fragment in the backdrop and one at the arm's edge.
    for (const [x0, y0] of [[5, 5], [21, 5]] as const) for (let y = y0; y < y0 + 2; y++) for (let x = x0; x < x0 + 2; x++) { m[y * W + x] = 1; lab[y * W + x] = PARSE_LABELS.torso_clothing; }
    dropSpecks(m, W, H, 12, lab);
    expect(m[5 * W + 5]).toBe(1);
    expect(m[5 * W + 21]).toBe(0);
  });
});

describe('dropLimbIslands', () => {
  it('gives a small island of "top" inside a hand back to the hand, and keeps one on the torso or a large one', () => {
    const W = 60, H = 40;
    const lab = new Uint8Array(W * H).fill(PARSE_LABELS.torso_clothing);
    // A hand over x 0..19 with a 4×4 shadow island; a 4×4 island on the torso; a large region in the hand.
    for (let y = 0; y < H; y++) for (let x = 0; x < 20; x++) lab[y * W + x] = PARSE_LABELS.hands;
    const top = new Uint8Array(W * H);
    for (let y = 30; y < H; y++) for (let x = 20; x < W; x++) top[y * W + x] = 1;
    const isle = (x0: number, y0: number, s: number) => { for (let y = y0; y < y0 + s; y++) for (let x = x0; x < x0 + s; x++) { top[y * W + x] = 1; lab[y * W + x] = PARSE_LABELS.torso_clothing; } };
    isle(5, 5, 4);
    isle(40, 5, 4);
    isle(4, 14, 12);
    dropLimbIslands(top, lab, W, H, 50);
    expect(top[6 * W + 6]).toBe(0);
    expect(top[6 * W + 41]).toBe(1);
    expect(top[20 * W + 10]).toBe(1);
    expect(top[35 * W + 30]).toBe(1);
  });
});

describe('a few pixels of another label inside the top', () => {
  it('are the top’s (a parsing slip on the sleeve), while a larger patch or the backdrop seen through stays as it is', () => {
    const W = model.width, S = model.measurements.shoulder_width;
    const lab = Uint8Array.from(model.parsing.data), img = Uint8Array.from(model.image.data);
    // Centre of the tee: the middle of its pixels' box.
    let x0 = W, x1 = 0, y0 = model.height, y1 = 0;
    for (let i = 0; i < lab.length; i++) if (lab[i] === L.torso_clothing) { const x = i % W, y = (i / W) | 0; x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    const cx = Math.round((x0 + x1) / 2), cy = Math.round((y0 + y1) / 2);
    /** Relabels a w×h patch at (x, y) as `label` in skin colour; returns its pixels. */
    const patch = (x: number, y: number, w: number, h: number, label: number) => {
      const px: number[] = [];
      for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) {
        const i = yy * W + xx;
        expect(lab[i]).toBe(L.torso_clothing);
        lab[i] = label; img.set([190, 130, 95], i * 4); px.push(i);
      }
      return px;
    };
    const small = patch(cx - 20, cy, 2, 8, L.left_arm);
    const side = Math.ceil(Math.sqrt(0.01 * S * S));
    const large = patch(cx + 5, cy - side, side, side, L.left_arm);
    const seeThrough = patch(cx - 20, cy - 30, 3, 3, L.background);
    const top = correctedTop({ ...model, image: { ...model.image, data: img }, parsing: { ...model.parsing, data: lab } });
    expect(small.every((i) => top[i])).toBe(true);
    // (A few of its pixels may go by their colour, as any arm pixel does; not the patch.)
    expect(large.filter((i) => top[i]).length).toBeLessThan(0.05 * large.length);
    expect(seeThrough.filter((i) => top[i]).length).toBe(0);
  });
});
