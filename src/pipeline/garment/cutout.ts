// Cuts a garment out of its photo: the upload's alpha when it has one, else background estimation and flooding.
import { InputError } from '../errors.js';
import type { Mask, RgbaImage } from '../types.js';
import { borderTexture, fineTexture, fitBackground, gradient, type Plane } from './backdrop.js';
import { borderIndices, components, dilate, erode, floodFrom, invert } from './mask-ops.js';

export interface Cutout {
  mask: Mask;
  source: 'alpha' | 'background';
  confidence: number;
  /** Mean background colour (null when the alpha channel was used). */
  background: [number, number, number] | null;
}

/** Smallest garment, as a share of the image, that is not taken for noise. */
const MIN_AREA = 0.004;

export function cutoutGarment(image: RgbaImage, hasAlpha: boolean): Cutout {
  return hasAlpha ? fromAlpha(image) : fromBackground(image);
}

function fromAlpha(image: RgbaImage): Cutout {
  const n = image.width * image.height;
  const data = new Uint8Array(n);
  let area = 0;
  for (let i = 0; i < n; i++) {
    data[i] = image.data[4 * i + 3]!;
    if (data[i]! >= 128) area++;
  }
  if (area < MIN_AREA * n) throw noGarment();
  return { mask: { width: image.width, height: image.height, data }, source: 'alpha', confidence: 1, background: null };
}

const noGarment = () =>
  new InputError('no-garment', 'No garment was found in the image: send a photo of one garment on a plain background, or a cut-out PNG.');

/** Long edge the background is segmented at; the edge is then matted at full resolution. */
const COARSE_EDGE = 512;

function fromBackground(image: RgbaImage): Cutout {
  const f = Math.max(1, Math.round(Math.max(image.width, image.height) / COARSE_EDGE));
  const small = f > 1 ? shrink(image, f) : image;
  const coarse = segment(small, fineTexture(image, f));
  const { width: W, height: H } = image;
  // The edge band (certainly garment inside it, certainly backdrop outside) is found at the coarse
  // size, where morphology is cheap, and looked up at full size.
  const sw = small.width, sh = small.height;
  const band = f > 1 ? 2 : 3;
  const xs = new Int32Array(W);
  for (let x = 0; x < W; x++) xs[x] = Math.min(sw - 1, (x / f) | 0);
  const upsample = (m: Uint8Array) => {
    const out = new Uint8Array(W * H);
    let prev = -1;
    for (let y = 0; y < H; y++) {
      const src = Math.min(sh - 1, (y / f) | 0);
      // Rows from one coarse row are the same: copy the one above.
      if (src === prev) {
        out.copyWithin(y * W, (y - 1) * W, y * W);
        continue;
      }
      prev = src;
      const row = src * sw;
      for (let x = 0; x < W; x++) out[y * W + x] = m[row + xs[x]!]!;
    }
    return out;
  };
  const up = upsample(coarse.garment);
  const inner = upsample(erode(coarse.garment, sw, sh, band));
  const near = upsample(dilate(coarse.garment, sw, sh, band));
  const alpha = matte(image.data, coarse.plane, up, inner, near, W, H, band * f + 2);
  return { mask: { width: W, height: H, data: alpha }, source: 'background', confidence: coarse.confidence, background: coarse.background };
}

/** Floods the backdrop from the image border through `pass`; the rest, minus specks, is the garment. */
function floodGarment(pass: Uint8Array, w: number, h: number): { garment: Uint8Array; area: number } {
  const n = w * h;
  // Close 1-2 px gaps in faint edges before flooding, then grow back by that much.
  const block = dilate(invert(pass), w, h, 1);
  const pass2 = new Uint8Array(n);
  for (let i = 0; i < n; i++) pass2[i] = pass[i]! && !block[i] ? 1 : 0;
  const outside = floodFrom(pass2, w, h, borderIndices(w, h));
  const grown = dilate(outside, w, h, 1);
  for (let i = 0; i < n; i++) if (grown[i] && pass[i]) outside[i] = 1;
  const garment = invert(outside);
  const comp = components(garment, w, h);
  let biggest = 0;
  for (let i = 1; i < comp.sizes.length; i++) biggest = Math.max(biggest, comp.sizes[i]!);
  let area = 0;
  for (let i = 0; i < n; i++) {
    garment[i] = comp.labels[i] && comp.sizes[comp.labels[i]!]! >= 0.05 * biggest ? 1 : 0;
    area += garment[i]!;
  }
  return { garment, area };
}

