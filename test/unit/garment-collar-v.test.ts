// A striped wrap top laid flat: the inside of its back, in the shade of a deep V neckline, is the collar's back, and the V's tip is the front neckline.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { analyzeGarment } from '../../src/pipeline/garment/analyze.js';
import { extendTip, greyClosing } from '../../src/pipeline/garment/collar.js';
import { maskExtent } from '../../src/pipeline/image.js';

/** The V's corners at the neck and its tip (the front neckline's lowest point). */
const V = { right: { x: 300, y: 122 }, left: { x: 468, y: 122 }, tip: { x: 384, y: 340 } };

/**
 * A long-sleeved top on a light backdrop with black stripes 14 px wide every 34 px, front and inside
 * alike; with `shade`, the white of the inside seen through the V is grey (`shade`), as in the shadow
 * of the opening; without it, the V is only stitched (a thin line), not darker.
 */
async function wrapTop(shade: number | null): Promise<Uint8Array> {
  const body = 'M 300 120 Q 384 140 468 120 L 560 140 L 690 560 L 630 580 L 560 330 L 560 820 L 208 820 L 208 330 L 138 580 L 78 560 L 208 140 Z';
  const stripes = Array.from({ length: 24 }, (_, k) => `<rect x="${70 + 34 * k}" y="0" width="14" height="1024" fill="#111"/>`).join('');
  const v = `M ${V.right.x} ${V.right.y} L ${V.left.x} ${V.left.y} L ${V.tip.x} ${V.tip.y} Z`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="768" height="1024">
    <rect width="768" height="1024" fill="#f4f4f4"/>
    <clipPath id="g"><path d="${body}"/></clipPath>
    <g clip-path="url(#g)">
      <rect width="768" height="1024" fill="#fafafa"/>
      ${shade === null ? '' : `<path d="${v}" fill="rgb(${shade},${shade},${shade})"/>`}
      ${stripes}
      <path d="M ${V.right.x} ${V.right.y} L ${V.tip.x} ${V.tip.y} L ${V.left.x} ${V.left.y}" fill="none" stroke="#bbb" stroke-width="2"/>
    </g>
  </svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).jpeg({ quality: 92 }).toBuffer());
}

describe('collar back behind a printed front', () => {
  it('finds the shaded inside of a striped V neckline as one region, and its tip as the front neckline', async () => {
    const a = await analyzeGarment(await wrapTop(200), { category: 'top' });
    expect(a.collar_back).not.toBeNull();
    const e = maskExtent(a.collar_back!.data, a.width, a.height, 128)!;
    // The V's box is x 300–468, y 122–340. The closing over the stripes' width fills its narrow tip
    // (the region ended 37 px short); its edges, stepped by the stripes, carried on down meet within
    // about 10 px of the true tip.
    expect(Math.abs(e.x0 - V.right.x)).toBeLessThanOrEqual(12);
    expect(Math.abs(e.x1 - V.left.x)).toBeLessThanOrEqual(12);
    expect(e.y0).toBeLessThanOrEqual(V.right.y + 8);
    expect(e.y1).toBeGreaterThanOrEqual(V.tip.y - 12);
    expect(e.y1).toBeLessThanOrEqual(V.tip.y + 12);
    // One region, the stripes inside it included (not cut out one by one): most of the V is set.
    let inV = 0, set = 0;
    for (let y = V.right.y + 4; y < V.tip.y - 40; y++) {
      const t = (y - V.right.y) / (V.tip.y - V.right.y);
      for (let x = Math.ceil(V.right.x + (V.tip.x - V.right.x) * t) + 3; x < V.left.x + (V.tip.x - V.left.x) * t - 3; x++) {
        inV++;
        if (a.collar_back!.data[y * a.width + x]! >= 128) set++;
      }
    }
    expect(set / inV).toBeGreaterThanOrEqual(0.95);
    // Nothing of the front below the V or beside it.
    for (const [x, y] of [[384, 400], [250, 250], [520, 250], [384, 600]]) expect(a.collar_back!.data[y! * a.width + x!], `(${x}, ${y})`).toBe(0);
    const f = a.landmarks.neck_front!;
    expect(Math.abs(f.x - V.tip.x)).toBeLessThanOrEqual(10);
    expect(Math.abs(f.y - V.tip.y)).toBeLessThanOrEqual(12);
  });

  it('finds none when the V is only stitched, not in shade: the stripes are the print', async () => {
    const a = await analyzeGarment(await wrapTop(null), { category: 'top' });
    expect(a.collar_back).toBeNull();
    expect(a.landmarks.neck_front!.y).toBeLessThan(V.tip.y - 100);
  });
});

