// Edge-aware smoothing (He et al.'s guided filter): a coarse mask follows the photo's own edges.

/** Mean over a (2r+1)² window, clipped at the borders, via a summed-area table. */
export function boxMean(src: Float32Array, w: number, h: number, r: number, out: Float32Array = new Float32Array(w * h)): Float32Array {
  const W = w + 1;
  const sat = new Float64Array(W * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += src[y * w + x]!;
      sat[(y + 1) * W + x + 1] = sat[y * W + x + 1]! + row;
    }
  }
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w, x + r + 1);
      const s = sat[y1 * W + x1]! - sat[y0 * W + x1]! - sat[y1 * W + x0]! + sat[y0 * W + x0]!;
      out[y * w + x] = s / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}

/**
 * Filters `src` (e.g. an upsampled mask, 0..1) guided by the grey image `guide` (0..1): the output
 * is locally a linear function of the guide, so its edges snap to the guide's edges. `r` is the
 * window radius in pixels, `eps` the regularisation (smaller = follows weaker guide edges).
 */
export function guidedFilter(guide: Float32Array, src: Float32Array, w: number, h: number, r: number, eps: number): Float32Array {
  const n = w * h;
  const ii = new Float32Array(n);
  const ip = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    ii[k] = guide[k]! * guide[k]!;
    ip[k] = guide[k]! * src[k]!;
  }
  const mI = boxMean(guide, w, h, r);
  const mP = boxMean(src, w, h, r);
  const mII = boxMean(ii, w, h, r, ii);
  const mIP = boxMean(ip, w, h, r, ip);
  const a = mII; // reused buffers: a and b overwrite the second moments
  const b = mIP;
  for (let k = 0; k < n; k++) {
    const varI = mII[k]! - mI[k]! * mI[k]!;
    const cov = mIP[k]! - mI[k]! * mP[k]!;
    const ak = cov / (varI + eps);
    a[k] = ak;
    b[k] = mP[k]! - ak * mI[k]!;
  }
  const mA = boxMean(a, w, h, r, mI);
  const mB = boxMean(b, w, h, r, mP);
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) out[k] = mA[k]! * guide[k]! + mB[k]!;
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
  const mI = boxMean(gI, lw, lh, lr);
  const mP = boxMean(gP, lw, lh, lr);
  const mII = boxMean(ii, lw, lh, lr, ii);
  const mIP = boxMean(ip, lw, lh, lr, ip);
  for (let k = 0; k < n; k++) {
    const a = (mIP[k]! - mI[k]! * mP[k]!) / (mII[k]! - mI[k]! * mI[k]! + eps);
    mII[k] = a;
    mIP[k] = mP[k]! - a * mI[k]!;
  }
  const A = boxMean(mII, lw, lh, lr, mI);
  const B = boxMean(mIP, lw, lh, lr, mP);
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