/** How far a soft shadow reaches out from the garment, as a share of the long edge. */
const SHADOW_REACH = 0.03;

/**
 * `after` plus the parts it lost from `before` that reach farther than r inside `before`'s outline: a
 * shadow lies along the outline, a region deeper in is fabric (each lost region is kept or dropped whole).
 */
function shadowLoss(before: Uint8Array, after: Uint8Array, r: number, w: number, h: number): Uint8Array {
  const lost = new Uint8Array(before.length);
  for (let i = 0; i < lost.length; i++) lost[i] = before[i]! & (1 - after[i]!);
  const nearOutside = dilate(invert(before), w, h, r);
  const { labels, sizes } = components(lost, w, h);
  const deep = new Uint8Array(sizes.length);
  for (let i = 0; i < labels.length; i++) if (labels[i] && !nearOutside[i]) deep[labels[i]!] = 1;
  const out = new Uint8Array(before.length);
  for (let i = 0; i < out.length; i++) out[i] = after[i]! | deep[labels[i]!]!;
  return out;
}

/** Pixelwise a && b of two 0/1 masks. */
function and(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! & b[i]!;
  return out;
}

/** Box-averages by an integer factor. */
function shrink(img: RgbaImage, f: number): RgbaImage {
  const w = Math.floor(img.width / f), h = Math.floor(img.height / f);
  const out = new Uint8Array(w * h * 4);
  const acc = new Float32Array(w * 3);
  const k = 1 / (f * f);
  for (let y = 0; y < h; y++) {
    acc.fill(0);
    for (let yy = y * f; yy < y * f + f; yy++) {
      const row = yy * img.width * 4;
      for (let x = 0; x < w; x++)
        for (let xx = x * f; xx < x * f + f; xx++) {
          const p = row + xx * 4;
          acc[3 * x] += img.data[p]!;
          acc[3 * x + 1] += img.data[p + 1]!;
          acc[3 * x + 2] += img.data[p + 2]!;
        }
    }
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      out[o] = acc[3 * x]! * k;
      out[o + 1] = acc[3 * x + 1]! * k;
      out[o + 2] = acc[3 * x + 2]! * k;
      out[o + 3] = 255;
    }
  }
  return { width: w, height: h, data: out };
}

interface Segmentation {
  garment: Uint8Array;
  plane: Plane;
  confidence: number;
  background: [number, number, number];
}

