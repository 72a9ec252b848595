// Label masks made into soft alpha that follows the photo's own edges (parsing decides parts on a coarse grid).
import type { ModelAnalysis } from '../../types.js';
import { boxBlur, guidedFilterColor } from '../../composite/guided-filter.js';

/**
 * Soft alpha (0..1) for the pixels `sel` marks. The parsing decides body parts on a grid of about
 * S/80, so a part's edge inside the person is a staircase; a slight blur removes the steps and a
 * colour-guided filter moves the edge onto the photo's real one (skin against fabric) within about
 * two grid cells. Restricted to the person mask (its soft silhouette stays) and to near the selection,
 * so the filter cannot bleed a part into a distant look-alike region. Computed on the selection's box only.
 *
 * `limb`: an arm or hand, whose label is the skin test's, pixel-exact against fabric. Whole from half
 * a cell in, and reaching at most half a cell out: across a limb narrower than a few filter windows
 * the filter alone gives only the label's share of its window (the arm seen through), and its ramp
 * lays a skin-coloured haze beside it. Face and hair keep the filter's full reach: their labels'
 * staircases (face against neck, hair against shoulder) are further from the real edge.
 */
export function softLabelAlpha(a: ModelAnalysis, sel: Uint8Array, limb = false): Float32Array {
  const { width: W, height: H } = a;
  const out = new Float32Array(W * H);
  let x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (let y = 0; y < H; y++) {
    const row = y * W;
    for (let x = 0; x < W; x++) {
      if (!sel[row + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return out;
  const cell = Math.max(1, a.measurements.shoulder_width / 80);
  const r = Math.max(2, Math.round(2.5 * cell));
  const pad = 2 * r + 2;
  x0 = Math.max(0, x0 - pad); y0 = Math.max(0, y0 - pad);
  x1 = Math.min(W - 1, x1 + pad); y1 = Math.min(H - 1, y1 + pad);
  const w = x1 - x0 + 1, h = y1 - y0 + 1;
  const m = new Float32Array(w * h);
  const guide = new Float32Array(w * h * 3);
  const img = a.image.data;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y + y0) * W + x + x0, k = y * w + x;
      m[k] = sel[i] ? 1 : 0;
      guide[k * 3] = img[i * 4]! / 255;
      guide[k * 3 + 1] = img[i * 4 + 1]! / 255;
      guide[k * 3 + 2] = img[i * 4 + 2]! / 255;
    }
  }
  // Half a cell of blur takes the steps off; the filter then snaps what is left to the photo.
  const blurred = boxBlur(m, w, h, Math.max(1, Math.round(cell / 2)));
  const refined = guidedFilterColor(guide, blurred, w, h, r, 4e-3);
  // Nothing further than the filter's reach from the labelled part: a look-alike elsewhere is not it.
  const near = boxBlur(m, w, h, limb ? Math.max(2, Math.round(cell / 2)) : r);
  const inner = limb ? boxBlur(m, w, h, Math.max(1, Math.round(cell / 2))) : near;
  const mask = a.mask.data;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = y * w + x, i = (y + y0) * W + x + x0;
      if (near[k]! <= 0) continue;
      const v = Math.max(0, Math.min(1, refined[k]!));
      // Deep inside the label there is nothing to snap to: keep it whole.
      const al = inner[k]! >= 0.999 ? 1 : v < 0.04 ? 0 : v > 0.96 ? 1 : v;
      out[i] = Math.min(al, mask[i]! / 255);
    }
  }
  return out;
}

/**
 * A layer's partly transparent pixels carry the colour of what was behind them in the photo (the old
 * top, the backdrop), which shows as a light or coloured fringe over a new garment. Each such pixel
 * takes the mean colour of the layer's opaque pixels around it instead. In place; rgba is W×H×4.
 */
export function decontaminateEdges(rgba: Uint8Array, W: number, H: number, radius: number): void {
  const n = W * H;
  const w = new Float32Array(n);
  let any = false;
  for (let i = 0; i < n; i++) {
    const al = rgba[i * 4 + 3]!;
    if (al >= 250) w[i] = 1;
    else if (al > 0) any = true;
  }
  if (!any) return;
  const r = Math.max(1, Math.round(radius));
  const ws = boxBlur(w, W, H, r);
  const ch = new Float32Array(n);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) ch[i] = w[i]! * rgba[i * 4 + c]!;
    const s = boxBlur(ch, W, H, r);
    for (let i = 0; i < n; i++) {
      const al = rgba[i * 4 + 3]!;
      if (al === 0 || al >= 250 || ws[i]! < 1e-3) continue;
      // Nearly opaque pixels keep most of their own colour (and texture): a window mean is flat.
      const t = Math.min(1, Math.max(0, (240 - al) / 120));
      rgba[i * 4 + c] = Math.round(rgba[i * 4 + c]! * (1 - t) + (s[i]! / ws[i]!) * t);
    }
  }
}
