// Person mask: a segmentation network on a crop, refined at working resolution by a guided filter.
import type { NetworkRegistry } from '../../inference/registry.js';
import type { Box, Mask, RgbaImage } from '../types.js';
import { clampBox, cropToInput } from './crop.js';
import { fastGuidedFilter } from '../composite/guided-filter.js';
import { runNetwork } from './net-run.js';

export const SEG_SIZE = 256;

/** Network output for one square crop: person probability 0..1, SEG_SIZE², row-major. */
export interface CoarseMask {
  crop: Box;
  prob: Float32Array;
}

/** MediaPipe selfie segmentation (input 0..1) on a square crop of the image. */
export async function segmentCrop(img: RgbaImage, crop: Box, nets: NetworkRegistry): Promise<CoarseMask> {
  const input = cropToInput(img, crop, SEG_SIZE, 'unit');
  const [out] = await runNetwork(nets, 'selfie', input, SEG_SIZE);
  return { crop, prob: out!.data };
}

/**
 * Bilinear sampling of the coarse probability along one image axis: for each pixel from `from`
 * (count `n`), the two coarse cells and the weight of the second; `inside` is 0 off the crop.
 */
function coarseAxis(from: number, n: number, cropStart: number, cropSize: number) {
  const i0 = new Int32Array(n), i1 = new Int32Array(n), t = new Float64Array(n), inside = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const f = ((from + k + 0.5 - cropStart) / cropSize) * SEG_SIZE - 0.5;
    if (f < -0.5 || f > SEG_SIZE - 0.5) continue;
    inside[k] = 1;
    const a = Math.max(0, Math.min(SEG_SIZE - 1, Math.floor(f)));
    i0[k] = a;
    i1[k] = Math.min(SEG_SIZE - 1, a + 1);
    t[k] = Math.max(0, Math.min(1, f - a));
  }
  return { i0, i1, t, inside };
}

/**
 * Upsamples the coarse mask to the working image and lets a guided filter (the photo's luminance
 * as guide) move its edges onto the real hair and arm edges. Work is limited to the crop.
 */
export function refineMask(img: RgbaImage, coarse: CoarseMask): Mask {
  const { width: W, height: H, data } = img;
  const out: Mask = { width: W, height: H, data: new Uint8Array(W * H) };
  const r = clampBox(coarseExtent(coarse), W, H);
  if (r.width === 0 || r.height === 0) return out;
  const n = r.width * r.height;
  const guide = new Float32Array(n);
  const src = new Float32Array(n);
  // The coarse probability, upsampled bilinearly (0 outside the crop): taps per column and per row.
  const cx = coarseAxis(r.x, r.width, coarse.crop.x, coarse.crop.width);
  const cy = coarseAxis(r.y, r.height, coarse.crop.y, coarse.crop.height);
  const prob = coarse.prob;
  for (let y = 0; y < r.height; y++) {
    const rowIn = cy.inside[y] === 1;
    const ay = cy.t[y]!, r0 = cy.i0[y]! * SEG_SIZE, r1 = cy.i1[y]! * SEG_SIZE;
    for (let x = 0; x < r.width; x++) {
      const k = y * r.width + x;
      const p = ((r.y + y) * W + r.x + x) * 4;
      guide[k] = (0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!) / 255;
      if (!rowIn || !cx.inside[x]) continue;
      const ax = cx.t[x]!, x0 = cx.i0[x]!, x1 = cx.i1[x]!;
      const top = prob[r0 + x0]! * (1 - ax) + prob[r0 + x1]! * ax;
      const bot = prob[r1 + x0]! * (1 - ax) + prob[r1 + x1]! * ax;
      src[k] = top * (1 - ay) + bot * ay;
    }
  }
  // Radius about one coarse-mask cell so the filter can move an edge by the network's own blur.
  const cell = coarse.crop.width / SEG_SIZE;
  const radius = Math.max(2, Math.round(cell * 2));
  // Coefficients at about one coarse cell per sample: finer adds time, not edge quality.
  const q = fastGuidedFilter(guide, src, r.width, r.height, radius, 1e-3, Math.max(1, Math.floor(cell / 1.5)));
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      // Stretch around 0.5 so the refined edge is crisp but keeps a one-pixel soft ramp.
      const v = (q[y * r.width + x]! - 0.5) * 2.5 + 0.5;
      out.data[(r.y + y) * W + r.x + x] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
    }
  }
  return out;
}

/** The part of the crop where the network saw any person, grown by a few cells for the filter. */
function coarseExtent(c: CoarseMask): Box {
  let x0 = SEG_SIZE, y0 = SEG_SIZE, x1 = -1, y1 = -1;
  for (let y = 0; y < SEG_SIZE; y++) {
    for (let x = 0; x < SEG_SIZE; x++) {
      if (c.prob[y * SEG_SIZE + x]! < 0.05) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return { x: c.crop.x, y: c.crop.y, width: 0, height: 0 };
  const s = c.crop.width / SEG_SIZE;
  const pad = 4;
  return { x: c.crop.x + (x0 - pad) * s, y: c.crop.y + (y0 - pad) * s, width: (x1 - x0 + 1 + 2 * pad) * s, height: (y1 - y0 + 1 + 2 * pad) * s };
}
