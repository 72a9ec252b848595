// A top the colour of the wearer's own skin is still the top: the parse must not call it torso_skin
// (downstream, skin is kept, so the old top would show beside every new garment).
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { NetworkRegistry } from '../../src/inference/registry.js';
import { analyzeModel } from '../../src/pipeline/person/analyze.js';
import { PARSE_LABELS as L, type ModelAnalysis } from '../../src/pipeline/types.js';

/** A CGI sample in a plain, dark top with bare arms and a bare neck. */
const SAMPLE = 'samples/models/ai-upper.jpg';
const OWN_SKIN: number[] = [L.face, L.neck, L.left_arm, L.right_arm];

const nets = new NetworkRegistry({ networksDir: 'models' });
let plain: ModelAnalysis;
let recoloured: ModelAnalysis;
/** The pixels repainted in the person's skin tone: the plain photo's torso_clothing. */
let top: Uint8Array;

beforeAll(async () => {
  plain = await analyzeModel(readFileSync(SAMPLE), nets);
  top = plain.parsing.data.map((l) => (l === L.torso_clothing ? 1 : 0));
  recoloured = await analyzeModel(await paintTop(plain, top), nets);
}, 300_000);

/**
 * The photo with the top repainted in the median colour of the person's own face, neck and arm skin,
 * with the top's own folds (a little of its luminance) and a fine grain, as a skin-coloured fabric.
 */
async function paintTop(a: ModelAnalysis, top: Uint8Array): Promise<Buffer> {
  const { width: W, height: H, data } = a.image;
  const tone = [0, 1, 2].map((c) => median(a.parsing.data, (l) => OWN_SKIN.includes(l), (i) => data[i * 4 + c]!));
  const luma = (i: number) => 0.299 * data[i * 4]! + 0.587 * data[i * 4 + 1]! + 0.114 * data[i * 4 + 2]!;
  const topLuma = median(top, (t) => t === 1, luma);
  const rgb = Buffer.alloc(W * H * 3);
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 8;
  for (let i = 0; i < W * H; i++) {
    const fold = top[i] ? Math.max(0.8, Math.min(1.2, 1 + (luma(i) - topLuma) / 255)) : 1;
    const grain = top[i] ? noise() : 0;
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = top[i] ? Math.max(0, Math.min(255, Math.round(tone[c]! * fold + grain))) : data[i * 4 + c]!;
  }
  return sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
}

function median(sel: Uint8Array, keep: (v: number) => boolean, value: (i: number) => number): number {
  const v: number[] = [];
  for (let i = 0; i < sel.length; i++) if (keep(sel[i]!)) v.push(value(i));
  v.sort((p, q) => p - q);
  return v[v.length >> 1]!;
}

/** Share of the pixels selected in `where` that the analysis labels with one of `labels`. */
function share(a: ModelAnalysis, where: (i: number) => boolean, labels: number[]): number {
  let n = 0, hit = 0;
  for (let i = 0; i < a.parsing.data.length; i++) {
    if (!where(i)) continue;
    n++;
    if (labels.includes(a.parsing.data[i]!)) hit++;
  }
  return n === 0 ? 0 : hit / n;
}

describe('a top recoloured to the wearer\'s skin tone', () => {
  it('paints a real share of the photo', () => {
    expect(top.reduce((s, v) => s + v, 0) / top.length).toBeGreaterThan(0.1);
  });

  it('is not labelled torso skin (nor neck)', () => {
    expect(share(recoloured, (i) => top[i] === 1, [L.torso_skin])).toBeLessThanOrEqual(0.3);
    // Known weakness, not asserted: where the top covers the arms' parts (shoulders, sleeves) a top
    // of exactly the arms' colour is still labelled arm (ai-upper: 26% of the top).
    expect(share(recoloured, (i) => top[i] === 1, [L.torso_skin, L.neck])).toBeLessThanOrEqual(0.3);
  });

  it('keeps the face, the neck and the arms as skin', () => {
    for (const [labels, min] of [[[L.face], 0.95], [[L.neck], 0.8], [[L.left_arm], 0.9], [[L.right_arm], 0.9]] as const) {
      const was = (i: number) => top[i] === 0 && (labels as readonly number[]).includes(plain.parsing.data[i]!);
      expect(share(recoloured, was, [...labels]), `label ${labels[0]}`).toBeGreaterThanOrEqual(min);
    }
  });
});