/** `tex` is the full-resolution fine texture on this image's grid (see fineTexture). */
function segment(image: RgbaImage, tex: Float32Array): Segmentation {
  const { width: w, height: h, data } = image;
  const n = w * h;
  const plane = fitBackground(image);
  const bg = new Float32Array(3 * n);
  const cd = new Float32Array(n); // chroma distance, shading-invariant
  const dl = new Float32Array(n); // luminance difference to the background, per channel units
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      let sp = 0, sb = 0;
      for (let c = 0; c < 3; c++) {
        const v = plane.coef[3 * c]! + plane.coef[3 * c + 1]! * (x / w) + plane.coef[3 * c + 2]! * (y / w);
        bg[3 * i + c] = v;
        sb += v;
        sp += data[4 * i + c]!;
      }
      const k = (sp + 3) / (sb + 3);
      let m = 0;
      for (let c = 0; c < 3; c++) m = Math.max(m, Math.abs(data[4 * i + c]! - k * bg[3 * i + c]!));
      cd[i] = m;
      dl[i] = (sp - sb) / 3;
    }
  const grad = gradient(data, w, h);
  const tc = Math.max(7, 3.5 * plane.noise);
  const tg = Math.max(3.5, 1.5 * plane.noise);
  const tStrict = Math.max(4, 2.5 * plane.noise);
  // A soft shadow is darker with the background's chroma and no sharp edge: let the flood through it.
  // Light fabric that is a little darker than the backdrop looks the same, so also flood through the
  // backdrop colour alone, and if the shadow-tolerant flood ate much of what the strict one kept, it
  // leaked into the garment: keep the strict one (the shadow peel below then removes its shadow).
  // The strict flood also stops at fine texture (knit, frills) the coarse gradient misses, where a
  // white strap or sleeve has no edge against a white backdrop.
  const tTex = borderTexture(tex, w, h) + HOLE_TEXTURE;
  const soft = new Uint8Array(n);
  const strict = new Uint8Array(n);
  const smooth = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (grad[i]! >= tg) continue;
    const shadowLike = dl[i]! < 0 && dl[i]! > -0.45 * 255 && cd[i]! < tc;
    soft[i] = shadowLike || (Math.abs(dl[i]!) < tc && cd[i]! < tc) ? 1 : 0;
    strict[i] = Math.abs(dl[i]!) < tStrict && cd[i]! < tStrict ? 1 : 0;
    // One pixel's texture is noisier than a region's mean: twice the hole limit.
    smooth[i] = tex[i]! < 2 * tTex ? 1 : 0;
  }
  const b = floodGarment(and(strict, smooth), w, h);
  // Holes are looked for by colour alone: their texture is judged over the whole region, textured
  // pixels included, or smooth patches of a knit would pass for backdrop.
  let pass = strict;
  let { garment, area } = b;
  const a = floodGarment(soft, w, h);
  if (a.area >= 0.8 * b.area) {
    ({ garment, area } = a);
    pass = soft;
  } else {
    // White-on-white: the peel cannot tell a shadow from white fabric by colour, so flood through the
    // shadow but not through fine texture, and take from the strict flood only what lies where a
    // shadow can: smooth shaded fabric the flood also reached goes deeper.
    const c = floodGarment(and(soft, smooth), w, h);
    if (c.area >= 0.8 * b.area) {
      garment = shadowLoss(b.garment, c.garment, Math.round(SHADOW_REACH * Math.max(w, h)), w, h);
      area = garment.reduce((s, v) => s + v, 0);
      pass = soft;
    }
  }
  if (area < MIN_AREA * n) throw noGarment();
  const holeLook = { dl, cd, grad, tex, tc: tStrict, tSmooth: Math.max(1, 0.35 * tg), tTex };
  removeHoles(garment, pass, holeLook, w, h, area);
  peelShadow(data, bg, garment, tc, w, h);
  // A one-pixel opening removes threads of JPEG noise left along the edge.
  garment = dilate(erode(garment, w, h, 1), w, h, 1);
  const outside = invert(garment);

  let bgMean: [number, number, number] = [0, 0, 0];
  let nb = 0;
  for (let i = 0; i < n; i += 7)
    if (outside[i]) {
      for (let c = 0; c < 3; c++) bgMean[c]! += data[4 * i + c]!;
      nb++;
    }
  bgMean = bgMean.map((v) => Math.round(v / Math.max(1, nb))) as [number, number, number];
  const confidence = cutoutConfidence(data, bg, garment, outside, w, h);
  return { garment, plane, confidence, background: bgMean };
}

/**
 * Fine texture (see fineTexture) a hole may have above the backdrop's own: holes measured 0.04–0.12 (the
 * backdrop's JPEG noise), white rib knit 2 and more, white frills about 0.8.
 */
const HOLE_TEXTURE = 0.3;

/** What a hole must look like: the backdrop's colour (dl, cd under tc), smooth (grad, tex). */
interface HoleLook {
  dl: Float32Array;
  cd: Float32Array;
  grad: Float32Array;
  tex: Float32Array;
  tc: number;
  tSmooth: number;
  tTex: number;
}

/**
 * Enclosed regions that look exactly like the backdrop (between straps, a keyhole) are holes. A region
 * that is a large part of the garment is white fabric, not a hole.
 */
