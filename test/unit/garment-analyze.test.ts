// Garment analysis on the generated samples against their ground truth: cut-out, category, landmarks, parts, collar.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeGarment } from '../../src/pipeline/garment/analyze.js';
import { borderIndices, floodFrom } from '../../src/pipeline/garment/mask-ops.js';
import { maskIoU } from '../../src/pipeline/image.js';
import { GARMENT_PARTS, type GarmentAnalysis, type Mask } from '../../src/pipeline/types.js';

const DIR = 'samples/garments';
const FILES = readdirSync(DIR).filter((f) => /\.(jpg|png)$/.test(f)).sort();

interface Truth {
  category: 'top' | 'bottom' | 'dress';
  landmarks: Record<string, { x: number; y: number }>;
  print_box?: { x: number; y: number; width: number; height: number };
  collar_box?: { x: number; y: number; width: number; height: number };
}

const runs = new Map<string, { a: GarmentAnalysis; truth: Truth; mask: Mask }>();
const stem = (f: string) => f.replace(/\.(jpg|png)$/, '');

beforeAll(async () => {
  for (const f of FILES) {
    const a = await analyzeGarment(readFileSync(path.join(DIR, f)));
    const raw = JSON.parse(readFileSync(path.join(DIR, 'truth', `${stem(f)}.json`), 'utf8')) as Truth;
    // Analysis works at a capped size: bring the truth to the analysis's pixels.
    const meta = await sharp(path.join(DIR, 'truth', `${stem(f)}.mask.png`)).metadata();
    const k = a.width / meta.width!;
    const truth = scaleTruth(raw, k);
    const { data, info } = await sharp(path.join(DIR, 'truth', `${stem(f)}.mask.png`))
      .extractChannel(0)
      .resize(a.width, a.height, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    runs.set(f, { a, truth, mask: { width: info.width, height: info.height, data: new Uint8Array(data) } });
  }
});

const get = (f: string) => runs.get(f)!;

describe('garment samples', () => {
  it('has the garments the brief lists', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(9);
    for (const name of ['tee-print', 'longsleeve-stripes', 'tank-straps', 'polo-logo', 'dress', 'skirt', 'trousers', 'ghost-tee', 'white-tee', 'cutout-tee', 'flush-longsleeve', 'tie-tee'])
      expect(FILES.map(stem)).toContain(name);
  });

  it.each(FILES)('%s: cut-out IoU ≥ 0.97 against the true mask', (f) => {
    const { a, mask } = get(f);
    expect(a.mask.width).toBe(mask.width);
    expect(maskIoU(a.mask, mask)).toBeGreaterThanOrEqual(0.97);
  });

  it.each(FILES)('%s: category inferred correctly', (f) => {
    const { a, truth } = get(f);
    expect(a.category_source).toBe('inferred');
    expect(a.category).toBe(truth.category);
  });

  it.each(FILES)('%s: median landmark error ≤ 2% of the garment height', (f) => {
    const { a, truth, mask } = get(f);
    const h = heightOf(mask);
    const errors = Object.entries(truth.landmarks).map(([name, p]) => {
      const q = a.landmarks[name];
      expect(q, name).toBeDefined();
      return Math.hypot(q!.x - p.x, q!.y - p.y) / h;
    });
    errors.sort((x, y) => x - y);
    expect(errors.length).toBeGreaterThanOrEqual(4);
    expect(errors[errors.length >> 1]!).toBeLessThanOrEqual(0.02);
    for (const q of Object.values(a.landmarks)) expect(q.score).toBeGreaterThanOrEqual(0), expect(q.score).toBeLessThanOrEqual(1);
  });

  it('finds armpits and cuffs of sleeves lying against the body (no armpit dent), with honest scores', () => {
    const { a, truth, mask } = get('flush-longsleeve.jpg');
    const h = heightOf(mask);
    for (const name of ['armpit_left', 'armpit_right', 'sleeve_left_outer', 'sleeve_left_inner', 'sleeve_right_outer', 'sleeve_right_inner', 'hem_left', 'hem_right']) {
      const p = truth.landmarks[name]!, q = a.landmarks[name]!;
      expect(Math.hypot(q.x - p.x, q.y - p.y) / h, name).toBeLessThanOrEqual(0.03);
    }
    // The armpit is inferred from a seam and a prior, not seen on the outline: it scores below outline points.
    for (const side of ['left', 'right']) expect(a.landmarks[`armpit_${side}`]!.score).toBeLessThan(a.landmarks[`hem_${side}`]!.score);
  });

  it('puts hem corners on the body, not on ties hanging below it', () => {
    const { a, truth, mask } = get('tie-tee.jpg');
    const h = heightOf(mask);
    for (const name of ['hem_left', 'hem_right']) {
      const p = truth.landmarks[name]!, q = a.landmarks[name]!;
      expect(Math.hypot(q.x - p.x, q.y - p.y) / h, name).toBeLessThanOrEqual(0.02);
    }
  });

  it('uses the alpha channel of the cut-out PNG', () => {
    expect(get('cutout-tee.png').a.cutout.source).toBe('alpha');
    expect(get('cutout-tee.png').a.cutout.background).toBeNull();
    for (const f of FILES.filter((x) => x.endsWith('.jpg'))) expect(get(f).a.cutout.source).toBe('background');
  });

  it('keeps the real hole of the tank top', () => {
    const { a, mask } = get('tank-straps.jpg');
    const hole = holesOf(mask);
    expect(hole.length).toBeGreaterThan(1000);
    const open = hole.filter((i) => a.mask.data[i]! < 128).length;
    expect(open / hole.length).toBeGreaterThanOrEqual(0.95);
  });

  it('puts each sleeve on the wearer’s side (wearer’s left = image right)', () => {
    for (const f of ['tee-print.jpg', 'longsleeve-stripes.jpg', 'polo-logo.jpg', 'ghost-tee.jpg', 'white-tee.jpg', 'cutout-tee.png']) {
      const { a, truth } = get(f);
      const cx = (truth.landmarks.neck_left!.x + truth.landmarks.neck_right!.x) / 2;
      const stats = partStats(a);
      const area = a.mask.data.reduce((s, v) => s + (v >= 128 ? 1 : 0), 0);
      for (const [label, sgn] of [[GARMENT_PARTS.sleeve_left, 1], [GARMENT_PARTS.sleeve_right, -1]] as const) {
        const s = stats.get(label);
        expect(s, `${f} label ${label}`).toBeDefined();
        expect(s!.count / area).toBeGreaterThan(0.03);
        expect((s!.meanX - cx) * sgn).toBeGreaterThan(0);
        // Every sleeve pixel is on its own side of the centre line.
        expect(s!.wrongSide / s!.count).toBeLessThan(0.001);
      }
      // Just inside the true cuff's middle is sleeve.
      for (const side of ['left', 'right'] as const) {
        const o = truth.landmarks[`sleeve_${side}_outer`]!, n = truth.landmarks[`sleeve_${side}_inner`]!, ap = truth.landmarks[`armpit_${side}`]!;
        const mx = (o.x + n.x) / 2, my = (o.y + n.y) / 2;
        const x = Math.round(mx + 0.1 * (ap.x - mx)), y = Math.round(my + 0.1 * (ap.y - my));
        expect(a.parts.data[y * a.width + x], `${f} ${side} cuff`).toBe(side === 'left' ? GARMENT_PARTS.sleeve_left : GARMENT_PARTS.sleeve_right);
      }
    }
    const tank = partStats(get('tank-straps.jpg').a);
    expect(tank.get(GARMENT_PARTS.sleeve_left)).toBeUndefined();
    expect(tank.get(GARMENT_PARTS.sleeve_right)).toBeUndefined();
  });

  it('finds the back of the collar on the ghost tee and none on flat tees', () => {
    const { a, truth } = get('ghost-tee.jpg');
    expect(a.collar_back).not.toBeNull();
    const b = boxOf(a.collar_back!);
    expect(boxIoU(b, truth.collar_box!)).toBeGreaterThanOrEqual(0.6);
    for (const f of ['tee-print.jpg', 'white-tee.jpg', 'polo-logo.jpg', 'longsleeve-stripes.jpg', 'cutout-tee.png']) expect(get(f).a.collar_back, f).toBeNull();
  });

  it('finds the collar back of a striped ghost garment as one region, its stripes included, not the stripes one by one', async () => {
    // The ghost tee with dark vertical stripes over all its fabric, front and inside back alike.
    const { data, info } = await sharp(path.join(DIR, 'ghost-tee.jpg')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    for (let i = 0; i < info.width * info.height; i++) {
      const o = i * 3;
      const lum = 0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]!;
      if (lum > 225 || Math.floor((i % info.width) / 10) % 2) continue;
      for (let c = 0; c < 3; c++) data[o + c] = Math.round(data[o + c]! * 0.25);
    }
    const jpeg = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
    const a = await analyzeGarment(jpeg, { category: 'top' });
    expect(a.collar_back).not.toBeNull();
    // The closing over the stripes' width narrows it a little at the neck corners.
    expect(boxIoU(boxOf(a.collar_back!), get('ghost-tee.jpg').truth.collar_box!)).toBeGreaterThanOrEqual(0.5);
    // One region: the light stripes between the dark ones in the opening are in it.
    const b = boxOf(a.collar_back!);
    let set = 0, all = 0;
    for (let y = Math.ceil(b.y + 0.3 * b.height); y < b.y + 0.7 * b.height; y++)
      for (let x = Math.ceil(b.x + 0.2 * b.width); x < b.x + 0.8 * b.width; x++) { all++; if (a.collar_back!.data[y * a.width + x]! >= 128) set++; }
    expect(set / all).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps the print inside the cut-out, fully opaque', () => {
    for (const f of FILES) {
      const { a, truth } = get(f);
      if (!truth.print_box) continue;
      const b = truth.print_box;
      let opaque = 0;
      for (let y = Math.ceil(b.y); y < b.y + b.height; y++) for (let x = Math.ceil(b.x); x < b.x + b.width; x++) if (a.mask.data[y * a.width + x]! >= 250) opaque++;
      // The text's box sticks out of nothing: a print box is inside the garment.
      expect(opaque / (Math.floor(b.width) * Math.floor(b.height)), f).toBeGreaterThanOrEqual(0.99);
    }
  });
});

