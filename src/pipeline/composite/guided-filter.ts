// Edge-aware smoothing: box blur by running sums and the guided filter (He, Sun, Tang 2010).
import { nonZeroExtent } from '../image.js';

/**
 * Mean over the (2r+1)² window around each pixel, the window clipped at the image border (so a
 * flat image stays flat up to the edge). O(1) per pixel whatever r is.
 */
export function boxBlur(src: Float32Array, w: number, h: number, r: number, out?: Float32Array): Float32Array {
  const rr = Math.max(0, Math.floor(r));
  const res = out ?? new Float32Array(w * h);
  // A window holding only zeros averages to 0: only the box of the non-zero entries, grown by the
  // radius, is summed (a person's masks fill a fraction of the frame). The sums run in the same order
  // as over the whole frame, so inside that box the result is the same; outside it is exactly 0, where
  // a whole-frame pass left the running sums' float residue (or a NaN spread along its row and column).
  const e = nonZeroExtent(src, w, h);
  if (!e) return out ? res.fill(0) : res;
  const bx0 = Math.max(0, e.x0 - rr), bx1 = Math.min(w - 1, e.x1 + rr);
  const by0 = Math.max(0, e.y0 - rr), by1 = Math.min(h - 1, e.y1 + rr);
  const cw = bx1 - bx0 + 1;
  // Row sums of the box's rows, as tmp[(y - by0) * cw + (x - bx0)].
  const tmp = new Float32Array(cw * (by1 - by0 + 1));
  for (let y = e.y0; y <= e.y1; y++) {
    const row = y * w, trow = (y - by0) * cw - bx0;
    let s = 0;
    for (let x = Math.max(0, bx0 - rr); x <= Math.min(bx0 + rr, w - 1); x++) s += src[row + x]!;
    for (let x = bx0; x <= bx1; x++) {
      const lo = Math.max(0, x - rr);
      const hi = Math.min(w - 1, x + rr);
      tmp[trow + x] = s / (hi - lo + 1);
      if (x + rr + 1 < w) s += src[row + x + rr + 1]!;
      if (x - rr >= 0) s -= src[row + x - rr]!;
    }
  }
  // src is read: out may be src itself (an in-place blur).
  if (out) res.fill(0);
  const col = new Float64Array(cw);
  for (let y = by0; y <= Math.min(by0 + rr, by1); y++) {
    const trow = (y - by0) * cw;
    for (let x = 0; x < cw; x++) col[x] += tmp[trow + x]!;
  }
  for (let y = by0; y <= by1; y++) {
    const lo = Math.max(0, y - rr);
    const hi = Math.min(h - 1, y + rr);
    const inv = 1 / (hi - lo + 1);
    const row = y * w + bx0;
    const add = y + rr + 1 <= by1 ? (y + rr + 1 - by0) * cw : -1;
    const sub = y - rr >= by0 ? (y - rr - by0) * cw : -1;
    for (let x = 0; x < cw; x++) {
      res[row + x] = col[x]! * inv;
      if (add >= 0) col[x] += tmp[add + x]!;
      if (sub >= 0) col[x] -= tmp[sub + x]!;
    }
  }
  return res;
}

/**
 * Guided filter with a grey guide: smooths src where the guide is flat and keeps src's edges
 * where the guide has them. eps is in squared guide units (guide 0..1 → eps ~1e-3..1e-2; a
 * guide in 0..255 needs eps × 65025).
 */
export function guidedFilter(guide: Float32Array, src: Float32Array, w: number, h: number, radius: number, eps: number): Float32Array {
  const n = w * h;
  const ii = new Float32Array(n);
  const ip = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    ii[i] = guide[i]! * guide[i]!;
    ip[i] = guide[i]! * src[i]!;
  }
  const mI = boxBlur(guide, w, h, radius);
  const mP = boxBlur(src, w, h, radius);
  const mII = boxBlur(ii, w, h, radius);
  const mIP = boxBlur(ip, w, h, radius);
  // Reuse buffers: a into ii, b into ip.
  for (let i = 0; i < n; i++) {
    const varI = mII[i]! - mI[i]! * mI[i]!;
    const cov = mIP[i]! - mI[i]! * mP[i]!;
    const a = cov / (varI + eps);
    ii[i] = a;
    ip[i] = mP[i]! - a * mI[i]!;
  }
  const mA = boxBlur(ii, w, h, radius, mII);
  const mB = boxBlur(ip, w, h, radius, mIP);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = mA[i]! * guide[i]! + mB[i]!;
  return out;
}

/**
 * Guided filter with a colour guide (interleaved RGB, 3 floats per pixel): follows edges that
 * differ in colour but not in brightness, which a grey guide misses (a red sleeve on green).
 */