function removeHoles(garment: Uint8Array, pass: Uint8Array, look: HoleLook, w: number, h: number, area: number): void {
  const { dl, cd, grad, tex, tc } = look;
  const cand = new Uint8Array(w * h);
  for (let i = 0; i < cand.length; i++) cand[i] = garment[i] && pass[i] ? 1 : 0;
  const { labels, sizes } = components(cand, w, h);
  // Texture is read inside the region only: its rim mixes in the garment's edge.
  const inside = erode(cand, w, h, 1);
  const sumL = new Float64Array(sizes.length);
  const sumC = new Float64Array(sizes.length);
  const sumG = new Float64Array(sizes.length);
  const sumT = new Float64Array(sizes.length);
  const nIn = new Float64Array(sizes.length);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l) (sumL[l]! += Math.abs(dl[i]!)), (sumC[l]! += cd[i]!), (sumG[l]! += grad[i]!);
    if (l && inside[i]) (sumT[l]! += tex[i]!), nIn[l]!++;
  }
  const hole = new Uint8Array(sizes.length);
  for (let l = 1; l < sizes.length; l++) {
    const s = sizes[l]!;
    // Backdrop is smooth; white fabric that happens to match it has texture (ribs, weave), often too
    // fine to survive the coarse image, so it is also read at full resolution.
    const smooth = sumG[l]! / s < look.tSmooth && sumT[l]! / Math.max(1, nIn[l]!) < look.tTex;
    hole[l] = s >= 0.0015 * area && s <= 0.12 * area && sumL[l]! / s < tc && sumC[l]! / s < tc * 0.6 && smooth ? 1 : 0;
  }
  // A hole is a compact opening; thin bands that match the backdrop are light stripes of the fabric.
  const bx0 = new Int32Array(sizes.length).fill(w), bx1 = new Int32Array(sizes.length).fill(-1);
  const by0 = new Int32Array(sizes.length).fill(h), by1 = new Int32Array(sizes.length).fill(-1);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!hole[l]) continue;
    const x = i % w, y = (i / w) | 0;
    if (x < bx0[l]!) bx0[l] = x;
    if (x > bx1[l]!) bx1[l] = x;
    if (y < by0[l]!) by0[l] = y;
    if (y > by1[l]!) by1[l] = y;
  }
  for (let l = 1; l < sizes.length; l++) {
    if (!hole[l]) continue;
    const bw = bx1[l]! - bx0[l]! + 1, bh = by1[l]! - by0[l]! + 1;
    if (Math.min(bw, bh) < 6 || sizes[l]! < 0.3 * bw * bh) hole[l] = 0;
  }
  // The hole's rim (a pixel or two of edge) belongs to the hole too.
  const holeMask = new Uint8Array(w * h);
  for (let i = 0; i < labels.length; i++) if (hole[labels[i]!]) holeMask[i] = 1;
  const rim = dilate(holeMask, w, h, 1);
  for (let i = 0; i < labels.length; i++) if (rim[i] && (holeMask[i] || pass[i])) garment[i] = 0;
}

/**
 * Soft alpha along the edge at full resolution: an edge pixel mixes the nearby garment colour with the
 * nearby backdrop (its shadow included); alpha is where it lies between the two.
 */
function matte(d: Uint8Array, plane: Plane, coarse: Uint8Array, inner: Uint8Array, near: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const n = w * h;
  const alpha = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (inner[i]) {
      alpha[i] = 255;
      continue;
    }
    if (!near[i]) continue;
    const x = i % w, y = (i / w) | 0;
    let fr = 0, fg = 0, fb = 0, cf = 0;
    let br = 0, bgg = 0, bb = 0, cb = 0;
    for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++)
      for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
        const j = yy * w + xx;
        if (inner[j]) (fr += d[4 * j]!), (fg += d[4 * j + 1]!), (fb += d[4 * j + 2]!), cf++;
        else if (!near[j]) (br += d[4 * j]!), (bgg += d[4 * j + 1]!), (bb += d[4 * j + 2]!), cb++;
      }
    if (!cf) {
      alpha[i] = coarse[i] ? 255 : 0;
      continue;
    }
    let B0: number, B1: number, B2: number;
    if (cb) (B0 = br / cb), (B1 = bgg / cb), (B2 = bb / cb);
    else {
      const px = x / w, py = y / w;
      const c = plane.coef;
      B0 = c[0]! + c[1]! * px + c[2]! * py;
      B1 = c[3]! + c[4]! * px + c[5]! * py;
      B2 = c[6]! + c[7]! * px + c[8]! * py;
    }
    const F0 = fr / cf - B0, F1 = fg / cf - B1, F2 = fb / cf - B2;
    const ff = F0 * F0 + F1 * F1 + F2 * F2;
    if (ff < 64) {
      alpha[i] = coarse[i] ? 255 : 0;
      continue;
    }
    const P0 = d[4 * i]! - B0, P1 = d[4 * i + 1]! - B1, P2 = d[4 * i + 2]! - B2;
    const a = (P0 * F0 + P1 * F1 + P2 * F2) / ff;
    // Off the backdrop→garment line the pixel is another colour of the fabric (a stripe, a print):
    // the mean garment colour says nothing about it, so keep the coarse answer.
    const e0 = P0 - a * F0, e1 = P1 - a * F1, e2 = P2 - a * F2;
    const off = Math.sqrt(e0 * e0 + e1 * e1 + e2 * e2);
    const pn = Math.sqrt(P0 * P0 + P1 * P1 + P2 * P2);
    // Beyond the backdrop on the far side from the garment colour is not a mix of the two either.
    if ((off > 12 && off > 0.5 * pn) || (a < -0.1 && pn > 10)) {
      alpha[i] = coarse[i] ? 255 : 0;
      continue;
    }
    alpha[i] = Math.round(255 * Math.min(1, Math.max(0, a * 1.15)));
  }
  return alpha;
}