function scaleTruth(t: Truth, k: number): Truth {
  const box = (b?: Truth['print_box']) => b && { x: b.x * k, y: b.y * k, width: b.width * k, height: b.height * k };
  const landmarks = Object.fromEntries(Object.entries(t.landmarks).map(([n, p]) => [n, { x: p.x * k, y: p.y * k }]));
  return { ...t, landmarks, print_box: box(t.print_box), collar_box: box(t.collar_box) };
}

function heightOf(m: Mask): number {
  let y0 = m.height, y1 = -1;
  for (let i = 0; i < m.data.length; i++)
    if (m.data[i]! >= 128) {
      const y = (i / m.width) | 0;
      if (y < y0) y0 = y;
      y1 = y;
    }
  return y1 - y0 + 1;
}

/** Pixels of background enclosed by the garment in a true mask. */
function holesOf(m: Mask): number[] {
  const bg = new Uint8Array(m.data.length);
  for (let i = 0; i < bg.length; i++) bg[i] = m.data[i]! < 128 ? 1 : 0;
  const outside = floodFrom(bg, m.width, m.height, borderIndices(m.width, m.height));
  const out: number[] = [];
  for (let i = 0; i < bg.length; i++) if (bg[i] && !outside[i]) out.push(i);
  // Drop the anti-aliased rim: keep pixels whose 4 neighbours are hole too.
  const set = new Set(out);
  return out.filter((i) => set.has(i - 1) && set.has(i + 1) && set.has(i - m.width) && set.has(i + m.width));
}

