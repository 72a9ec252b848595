// Smooth membrane fill (pull-push pyramid): each hole pixel takes the colour of the nearby allowed source.
/**
 * Fills rgb (3 floats per pixel) where `hole` is set from pixels where `source` is set: the sources
 * are averaged down a pyramid until every cell has some, then the coarse colours flow back up into
 * cells without sources. Returns a new buffer; pixels outside the hole are copied unchanged.
 */
export function pullPush(rgb: Float32Array, w: number, h: number, hole: Uint8Array, source: Uint8Array): Float32Array {
  const levels: { w: number; h: number; c: Float32Array; wt: Float32Array }[] = [];
  let c = new Float32Array(w * h * 3);
  let wt = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) {
    if (!source[i] || hole[i]) continue;
    wt[i] = 1;
    c[i * 3] = rgb[i * 3]!; c[i * 3 + 1] = rgb[i * 3 + 1]!; c[i * 3 + 2] = rgb[i * 3 + 2]!;
  }
  let lw = w, lh = h;
  levels.push({ w: lw, h: lh, c, wt });
  while (lw > 1 || lh > 1) {
    const nw = Math.max(1, (lw + 1) >> 1), nh = Math.max(1, (lh + 1) >> 1);
    const nc = new Float32Array(nw * nh * 3), nwt = new Float32Array(nw * nh);
    for (let y = 0; y < lh; y++) {
      for (let x = 0; x < lw; x++) {
        const i = y * lw + x, q = (y >> 1) * nw + (x >> 1);
        const s = wt[i]!;
        if (s === 0) continue;
        nwt[q] += s;
        nc[q * 3] += c[i * 3]! * s; nc[q * 3 + 1] += c[i * 3 + 1]! * s; nc[q * 3 + 2] += c[i * 3 + 2]! * s;
      }
    }
    for (let q = 0; q < nw * nh; q++) {
      const s = nwt[q]!;
      if (s === 0) continue;
      nc[q * 3] /= s; nc[q * 3 + 1] /= s; nc[q * 3 + 2] /= s;
      nwt[q] = Math.min(1, s);
    }
    lw = nw; lh = nh; c = nc; wt = nwt;
    levels.push({ w: lw, h: lh, c, wt });
  }
  // Push: blend each level's partial cells with the (bilinearly) upsampled coarser level.
  for (let li = levels.length - 2; li >= 0; li--) {
    const f = levels[li]!, g = levels[li + 1]!;
    for (let y = 0; y < f.h; y++) {
      const gy = Math.min(g.h - 1, Math.max(0, (y - 0.5) / 2));
      const y0 = Math.floor(gy), y1 = Math.min(g.h - 1, y0 + 1), fy = gy - y0;
      for (let x = 0; x < f.w; x++) {
        const i = y * f.w + x;
        const a = f.wt[i]!;
        if (a >= 1) continue;
        const gx = Math.min(g.w - 1, Math.max(0, (x - 0.5) / 2));
        const x0 = Math.floor(gx), x1 = Math.min(g.w - 1, x0 + 1), fx = gx - x0;
        for (let k = 0; k < 3; k++) {
          const v = (g.c[(y0 * g.w + x0) * 3 + k]! * (1 - fx) + g.c[(y0 * g.w + x1) * 3 + k]! * fx) * (1 - fy) +
            (g.c[(y1 * g.w + x0) * 3 + k]! * (1 - fx) + g.c[(y1 * g.w + x1) * 3 + k]! * fx) * fy;
          f.c[i * 3 + k] = f.c[i * 3 + k]! * a + v * (1 - a);
        }
        f.wt[i] = 1;
      }
    }
  }
  const out = new Float32Array(rgb);
  const top = levels[0]!.c;
  for (let i = 0; i < w * h; i++) {
    if (!hole[i]) continue;
    out[i * 3] = top[i * 3]!; out[i * 3 + 1] = top[i * 3 + 1]!; out[i * 3 + 2] = top[i * 3 + 2]!;
  }
  return out;
}