/**
 * The flood stops where a shadow is steepest, right next to the garment. Peel from the outside the edge
 * pixels that are a darker backdrop (backdrop chroma) and unlike every garment colour next to them.
 */
function peelShadow(d: Uint8Array, bg: Float32Array, garment: Uint8Array, tc: number, w: number, h: number): void {
  const n = w * h;
  const core = erode(garment, w, h, 10);
  const R = 16;
  const maxDepth = Math.round(Math.max(w, h) * SHADOW_REACH);
  const depth = new Int16Array(n);
  const queue = new Int32Array(n);
  let qh = 0, qt = 0;
  const outsideAt = (j: number) => !garment[j];
  for (let i = 0; i < n; i++) {
    if (!garment[i]) continue;
    const x = i % w;
    if ((x > 0 && outsideAt(i - 1)) || (x < w - 1 && outsideAt(i + 1)) || (i >= w && outsideAt(i - w)) || (i < n - w && outsideAt(i + w))) {
      queue[qt++] = i;
      depth[i] = 1;
    }
  }
  while (qh < qt) {
    const i = queue[qh++]!;
    if (!garment[i]) continue;
    const x = i % w, y = (i / w) | 0;
    let sp = 0, sb = 0;
    for (let c = 0; c < 3; c++) (sp += d[4 * i + c]!), (sb += bg[3 * i + c]!);
    const k = (sp + 3) / (sb + 3);
    if (k >= 1.02 || k < 0.5) continue;
    let line = 0;
    for (let c = 0; c < 3; c++) line = Math.max(line, Math.abs(d[4 * i + c]! - k * bg[3 * i + c]!));
    if (line >= tc) continue;
    // Distance to the nearest garment colour nearby, not the mean: a light stripe of a striped
    // fabric is near its own kind, a shadow is near none of them.
    // No garment core nearby (a thin strap): nothing to compare with, so keep the pixel.
    let toF = 0;
    let seen = false;
    for (let yy = Math.max(0, y - R); yy <= Math.min(h - 1, y + R) && !(seen && toF < tc); yy += 2)
      for (let xx = Math.max(0, x - R); xx <= Math.min(w - 1, x + R); xx += 2) {
        const j = yy * w + xx;
        if (!core[j]) continue;
        if (!seen) (seen = true), (toF = 255);
        const dd = Math.max(Math.abs(d[4 * i]! - d[4 * j]!), Math.abs(d[4 * i + 1]! - d[4 * j + 1]!), Math.abs(d[4 * i + 2]! - d[4 * j + 2]!));
        if (dd < toF) toF = dd;
      }
    if (toF < line + tc) continue;
    garment[i] = 0;
    if (depth[i]! >= maxDepth) continue;
    for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w])
      if (j >= 0 && j < n && garment[j] && !depth[j]) (depth[j] = depth[i]! + 1), (queue[qt++] = j);
  }
}

/** Contrast along the contour, cleanliness of the image border, and how solid the shape is. */
function cutoutConfidence(d: Uint8Array, bg: Float32Array, garment: Uint8Array, outside: Uint8Array, w: number, h: number): number {
  const inner = erode(garment, w, h, 3);
  const ring = dilate(garment, w, h, 1);
  let contrast = 0, cnt = 0;
  let x0 = w, x1 = 0, y0 = h, y1 = 0, area = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (garment[i]) {
        area++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
      if (garment[i] && !inner[i] && ring[i] && (i % 3 === 0)) {
        // Compare a pixel 3 px inside with the backdrop.
        let m = 0;
        for (let c = 0; c < 3; c++) m = Math.max(m, Math.abs(d[4 * i + c]! - bg[3 * i + c]!));
        contrast += Math.min(1, m / 30);
        cnt++;
      }
    }
  const border = borderIndices(w, h);
  let clean = 0;
  for (const i of border) clean += outside[i]!;
  const solidity = area / Math.max(1, (x1 - x0 + 1) * (y1 - y0 + 1));
  const c = 0.5 * (cnt ? contrast / cnt : 0) + 0.3 * (clean / border.length) + 0.2 * Math.min(1, solidity / 0.5);
  return Math.round(c * 1000) / 1000;
}