function partStats(a: GarmentAnalysis): Map<number, { count: number; meanX: number; wrongSide: number }> {
  const cx = (a.landmarks.neck_left!.x + a.landmarks.neck_right!.x) / 2;
  const acc = new Map<number, { count: number; sx: number; wrongSide: number }>();
  for (let i = 0; i < a.parts.data.length; i++) {
    const l = a.parts.data[i]!;
    if (l !== GARMENT_PARTS.sleeve_left && l !== GARMENT_PARTS.sleeve_right) continue;
    const x = i % a.width;
    const e = acc.get(l) ?? { count: 0, sx: 0, wrongSide: 0 };
    e.count++;
    e.sx += x;
    if ((x - cx) * (l === GARMENT_PARTS.sleeve_left ? 1 : -1) < 0) e.wrongSide++;
    acc.set(l, e);
  }
  return new Map([...acc].map(([l, e]) => [l, { count: e.count, meanX: e.sx / e.count, wrongSide: e.wrongSide }]));
}

function boxOf(m: Mask) {
  let x0 = m.width, y0 = m.height, x1 = -1, y1 = -1;
  for (let i = 0; i < m.data.length; i++)
    if (m.data[i]! >= 128) {
      const x = i % m.width, y = (i / m.width) | 0;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

function boxIoU(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = ix * iy;
  return inter / (a.width * a.height + b.width * b.height - inter);
}