/** The closing by its definition: per pixel the min over the (2r+1)² square of the max over the square around each (garment pixels only). */
function bruteClosing(v: Float32Array, w: number, h: number, r: number): Float32Array {
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && v[y * w + x] === v[y * w + x];
  const dil = new Float32Array(w * h).fill(NaN);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (!on(x, y)) continue;
      let m = -Infinity;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) if (on(x + dx, y + dy)) m = Math.max(m, v[(y + dy) * w + x + dx]!);
      dil[y * w + x] = m;
    }
  const out = new Float32Array(w * h).fill(NaN);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (!on(x, y)) continue;
      let m = Infinity;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) if (on(x + dx, y + dy)) m = Math.min(m, dil[(y + dy) * w + x + dx]!);
      out[y * w + x] = m;
    }
  return out;
}

describe('greyClosing', () => {
  it('equals the closing by its definition on random images with random off-garment pixels', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 60; trial++) {
      const w = 5 + Math.floor(rand() * 14), h = 5 + Math.floor(rand() * 14), r = 1 + (trial % 3);
      const v = new Float32Array(w * h);
      for (let i = 0; i < v.length; i++) v[i] = rand() < 0.2 ? NaN : Math.floor(rand() * 256);
      const got = greyClosing({ x0: 0, y0: 0, x1: w - 1, y1: h - 1 }, w, r, (i) => v[i]!);
      const want = bruteClosing(v, w, h, r);
      for (let i = 0; i < v.length; i++) expect(Number.isNaN(got[i]!) ? 'off' : got[i], `trial ${trial}, pixel ${i}`).toBe(Number.isNaN(want[i]!) ? 'off' : want[i]);
    }
  });

  it('reads a sub-box of a larger image', () => {
    const w = 12, h = 9;
    const v = (i: number) => ((i * 37) % 11 === 0 ? NaN : (i * 53) % 200);
    const box = { x0: 3, y0: 2, x1: 9, y1: 7 };
    const got = greyClosing(box, w, 1, v);
    const bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
    const sub = new Float32Array(bw * bh);
    for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) sub[y * bw + x] = v((y + box.y0) * w + x + box.x0);
    const want = bruteClosing(sub, bw, bh, 1);
    for (let i = 0; i < sub.length; i++) expect(Number.isNaN(got[i]!) ? 'off' : got[i]).toBe(Number.isNaN(want[i]!) ? 'off' : want[i]);
  });

  it('fills dark features narrower than its window, keeps wider ones, and leaves off-garment pixels out', () => {
    const w = 40, h = 10;
    // Bright 200 with a 4-px dark stripe (x 10–13) and a 12-px dark block (x 24–35); x 0–1 off the garment.
    const v = (i: number) => {
      const x = i % w;
      return x < 2 ? NaN : (x >= 10 && x <= 13) || (x >= 24 && x <= 35) ? 20 : 200;
    };
    const c = greyClosing({ x0: 0, y0: 0, x1: w - 1, y1: h - 1 }, w, 3, v);
    for (let y = 0; y < h; y++) {
      for (const x of [10, 12, 13]) expect(c[y * w + x]).toBe(200);
      for (const x of [27, 30, 32]) expect(c[y * w + x]).toBe(20);
      expect(Number.isNaN(c[y * w])).toBe(true);
      expect(c[y * w + 3]).toBe(200);
    }
  });
});

describe('extendTip', () => {
  it('carries a V-shaped region on down to where its edges meet, and leaves a band with straight sides alone', () => {
    const w = 60, h = 60;
    // A V from x 10–50 at row 0 to a tip at (30, 40), cut off at row 24: carried on by at most half its height (to row 36).
    const v = new Uint8Array(w * h);
    for (let y = 0; y <= 24; y++) for (let x = Math.ceil(10 + y / 2); x <= Math.floor(50 - y / 2); x++) v[y * w + x] = 1;
    extendTip(v, w, h, () => true);
    let bottom = -1;
    for (let i = 0; i < v.length; i++) if (v[i]) bottom = Math.max(bottom, (i / w) | 0);
    expect(bottom).toBeGreaterThanOrEqual(36);
    expect(bottom).toBeLessThanOrEqual(36);
    expect(v[35 * w + 30]).toBe(1);
    expect(v[30 * w + 20]).toBe(0);
    // Off the garment nothing is added.
    const off = new Uint8Array(w * h);
    for (let y = 0; y <= 24; y++) for (let x = Math.ceil(10 + y / 2); x <= Math.floor(50 - y / 2); x++) off[y * w + x] = 1;
    extendTip(off, w, h, (_x, y) => y <= 24);
    expect(off.slice(25 * w).every((p) => p === 0)).toBe(true);
    const band = new Uint8Array(w * h);
    for (let y = 0; y <= 24; y++) for (let x = 10; x <= 50; x++) band[y * w + x] = 1;
    const before = band.slice();
    extendTip(band, w, h, () => true);
    expect(band).toEqual(before);
  });
});
