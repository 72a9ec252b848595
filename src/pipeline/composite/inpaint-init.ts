// First guess for the coarsest level of inpainting: grow the hole's content inward, patch by patch.
import type { InpaintLevel } from './inpaint-levels.js';

const UNKNOWN_WEIGHT = 0.1;

/**
 * Fills the hole layer by layer from its border inward; each pixel takes the centre of the
 * source patch that best matches its already-known neighbours. A mean-colour guess would let
 * the darkest or largest neighbour bleed across the whole hole and steer every later match;
 * this keeps the structure that meets the hole's border (a dress continues as dress).
 * Runs on the coarsest level only, where hole and candidates are a few thousand pixels.
 */
export function onionPatchFill(level: InpaintLevel, validList: Int32Array, r: number, maxCandidates = 1500): void {
  const { width: w, height: h, img, hole } = level;
  const known = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) known[i] = hole[i] ? 0 : 1;
  const stride = Math.max(1, Math.ceil(validList.length / maxCandidates));
  const isValid = new Uint8Array(w * h);
  for (let k = 0; k < validList.length; k++) isValid[validList[k]!] = 1;
  // Where each filled pixel was copied from: a neighbour's source, shifted, is the candidate
  // that continues a texture in phase, which a subsampled candidate list alone would miss.
  const srcOf = new Int32Array(w * h).fill(-1);
  const cands: number[] = [];

  let layer = borderOf(known, w, h);
  while (layer.length > 0) {
    const fill = new Int32Array(layer.length);
    for (let li = 0; li < layer.length; li++) {
      const t = layer[li]!;
      const tx = t % w;
      const ty = (t - tx) / w;
      // The known pixels' mean: unknown pixels of the patch are pulled gently toward it, or a
      // candidate that matches the known side could copy anything into the unknown side.
      let mr = 0;
      let mg = 0;
      let mb = 0;
      let nk = 0;
      for (let dy = -r; dy <= r; dy++) {
        const yy = ty + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -r; dx <= r; dx++) {
          const xx = tx + dx;
          if (xx < 0 || xx >= w || !known[yy * w + xx]) continue;
          const ti = (yy * w + xx) * 4;
          mr += img[ti]!;
          mg += img[ti + 1]!;
          mb += img[ti + 2]!;
          nk++;
        }
      }
      mr /= nk || 1;
      mg /= nk || 1;
      mb /= nk || 1;
      cands.length = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = tx + dx;
          const yy = ty + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const sn = srcOf[yy * w + xx]!;
          if (sn < 0) continue;
          const cx = (sn % w) - dx;
          const cy = Math.floor(sn / w) - dy;
          if (cx >= 0 && cy >= 0 && cx < w && cy < h && isValid[cy * w + cx]) cands.push(cy * w + cx);
        }
      }
      for (let k = (li * 7919) % stride; k < validList.length; k += stride) cands.push(validList[k]!);
      let best = cands[0]!;
      let bestD = Infinity;
      for (let ci = 0; ci < cands.length; ci++) {
        const s = cands[ci]!;
        const sx = s % w;
        const sy = (s - sx) / w;
        let d = 0;
        for (let dy = -r; dy <= r && d < bestD; dy++) {
          const yy = ty + dy;
          if (yy < 0 || yy >= h) continue;
          for (let dx = -r; dx <= r; dx++) {
            const xx = tx + dx;
            if (xx < 0 || xx >= w) continue;
            const si = ((sy + dy) * w + sx + dx) * 4;
            if (known[yy * w + xx]) {
              const ti = (yy * w + xx) * 4;
              const d0 = img[ti]! - img[si]!;
              const d1 = img[ti + 1]! - img[si + 1]!;
              const d2 = img[ti + 2]! - img[si + 2]!;
              d += d0 * d0 + d1 * d1 + d2 * d2;
            } else {
              const d0 = mr - img[si]!;
              const d1 = mg - img[si + 1]!;
              const d2 = mb - img[si + 2]!;
              d += UNKNOWN_WEIGHT * (d0 * d0 + d1 * d1 + d2 * d2);
            }
          }
        }
        if (d < bestD) {
          bestD = d;
          best = s;
        }
      }
      fill[li] = best;
    }
    // Write the whole layer at once so its pixels do not depend on their order in the layer.
    for (let li = 0; li < layer.length; li++) {
      const t = layer[li]!;
      for (let k = 0; k < 4; k++) img[t * 4 + k] = img[fill[li]! * 4 + k]!;
      known[t] = 1;
      srcOf[t] = fill[li]!;
    }
    layer = borderOf(known, w, h);
  }
}

/** Unknown pixels with a known 8-neighbour. */
function borderOf(known: Uint8Array, w: number, h: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (known[y * w + x]) continue;
      let near = false;
      for (let dy = -1; dy <= 1 && !near; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < w && yy < h && known[yy * w + xx]) {
            near = true;
            break;
          }
        }
      }
      if (near) out.push(y * w + x);
    }
  }
  return out;
}