export function guidedFilterColor(guideRgb: Float32Array, src: Float32Array, w: number, h: number, radius: number, eps: number): Float32Array {
  const n = w * h;
  const ch = [0, 1, 2].map((c) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = guideRgb[i * 3 + c]!;
    return a;
  });
  const [r, g, b] = ch as [Float32Array, Float32Array, Float32Array];
  const prod = (x: Float32Array, y: Float32Array): Float32Array => {
    const o = new Float32Array(n);
    for (let i = 0; i < n; i++) o[i] = x[i]! * y[i]!;
    return boxBlur(o, w, h, radius, o);
  };
  const mR = boxBlur(r, w, h, radius);
  const mG = boxBlur(g, w, h, radius);
  const mB = boxBlur(b, w, h, radius);
  const mP = boxBlur(src, w, h, radius);
  const mRP = prod(r, src);
  const mGP = prod(g, src);
  const mBP = prod(b, src);
  const vRR = prod(r, r);
  const vRG = prod(r, g);
  const vRB = prod(r, b);
  const vGG = prod(g, g);
  const vGB = prod(g, b);
  const vBB = prod(b, b);
  const aR = new Float32Array(n);
  const aG = new Float32Array(n);
  const aB = new Float32Array(n);
  const bb = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const mr = mR[i]!;
    const mg = mG[i]!;
    const mb = mB[i]!;
    const mp = mP[i]!;
    const cr = mRP[i]! - mr * mp;
    const cg = mGP[i]! - mg * mp;
    const cb = mBP[i]! - mb * mp;
    // Σ + eps·I, inverted by cofactors (symmetric 3×3).
    const s00 = vRR[i]! - mr * mr + eps;
    const s01 = vRG[i]! - mr * mg;
    const s02 = vRB[i]! - mr * mb;
    const s11 = vGG[i]! - mg * mg + eps;
    const s12 = vGB[i]! - mg * mb;
    const s22 = vBB[i]! - mb * mb + eps;
    const i00 = s11 * s22 - s12 * s12;
    const i01 = s02 * s12 - s01 * s22;
    const i02 = s01 * s12 - s02 * s11;
    const i11 = s00 * s22 - s02 * s02;
    const i12 = s01 * s02 - s00 * s12;
    const i22 = s00 * s11 - s01 * s01;
    const det = s00 * i00 + s01 * i01 + s02 * i02;
    const id = det !== 0 ? 1 / det : 0;
    const ar = (cr * i00 + cg * i01 + cb * i02) * id;
    const ag = (cr * i01 + cg * i11 + cb * i12) * id;
    const ab = (cr * i02 + cg * i12 + cb * i22) * id;
    aR[i] = ar;
    aG[i] = ag;
    aB[i] = ab;
    bb[i] = mp - ar * mr - ag * mg - ab * mb;
  }
  boxBlur(aR, w, h, radius, aR);
  boxBlur(aG, w, h, radius, aG);
  boxBlur(aB, w, h, radius, aB);
  boxBlur(bb, w, h, radius, bb);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = aR[i]! * r[i]! + aG[i]! * g[i]! + aB[i]! * b[i]! + bb[i]!;
  return out;
}

/**
 * The guided filter computed at 1/s resolution (He & Sun's "fast guided filter"): the linear
 * coefficients are smooth, so they are found on a shrunken copy and upsampled; the full-resolution
 * guide still carries the edges. About s² times cheaper.
 */
export function fastGuidedFilter(guide: Float32Array, src: Float32Array, w: number, h: number, r: number, eps: number, s: number): Float32Array {
  if (s <= 1) return guidedFilter(guide, src, w, h, r, eps);
  const lw = Math.ceil(w / s);
  const lh = Math.ceil(h / s);
  const gI = shrink(guide, w, h, s, lw, lh);
  const gP = shrink(src, w, h, s, lw, lh);
  const lr = Math.max(1, Math.round(r / s));
  const n = lw * lh;
  const ii = new Float32Array(n);
  const ip = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    ii[k] = gI[k]! * gI[k]!;
    ip[k] = gI[k]! * gP[k]!;
  }
  const mI = boxBlur(gI, lw, lh, lr);
  const mP = boxBlur(gP, lw, lh, lr);
  const mII = boxBlur(ii, lw, lh, lr, ii);
  const mIP = boxBlur(ip, lw, lh, lr, ip);
  for (let k = 0; k < n; k++) {
    const a = (mIP[k]! - mI[k]! * mP[k]!) / (mII[k]! - mI[k]! * mI[k]! + eps);
    mII[k] = a;
    mIP[k] = mP[k]! - a * mI[k]!;
  }
  const A = boxBlur(mII, lw, lh, lr, mI);
  const B = boxBlur(mIP, lw, lh, lr, mP);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(lh - 1, Math.max(0, (y + 0.5) / s - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(lh - 1, y0 + 1);
    const ay = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(lw - 1, Math.max(0, (x + 0.5) / s - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(lw - 1, x0 + 1);
      const ax = fx - x0;
      const i00 = y0 * lw + x0, i01 = y0 * lw + x1, i10 = y1 * lw + x0, i11 = y1 * lw + x1;
      const a = (A[i00]! * (1 - ax) + A[i01]! * ax) * (1 - ay) + (A[i10]! * (1 - ax) + A[i11]! * ax) * ay;
      const b = (B[i00]! * (1 - ax) + B[i01]! * ax) * (1 - ay) + (B[i10]! * (1 - ax) + B[i11]! * ax) * ay;
      out[y * w + x] = a * guide[y * w + x]! + b;
    }
  }
  return out;
}

/** Box-average shrink by an integer factor (edge cells average what they have). */
function shrink(src: Float32Array, w: number, h: number, s: number, lw: number, lh: number): Float32Array {
  const sum = new Float32Array(lw * lh);
  const cnt = new Float32Array(lw * lh);
  for (let y = 0; y < h; y++) {
    const row = ((y / s) | 0) * lw;
    for (let x = 0; x < w; x++) {
      const k = row + ((x / s) | 0);
      sum[k] += src[y * w + x]!;
      cnt[k]++;
    }
  }
  for (let k = 0; k < sum.length; k++) sum[k] /= cnt[k]!;
  return sum;
}
