// The brand label (and size tag, inside print) sewn inside the back of the neck: a product photo shows
// it through the neck opening, a worn garment never shows it from the front.
import type { Mask, Point, RgbaImage } from '../types.js';

/** Least difference (largest channel) from the fabric for a pixel to be part of a label's print or edge. */
const LABEL_CONTRAST = 60;
/** How far below the front of the neckline a label is looked for, in neck widths (corner to corner). */
const LABEL_DEPTH = 0.5;
/** Share of the neck's width at each side where no label is looked for (the neckline's corners and rib). */
const LABEL_SIDE = 0.15;
/** Largest label, in neck widths: a front print reaching into the search box is wider or taller. */
const LABEL_MAX_W = 0.75, LABEL_MAX_H = 0.45;
/** Least width over height of a label's marks smaller than BUTTON_SIZE neck widths (a button is round). */
const LABEL_ASPECT = 1.3, BUTTON_SIZE = 0.12;
/** Smallest label mark, in pixels: JPEG noise and a thread are smaller. */
const LABEL_MIN_PX = 12;
/** Margin round the marks that is filled as well, in pixels (the label's edge and its shadow). */
const LABEL_PAD = 3;

export interface NeckLabel {
  /** The filled box, inclusive, image pixels. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Finds a label inside the back of the neck and paints it out of `image` with the fabric around it:
 * in the neck opening (between the neck corners, less LABEL_SIDE at each side, from the corners down to
 * LABEL_DEPTH below the neckline's front), the garment pixels that differ from the fabric's median by
 * LABEL_CONTRAST form clusters; those near the centre line that are not cut by the search box's
 * bottom or sides (a front print reaching up into it), fit in a label's size and are not a button
 * (small and round) are boxed, and each
 * row of the box is filled by a straight blend between the fabric just left and right of it (so the
 * inside's shading goes on). Returns the boxes filled.
 */
export function eraseNeckLabel(image: RgbaImage, mask: Mask, right: Point, front: Point, left: Point): NeckLabel[] {
  const W = image.width, H = image.height, d = image.data;
  const neckW = Math.abs(left.x - right.x);
  if (neckW < 20) return [];
  const cx = (left.x + right.x) / 2;
  const bx0 = Math.max(1, Math.round(Math.min(left.x, right.x) + LABEL_SIDE * neckW));
  const bx1 = Math.min(W - 2, Math.round(Math.max(left.x, right.x) - LABEL_SIDE * neckW));
  const by0 = Math.max(1, Math.round(Math.min(left.y, right.y)));
  const by1 = Math.min(H - 2, Math.round(Math.max(front.y, left.y, right.y) + LABEL_DEPTH * neckW));
  if (bx1 - bx0 < 10 || by1 - by0 < 10) return [];
  const on = (i: number) => mask.data[i]! >= 128;
  // The fabric: per-channel median of the garment in the box.
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let n = 0;
  for (let y = by0; y <= by1; y++) for (let x = bx0; x <= bx1; x++) {
    const i = y * W + x;
    if (!on(i)) continue;
    for (let c = 0; c < 3; c++) hist[c]![d[i * 4 + c]!]!++;
    n++;
  }
  if (n < 100) return [];
  const fabric = hist.map((h) => {
    let s = 0;
    for (let v = 0; v < 256; v++) if ((s += h[v]!) >= n / 2) return v;
    return 255;
  });
  const bw = bx1 - bx0 + 1, bh = by1 - by0 + 1;
  const mark = new Uint8Array(bw * bh);
  for (let y = by0; y <= by1; y++) for (let x = bx0; x <= bx1; x++) {
    const i = y * W + x;
    if (!on(i)) continue;
    let m = 0;
    for (let c = 0; c < 3; c++) m = Math.max(m, Math.abs(d[i * 4 + c]! - fabric[c]!));
    if (m >= LABEL_CONTRAST) mark[(y - by0) * bw + x - bx0] = 1;
  }
  // Marks a few pixels apart belong to one label (its letters, border and tag): clusters of the marks grown by LABEL_PAD.
  const grown = new Uint8Array(bw * bh);
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) {
    if (!mark[y * bw + x]) continue;
    for (let v = Math.max(0, y - LABEL_PAD); v <= Math.min(bh - 1, y + LABEL_PAD); v++)
      for (let u = Math.max(0, x - LABEL_PAD); u <= Math.min(bw - 1, x + LABEL_PAD); u++) grown[v * bw + u] = 1;
  }
  const label = new Int32Array(bw * bh);
  const found: NeckLabel[] = [];
  const stack: number[] = [];
  let next = 0;
  for (let s = 0; s < bw * bh; s++) {
    if (!grown[s] || label[s]) continue;
    next++;
    let x0 = bw, y0 = bh, x1 = -1, y1 = -1, marks = 0;
    label[s] = next;
    stack.push(s);
    while (stack.length) {
      const k = stack.pop()!;
      const x = k % bw, y = (k - x) / bw;
      if (mark[k]) {
        marks++;
        x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
      for (const q of [k - 1, k + 1, k - bw, k + bw]) {
        if (q < 0 || q >= bw * bh || label[q] || !grown[q] || (q === k - 1 && x === 0) || (q === k + 1 && x === bw - 1)) continue;
        label[q] = next;
        stack.push(q);
      }
    }
    if (marks < LABEL_MIN_PX) continue;
    // Cut by the box's bottom or sides: a print or the neckline's rib going on beyond it.
    if (y1 >= bh - 1 - LABEL_PAD || x0 <= LABEL_PAD || x1 >= bw - 1 - LABEL_PAD) continue;
    if (x1 - x0 + 1 > LABEL_MAX_W * neckW || y1 - y0 + 1 > LABEL_MAX_H * neckW) continue;
    // A button on the placket below the neckline is small and round; a label is larger or lies across the back.
    if (Math.max(x1 - x0, y1 - y0) + 1 < BUTTON_SIZE * neckW && x1 - x0 + 1 < LABEL_ASPECT * (y1 - y0 + 1)) continue;
    const mid = bx0 + (x0 + x1) / 2;
    if (Math.abs(mid - cx) > 0.25 * neckW) continue;
    found.push({
      x0: Math.max(0, bx0 + x0 - LABEL_PAD), y0: Math.max(0, by0 + y0 - LABEL_PAD),
      x1: Math.min(W - 1, bx0 + x1 + LABEL_PAD), y1: Math.min(H - 1, by0 + y1 + LABEL_PAD),
    });
  }
  // A label's print inside its border is a cluster of its own: one box for both.
  const boxes = found.filter((b, k) => !found.some((o, j) => j !== k && o.x0 <= b.x0 && o.y0 <= b.y0 && o.x1 >= b.x1 && o.y1 >= b.y1 && (j < k || o.x0 < b.x0 || o.y0 < b.y0 || o.x1 > b.x1 || o.y1 > b.y1)));
  for (const b of boxes) fillRows(image, mask, b, fabric);
  return boxes;
}

/** Each row of box b filled by a straight blend between the garment pixels just outside it (the fabric's median where there are none). */
function fillRows(image: RgbaImage, mask: Mask, b: NeckLabel, fabric: number[]): void {
  const W = image.width, d = image.data;
  const at = (x: number, y: number): number[] => {
    const i = y * W + x;
    return x >= 0 && x < W && mask.data[i]! >= 128 ? [d[i * 4]!, d[i * 4 + 1]!, d[i * 4 + 2]!] : fabric;
  };
  for (let y = b.y0; y <= b.y1; y++) {
    const a = at(b.x0 - 1, y), z = at(b.x1 + 1, y);
    for (let x = b.x0; x <= b.x1; x++) {
      const i = y * W + x;
      if (mask.data[i]! < 128) continue;
      const t = (x - b.x0 + 1) / (b.x1 - b.x0 + 2);
      for (let c = 0; c < 3; c++) d[i * 4 + c] = Math.round(a[c]! * (1 - t) + z[c]! * t);
    }
  }
}
