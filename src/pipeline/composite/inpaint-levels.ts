// The image pyramid inpainting works on: pixels, hole and allowed-source masks at each scale.
import type { Mask, RgbaImage } from '../types.js';

/** One scale of the inpainting problem. */
export interface InpaintLevel {
  width: number;
  height: number;
  /** RGBA floats 0..255 (straight alpha); hole pixels hold the current estimate. */
  img: Float32Array;
  /** 1 = to fill. */
  hole: Uint8Array;
  /** 1 = a patch may be copied from here (not hole, allowed by the source mask). */
  allowed: Uint8Array;
}

export function baseLevel(img: RgbaImage, hole: Mask, sourceMask: Mask | undefined): InpaintLevel {
  const { width, height } = img;
  const n = width * height;
  const f = new Float32Array(n * 4);
  for (let i = 0; i < n * 4; i++) f[i] = img.data[i]!;
  const h = new Uint8Array(n);
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    h[i] = hole.data[i]! >= 128 ? 1 : 0;
    a[i] = h[i] === 0 && (!sourceMask || sourceMask.data[i]! >= 128) ? 1 : 0;
  }
  return { width, height, img: f, hole: h, allowed: a };
}

/**
 * Halves a level. A coarse pixel is hole if any of its pixels is, and allowed only if all are;
 * known coarse pixels average known pixels only, so the hole's guess never leaks outward.
 */
export function halveLevel(src: InpaintLevel): InpaintLevel {
  const w = Math.ceil(src.width / 2);
  const h = Math.ceil(src.height / 2);
  const img = new Float32Array(w * h * 4);
  const hole = new Uint8Array(w * h);
  const allowed = new Uint8Array(w * h);
  const sw = src.width;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let anyHole = 0;
      let allAllowed = 1;
      let cnt = 0;
      let r = 0;
      let g = 0;
      let b = 0;
      let al = 0;
      for (let dy = 0; dy < 2; dy++) {
        const yy = Math.min(2 * y + dy, src.height - 1);
        for (let dx = 0; dx < 2; dx++) {
          const xx = Math.min(2 * x + dx, sw - 1);
          const i = yy * sw + xx;
          if (src.hole[i]) anyHole = 1;
          else {
            const o = i * 4;
            r += src.img[o]!;
            g += src.img[o + 1]!;
            b += src.img[o + 2]!;
            al += src.img[o + 3]!;
            cnt++;
          }
          if (!src.allowed[i]) allAllowed = 0;
        }
      }
      const i = y * w + x;
      hole[i] = anyHole;
      allowed[i] = allAllowed;
      if (cnt > 0) {
        const o = i * 4;
        img[o] = r / cnt;
        img[o + 1] = g / cnt;
        img[o + 2] = b / cnt;
        img[o + 3] = al / cnt;
      }
    }
  }
  return { width: w, height: h, img, hole, allowed };
}

/**
 * Centres of patches that may be copied: the whole (2r+1)² patch inside the image and allowed.
 * Computed with a separable erosion, O(1) per pixel in r.
 */
export function validCentres(level: InpaintLevel, r: number): Uint8Array {
  const { width: w, height: h, allowed } = level;
  const rowOk = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    let run = 0;
    // run = allowed pixels in a row ending at x; a centre needs 2r+1 of them around it.
    for (let x = 0; x < w; x++) {
      run = allowed[y * w + x] ? run + 1 : 0;
      if (run >= 2 * r + 1) rowOk[y * w + x - r] = 1;
    }
  }
  const out = new Uint8Array(w * h);
  for (let x = 0; x < w; x++) {
    let run = 0;
    for (let y = 0; y < h; y++) {
      run = rowOk[y * w + x] ? run + 1 : 0;
      if (run >= 2 * r + 1) out[(y - r) * w + x] = 1;
    }
  }
  return out;
}

/** Pixels whose patch touches the hole: the hole dilated by r (a square). */
export function targetPixels(level: InpaintLevel, r: number): Int32Array {
  const { width: w, height: h, hole } = level;
  const rowNear = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    let last = -1e9;
    for (let x = 0; x < w; x++) {
      if (hole[y * w + x]) last = x;
      if (x - last <= r) rowNear[y * w + x] = 1;
    }
    last = 1e9;
    for (let x = w - 1; x >= 0; x--) {
      if (hole[y * w + x]) last = x;
      if (last - x <= r) rowNear[y * w + x] = 1;
    }
  }
  const near = new Uint8Array(w * h);
  for (let x = 0; x < w; x++) {
    let last = -1e9;
    for (let y = 0; y < h; y++) {
      if (rowNear[y * w + x]) last = y;
      if (y - last <= r) near[y * w + x] = 1;
    }
    last = 1e9;
    for (let y = h - 1; y >= 0; y--) {
      if (rowNear[y * w + x]) last = y;
      if (last - y <= r) near[y * w + x] = 1;
    }
  }
  let n = 0;
  for (let i = 0; i < w * h; i++) n += near[i]!;
  const out = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < w * h; i++) if (near[i]) out[k++] = i;
  return out;
}
